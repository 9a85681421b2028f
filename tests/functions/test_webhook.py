"""The SharePoint webhook, invoked as Azure invokes it: handshake, clientState, our own
subscriptions only, malformed, deep and oversized bodies, and one queue message per
notification."""

from __future__ import annotations

import json
import logging
import time

import pytest

from shared.core.list_titles import SUBMISSIONS
from shared.entry.functions.notifications import Notification
from tests.functions.conftest import CLIENT_STATE, App

LIST_ID = "1b7b1d2a-0000-4000-8000-000000000002"
OURS = [f"5ee4ec6b-0000-4000-8000-00000000000{n}" for n in "1ab"]


@pytest.fixture(autouse=True)
def _our_subscriptions(app: App) -> None:
    """What the subscription timer records after creating these webhooks on the list."""
    from shared.entry.functions.subscriptions import RenewalResult, record_subscriptions
    from shared.entry.functions.wiring import open_services

    services = open_services()
    try:
        record_subscriptions(services.state, RenewalResult(watching=dict.fromkeys(OURS, LIST_ID)))
    finally:
        services.close()


def _notification(
    subscription: str = OURS[0], state: str = CLIENT_STATE, resource: str = LIST_ID
) -> dict[str, object]:
    return {
        "subscriptionId": subscription,
        "clientState": state,
        "expirationDateTime": "2027-01-01T00:00:00Z",
        "resource": resource,
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
    from shared.entry.functions.subscriptions import keep_subscriptions
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


def _all_logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)


@pytest.mark.parametrize(
    ("subscription", "resource"),
    [
        ("5ee4ec6b-0000-4000-8000-0000000000ff", LIST_ID),  # a GUID, but no subscription of ours
        (OURS[0], "1b7b1d2a-0000-4000-8000-0000000000ff"),  # ours, but not the list it watches
    ],
    ids=["unknown-subscription", "other-list"],
)
def test_a_notification_for_a_subscription_not_ours_is_refused_unlogged_and_unqueued(
    app: App, subscription: str, resource: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = app.notify({"value": [_notification(subscription, resource=resource)]})
    assert response.status_code == 403
    assert app.queued() == []
    assert subscription not in _all_logs(caplog)
    assert resource not in _all_logs(caplog)
    (event,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "auditdesk.functions"]
    assert event["event"] == "notifications refused"
    assert event["unknown_subscription"] == 1


def test_before_the_timer_records_any_subscription_every_notification_is_refused(app: App) -> None:
    from shared.entry.functions.subscriptions import OURS_KEY
    from shared.entry.functions.wiring import open_services

    services = open_services()
    try:
        services.state.put(OURS_KEY, "{}")
    finally:
        services.close()
    assert app.notify({"value": [_notification()]}).status_code == 403
    assert app.queued() == []


def test_the_subscription_timer_records_the_webhooks_it_keeps_so_sharepoint_is_heard(
    app: App, public_webhook: str
) -> None:
    import datetime as dt

    from shared.services.workflow.changes import WATCHED

    app.today(dt.date(2026, 11, 23)).fire("renew_subscriptions")
    for list_name in WATCHED:
        (body,) = app.sharepoint.notifications_for(list_name)
        assert app.notify(body).status_code == 202
    assert len(app.queued()) == len(WATCHED)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"value": ' * 20_000,
        b'{"value": [' + b'{"a": [' * 30_000,
        b'{"value": [' + b"[" * 100_000 + b"]" * 100_001 + b"}",  # well formed, and deep
    ],
    ids=["arrays", "objects", "inside-a-notification", "closed"],
)
def test_a_body_nested_past_the_parser_gets_400_not_500(
    app: App, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = app.post_webhook(body)
    assert response.status_code == 400
    assert app.queued() == []
    assert [
        json.loads(r.getMessage())["event"] for r in caplog.records if r.name == "auditdesk.functions"
    ] == ["webhook body refused"]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-content-length"])
def test_an_oversized_body_is_refused_with_413(app: App, declared: bool) -> None:
    import azure.functions as func

    from shared.entry.functions.notifications import MAX_BODY_BYTES
    from tests.functions.conftest import Context

    padding = "Jane Example DEMO-0001 " * (MAX_BODY_BYTES // 20)
    body = json.dumps({"value": [_notification()], "padding": padding}).encode()
    headers = {"Content-Length": str(len(body))} if declared else {}
    request = func.HttpRequest(
        "POST", "http://localhost/api/sharepoint/webhook", params={}, headers=headers, body=body
    )
    response = app.functions["sharepoint_webhook"](request, Context())
    assert response.status_code == 413
    assert app.queued() == []


@pytest.mark.parametrize(
    "field",
    ["subscriptionId", "resource"],
)
@pytest.mark.parametrize(
    "value",
    ["Jane Example DEMO-0001", "5ee4ec6b-0000-4000-8000-00000000000a\nDEMO-0001", "", "../../etc"],
    ids=["text", "guid-and-newline", "empty", "path"],
)
def test_an_id_that_is_not_a_guid_is_refused_before_it_is_logged_or_queued(
    app: App, field: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    notification = _notification()
    notification[field] = value
    with caplog.at_level(logging.DEBUG):
        response = app.notify({"value": [notification, _notification(OURS[1])]})
    assert response.status_code == 400
    assert app.queued() == []
    logged = _all_logs(caplog)
    for leaked in ("DEMO-0001", "Jane", "../../etc"):
        assert leaked not in logged
