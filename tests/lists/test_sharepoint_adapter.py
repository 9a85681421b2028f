"""What the SharePoint adapter adds to the client library, checked against the loopback server."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from shared.adapters.lists.formatted import formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sharepoint_store import RetryPolicy
from shared.core.schema_reader import load_schema
from shared.entry.cli.main import app
from shared.services.ports.lists import ConcurrencyConflict, ListStoreError, Query, where
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import FIXTURE_TOKEN, FaultPlan, LoopbackSharePoint

ALLOCATIONS = "Audit Allocations"


def row(n: int) -> dict[str, str | bool | dt.date]:
    return {
        "case_ref": f"CASE-{n:04d}",
        "audit_month": "2026-11",
        "status": "Allocated",
        "due_date": dt.date(2026, 11, 30),
    }


def test_throttled_requests_wait_as_long_as_retry_after_says_and_lose_nothing(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add(ALLOCATIONS, row(0))
        sharepoint.set_faults(FaultPlan(retry_after=1, queued=[("status", 429), ("status", 503)]))
        started = time.monotonic()
        item = store.add(ALLOCATIONS, row(1))
        elapsed = time.monotonic() - started
        assert store.get(ALLOCATIONS, item.id)["case_ref"] == "CASE-0001"
        assert store.stats().retries == 2
        assert store.stats().waited_seconds == pytest.approx(2.0)
        assert 1.9 <= elapsed < 4.0


def test_a_store_that_stays_throttled_gives_up_with_a_message_saying_nothing_was_lost(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint, RetryPolicy(max_attempts=3)) as store:
        store.add(ALLOCATIONS, row(0))
        sharepoint.set_faults(FaultPlan(retry_after=0, queued=[("status", 429)] * 5))
        with pytest.raises(ListStoreError, match="kept throttling"):
            store.query(Query(ALLOCATIONS))


def test_a_dropped_connection_on_a_read_is_retried(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint, RetryPolicy(fallback_wait_seconds=0.01)) as store:
        store.add(ALLOCATIONS, row(0))
        sharepoint.set_faults(FaultPlan(queued=[("drop", 0)]))
        assert len(store.query(Query(ALLOCATIONS)).items) == 1


def test_a_slow_answer_still_arrives(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        sharepoint.set_faults(FaultPlan(queued=[("slow", 300)]))
        assert store.query(Query(ALLOCATIONS)).items == ()


def test_two_services_editing_one_allocation_meet_a_412_conflict(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as first, sharepoint_store(sharepoint) as second:
        item = first.add(ALLOCATIONS, row(1))
        second.update(ALLOCATIONS, item.id, {"status": "Submitted"}, item.etag)
        with pytest.raises(ConcurrencyConflict):
            first.update(ALLOCATIONS, item.id, {"status": "Closed"}, item.etag)


def test_paging_past_a_hundred_follows_next_links(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add_many(ALLOCATIONS, [row(n) for n in range(250)])
        sharepoint.reset_counts()
        items = list(store.query_all(Query(ALLOCATIONS, page_size=100)))
        assert len(items) == 250
        gets = [path for method, path in sharepoint.requests if method == "GET"]
        assert len(gets) == 3
        assert "skiptoken" in gets[1]


def test_a_hundred_new_items_cost_one_batch_and_one_read_back(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add(ALLOCATIONS, row(0))  # the entity type and form digest are now known
        sharepoint.reset_counts()
        store.add_many(ALLOCATIONS, [row(n) for n in range(1, 100)])
        assert [path for _, path in sharepoint.requests] == ["/sites/qa/_api/$batch"] * 2


def test_filters_stay_on_indexed_columns_when_a_list_passes_the_threshold(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add_many(ALLOCATIONS, [row(n) for n in range(30)])
        sharepoint.list_view_threshold = 20
        try:
            page = store.query(Query(ALLOCATIONS, (where("case_ref", "eq", "CASE-0007"),)))
            assert [i["case_ref"] for i in page.items] == ["CASE-0007"]
            raw = requests.get(
                f"{sharepoint.url}/_api/web/lists/GetByTitle('Audit Allocations')/items?$filter=previous_grade eq 'Good'",
                headers={
                    "Authorization": f"Bearer {FIXTURE_TOKEN}",
                    "Accept": "application/json;odata=verbose",
                },
                timeout=5,
            )
            assert raw.status_code == 500
            assert "SPQueryThrottledException" in raw.text
        finally:
            sharepoint.list_view_threshold = 5000


def test_every_request_carries_the_decorated_user_agent(sharepoint: LoopbackSharePoint) -> None:
    sharepoint.user_agents.clear()
    with sharepoint_store(sharepoint) as store:
        store.add(ALLOCATIONS, row(0))
    assert set(sharepoint.user_agents) == {"NONISV|HullCC|AuditDesk/0.1.0"}


def test_provisioning_twice_changes_nothing_the_second_time(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        report = provision(store.provisioner(), formatted_definitions(load_schema()))
    assert not report.changed
    assert report.warnings == []


def test_auditdesk_provision_creates_the_lists_on_a_site_and_then_has_nothing_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITDESK_SP_ACCESS_TOKEN", "fictional-test-token")
    runner = CliRunner()
    with LoopbackSharePoint() as site:
        first = runner.invoke(app, ["--home", str(tmp_path), "provision", "--site", site.url])
        assert first.exit_code == 0, first.output
        assert "Created library 'Audit Submissions'" in first.output
        assert "Audit Allocations" in site.lists
        assert site.lists["Audit Allocations"].fields["status"].indexed
        assert "Overdue" in site.lists["Audit Allocations"].views
        second = runner.invoke(app, ["--home", str(tmp_path), "provision", "--site", site.url])
        assert second.exit_code == 0, second.output
        assert "nothing changed" in second.output


def test_auditdesk_provision_on_the_embedded_store_needs_no_configuration(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["--home", str(tmp_path), "provision"], env={"AUDITDESK_SP_SITE_URL": ""})
    assert first.exit_code == 0, first.output
    assert (tmp_path / "lists.sqlite3").is_file()
    second = runner.invoke(app, ["--home", str(tmp_path), "provision"], env={"AUDITDESK_SP_SITE_URL": ""})
    assert "nothing changed" in second.output


def test_a_webhook_subscription_is_validated_and_keeps_its_client_state(
    sharepoint: LoopbackSharePoint, webhook_endpoint: str
) -> None:
    with sharepoint_store(sharepoint) as store:
        subscription_id = store.webhooks().subscribe(
            "Audit Submissions", webhook_endpoint, "fictional-client-state"
        )
    notes = sharepoint.notifications_for("Audit Submissions")
    assert notes[0]["value"][0]["subscriptionId"] == subscription_id
    assert notes[0]["value"][0]["clientState"] == "fictional-client-state"
