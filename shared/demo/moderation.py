"""The demo's fair sample and consistent grading (2.1, 7.2), on a store of its own so the month's
lists stay as the replay left them: December's cases drawn from a fictional export of 3,000
cases, and a replayed quarter of moderation whose calibration spots a lenient auditor."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import MemorySentLog
from shared.bootstrap import bootstrap
from shared.config import Settings
from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.list_titles import ALLOCATIONS, MODERATION, SUBMISSIONS
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.example_registers import example_staff
from shared.demo.fictional_cases import export_csv, fictional_case_rows, fictional_staff
from shared.services.moderation.calibration import calibration_workbook, quarterly_calibration_section
from shared.services.moderation.selection import select_cases
from shared.services.moderation.service import AWAITING, draw_moderation_sample, record_from_list
from shared.services.ports.lists import FieldValue, Query
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import DEFAULT_SETTINGS, Services
from shared.services.workflow.people import import_staff
from shared.services.workflow.unit_of_work import unit_of_work

QUARTER = (AuditMonth(2026, 9), AuditMonth(2026, 10), AuditMonth(2026, 11))
SAMPLE_MONTH = AuditMonth(2026, 12)
LENIENT = "fictional.icro.1@example.org"  # grades Outstanding where moderators see Good


def demo_moderation(services: Services, folder: Path, say: Callable[[str], None]) -> dict[str, object]:
    """Run both on a store in ``folder`` and say where the results are."""
    folder.mkdir(parents=True, exist_ok=True)
    own = bootstrap(
        Settings(home=folder),
        services.schema,
        services.deadlines,
        Clock(QUARTER[0].first_day),
        mailer=OutboxMailer(folder / "outbox", MemorySentLog()),
    )
    try:
        for key, value in DEFAULT_SETTINGS.items():
            own.set_setting(key, value)
        import_staff(own, [*example_staff(services.schema), *fictional_staff()])
        summary = _quarter(own, folder, say)
        summary |= _sample(own, folder, say)
    finally:
        own.close()
    (folder / "moderation-summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def _quarter(services: Services, folder: Path, say: Callable[[str], None]) -> dict[str, object]:
    auditors = ["fictional.seniormanager.1@example.org", "fictional.groupmanager.1@example.org", LENIENT]
    auditors += ["fictional.professionalpracticeofficer.1@example.org"]
    grades = [
        Grade.GOOD,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
        Grade.INADEQUATE,
        Grade.REQUIRES_IMPROVEMENT,
    ]
    number = 0
    drawn = 0
    for month in QUARTER:
        for n in range(30):
            number += 1
            auditor = auditors[n % 4]
            grade = Grade.OUTSTANDING if auditor == LENIENT and n % 8 == 2 else grades[n % 5]
            _accepted(services, number, month, auditor, grade)
        services.clock = Clock(month.following().first_day)
        with unit_of_work(services) as run:
            draw = draw_moderation_sample(run, month)
        drawn += draw.added
        for item in services.store.query_all(Query(MODERATION, page_size=500)):
            if item.fields.get("status") != AWAITING:
                continue
            verdicts: dict[str, FieldValue] = dict.fromkeys([f"d{n}_verdict" for n in range(1, 8)], "Agree")
            verdicts["overall_verdict"] = "Agree"
            if item.fields.get("auditor_email") == LENIENT:
                lower = _one_lower(item.fields.get("overall_auditor_grade"))
                verdicts |= {
                    "overall_verdict": lower,
                    "overall_reason": "The evidence supports a lower grade.",
                }
            services.store.update(MODERATION, item.id, verdicts, None)
        with unit_of_work(services) as run:
            record_from_list(run)
        say(
            f"  Moderation, {month.label}: {draw.accepted} accepted, {draw.drawn} drawn "
            f"(seed '{draw.seed}'), moderated and counted."
        )
    calibration, data = calibration_workbook(services, list(QUARTER))
    sheet = folder / f"calibration-{QUARTER[0]}-to-{QUARTER[-1]}.xlsx"
    sheet.write_bytes(data)
    section = quarterly_calibration_section(services, list(QUARTER))
    (folder / "calibration-quarterly-section.json").write_text(
        json.dumps(section, indent=2), encoding="utf-8"
    )
    flagged = [row for row in calibration.auditors if row.flag]
    for row in flagged:
        say(f"  Calibration flags {row.auditor_email}: {row.flag}")
    return {
        "moderated": drawn,
        "flagged": [r.auditor_email for r in flagged],
        "calibration_sheet": str(sheet),
    }


def _one_lower(value: object) -> str:
    order = [g.value for g in Grade]
    if value in order:
        return order[min(order.index(str(value)) + 1, len(order) - 1)]
    return "Agree"


def _accepted(services: Services, number: int, month: AuditMonth, auditor: str, grade: Grade) -> None:
    """An audit as the workflow leaves it once QA accepted it (fictional case FIC-...)."""
    case = f"FIC-{number:05d}"
    item = services.store.add(
        ALLOCATIONS,
        {
            "Title": f"{case} {month}",
            "allocation_key": f"{case}/{month}",
            "case_ref": case,
            "audit_month": str(month),
            "auditor_email": auditor,
            "allocated_worker_email": "fictional.worker.a1@example.org",
            "team_manager_email": "fictional.manager.a@example.org",
            "team": "Fictional Team A",
            "status": AuditStage.ACCEPTED.value,
            "overall_grade": grade.value,
            "accepted_on": dt.date(month.year, month.month, 25),
        },
    )
    fields: dict[str, FieldValue] = {
        "allocation": item.id,
        "outcome": SubmissionOutcome.WAITING_FOR_QA.value,
        "overall_grade": grade.value,
    }
    fields |= {f"d{n}_grade": grade.value for n in range(1, 8)}
    services.store.add_file(SUBMISSIONS, f"audit-{case}.docx", b"fictional", fields)


def _sample(services: Services, folder: Path, say: Callable[[str], None]) -> dict[str, object]:
    export = folder / "fictional-case-export.csv"
    export.write_bytes(export_csv(fictional_case_rows(3000)))
    selection = select_cases(services, export.read_bytes(), export.name, SAMPLE_MONTH)
    assert selection.proposal is not None, [str(p) for p in selection.problems[:3]]
    sheet = folder / f"allocation-sheet-{SAMPLE_MONTH}.xlsx"
    sheet.write_bytes(selection.sheet)
    proposal = selection.proposal
    covered = sum(1 for s in proposal.strata if s.drawn)
    say(
        f"  Case selection, {SAMPLE_MONTH.label}: {len(proposal.chosen)} of {selection.cases_read} fictional "
        f"cases, {covered} of {len(proposal.strata)} team and case type strata covered, none audited in "
        f"the last 12 months (seed '{proposal.seed}')."
    )
    return {"sample": len(proposal.chosen), "strata_covered": covered, "allocation_sheet": str(sheet)}
