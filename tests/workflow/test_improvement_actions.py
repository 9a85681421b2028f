"""Improvement plans followed through (2.8, 2.10): actions made when QA accepts, reminded, escalated
and recorded done, on the embedded store and on SharePoint (the loopback server)."""

from __future__ import annotations

import datetime as dt

from shared.core.actions import ActionStatus
from shared.core.list_titles import IMPROVEMENT_ACTIONS
from shared.core.stages import SubmissionOutcome
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import Query
from shared.services.workflow.actions import ActionItem, all_actions, record_outcome
from shared.services.workflow.sweep import sweep
from tests.workflow.conftest import EAST_MANAGER, QA_TEAM, WEST_MANAGER, Desk, body

D = dt.date
SAM = "sam.sample@example.org"
ALEX = "alex.example@example.org"


def _inadequate(case: str = "DEMO-0002") -> dict[str, object]:
    fields = inadequate_audit_with_safeguarding_concern()
    fields["case_ref"] = case
    fields["safeguarding_concern"] = False
    fields["safeguarding_details"] = ""
    return fields  # type: ignore[return-value]


def _accepted(desk: Desk, case: str = "DEMO-0002") -> list[ActionItem]:
    desk.at(D(2026, 11, 2)).allocate(case)
    result = desk.at(D(2026, 11, 24)).submit(f"{case}.docx", _inadequate(case))  # type: ignore[arg-type]
    assert [s.outcome for s in result.submissions] == [SubmissionOutcome.WAITING_FOR_QA], result.submissions[
        0
    ].findings
    desk.qa("accept", case)
    return sorted(all_actions(desk.services), key=lambda a: a.row)


def test_accepting_an_audit_makes_one_action_per_plan_row_with_its_owner_2_8(any_desk: Desk) -> None:
    actions = _accepted(any_desk)
    assert [a.row for a in actions] == [1, 2, 3, 4, 5, 6]
    first = actions[0]
    assert first.owner_email == SAM
    assert first.due == D(2026, 11, 30)
    assert first.domain == any_desk.services.schema.domain("d1").name
    assert first.status is ActionStatus.OPEN
    assert first.case_ref == "DEMO-0002"
    assert first.team == "Demo Team East"
    assert "Liquidlogic" not in first.action


def test_accepting_twice_or_processing_again_makes_nothing_twice_2_8(any_desk: Desk) -> None:
    _accepted(any_desk)
    trail = any_desk.trail_count()
    with any_desk.unit() as run:
        from shared.services.workflow.actions import track_accepted_plan

        assert track_accepted_plan(run, any_desk.allocation("DEMO-0002")) == 0
    any_desk.process()
    assert len(all_actions(any_desk.services)) == 6
    assert any_desk.trail_count() == trail


def test_an_owner_not_in_the_staff_register_is_returned_to_the_auditor_2_8(any_desk: Desk) -> None:
    any_desk.at(D(2026, 11, 2)).allocate("DEMO-0001")
    fields = good_audit()
    fields["a1_owner"] = "Pat Nobody (fictional)"
    result = any_desk.at(D(2026, 11, 24)).submit("DEMO-0001.docx", fields)
    (submission,) = result.submissions
    assert submission.outcome == SubmissionOutcome.RETURNED
    (finding,) = [f for f in submission.findings if f.code == "action-owner-unknown"]
    assert finding.field == "a1_owner"
    assert "Pat Nobody" in finding.message
    assert "Staff register" in finding.message


def test_an_owner_named_by_email_or_without_the_bracket_is_found_2_8(any_desk: Desk) -> None:
    any_desk.at(D(2026, 11, 2)).allocate("DEMO-0001")
    fields = good_audit()
    fields["a1_owner"] = "alex example"
    result = any_desk.at(D(2026, 11, 24)).submit("DEMO-0001.docx", fields)
    assert [s.outcome for s in result.submissions] == [SubmissionOutcome.WAITING_FOR_QA]
    any_desk.qa("accept", "DEMO-0001")
    (action,) = all_actions(any_desk.services)
    assert action.owner_email == ALEX


