"""Improvement plans followed through, a quarter replayed on both stores (issue 14; 2.8, 2.10, 2.12,
8.1): actions made from accepted plans, reminded, escalated, recorded done (by a command and by an
edit of the row in SharePoint), carried into the re-audit that records their outcome; processing
again makes nothing twice; the reports' completion figures match the list."""

from __future__ import annotations

import datetime as dt

from shared.adapters.forms.reader import read_form
from shared.adapters.forms.word import fill_word_form
from shared.core.actions import ActionStatus
from shared.core.list_titles import DRAFTS, IMPROVEMENT_ACTIONS
from shared.core.record import FieldValue
from shared.core.stages import SubmissionOutcome
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import Query
from shared.services.reports.period import parse_period
from shared.services.reports.publish import build_content
from shared.services.workflow.actions import ActionItem, all_actions, record_outcome
from shared.services.workflow.drafts import LOCKED_FIELDS, request_submission
from shared.services.workflow.sweep import sweep
from tests.workflow.conftest import DEADLINES, EAST_MANAGER, SCHEMA, Desk, body

D = dt.date
SAM, ALEX = "sam.sample@example.org", "alex.example@example.org"


def _first_audit() -> dict[str, FieldValue]:
    fields = inadequate_audit_with_safeguarding_concern()
    fields["case_ref"] = "DEMO-0002"
    fields["safeguarding_concern"] = False
    fields["safeguarding_details"] = ""
    return fields


def _reaudit_answers(draft: bytes) -> bytes:
    """The Senior Manager's re-audit in December: better (Requires Improvement), with a new plan,
    and for each action of the last plan what the file shows."""
    fields = inadequate_audit_with_safeguarding_concern()
    for field_id in (*(f for f in LOCKED_FIELDS if f != "child_ref"), "safeguarding_details"):
        fields.pop(field_id, None)
    fields |= {
        "auditor_role": None,
        "audit_date": D(2026, 12, 15),
        "review_from": D(2026, 6, 15),
        "review_to": D(2026, 12, 15),
        "discussion_date": D(2026, 12, 14),
        "safeguarding_concern": False,
        "d1_grade": "Requires Improvement",
        "d1_evidence": "Child now seen alone on each visit; words recorded but not yet shaping the plan.",
        "overall_grade": "Requires Improvement",
        "overall_rationale": "The child is seen alone and risk was reassessed; the plan still drifts.",
        "p1_finding": "Done, made a difference",
        "p1_note": "Visits recorded in the child's words since 27 November.",
        "p2_finding": "Done, no difference yet",
        "p3_finding": "Not done",
        "p3_note": "No review of the plan has been held.",
        # p4 left unanswered: recorded done on 15 December, before the re-audit was accepted: stands.
        "p5_finding": "Done, made a difference",
        "p6_finding": "Not done",
    }
    for row, due in enumerate(
        ("2027-01-08", "2027-01-11", "2027-01-13", "2027-01-15", "2027-01-12", "2027-01-14"), 1
    ):
        fields[f"a{row}_due"] = due
    fields.pop("auditor_role")
    return fill_word_form(draft, {k: v for k, v in fields.items() if v is not None})


def _sweep_every_working_day(desk: Desk, first: D, last: D) -> None:
    day = first
    while day <= last:
        if DEADLINES.calendar.is_working_day(day):
            with desk.at(day).unit() as run:
                sweep(run)
        day += dt.timedelta(days=1)


def _items(desk: Desk) -> list[ActionItem]:
    return sorted(all_actions(desk.services), key=lambda a: (a.audit_month, a.case_ref, a.key))


