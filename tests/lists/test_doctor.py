"""``auditdesk doctor`` against the loopback servers: a clean run, and each failure it must report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.adapters.lists.sharepoint_store import SharePointListStore
from shared.adapters.mail.graph import GraphMailer
from shared.adapters.mail.sent_log import MemorySentLog
from shared.entry.cli.doctor import FAIL, PASS, SKIPPED, CheckResult, Doctor
from shared.entry.cli.main import app
from tests.graph_server import LoopbackGraph
from tests.lists.conftest import sharepoint_store
from tests.lists.test_sharepoint_strict import token_store
from tests.sharepoint_server.server import FIXTURE_TOKEN, FaultPlan, LoopbackSharePoint, app_token


@pytest.fixture
def graph() -> Iterator[LoopbackGraph]:
    with LoopbackGraph() as server:
        yield server


def mailer(graph: LoopbackGraph, roles: tuple[str, ...] = ("Mail.ReadWrite", "Mail.Send")) -> GraphMailer:
    token = app_token("auditdesk-test-app", roles)
    return GraphMailer("audit.desk@example.org", lambda: token, MemorySentLog(), base_url=graph.base_url)


def by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


def run(store: SharePointListStore, **options: object) -> dict[str, CheckResult]:
    return by_name(Doctor(store, stamp="test", **options).run())  # type: ignore[arg-type]


def test_a_clean_run_passes_every_check_and_leaves_nothing_behind(
    sharepoint: LoopbackSharePoint, graph: LoopbackGraph, webhook_endpoint: str
) -> None:
    lists_before = set(sharepoint.lists)
    with sharepoint_store(sharepoint) as store:
        results = run(
            store, mailer=mailer(graph), mail_to="qa.test@example.org", webhook_url=webhook_endpoint
        )
    assert {name: r.status for name, r in results.items()} == {
        "Sign-in": PASS,
        "Site time zone": PASS,
        "Provisioning": PASS,
        "Batch with If-Match": PASS,
        "Change tracking": PASS,
        "Dates": PASS,
        "Files": PASS,
        "Webhook subscription": PASS,
        "Graph mail": PASS,
        "Clean-up": PASS,
    }
    assert set(sharepoint.lists) == lists_before
    assert [m.to for m in graph.sent_messages] == [["qa.test@example.org"]]


def test_a_refused_token_fails_sign_in_and_skips_the_rest(sharepoint: LoopbackSharePoint) -> None:
    with token_store(sharepoint, "not-a-token-sharepoint-knows") as store:
        results = run(store)
    assert results["Sign-in"].status == FAIL
    assert "certificate" in results["Sign-in"].fix
    assert results["Provisioning"].status == SKIPPED


def test_a_write_grant_fails_provisioning_and_says_to_grant_manage(sharepoint: LoopbackSharePoint) -> None:
    sharepoint.site_grants["writer-app"] = "write"
    with token_store(sharepoint, app_token("writer-app")) as store:
        results = run(store)
    assert results["Provisioning"].status == FAIL
    assert "manage" in results["Provisioning"].fix


def test_a_proxy_that_drops_if_match_fails_the_batch_check(sharepoint: LoopbackSharePoint) -> None:
    sharepoint.set_faults(FaultPlan(ignore_if_match=True))
    with sharepoint_store(sharepoint) as store:
        results = run(store)
    assert results["Batch with If-Match"].status == FAIL
    assert "stale ETag" in results["Batch with If-Match"].detail


@pytest.mark.parametrize(
    ("fragment", "check"),
    [
        ("/getchanges", "Change tracking"),
        ("regionalsettings/timezone", "Site time zone"),
        ("addusingpath", "Files"),
    ],
)
def test_each_failing_call_is_reported_by_its_check(
    sharepoint: LoopbackSharePoint, fragment: str, check: str
) -> None:
    sharepoint.set_faults(FaultPlan(fail_paths={fragment: 500}))
    with sharepoint_store(sharepoint) as store:
        results = run(store)
    assert results[check].status == FAIL
    assert results[check].fix


def test_an_endpoint_that_does_not_validate_fails_the_webhook_check(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        results = run(store, webhook_url="http://127.0.0.1:9/api/hook")
    assert results["Webhook subscription"].status == FAIL
    assert "validationtoken" in results["Webhook subscription"].fix


def test_mail_send_alone_fails_the_mail_check_and_names_mail_readwrite(
    sharepoint: LoopbackSharePoint, graph: LoopbackGraph
) -> None:
    with sharepoint_store(sharepoint) as store:
        results = run(store, mailer=mailer(graph, ("Mail.Send",)), mail_to="qa.test@example.org")
    assert results["Graph mail"].status == FAIL
    assert "Mail.ReadWrite" in results["Graph mail"].fix
    assert results["Clean-up"].status == PASS


def test_the_command_prints_the_table_and_exits_non_zero_on_a_failure(
    sharepoint: LoopbackSharePoint, tmp_path: Path
) -> None:
    env = {"AUDITDESK_SP_SITE_URL": sharepoint.url, "AUDITDESK_SP_ACCESS_TOKEN": FIXTURE_TOKEN}
    runner = CliRunner()
    clean = runner.invoke(app, ["--home", str(tmp_path), "doctor", "--json"], env=env)
    assert clean.exit_code == 0, clean.output
    assert {r["status"] for r in json.loads(clean.output)} == {PASS, SKIPPED}
    sharepoint.set_faults(FaultPlan(fail_paths={"/getchanges": 500}))
    failed = runner.invoke(app, ["--home", str(tmp_path), "doctor"], env=env)
    assert failed.exit_code == 1
    assert "Change tracking" in failed.output
    assert "FAIL" in failed.output