def test_the_discussion_asks_the_team_manager_to_confirm_each_action_on_liquidlogic_2_10(
    any_desk: Desk,
) -> None:
    _accepted(any_desk)
    any_desk.at(D(2026, 11, 25)).qa("share", "DEMO-0002")
    (task,) = any_desk.tasks("Discussion")
    (shared,) = [m for m in any_desk.emails_to(EAST_MANAGER) if "findings to discuss" in str(m["Subject"])]
    text = body(shared)
    assert "Visit and see the child alone" in text
    assert "confirm each is recorded on Liquidlogic under Management Oversight" in text
    details = next(
        str(i.fields.get("details")) for i in any_desk.store.query_all(Query("Tasks")) if i.id == task.id
    )
    assert "6. Bring the chronology up to date" in details


def test_each_reminder_step_goes_once_and_overdue_goes_to_the_owners_team_manager_2_8(
    any_desk: Desk,
) -> None:
    actions = _accepted(any_desk)
    first = actions[0]  # due Monday 30 November 2026, owner Sam, Team Manager Morgan

    def told(day: D, person: str) -> list[str]:
        with any_desk.at(day).unit() as run:
            sweep(run)
        return [
            body(m)
            for m in any_desk.emails_to(person)
            if str(m["Date"]) and m["Subject"] and day.strftime("%d %b %Y") in str(m["Date"])
        ]

    before = told(D(2026, 11, 26), SAM)
    assert any(first.action in text for text in before)
    assert not any(first.action in t for t in told(D(2026, 11, 27), SAM))  # the same step: once
    assert any(first.action in t for t in told(D(2026, 11, 30), SAM))  # on the day
    overdue_day = D(2026, 12, 1)
    assert any(first.action in t for t in told(overdue_day, SAM))
    assert any(first.action in t for t in told(overdue_day, EAST_MANAGER))  # escalated
    # The sweep run again the same day, and the next day: nothing more about this action.
    assert sum(first.action in t for t in told(overdue_day, EAST_MANAGER)) == 1
    assert not any(first.action in t for t in told(D(2026, 12, 2), EAST_MANAGER))
    assert not any(first.action in t for t in told(D(2026, 12, 2), WEST_MANAGER))


def test_recording_an_action_done_stops_its_reminders_2_8(any_desk: Desk) -> None:
    actions = _accepted(any_desk)
    first = actions[0]
    with any_desk.at(D(2026, 11, 25)).unit() as run:
        done = record_outcome(run, first, ActionStatus.DONE, "Visit made; child's words recorded.")
    assert done.status is ActionStatus.DONE
    assert done.done_on == D(2026, 11, 25)
    with any_desk.at(D(2026, 11, 26)).unit() as run:
        sweep(run)
    assert not any(first.action in body(m) for m in any_desk.emails_to(SAM))


def test_an_owner_editing_the_status_in_sharepoint_records_the_date_done_2_8(any_desk: Desk) -> None:
    actions = _accepted(any_desk)
    second = actions[1]
    any_desk.process()  # the actions' own additions come back as changes: nothing to do
    any_desk.store.update(
        IMPROVEMENT_ACTIONS, second.id, {"status": "Done", "note": "Assessment done."}, None
    )
    any_desk.at(D(2026, 12, 3)).process()
    after = ActionItem.from_item(any_desk.store.get(IMPROVEMENT_ACTIONS, second.id))
    assert after.status is ActionStatus.DONE
    assert after.done_on == D(2026, 12, 3)
    assert after.note == "Assessment done."
    trail = any_desk.trail_count()
    any_desk.at(D(2026, 12, 4)).process()  # our own write came back: nothing more
    after_again = ActionItem.from_item(any_desk.store.get(IMPROVEMENT_ACTIONS, second.id))
    assert after_again.done_on == D(2026, 12, 3)
    assert any_desk.trail_count() == trail


def test_an_overdue_action_whose_owner_has_no_manager_in_the_register_goes_to_qa_2_8(
    any_desk: Desk,
) -> None:
    any_desk.at(D(2026, 11, 2)).allocate("DEMO-0001")
    fields = good_audit()
    fields["a1_owner"] = "Harper Example (fictional)"  # a Senior Manager: nobody above in the register
    any_desk.at(D(2026, 11, 24)).submit("DEMO-0001.docx", fields)
    any_desk.qa("accept", "DEMO-0001")
    (action,) = all_actions(any_desk.services)
    with any_desk.at(D(2026, 12, 14)).unit() as run:  # due 11 December
        sweep(run)
    assert any(action.action in body(m) for m in any_desk.emails_to(QA_TEAM))