def test_a_quarter_of_improvement_plans_followed_through_on_both_stores_2_8_2_10_2_12_8_1(
    any_desk: Desk,
) -> None:
    desk = any_desk
    # November: two audits allocated, returned and accepted; the Inadequate one is re-audited.
    desk.at(D(2026, 11, 2)).allocate("DEMO-0002")
    desk.allocate("DEMO-0001")
    good = good_audit()
    result = desk.at(D(2026, 11, 24)).submit("DEMO-0002.docx", _first_audit())
    result.submissions += desk.submit("DEMO-0001.docx", good).submissions
    assert [s.outcome for s in result.submissions] == [
        SubmissionOutcome.WAITING_FOR_QA,
        SubmissionOutcome.WAITING_FOR_QA,
    ]
    desk.at(D(2026, 11, 25))
    reaudit = desk.qa("accept", "DEMO-0002").reaudit
    desk.qa("accept", "DEMO-0001")
    assert reaudit is not None
    assert reaudit.allocation is not None
    first = {a.row: a for a in all_actions(desk.services) if a.case_ref == "DEMO-0002"}
    assert sorted(first) == [1, 2, 3, 4, 5, 6]
    assert {a.owner_email for a in first.values()} == {SAM}
    assert len(all_actions(desk.services)) == 7

    # The re-audit's pre-filled form carries the last audit and each action, locked (2.12).
    (draft_item,) = [
        i for i in desk.store.query_all(Query(DRAFTS)) if i.fields.get("allocation") == reaudit.allocation.id
    ]
    name = str(draft_item.fields["FileLeafRef"])
    draft = desk.store.read_file(DRAFTS, name)
    prefilled = read_form(draft, name, SCHEMA, DEADLINES).fields
    assert "Overall (November 2026): Inadequate." in str(prefilled["previous_judgements"])
    assert str(prefilled["p1_action"]).startswith("1. Visit and see the child alone")
    assert "Sam Sample" in str(prefilled["p1_action"])
    assert "due 30/11/2026" in str(prefilled["p1_action"])
    assert str(prefilled["p1_status"]).startswith("Open")
    assert prefilled["p7_action"] is None

    # Done where people work: a command (on time), an edit of the row (late), not done with a reason.
    _sweep_every_working_day(desk, D(2026, 11, 25), D(2026, 11, 26))
    with desk.at(D(2026, 11, 27)).unit() as run:
        record_outcome(run, first[1], ActionStatus.DONE, "Visit made; the child's words recorded.")
    _sweep_every_working_day(desk, D(2026, 11, 27), D(2026, 12, 7))
    desk.store.update(
        IMPROVEMENT_ACTIONS, first[2].id, {"status": "Done", "note": "Assessment updated."}, None
    )
    desk.at(D(2026, 12, 8)).process()
    with desk.at(D(2026, 12, 10)).unit() as run:
        record_outcome(run, first[3], ActionStatus.NOT_DONE, "Agencies could not meet before January.")
    alex = next(a for a in all_actions(desk.services) if a.owner_email == ALEX)
    with desk.at(D(2026, 12, 11)).unit() as run:
        record_outcome(run, alex, ActionStatus.DONE, "Chronology updated.")
    _sweep_every_working_day(desk, D(2026, 12, 8), D(2026, 12, 15))

    # Reminded before and on the day; overdue to the owner and the owner's Team Manager; each once.
    to_sam = [body(m) for m in desk.emails_to(SAM)]
    to_morgan = [body(m) for m in desk.emails_to(EAST_MANAGER)]
    visit, supervision = first[1].action, first[5].action  # done on time; due 7 December, left open
    assert sum(visit in b for b in to_sam) == 1  # before it was due, then done: no more
    assert sum(supervision in b for b in to_sam) == 3  # before, on the day, overdue
    assert sum(supervision in b for b in to_morgan) == 1  # escalated once
    assert not any(visit in b for b in to_morgan)

    # The form, not yet started, was refreshed by the sweep with the statuses as recorded (2.12).
    draft = desk.store.read_file(DRAFTS, name)
    refreshed = read_form(draft, name, SCHEMA, DEADLINES).fields
    assert str(refreshed["p1_status"]).startswith("Done on 27/11/2026. Visit made")
    assert str(refreshed["p2_status"]).startswith("Done on 08/12/2026. Assessment updated.")
    assert str(refreshed["p3_status"]).startswith("Not done on 10/12/2026. Agencies could not meet")
    assert str(refreshed["p4_status"]).startswith("Open (as at ")

    # December: the Senior Manager's re-audit records what became of each action. Once they have
    # saved their form it is theirs: a sweep never writes over it, whatever changes.
    filled = _reaudit_answers(draft)
    desk.store.add_file(DRAFTS, name, filled)
    with desk.at(D(2026, 12, 15)).unit() as run:
        record_outcome(run, first[4], ActionStatus.DONE, "Weekly notes are on file.")
        assert sweep(run).reaudit_forms_refreshed == 0
    assert desk.store.read_file(DRAFTS, name) == filled
    request_submission(desk.services, name)
    (submitted,) = desk.at(D(2026, 12, 16)).process().submissions
    assert submitted.outcome == SubmissionOutcome.WAITING_FOR_QA, [f.message for f in submitted.findings]
    desk.at(D(2026, 12, 17))
    assert desk.qa("accept", "DEMO-0002").reaudit is None  # improved: the chain stops (2.12)

    after = {a.row: a for a in _items(desk) if a.case_ref == "DEMO-0002" and a.audit_month == "2026-11"}
    statuses = {row: (a.status, a.reaudit_finding) for row, a in after.items()}
    assert statuses == {
        1: (ActionStatus.DONE, "Done, made a difference"),
        2: (ActionStatus.DONE, "Done, no difference yet"),
        3: (ActionStatus.SUPERSEDED, "Not done"),
        4: (ActionStatus.DONE, ""),  # recorded done before the re-audit, not answered: stands
        5: (ActionStatus.DONE, "Done, made a difference"),
        6: (ActionStatus.SUPERSEDED, "Not done"),
    }
    assert after[2].done_on == D(2026, 12, 8)
    assert after[5].done_on == D(2026, 12, 17)
    assert after[1].reaudit_note == "Visits recorded in the child's words since 27 November."
    carried = [a for a in _items(desk) if a.carried_from]
    assert sorted(a.carried_from for a in carried) == [after[r].key for r in (3, 6)]
    assert {a.status for a in carried} == {ActionStatus.OPEN}
    assert all(a.case_ref == "DEMO-0002" and a.audit_month == "2026-12" for a in carried)
    reaudit_plan = [a for a in _items(desk) if a.audit_month == "2026-12" and not a.carried_from]
    assert len(reaudit_plan) == 6  # the re-audit's own plan

    # Processing and sweeping again makes nothing twice.
    desk.process()  # what the acceptance changed (the re-audit task it completed, its actions)
    before = [(a.key, a.status, a.done_on) for a in _items(desk)]
    trail, emails = desk.trail_count(), len(desk.emails())
    desk.process()
    with desk.at(D(2026, 12, 17)).unit() as run:
        sweep(run)
    assert [(a.key, a.status, a.done_on) for a in _items(desk)] == before
    assert desk.trail_count() == trail
    assert len(desk.emails()) == emails

    # The reports' completion figures match the list.
    quarterly = build_content(desk.services, "quarterly", parse_period("2026-Q4"))
    (table,) = [t for t in quarterly.tables if t.key == "improvement_plan_actions"]
    all_teams = table.rows[0]
    due_in_quarter = [a for a in _items(desk) if a.due and D(2026, 10, 1) <= a.due <= D(2026, 12, 31)]
    on_time = [
        a
        for a in due_in_quarter
        if a.status is ActionStatus.DONE and a.done_on and a.due and a.done_on <= a.due
    ]
    late = [
        a
        for a in due_in_quarter
        if a.status is ActionStatus.DONE and a.done_on and a.due and a.done_on > a.due
    ]
    carried_on = [a for a in due_in_quarter if a.key in {c.carried_from for c in carried}]
    counted = on_time + late + carried_on
    assert all_teams == ["All teams", len(counted), len(on_time), len(late), len(carried_on), 0, 0]
    assert (len(on_time), len(late), len(carried_on)) == (3, 2, 2)  # rows 1, 4, Alex's; 2, 5; 3, 6
    sections = quarterly.context["extra_sections"]
    assert isinstance(sections, list)
    (actions_section,) = [s for s in sections if s["title"] == "Improvement plan actions (2.8)"]
    assert "Sam Sample" not in " ".join(actions_section["paragraphs"])  # no owners named here
    highlights = build_content(desk.services, "highlights", parse_period("2026-12"))
    (monthly,) = [t for t in highlights.tables if t.key == "improvement_plan_actions"]
    in_december = [a for a in counted if a.due and a.due.month == 12]
    assert monthly.rows[0][1] == len(in_december)
