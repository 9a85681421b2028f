"""The rules of improvement actions (2.8, 2.12, 8.1), pure: owners, keys, plan changes, reminder
steps, what the re-audit does with each action, and the completion measures."""

from __future__ import annotations

import datetime as dt

from shared.core.actions import (
    LATE,
    NOT_DONE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    ActionRecord,
    ActionStatus,
    Person,
    PlannedAction,
    ReminderStep,
    TrackedAction,
    action_key,
    completion,
    owner_findings,
    reaudit_outcome,
    reconcile,
    reminder_step,
    resolve_owner,
    step_still_to_send,
)
from shared.core.record import ImprovementAction

D = dt.date
PEOPLE = [
    Person("alex.example@example.org", "Alex Example (fictional)"),
    Person("sam.sample@example.org", "Sam Sample (fictional)"),
    Person("sam.other@example.org", "Sam Other (fictional)"),
    Person("jo.twin@example.org", "Jo Twin (fictional)"),
    Person("jo.twin2@example.org", "Jo Twin (fictional)"),
]


# --- owners are people (2.8) ------------------------------------------------------------------


def test_an_owner_is_found_by_email_name_or_name_without_brackets_2_8() -> None:
    assert resolve_owner("Alex.Example@example.org", PEOPLE).email == "alex.example@example.org"
    assert resolve_owner("  alex   example (fictional) ", PEOPLE).email == "alex.example@example.org"
    assert resolve_owner("Alex Example", PEOPLE).email == "alex.example@example.org"
    assert resolve_owner("Alex Example (social worker)", PEOPLE).email == "alex.example@example.org"


def test_an_owner_nobody_or_two_people_answer_to_is_a_problem_with_what_to_do_2_8() -> None:
    nobody = resolve_owner("Pat Nobody", PEOPLE)
    assert nobody.email == ""
    assert "not in the Staff register" in nobody.problem
    twins = resolve_owner("Jo Twin", PEOPLE)
    assert twins.email == ""
    assert "email address" in twins.problem
    assert resolve_owner("the team", PEOPLE).problem


def test_each_row_naming_someone_unknown_is_an_error_finding_for_the_auditor_2_8() -> None:
    rows = [
        ImprovementAction(1, "Visit the child", None, "", "Alex Example", D(2026, 12, 4), "Visit recorded"),
        ImprovementAction(2, "Review the plan", None, "", "Pat Nobody", D(2026, 12, 4), "Plan on file"),
        ImprovementAction(3, "Update notes", None, "", "", D(2026, 12, 4), "Notes current"),
    ]
    (finding,) = owner_findings(rows, PEOPLE)
    assert finding.is_error
    assert finding.field == "a2_owner"
    assert finding.section == "2.8"
    assert finding.message.startswith("Improvement plan row 2 names 'Pat Nobody'")


# --- one action per plan row: never duplicated ---------------------------------------------------


def _planned(row: int, action: str = "Visit the child", due: D | None = None) -> PlannedAction:
    return PlannedAction(
        row,
        action,
        "d1",
        "Voice",
        "Alex",
        "alex.example@example.org",
        due or D(2026, 12, 4),
        "Visit recorded",
    )


def _tracked(p: PlannedAction, status: ActionStatus = ActionStatus.OPEN) -> TrackedAction:
    return TrackedAction(action_key("2026-11/DEMO-0002", p.row), p.row, status, p)


def test_the_key_is_the_audit_and_the_plan_row_2_8() -> None:
    assert action_key("2026-11/DEMO-0002", 3) == "action/2026-11/DEMO-0002/3"


def test_a_plan_is_added_once_and_again_changes_nothing_2_8() -> None:
    plan = [_planned(1), _planned(2, "Review the plan")]
    first = reconcile("2026-11/DEMO-0002", [], plan)
    assert [p.row for p in first.add] == [1, 2]
    assert not first.update
    assert not first.supersede
    again = reconcile("2026-11/DEMO-0002", [_tracked(p) for p in plan], plan)
    assert not again.add
    assert not again.update
    assert not again.supersede


