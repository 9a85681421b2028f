"""The webhook's check of a notification body, on its own: ids must be GUIDs, the clientState
right, and the subscription ours; what is ours is read only for a body with the right secret."""

from __future__ import annotations

import json

import pytest

from shared.entry.functions.notifications import MalformedNotification, check_notifications

SUBSCRIPTION = "5ee4ec6b-0000-4000-8000-000000000001"
LIST_ID = "1b7b1d2a-0000-4000-8000-000000000002"
SECRET = "fictional-client-state"


def _body(state: str = SECRET, subscription: str = SUBSCRIPTION, resource: str = LIST_ID) -> bytes:
    value = {"subscriptionId": subscription, "clientState": state, "resource": resource}
    return json.dumps({"value": [value]}).encode()


def test_what_is_ours_is_read_only_for_a_body_with_the_right_client_state() -> None:
    reads: list[int] = []

    def ours() -> dict[str, str]:
        reads.append(1)
        return {SUBSCRIPTION: LIST_ID}

    assert check_notifications(_body(state="guessed"), SECRET, ours).refused == 1
    assert reads == []
    checked = check_notifications(_body(), SECRET, ours)
    assert [n.subscription_id for n in checked.accepted] == [SUBSCRIPTION]
    assert reads == [1]


def test_upper_case_guids_from_sharepoint_match_the_recorded_ones() -> None:
    checked = check_notifications(
        _body(subscription=SUBSCRIPTION.upper(), resource=LIST_ID.upper()),
        SECRET,
        lambda: {SUBSCRIPTION: LIST_ID},
    )
    assert len(checked.accepted) == 1


@pytest.mark.parametrize("body", [b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000], ids=["open", "closed"])
def test_a_body_nested_past_the_parser_is_malformed_not_a_crash(body: bytes) -> None:
    with pytest.raises(MalformedNotification, match="nested too deeply"):
        check_notifications(body, SECRET, dict)
