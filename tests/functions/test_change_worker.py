"""Webhook → queue → worker, against Azurite and the loopback SharePoint site: the same
changes as `auditdesk process`, duplicates made once, poison with a reason, resume after a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.adapters.azure.storage import POISON_QUEUE
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS, TASKS
from shared.entry.functions.notifications import Notification
from shared.entry.functions.worker import MAX_DEQUEUE_COUNT
from shared.services.workflow.changes import WATCHED
from tests.functions.conftest import App
from tests.functions.scenario import (
    CASE,
    SUBMITTED_ON,
    allocate_and_submit,
    fresh_site,
    lists_snapshot,
    outbox,
)


def _subscribe_and_start_tracking(app: App) -> None:
    """What an administrator's first run of the subscription timer does on a new site."""
    app.today(SUBMITTED_ON).fire("renew_subscriptions")


def _token(list_name: str) -> str | None:
    from shared.entry.functions.wiring import open_services
    from shared.services.workflow.changes import token_key

    services = open_services()
    try:
        return services.state.get(token_key(list_name))
    finally:
        services.close()


def _notify_every_list(app: App) -> None:
    for list_name in WATCHED:
        for body in app.sharepoint.notifications_for(list_name):
            assert app.notify(body).status_code == 202


def test_a_notification_ends_in_the_same_list_changes_and_tasks_as_auditdesk_process(
    app: App, public_webhook: str, tmp_path: Path
) -> None:
    from shared.entry.cli.main import app as cli

    # `auditdesk process`, on its own copy of the scenario.
    fresh_site(app.sharepoint)
    reference_home = tmp_path / "cli"
    reference_desk = allocate_and_submit(app.sharepoint, reference_home)
    emails_before = outbox(reference_home)
    with app.monkeypatch.context() as isolated:
        # The reference keeps its own state: the CLI would otherwise share the app's tables.
        isolated.delenv("AzureWebJobsStorage")
        answer = CliRunner().invoke(
            cli, ["--home", str(reference_home), "--today", SUBMITTED_ON.isoformat(), "process"]
        )
    assert answer.exit_code == 0, answer.output
    reference = lists_snapshot(reference_desk)
    reference_emails = sorted(set(outbox(reference_home)) - set(emails_before))
    reference_desk.services.close()
    fresh_site(app.sharepoint)

    # The Functions app: subscription, webhook, queue, worker.
    _subscribe_and_start_tracking(app)
    desk = allocate_and_submit(app.sharepoint, app.home)
    emails_before = outbox(app.home)
    _notify_every_list(app)
    assert app.work_queue() == len(WATCHED)
    made = lists_snapshot(desk)
    desk.services.close()

    assert made == reference
    assert sorted(set(outbox(app.home)) - set(emails_before)) == reference_emails
    assert [t["task_type"] for t in made[TASKS]] == ["Safeguarding"]
    assert [a["status"] for a in made[ALLOCATIONS]] != ["Allocated"]
    assert reference_emails  # the safeguarding alert, at least


def test_duplicate_notifications_create_nothing_twice(app: App, public_webhook: str) -> None:
    _subscribe_and_start_tracking(app)
    desk = allocate_and_submit(app.sharepoint, app.home)
    for _ in range(3):  # SharePoint retries, and sends one per change
        _notify_every_list(app)
    app.work_queue()
    once = lists_snapshot(desk), outbox(app.home)
    _notify_every_list(app)
    app.work_queue()
    assert (lists_snapshot(desk), outbox(app.home)) == once
    desk.services.close()


def test_a_malformed_queue_message_goes_to_the_poison_queue_with_its_reason(app: App) -> None:
    app.work(b"not a notification", dequeue_count=1)
    ((body, _),) = app.queued(POISON_QUEUE)
    poisoned = json.loads(body)
    assert poisoned["message"] == "not a notification"
    assert "malformed message" in poisoned["reason"]


def test_a_message_that_keeps_failing_is_retried_then_poisoned_with_the_reason(
    app: App, public_webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.services.workflow.changes as changes

    _subscribe_and_start_tracking(app)
    desk = allocate_and_submit(app.sharepoint, app.home)

    real_process_changes = changes.process_changes

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("SharePoint unreachable")

    monkeypatch.setattr(changes, "process_changes", broken)
    message = Notification("5ee4ec6b-0000-4000-8000-000000000001", "list", "/sites/qa", "web").to_message()
    for attempt in range(1, MAX_DEQUEUE_COUNT):
        with pytest.raises(ConnectionError):  # the host makes it visible again after visibilityTimeout
            app.work(message.encode(), dequeue_count=attempt)
        assert app.queued(POISON_QUEUE) == []
    app.work(message.encode(), dequeue_count=MAX_DEQUEUE_COUNT)
    ((body, _),) = app.queued(POISON_QUEUE)
    assert json.loads(body)["reason"] == "ConnectionError: SharePoint unreachable"
    assert (
        json.loads(json.loads(body)["message"])["subscription_id"] == "5ee4ec6b-0000-4000-8000-000000000001"
    )

    # Nothing was lost: the token did not move, so the next notification does the work.
    monkeypatch.setattr(changes, "process_changes", real_process_changes)
    app.notify(app.sharepoint.notifications_for(SUBMISSIONS)[0])
    app.work_queue()
    assert desk.allocation(CASE).stage.value != "Allocated"
    desk.services.close()


def test_after_a_crash_mid_run_the_next_message_resumes_from_the_stored_token(
    app: App, public_webhook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.services.workflow.changes as changes

    _subscribe_and_start_tracking(app)
    desk = allocate_and_submit(app.sharepoint, app.home)
    real_task_changes = changes._task_changes

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the instance was recycled")

    # Submissions are processed, then the run dies on the Tasks list.
    tasks_token = _token(TASKS)
    monkeypatch.setattr(changes, "_task_changes", crash)
    app.notify(app.sharepoint.notifications_for(SUBMISSIONS)[0])
    ((body, count),) = app.queued()
    with pytest.raises(RuntimeError):
        app.work(body, count)
    after_crash = lists_snapshot(desk)
    assert _token(TASKS) == tasks_token  # the work on Tasks was not done: its token stays
    assert [t["task_type"] for t in after_crash[TASKS]] == ["Safeguarding"]

    monkeypatch.setattr(changes, "_task_changes", real_task_changes)
    app.work(body, count + 1)
    resumed = lists_snapshot(desk)
    assert len(resumed[TASKS]) == len(after_crash[TASKS])  # nothing made twice
    assert resumed[ALLOCATIONS] == after_crash[ALLOCATIONS]
    assert _token(TASKS) != tasks_token
    desk.services.close()
