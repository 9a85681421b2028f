"""A whole audit month replayed end to end (`make demo`), on the embedded store and on SharePoint
through the loopback server with throttling injected: the same outcomes either way."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.core.stages import SubmissionOutcome
from shared.demo.month import replay_month
from shared.entry.cli.main import app
from shared.services.workflow.status import allocation_statuses, open_tasks
from tests.sharepoint_server.server import FaultPlan, LoopbackSharePoint
from tests.workflow.conftest import Desk, make_desk, sharepoint_for

EXPECTED_OUTCOMES = {
    "DEMO-0001 audit.docx": SubmissionOutcome.WAITING_FOR_QA,
    "DEMO-0005 audit.xlsx": SubmissionOutcome.WAITING_FOR_QA,
    "DEMO-0002 audit.docx": SubmissionOutcome.WAITING_FOR_QA,
    "DEMO-0003 audit.docx": SubmissionOutcome.RETURNED,
    "DEMO-0006 audit.docm": SubmissionOutcome.QUARANTINED,
    "DEMO-9999 audit.docx": SubmissionOutcome.QUARANTINED,
    "DEMO-0001 audit (copy).docx": SubmissionOutcome.QUARANTINED,
    "DEMO-0006 audit.docx": SubmissionOutcome.WAITING_FOR_QA,
    "DEMO-0004 audit.xlsx": SubmissionOutcome.WAITING_FOR_QA,
    "DEMO-0003 audit v2.docx": SubmissionOutcome.WAITING_FOR_QA,
}


def replay(desk: Desk) -> tuple[dict[str, str], list[tuple[str, str, str]], int]:
    result = replay_month(desk.services, desk.home / "uploads", say=lambda _: None)
    statuses = [(s.case_ref, s.month, s.stage) for s in allocation_statuses(desk.services)]
    return result.outcomes, statuses, len(open_tasks(desk.services))


def test_every_submission_of_the_month_ends_accepted_returned_or_quarantined(desk: Desk) -> None:
    outcomes, statuses, _ = replay(desk)
    assert outcomes == EXPECTED_OUTCOMES
    assert ("DEMO-0002", "2026-12", "Allocated") in statuses  # the re-audit (2.12)
    assert ("DEMO-0001", "2026-11", "Closed") in statuses
    assert not any(case == "DEMO-0007" for case, _, _ in statuses)  # refused: the auditor manages it (1.4)


def test_the_month_ends_the_same_on_sharepoint_with_a_fifth_of_requests_throttled(
    desk: Desk, loopback_sharepoint: LoopbackSharePoint, tmp_path: Path
) -> None:
    embedded = replay(desk)
    loopback_sharepoint.clear_items()
    loopback_sharepoint.reset_counts()
    loopback_sharepoint.set_faults(FaultPlan(throttle_ratio=0.2, retry_after=0, seed=11))
    remote = make_desk(sharepoint_for(loopback_sharepoint), tmp_path / "sharepoint")
    try:
        on_sharepoint = replay(remote)
    finally:
        remote.services.close()
        loopback_sharepoint.clear_items()
    assert loopback_sharepoint.waits_announced, "no request was throttled: the test proves nothing"
    assert on_sharepoint == embedded


def test_make_demo_runs_the_month_and_says_where_the_results_are(tmp_path: Path) -> None:
    home = tmp_path / "demo-output"
    result = CliRunner().invoke(app, ["--home", str(home), "demo"])
    assert result.exit_code == 0, result.output
    assert f"Results in {home}/" in result.output
    summary = json.loads((home / "demo-summary.json").read_text(encoding="utf-8"))
    assert summary["submission_outcomes"] == {
        SubmissionOutcome.WAITING_FOR_QA: 6,
        SubmissionOutcome.RETURNED: 1,
        SubmissionOutcome.QUARANTINED: 3,
    }
    assert summary["reaudits"] == ["DEMO-0002"]
    assert summary["overdue_audits"] == ["DEMO-0004", "DEMO-0008"]
    assert summary["emails"] == len(list((home / "outbox").glob("*.eml"))) > 20
    # Run again: the demo starts from an empty store each time and ends the same.
    again = CliRunner().invoke(app, ["--home", str(home), "demo"])
    assert again.exit_code == 0, again.output
    assert json.loads((home / "demo-summary.json").read_text(encoding="utf-8")) == summary


def test_logs_of_a_whole_month_hold_no_names_case_references_or_addresses(
    any_desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    replay(any_desk)
    assert caplog.records, "nothing was logged: the test proves nothing"
    for record in caplog.records:
        text = record.getMessage()
        for forbidden in ("DEMO-", "(fictional)", "@example.org", "Example", "Sample"):
            assert forbidden not in text, f"{record.name} logged {text!r}"
