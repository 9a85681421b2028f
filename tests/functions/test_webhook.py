"""The SharePoint webhook, invoked as Azure invokes it: handshake, clientState, malformed
bodies, and one queue message per notification."""

from __future__ import annotations

import json
import logging
import time

import pytest

from shared.azure.notifications import Notification
from shared.workflow.lists import SUBMISSIONS
from tests.functions.conftest import CLIENT_STATE, App


def _notification(
    subscription: str = "5ee4ec6b-0000-4000-8000-000000000001", state: str = CLIENT_STATE
) -> dict[str, object]:
    return {
        "subscriptionId": subscription,
        "clientState": state,
        "expirationDateTime": "2027-01-01T00:00:00Z",
        "resource": "1b7b1d2a-0000-4000-8000-000000000002",
        "tenantId": "00000000-0000-0000-0000-000000000000",
        "siteUrl": "/sites/qa",
        "webId": "00000000-0000-0000-0000-000000000001",
    }


def test_the_validation_handshake_echoes_the_token_as_plain_text(app: App) -> None:
    response = app.post_webhook(b"", params={"validationtoken": "d3b07384-token"})
    assert response.status_code == 200
    assert response.get_body() == b"d3b07384-token"
    assert response.mimetype == "text/plain"
    assert app.queued() == []


def test_sharepoint_can_subscribe_through_the_handshake(app: App, public_webhook: str) -> None:
    from shared.azure.subscriptions import keep_subscriptions
    from tests.workflow.conftest import DEADLINES, sharepoint_for

    with sharepoint_for(app.sharepoint) as store:
        import datetime as dt

        result = keep_subscriptions(
            store, [SUBMISSIONS], public_webhook, CLIENT_STATE, DEADLINES.calendar, dt.datetime.now(dt.UTC)
        )
    assert len(result.created) == 1
    (notification,) = app.sharepoint.notifications_for(SUBMISSIONS)
    assert notification["value"][0]["clientState"] == CLIENT_STATE


def test_each_notification_becomes_one_queue_message_without_the_client_state(app: App) -> None:
    body = {
        "value": [
            _notification("5ee4ec6b-0000-4000-8000-00000000000a"),
            _notification("5ee4ec6b-0000-4000-8000-00000000000b"),
        ]
    }
    started = time.monotonic()
    response = app.notify(body)
    assert time.monotonic() - started < 2.0  # SharePoint gives up after 5 s
    assert response.status_code == 202
    queued = app.queued()
    assert sorted(Notification.from_message(b).subscription_id for b, _ in queued) == [
        "5ee4ec6b-0000-4000-8000-00000000000a",
        "5ee4ec6b-0000-4000-8000-00000000000b",
    ]
    assert all(CLIENT_STATE.encode() not in b for b, _ in queued)


def test_a_wrong_client_state_is_refused_and_nothing_is_queued(app: App) -> None:
    response = app.notify({"value": [_notification(state="guessed-secret")]})
    assert response.status_code == 403
    assert app.queued() == []


def test_only_the_notifications_with_the_right_client_state_are_queued(app: App) -> None:
    body = {"value": [_notification("5ee4ec6b-0000-4000-8000-00000000000a"), _notification(state="")]}
    assert app.notify(body).status_code == 202
    assert len(app.queued()) == 1


def test_a_missing_client_state_setting_refuses_everything(app: App) -> None:
    app.monkeypatch.delenv("AUDITDESK_WEBHOOK_CLIENT_STATE")
    assert app.notify({"value": [_notification(state="")]}).status_code == 403
    assert app.queued() == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json: Child name Jane Example, case DEMO-0001",
        b'{"value": "Jane Example"}',
        b'{"value": []}',
        b'{"value": [{"clientState": "x"}]}',
        b"[1, 2, 3]",
        b"\xff\xfe\x00garbage",
    ],
    ids=["empty", "text", "value-not-list", "no-notifications", "no-subscription", "array", "binary"],
)
def test_a_malformed_body_gets_400_and_is_logged_without_its_content(
    app: App, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="auditdesk.functions"):
        response = app.post_webhook(body)
    assert response.status_code == 400
    assert app.queued() == []
    assert "Jane" not in caplog.text
    assert "DEMO-0001" not in caplog.text
    assert [json.loads(r.getMessage())["event"] for r in caplog.records] == ["webhook body refused"]


def test_webhook_logs_carry_ids_and_counts_but_never_the_client_state(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="auditdesk.functions"):
        app.notify({"value": [_notification()]})
    (fields,) = [
        e
        for e in (json.loads(r.getMessage()) for r in caplog.records)
        if e["event"] == "notifications queued"
    ]
    assert fields["queued"] == 1
    assert fields["invocation_id"]
    assert fields["subscription_ids"] == ["5ee4ec6b-0000-4000-8000-000000000001"]
    assert CLIENT_STATE not in caplog.text