def test_a_changed_plan_updates_open_rows_and_supersedes_dropped_ones_never_history_2_8() -> None:
    old = [_planned(1), _planned(2, "Review the plan"), _planned(3, "Update notes")]
    existing = [_tracked(old[0]), _tracked(old[1]), _tracked(old[2], ActionStatus.DONE)]
    new = [_planned(1, due=D(2026, 12, 11)), _planned(4, "Hold supervision")]
    changes = reconcile("2026-11/DEMO-0002", existing, new)
    assert [p.row for p in changes.add] == [4]
    assert [(t.row, p.due) for t, p in changes.update] == [(1, D(2026, 12, 11))]
    assert [t.row for t in changes.supersede] == [2]  # row 3 was done: history, kept


# --- reminders: before, on the day, overdue; each once -----------------------------------------


def test_the_reminder_step_of_the_day_2_8() -> None:
    due = D(2026, 11, 30)
    until = D(2026, 11, 30)  # today plus the reminder lead reaches the due date
    assert reminder_step(due, D(2026, 11, 20), D(2026, 11, 24)) is None
    assert reminder_step(due, D(2026, 11, 26), until) is ReminderStep.BEFORE
    assert reminder_step(due, due, until) is ReminderStep.ON_THE_DAY
    assert reminder_step(due, D(2026, 12, 1), until) is ReminderStep.OVERDUE


def test_one_message_per_action_per_step_and_never_going_back_2_8() -> None:
    assert step_still_to_send(ReminderStep.BEFORE, [])
    assert not step_still_to_send(ReminderStep.BEFORE, [ReminderStep.BEFORE])
    assert step_still_to_send(ReminderStep.OVERDUE, [ReminderStep.BEFORE])
    assert not step_still_to_send(ReminderStep.ON_THE_DAY, [ReminderStep.OVERDUE])


# --- the re-audit closes or carries forward each action (2.12) ---------------------------------


def test_the_reaudit_closes_done_actions_and_carries_forward_the_rest_2_12() -> None:
    made = reaudit_outcome("Done, made a difference", ActionStatus.OPEN)
    assert made.status is ActionStatus.DONE
    assert made.made_a_difference
    assert not made.carried_forward
    no_difference = reaudit_outcome("Done, no difference yet", ActionStatus.DONE)
    assert no_difference.status is ActionStatus.DONE
    assert no_difference.made_a_difference is False
    not_done = reaudit_outcome("Not done", ActionStatus.DONE)
    assert not_done.status is ActionStatus.SUPERSEDED
    assert not_done.carried_forward
    unanswered_open = reaudit_outcome("", ActionStatus.OPEN)
    assert unanswered_open.carried_forward
    assert unanswered_open.status is ActionStatus.SUPERSEDED
    unanswered_done = reaudit_outcome("", ActionStatus.DONE)
    assert unanswered_done.status is ActionStatus.DONE
    assert not unanswered_done.carried_forward


# --- completion (8.1) ------------------------------------------------------------------------


def test_completion_counts_on_time_late_overdue_by_team_and_domain_and_which_slip_8_1() -> None:
    as_of = D(2026, 12, 31)

    def a(team: str, domain: str, status: ActionStatus, due: D, done: D | None = None) -> ActionRecord:
        return ActionRecord(team, domain, "x@example.org", status, due, done)

    measures = completion(
        [
            a("East", "Voice", ActionStatus.DONE, D(2026, 12, 4), D(2026, 12, 4)),
            a("East", "Voice", ActionStatus.DONE, D(2026, 12, 4), D(2026, 12, 9)),
            a("East", "Voice", ActionStatus.OPEN, D(2026, 12, 11)),
            a("West", "Plans", ActionStatus.OPEN, D(2027, 1, 8)),
            a("West", "Plans", ActionStatus.NOT_DONE, D(2026, 12, 11), D(2026, 12, 14)),
            a("West", "Recording", ActionStatus.SUPERSEDED, D(2026, 12, 11)),
            ActionRecord(
                "West", "Plans", "x@example.org", ActionStatus.SUPERSEDED, D(2026, 12, 4), None, True
            ),
        ],
        as_of,
    )
    assert measures.overall.counts == {ON_TIME: 1, LATE: 1, OVERDUE: 1, NOT_DONE: 2, NOT_YET_DUE: 1}
    assert measures.overall.due == 5
    assert measures.overall.slipped == 4
    assert measures.by_team["East"].counts[LATE] == 1
    assert measures.by_team["West"].counts[NOT_YET_DUE] == 1
    assert [d for d, _ in measures.slipping_domains()] == ["Plans", "Voice"]  # 2 of 2 before 2 of 3
    assert "Recording" not in measures.by_domain  # dropped from a changed plan: not counted
