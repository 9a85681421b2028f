"""Many queue-worker invocations at once, as Flex Consumption runs them (issue 11), against Azurite
and the loopback SharePoint site: the writer lease lets one work at a time, the others wait and
find the work done, and notifications that arrive while a run works coalesce into it. The end is
the same lists, tasks, trail and emails as one worker alone (2.6: one alert per concern)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from azure.functions.queue import QueueMessage

from shared.adapters.azure.storage import table_client
from shared.adapters.forms.word import fill_word_form
from shared.adapters.state.lease import TableLease
from shared.config import AzureStorageSettings
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.entry.functions.worker import LAST_RUN_STARTED, WorkerOutcome, handle_change_message
from shared.services.ports.state import LeaseBusy
from shared.services.workflow.changes import WATCHED
from shared.services.workflow.intake import submit_file
from tests.functions.azurite import Azurite
from tests.functions.conftest import App, Context
from tests.functions.scenario import ALLOCATED_ON, SUBMITTED_ON, fresh_site, lists_snapshot, outbox
from tests.workflow.conftest import TEMPLATES, Desk, make_desk, sharepoint_for

CASES = ("DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004", "DEMO-0005", "DEMO-0006")
FORMS = (good_audit, inadequate_audit_with_safeguarding_concern, half_filled_audit)


def _month(app: App, home: Path) -> Desk:
    desk = make_desk(sharepoint_for(app.sharepoint), home)
    for case in CASES:
        desk.at(ALLOCATED_ON).allocate(case)
    desk.at(SUBMITTED_ON)
    for number, case in enumerate(CASES):
        fields = FORMS[number % len(FORMS)]()
        fields["case_ref"] = case
        path = home / "uploads" / f"{case} audit.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))
        submit_file(desk.services, path)
    return desk


def _start_tracking() -> None:
    """What the app's first run on new state does: the lists' change tokens from now on."""
    from shared.entry.functions.wiring import open_services

    open_services().close()


def _queue_notifications(app: App, rounds: int) -> list[bytes]:
    app.today(SUBMITTED_ON).fire("renew_subscriptions")
    for _ in range(rounds):  # SharePoint sends one per change and retries
        for list_name in WATCHED:
            for body in app.sharepoint.notifications_for(list_name):
                assert app.notify(body).status_code == 202
    return [body for body, _ in app.queued()]


@pytest.mark.parametrize("workers", [2, 4, 8])
def test_concurrent_invocations_do_the_work_of_one_worker_2_6(
    app: App, public_webhook: str, tmp_path: Path, workers: int
) -> None:
    # One worker alone.
    fresh_site(app.sharepoint)
    desk = _month(app, app.home)
    emails_before = set(outbox(app.home))
    for body in _queue_notifications(app, rounds=2):
        app.work(body)
    reference = lists_snapshot(desk)
    reference_emails = sorted(set(outbox(app.home)) - emails_before)
    desk.services.close()

    # The same month on a fresh site and fresh state, with ``workers`` invocations at once.
    fresh_site(app.sharepoint)
    suffix = uuid.uuid4().hex[:10]
    app.monkeypatch.setenv("AUDITDESK_STATE_TABLE", f"state{suffix}")
    app.monkeypatch.setenv("AUDITDESK_SENT_MAIL_TABLE", f"sent{suffix}")
    home = tmp_path / "concurrent"
    app.monkeypatch.setenv("AUDITDESK_HOME", str(home))
    _start_tracking()
    desk = _month(app, home)
    emails_before = set(outbox(home))
    bodies = _queue_notifications(app, rounds=workers // len(WATCHED) + 1)
    assert len(bodies) >= workers
    start = threading.Barrier(workers)

    def invoke(body: bytes) -> None:
        start.wait(timeout=30)
        app.work(body)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(invoke, bodies[:workers]))
        list(pool.map(app.work, bodies[workers:]))
    assert lists_snapshot(desk) == reference
    made_emails = sorted(set(outbox(home)) - emails_before)
    assert made_emails == reference_emails
    assert len(outbox(home)) == len(set(outbox(home)))  # none twice
    alerts = [e for e in made_emails if e[2].startswith("IMMEDIATE")]
    assert len(alerts) == 2  # one per concern, whatever the number of workers
    desk.services.close()


def test_notifications_queued_before_a_run_started_coalesce_into_it(app: App, public_webhook: str) -> None:
    fresh_site(app.sharepoint)
    desk = _month(app, app.home)
    bodies = _queue_notifications(app, rounds=3)
    queued_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    outcomes = [handle_change_message(body, 1, str(uuid.uuid4()), queued_at=queued_at) for body in bodies]
    assert outcomes[0] is WorkerOutcome.PROCESSED
    assert set(outcomes[1:]) == {WorkerOutcome.COALESCED}
    # A message queued after the run started is not covered by it: it runs (and finds nothing new).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    assert handle_change_message(bodies[0], 1, "later", queued_at=later) is WorkerOutcome.PROCESSED
    desk.services.close()


def test_the_function_passes_the_queue_insertion_time_on(app: App, public_webhook: str) -> None:
    """What Azure gives the trigger (insertion time) reaches the coalescing check."""
    fresh_site(app.sharepoint)
    desk = _month(app, app.home)
    (body, *_rest) = _queue_notifications(app, rounds=1)
    app.work(body)
    old = QueueMessage(  # type: ignore[no-untyped-call]
        id="m", body=body, dequeue_count=1, insertion_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    from shared.entry.functions.wiring import open_services

    services = open_services()
    last = services.state.get(LAST_RUN_STARTED)
    services.close()
    app.functions["process_changes"](old, Context())
    services = open_services()
    assert services.state.get(LAST_RUN_STARTED) == last  # coalesced: no new run
    services.close()
    desk.services.close()


# --- the lease itself, on Azure Table storage (Azurite) ---------------------------------------


def _table(azurite: Azurite) -> Any:
    settings = AzureStorageSettings(table_connection_string=azurite.connection_string)
    return table_client(settings, f"lease{uuid.uuid4().hex[:12]}")


def test_a_table_lease_is_held_by_one_instance_at_a_time(azurite: Azurite) -> None:
    table = _table(azurite)
    first, second = TableLease(table, duration_seconds=15), TableLease(table, duration_seconds=15)
    with (
        first.hold(),
        pytest.raises(LeaseBusy, match="queue will deliver this message again"),
        second.hold(wait_seconds=1),
    ):
        pass
    with second.hold(wait_seconds=1):
        assert second.held


def test_a_table_lease_is_renewed_while_its_holder_works(azurite: Azurite) -> None:
    table = _table(azurite)
    first, second = TableLease(table, duration_seconds=1.5), TableLease(table, duration_seconds=1.5)
    with first.hold():
        with pytest.raises(LeaseBusy), second.hold(wait_seconds=3.5):  # more than two lease periods
            pass
        assert not first.lost


def test_a_lease_whose_holder_died_is_taken_over_when_its_time_runs_out(azurite: Azurite) -> None:
    table = _table(azurite)
    expired = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).isoformat()
    table.create_entity({"PartitionKey": "lease", "RowKey": "writer", "holder": "dead", "expires": expired})
    with TableLease(table).hold(wait_seconds=2) as held:
        assert held is None
        assert table.get_entity("lease", "writer")["holder"] != "dead"
