"""Publishing: both files in the Reports library, the .docx emailed once per report and period,
to the distribution list Settings name, and again only when asked."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.core.deadlines import AuditMonth
from shared.core.list_titles import REPORTS_LIBRARY
from shared.demo.fictional_history import fictional_history, store_history
from shared.demo.reports import demo_reports
from shared.services.ports.lists import Query
from shared.services.reports.publish import ReportRequestError, approve_bulletin, publish_report
from shared.services.workflow.dependencies import Services


def _outbox(services: Services, home: Path) -> list[EmailMessage]:
    messages = []
    for path in sorted((home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


@pytest.fixture
def filled(services: Services) -> Services:
    store_history(services.store, fictional_history(240, AuditMonth(2026, 11), months=4, seed=5))
    return services


def test_report_is_filed_with_its_data_pack_and_emailed_once_per_period(
    filled: Services, tmp_path: Path
) -> None:
    first = publish_report(filled, "highlights", "2026-11")
    assert (first.sent, first.already_sent) == (True, False)
    # 8.1: the monthly figures go to the Senior Leadership Team and the Wider Leadership meeting.
    assert first.recipients == ("senior-leadership@example.org", "wider-leadership@example.org")
    files = {
        str(i.fields["FileLeafRef"]): i.fields
        for i in filled.store.query_all(Query(REPORTS_LIBRARY, page_size=500))
    }
    assert files["Audit Highlights Report 2026-11.docx"]["report_type"] == "Audit Highlights Report"
    assert files["Audit Highlights Report 2026-11 data pack.xlsx"]["period"] == "2026-11"
    assert filled.store.read_file(REPORTS_LIBRARY, first.docx_name) == first.docx

    again = publish_report(filled, "highlights", "2026-11")
    assert (again.sent, again.already_sent) == (False, True)
    assert len(_outbox(filled, tmp_path / "home")) == 1

    resent = publish_report(filled, "highlights", "2026-11", resend=True)
    assert resent.sent
    messages = _outbox(filled, tmp_path / "home")
    assert len(messages) == 2
    attachment = next(messages[0].iter_attachments())
    assert attachment.get_filename() == "Audit Highlights Report 2026-11.docx"
    assert str(messages[0]["Subject"]) == "Audit Highlights Report: November 2026"


def test_quarterly_goes_to_senior_and_wider_leadership_and_the_bulletin_to_all_staff(
    filled: Services,
) -> None:
    filled.set_setting("wider_leadership_email", "wider-leadership@example.org; team-managers@example.org")
    quarterly = publish_report(filled, "quarterly", "2026-Q4", send=False)
    assert quarterly.recipients == (
        "senior-leadership@example.org",
        "wider-leadership@example.org",
        "team-managers@example.org",
    )
    assert not quarterly.sent
    # A bulletin is a draft for the QA team until it is approved; then it goes to all staff.
    assert publish_report(filled, "bulletin", "2026-Q4").recipients == ("quality-assurance@example.org",)
    assert publish_report(filled, "bulletin", "2026-11").sent  # a monthly draft is its own email
    approved, _ = approve_bulletin(filled, "2026-11", [], "qa@example.org")
    assert approved.recipients == ("all-staff@example.org",)


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("highlights", "2026-Q4", "monthly"),
        ("quarterly", "2026-11", "quarter"),
        ("weekly", "2026-11", "highlights"),
    ],
)
def test_a_report_that_does_not_exist_for_the_period_is_refused(
    services: Services, kind: str, period: str, message: str
) -> None:
    with pytest.raises(ReportRequestError, match=message):
        publish_report(services, kind, period)


def test_demo_reports_writes_three_reports_and_their_data_packs(filled: Services, tmp_path: Path) -> None:
    said: list[str] = []
    paths = demo_reports(filled, tmp_path / "reports", said.append)
    # The bulletin twice: the draft for QA, and the bulletin QA approved (the demo approves it).
    assert sorted(p.suffix for p in paths) == [".docx"] * 4 + [".xlsx"] * 4
    assert all(p.stat().st_size > 5_000 for p in paths)
    assert any("QA approves the bulletin" in line for line in said)
    assert any("QA reviews excerpt 1" in line for line in said)
    assert len(_outbox(filled, tmp_path / "home")) == 4


def test_command_line_builds_files_and_sends_only_when_asked(tmp_path: Path) -> None:
    from shared.entry.cli.main import app

    home = tmp_path / "cli-home"
    runner = CliRunner()
    result = runner.invoke(app, ["--home", str(home), "report", "highlights", "--period", "2026-11"])
    assert result.exit_code == 0, result.output
    assert "Audit Highlights Report 2026-11.docx" in result.output
    assert "Not emailed" in result.output
    assert (home / "libraries" / "Reports" / "Audit Highlights Report 2026-11 data pack.xlsx").is_file()
    sent = runner.invoke(app, ["--home", str(home), "report", "highlights", "--period", "2026-11", "--send"])
    assert "Emailed" in sent.output
    again = runner.invoke(app, ["--home", str(home), "report", "highlights", "--period", "2026-11", "--send"])
    assert "Already emailed" in again.output
    wrong = runner.invoke(app, ["--home", str(home), "report", "quarterly", "--period", "2026-11"])
    assert wrong.exit_code == 2
    assert "2026-Q4" in wrong.output
