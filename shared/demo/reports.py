"""The demo month's reports: published as the timers would, the bulletin approved as the QA
team would, and each copied into the demo's output folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shared.services.reports.period import parse_period
from shared.services.reports.publish import (
    PublishedReport,
    approve_bulletin,
    learning_bulletin,
    publish_report,
)
from shared.services.workflow.dependencies import Services

DEMO_REPORTS = (("highlights", "2026-11"), ("bulletin", "2026-11"), ("quarterly", "2026-Q4"))


def demo_reports(services: Services, out: Path, say: Callable[[str], None]) -> list[Path]:
    """The demo month's three reports: filed, emailed (to the outbox) and copied into ``out``.
    The bulletin goes first to the QA team as a draft; the demo then approves it as the QA team
    would, excerpt by excerpt, and only then is it sent to all staff."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def keep(report: PublishedReport) -> None:
        for name, content in ((report.docx_name, report.docx), (report.data_pack_name, report.data_pack)):
            path = out / name
            path.write_bytes(content)
            written.append(path)

    for kind, period in DEMO_REPORTS:
        report = publish_report(services, kind, period)
        keep(report)
        mail = "emailed" if report.sent else "already emailed" if report.already_sent else "not emailed"
        say(f"{report.report_type}, {period}: {out / report.docx_name} and its data pack; {mail}.")
        if kind == "bulletin":
            learning = learning_bulletin(services, parse_period(period))
            chosen = [n for n, e in enumerate(learning.excerpts, start=1) if not e.withheld][:4]
            for number, excerpt in enumerate(learning.excerpts, start=1):
                verdict = (
                    f"withheld by the redactor ({excerpt.withheld})"
                    if excerpt.withheld
                    else "approved"
                    if number in chosen
                    else "not approved"
                )
                say(f"  QA reviews excerpt {number}: {verdict}.")
            approved, problems = approve_bulletin(services, period, chosen, services.setting("qa_team_email"))
            for problem in problems:
                say(f"  {problem}")
            keep(approved)
            say(
                f"  QA approves the bulletin: {out / approved.docx_name} sent to all staff with "
                f"{len(chosen)} approved excerpt(s)."
            )
    return written
