"""Moderation on the lists (7.2): a returned audit accepted, drawn, moderated on the moderation
form through intake, the auditor told; and a replayed quarter whose calibration table spots a
deliberately lenient fictional auditor. Real SQLite store, real outbox, real forms."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from shared.adapters.forms.word import fill_word_form
from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.list_titles import ALLOCATIONS, MODERATION, SUBMISSIONS
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.examples import good_audit
from shared.services.moderation.calibration import calibration_workbook, quarterly_calibration_section
from shared.services.moderation.service import AWAITING, MODERATED, draw_moderation_sample, record_from_list
from shared.services.ports.lists import FieldValue, Query
from tests.workflow.conftest import (
    EAST_MANAGER,
    EAST_WORKER,
    NOVEMBER,
    SENIOR_MANAGERS,
    TEMPLATES,
    WEST_MANAGER,
    Desk,
    body,
)

D = dt.date
MODERATORS = (*SENIOR_MANAGERS, "quinn.example@example.org")
LENIENT = "skyler.example@example.org"  # an ICRO in the example Staff register (fictional)
STEADY = (WEST_MANAGER, "harper.example@example.org", "quinn.example@example.org")


def _items(desk: Desk) -> list:  # type: ignore[type-arg]
    return list(desk.store.query_all(Query(MODERATION, page_size=500)))


def test_7_2_an_outstanding_audit_is_moderated_on_the_form_and_the_auditor_is_told(desk: Desk) -> None:
    desk.allocate("DEMO-0101")
    fields = good_audit() | {"case_ref": "DEMO-0101", "overall_grade": "Outstanding"}
    desk.at(D(2026, 11, 20)).submit("audit-0101.docx", fields)
    desk.at(D(2026, 11, 23)).qa("accept", "DEMO-0101")
    assert desk.allocation("DEMO-0101").stage is AuditStage.ACCEPTED

    with desk.at(D(2026, 12, 1)).unit() as run:
        draw = draw_moderation_sample(run, NOVEMBER)
    assert (draw.accepted, draw.drawn, draw.added) == (1, 1, 1)
    (item,) = _items(desk)
    moderator = str(item["moderator_email"])
    assert moderator in MODERATORS
    assert moderator not in (WEST_MANAGER, EAST_MANAGER, EAST_WORKER)
    assert item["status"] == AWAITING
    assert item["overall_auditor_grade"] == "Outstanding"
    assert item["d1_auditor_grade"] == "Good"
    assert "Every audit judged Outstanding" in str(item["selected_because"])
    (asked,) = [m for m in desk.emails_to(moderator) if "Moderation:" in str(m["Subject"])]
    assert {a.get_filename() for a in asked.iter_attachments()} == {
        "moderation-DEMO-0101.docx",
        "moderation-DEMO-0101.xlsx",
    }
    assert [t.assigned_to for t in desk.tasks("Moderation")] == [moderator]

    # Drawing the same month again adds nothing.
    with desk.unit() as run:
        assert draw_moderation_sample(run, NOVEMBER).added == 0
    assert len(_items(desk)) == 1

    verdicts: dict[str, FieldValue] = {
        "case_ref": "DEMO-0101",
        "auditor": "Riley Sample (fictional)",
        "moderator": "A moderator (fictional)",
        "moderation_date": D(2026, 12, 3),
        **{f"d{n}_verdict": "Agree" for n in range(1, 8)},
        "d4_verdict": "Requires Improvement",
        "d4_reason": "School attendance fell again in October; no impact shown.",
        "overall_verdict": "Good",
        "overall_reason": "Strong practice, but domain 4 is not yet Outstanding.",
    }
    result = desk.at(D(2026, 12, 3)).submit(
        "moderation-0101.docx", fill_word_form(TEMPLATES / "moderation.docx", verdicts)
    )
    (submission,) = result.submissions
    assert submission.outcome == SubmissionOutcome.MODERATION_RECORDED
    (item,) = _items(desk)
    assert item["status"] == MODERATED
    assert item["overall_auditor_grade"] == "Outstanding"  # the auditor's judgement stays
    assert item["overall_moderated_grade"] == "Good"
    assert item["d4_moderated_grade"] == "Requires Improvement"
    assert (item["domains_agreed"], item["domains_compared"], item["overall_agreed"]) == (6, 7, False)
    assert desk.allocation("DEMO-0101").overall_grade is Grade.OUTSTANDING  # never changed
    (told,) = [m for m in desk.emails_to(WEST_MANAGER) if "Moderation outcome" in str(m["Subject"])]
    text = body(told)
    assert "you gave Outstanding; the moderator gave Good" in text
    assert "School attendance fell again" in text
    assert [t.status for t in desk.tasks("Moderation")] == ["Done"]


def _accepted(
    desk: Desk, number: int, month: AuditMonth, auditor: str, overall: Grade, domains: Grade
) -> None:
    """An audit as the workflow leaves it once QA accepted it: the allocation and its filed submission."""
    case = f"FIC-{number:05d}"
    item = desk.store.add(
        ALLOCATIONS,
        {
            "Title": f"{case} {month}",
            "allocation_key": f"{case}/{month}",
            "case_ref": case,
            "audit_month": str(month),
            "auditor_email": auditor,
            "allocated_worker_email": EAST_WORKER,
            "team_manager_email": EAST_MANAGER,
            "team": "Demo Team East",
            "status": AuditStage.ACCEPTED.value,
            "overall_grade": overall.value,
            "accepted_on": D(month.year, month.month, 25),
        },
    )
    fields: dict[str, FieldValue] = {
        "allocation": item.id,
        "outcome": SubmissionOutcome.WAITING_FOR_QA,
        "overall_grade": overall.value,
    }
    fields |= {f"d{n}_grade": domains.value for n in range(1, 8)}
    desk.store.add_file(SUBMISSIONS, f"audit-{case}.docx", b"fictional", fields)


def test_7_2_a_replayed_quarter_draws_moderates_and_counts_and_spots_the_lenient_auditor(desk: Desk) -> None:
    months = [AuditMonth(2026, 10), AuditMonth(2026, 11), AuditMonth(2026, 12)]
    number = 0
    grades = [
        Grade.GOOD,
        Grade.REQUIRES_IMPROVEMENT,
        Grade.GOOD,
        Grade.INADEQUATE,
        Grade.REQUIRES_IMPROVEMENT,
    ]
    for month in months:
        for n in range(24):
            number += 1
            if n % 4 == 0:  # the lenient auditor: Outstanding where moderators see Good
                _accepted(desk, number, month, LENIENT, Grade.OUTSTANDING, Grade.OUTSTANDING)
            else:
                _accepted(desk, number, month, STEADY[n % 3], grades[n % 5], grades[n % 5])
    drawn = 0
    for month in months:
        with desk.at(month.following().first_day).unit() as run:
            draw = draw_moderation_sample(run, month)
        assert draw.accepted == 24
        drawn += draw.added
        # Moderators type their judgements into the Moderation list.
        for item in _items(desk):
            if item["status"] != AWAITING:
                continue
            lenient = item["auditor_email"] == LENIENT
            update: dict[str, FieldValue] = dict.fromkeys([f"d{n}_verdict" for n in range(1, 8)], "Agree")
            update["overall_verdict"] = "Agree"
            if lenient:
                update |= {
                    "overall_verdict": "Good",
                    "overall_reason": "Evidence shows Good, not more.",
                    "d2_verdict": "Good",
                    "d2_reason": "Analysis is sound but not exceptional.",
                }
            desk.store.update(MODERATION, item.id, update, None)
        with desk.unit() as run:
            recorded = record_from_list(run)
        assert all(r.recorded for r in recorded)
        assert len(recorded) == draw.added
        with desk.unit() as run:
            assert draw_moderation_sample(run, month).added == 0  # idempotent
    items = _items(desk)
    assert len(items) == drawn
    assert all(i["status"] == MODERATED for i in items)
    assert sum(1 for i in items if i["auditor_email"] == LENIENT) == 18  # every Outstanding
    assert any(i["sample_draw"] is not None for i in items)  # and a random share of the rest

    section = quarterly_calibration_section(desk.services, months)
    assert section["flagged"] == ["Skyler Example (fictional)"]
    rows = {r["email"]: r for r in section["auditors"]}  # type: ignore[attr-defined]
    assert rows[LENIENT]["rate"] == 0.0
    assert rows[LENIENT]["moderator_graded_lower"] == 18
    assert rows[LENIENT]["grades"]["Outstanding"] == 18
    assert all(rows[e]["flag"] == "" for e in STEADY if e in rows)
    assert section["service_grades"]["Outstanding"] == 18  # type: ignore[index]

    # The quarterly report for the Leadership Team carries the counts and the flag, not the name (8.1).
    from shared.services.reports.period import parse_period
    from shared.services.reports.publish import calibration_section

    reported = calibration_section(desk.services, parse_period("2026-Q4"), 5)
    paragraphs, table_rows = reported["paragraphs"], reported["rows"]
    assert isinstance(paragraphs, list)
    assert isinstance(table_rows, list)
    text = " ".join(paragraphs)
    assert "1 auditor(s) flagged" in text
    assert "Skyler" not in text
    assert table_rows
    assert all(" of " in str(row[1]) for row in table_rows)

    calibration, data = calibration_workbook(desk.services, months)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Auditors"]
    names = [sheet.cell(r, 1).value for r in range(5, sheet.max_row + 1)]
    flagged_row = 5 + names.index("Skyler Example (fictional)")
    assert "above the 34% threshold" in str(sheet.cell(flagged_row, sheet.max_column).value)
    assert calibration.flagged == (LENIENT,)
    assert "Domain 2" in str(workbook["Domains"].cell(6, 1).value)
    grade_sheet = workbook["Grades"]
    assert grade_sheet.cell(grade_sheet.max_row, 1).value == "The service"
