"""The QA check and what follows it (2.9, 2.10, 2.11, 2.12).

QA accepts an audit, or returns it for amendment with reasons (due back in 3 working days).
When QA marks the findings shared, the Team Manager gets a discussion task due in 5 working
days (Inadequate) or 10 (Good, Requires Improvement, and Outstanding by default). The
manager closes it by confirming the actions were recorded on Liquidlogic; a disagreement
is recorded and must be resolved before the audit closes. Accepting an Inadequate audit
allocates next month's re-audit to a Senior Manager.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.eligibility import CaseHolders, reasons_auditor_is_not_eligible
from shared.core.findings import Finding, Severity
from shared.core.grades import Grade
from shared.core.list_titles import SUBMISSIONS
from shared.core.stages import AuditEvent, AuditStage, IllegalTransition, QADecision, next_stage
from shared.core.tasks import TaskType
from shared.services.ports.lists import Query, where
from shared.services.workflow import notices
from shared.services.workflow.actions import action_lines, actions_of, track_accepted_plan
from shared.services.workflow.allocations import (
    AllocationResult,
    allocate_reaudit,
    allocations_of_case,
    no_allocation,
)
from shared.services.workflow.links import latest_submission_link
from shared.services.workflow.lists import Allocation
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.reaudit_plan import follow_up_last_plan
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)


class QaRefused(ValueError):
    """A QA step that cannot be taken now; the message says why and what to do."""


@dataclass
class QaResult:
    allocation: Allocation
    reaudit: AllocationResult | None = None
    actions_added: int = 0  # improvement actions made from the accepted plan (2.8)


def accept(
    run: Run, allocation: Allocation, who: str | None = None, reaudit_by: str | None = None
) -> QaResult:
    """2.11: QA accepts the audit. An Inadequate judgement allocates next month's re-audit (2.12)
    to ``reaudit_by`` when QA chooses, else to the least loaded eligible Senior Manager.

    QA's choice is checked before anything is written: an ineligible ``reaudit_by`` refuses the
    whole step, so the audit is never accepted without the re-audit QA asked for."""
    # The Staff register is read only when a re-audit needs it (2.12): most audits are not
    # Inadequate, and a month's accepts each read it again (issue 19).
    needs_staff = bool(reaudit_by) or allocation.overall_grade is Grade.INADEQUATE
    staff = StaffDirectory.load(run.services) if needs_staff else None
    if reaudit_by and staff is not None:
        problems = reasons_reaudit_refused(run, allocation, staff, reaudit_by)
        if problems:
            raise QaRefused(
                f"Not accepted: {notices.sentence(allocation.label)} cannot be re-audited by "
                f"{reaudit_by.strip().lower()}: " + " ".join(problems) + " Choose another Senior Manager, "
                "or leave --reaudit-by out to let Audit Desk choose (2.12)."
            )
    allocation = _step(run, allocation, AuditEvent.ACCEPT, {"accepted_on": run.today}, who)
    # 2.8: the accepted plan's rows become actions, each made once (services/workflow/actions.py).
    added = track_accepted_plan(run, allocation, who)
    # 2.12: a re-audit closes or carries forward each action of the last plan.
    follow_up_last_plan(run, allocation, who)
    run.complete_tasks(allocation.id, TaskType.REAUDIT)
    result = QaResult(allocation, actions_added=added)
    if allocation.overall_grade is Grade.INADEQUATE:
        result.reaudit = allocate_reaudit(
            run, allocation, staff or StaffDirectory.load(run.services), reaudit_by
        )
        if result.reaudit.problems:
            reaudit_unallocated(run, allocation, result.reaudit.problems)
    return result


def ensure_reaudit(run: Run, accepted: Allocation) -> AllocationResult | None:
    """2.12 again, for an acceptance whose run stopped after its step was written: the accepted
    Inadequate audit gets next month's re-audit now. Allocation is keyed by case and month, so
    after a clean acceptance this finds the re-audit and changes nothing (an allocation that was
    added but never announced is announced, once). A re-audit month already past is left to QA.
    QA's own choice of Senior Manager was never written, so Audit Desk chooses, as it does when
    QA leaves the choice to it."""
    if accepted.overall_grade is not Grade.INADEQUATE:
        return None
    if run.services.deadlines.reaudit_month(accepted.month) < AuditMonth.of(run.today):
        return None
    result = allocate_reaudit(run, accepted, StaffDirectory.load(run.services))
    if result.problems:
        reaudit_unallocated(run, accepted, result.problems)
    return result


def reasons_reaudit_refused(
    run: Run, allocation: Allocation, staff: StaffDirectory, reaudit_by: str
) -> list[str]:
    """Why ``reaudit_by`` may not re-audit ``allocation``'s case next month (2.12, 1.4), or []."""
    if allocation.overall_grade is not Grade.INADEQUATE:
        grade = allocation.overall_grade.value if allocation.overall_grade else "no overall judgement"
        return [f"only an Inadequate audit is re-audited, and this one is {grade}."]
    member = staff.get(reaudit_by)
    if member is None:
        return [f"{reaudit_by.strip().lower()} is not in the Staff register."]
    holders = CaseHolders(allocation.allocated_worker_email, allocation.team_manager_email)
    return reasons_auditor_is_not_eligible(member, holders, run.services.schema, is_reaudit=True)


def reaudit_unallocated(run: Run, allocation: Allocation, problems: list[str]) -> None:
    """2.12: Audit Desk could not choose who re-audits: QA gets a task and an email that says what
    to do, in plain words (nothing is late yet: the re-audit is next month's)."""
    month = run.services.deadlines.reaudit_month(allocation.month)
    due = run.services.deadlines.allocation_list_due_date(month)
    qa_team = run.services.setting("qa_team_email")
    run.task(
        f"reaudit-unallocated/{allocation.key}",
        TaskType.REAUDIT,
        f"Choose a Senior Manager to re-audit case {allocation.case_ref} in {month.label}",
        qa_team,
        due,
        "2.12",
        allocation.id,
        " ".join(problems),
        team=allocation.team,
    )
    run.mail(notices.reaudit_unallocated(allocation, month.label, due, problems, qa_team, run.today))


def reallocate_reaudit(run: Run, allocation: Allocation, reaudit_by: str, who: str | None = None) -> QaResult:
    """2.12: QA chooses who re-audits an accepted Inadequate audit Audit Desk could not allocate."""
    staff = StaffDirectory.load(run.services)
    if allocation.stage in (AuditStage.ALLOCATED, AuditStage.SUBMITTED, AuditStage.RESUBMITTED):
        raise QaRefused(f"The audit of {allocation.label} is not accepted yet: accept it first (2.11).")
    problems = reasons_reaudit_refused(run, allocation, staff, reaudit_by)
    if problems:
        raise QaRefused(
            f"{notices.sentence(allocation.label)} cannot be re-audited by {reaudit_by.strip().lower()}: "
            + " ".join(problems)
        )
    result = QaResult(allocation, allocate_reaudit(run, allocation, staff, reaudit_by))
    assert result.reaudit is not None
    if result.reaudit.problems:
        raise QaRefused(" ".join(result.reaudit.problems))
    if not result.reaudit.created:
        raise QaRefused(
            f"{notices.sentence(allocation.label)} already has its re-audit for "
            f"{run.services.deadlines.reaudit_month(allocation.month).label}: nothing changed."
        )
    run.complete_tasks(allocation.id, TaskType.REAUDIT)
    return result


def return_for_amendment(run: Run, allocation: Allocation, reasons: str, who: str | None = None) -> QaResult:
    """2.11: returned to the auditor, who sends it back within 3 working days."""
    if not reasons.strip():
        raise QaRefused("Say what needs amending: the auditor is sent your reasons (2.11).")
    due = run.services.deadlines.amendment_due_date(run.today)
    allocation = _step(
        run,
        allocation,
        AuditEvent.RETURN_FOR_AMENDMENT,
        {
            "returned_on": run.today,
            "amendment_due": due,
            "qa_reasons": reasons,
            "times_returned": allocation.times_returned + 1,
        },
        who,
    )
    finding = Finding("qa-return", "", Severity.ERROR, reasons.strip(), "2.11")
    version = allocation.times_returned
    run.mail(
        notices.returned_to_auditor(
            allocation,
            [finding],
            due,
            by_qa=True,
            key=f"qa-returned/{allocation.key}/{version}",
            timescales=run.services.schema.timescales,
            link=latest_submission_link(run.services, allocation.id),
        )
    )
    amendment_task(run, allocation, f"qa-{version}", due, reasons)
    return QaResult(allocation)


def amendment_task(run: Run, allocation: Allocation, version: str, due: dt.date, what: str) -> None:
    """2.11: the auditor amends and resubmits within 3 working days."""
    run.task(
        f"amendment/{allocation.key}/{version}",
        TaskType.AMENDMENT,
        f"Amend and resubmit the audit of {allocation.case_ref} ({allocation.month.label})",
        allocation.auditor_email,
        due,
        "2.11",
        allocation.id,
        what,
        team=allocation.team,
    )


def share_findings(run: Run, allocation: Allocation, who: str | None = None) -> QaResult:
    """2.9, 2.10: findings shared; the Team Manager discusses them within 5 or 10 working days."""
    try:
        next_stage(allocation.stage, AuditEvent.SHARE_FINDINGS)
    except IllegalTransition as refused:
        raise QaRefused(f"{notices.sentence(allocation.label)}: {refused.reason}") from refused
    grade = allocation.overall_grade
    if grade is None:
        raise QaRefused(f"The audit of {allocation.label} has no overall judgement to share.")
    deadlines = run.services.deadlines
    due = deadlines.discussion_due_date(run.today, grade)
    days = deadlines.discussion_working_days(grade)
    allocation = _step(
        run,
        allocation,
        AuditEvent.SHARE_FINDINGS,
        {"findings_shared_on": run.today, "discussion_due": due},
        who,
    )
    worker = StaffDirectory.load(run.services).get(allocation.allocated_worker_email)
    actions = action_lines(actions_of(run.services, allocation.id))
    confirm = (
        f"\n\nThe improvement plan's actions (2.8):\n{actions}\nPlease confirm each is recorded on "
        "Liquidlogic under Management Oversight with its owner and timescale (2.10)."
        if actions
        else ""
    )
    run.mail(
        notices.findings_shared(
            allocation,
            due,
            days,
            latest_submission_link(run.services, allocation.id),
            f"{worker.name} ({worker.email})" if worker is not None and worker.name else "",
            actions,
        )
    )
    run.task(
        f"discussion/{allocation.key}",
        TaskType.DISCUSSION,
        f"Discuss the audit findings for {allocation.case_ref} with the allocated worker and record "
        "the agreed actions on Liquidlogic under Management Oversight",
        allocation.team_manager_email,
        due,
        "2.10",
        allocation.id,
        f"Overall judgement {grade.value}: discussion within {days} working days.{confirm}",
        team=allocation.team,
    )
    return QaResult(allocation)


def record_disagreement(run: Run, allocation: Allocation, text: str, who: str | None = None) -> QaResult:
    """2.9: areas of disagreement are recorded, and resolved before the audit closes."""
    if not text.strip():
        raise QaRefused("Describe the disagreement so it can be resolved (2.9).")
    allocation = run.update_allocation(
        allocation,
        {"disagreement": text.strip(), "disagreement_resolved": False},
        "disagreement recorded",
        who,
    )
    return QaResult(allocation)


def resolve_disagreement(run: Run, allocation: Allocation, who: str | None = None) -> QaResult:
    allocation = run.update_allocation(
        allocation, {"disagreement_resolved": True}, "disagreement resolved", who
    )
    return QaResult(allocation)


def record_discussion(run: Run, allocation: Allocation, who: str | None = None) -> QaResult:
    """2.10: the Team Manager confirms the discussion took place and the actions are recorded
    on Liquidlogic; the audit closes unless a disagreement is still open."""
    if allocation.disagreement and not allocation.disagreement_resolved:
        raise QaRefused(
            f"The audit of {allocation.label} has an unresolved disagreement: resolve it first (2.9)."
        )
    allocation = _step(run, allocation, AuditEvent.HOLD_DISCUSSION, {"discussion_held_on": run.today}, who)
    allocation = _step(run, allocation, AuditEvent.CLOSE, {"closed_on": run.today}, who)
    run.complete_tasks(allocation.id, TaskType.DISCUSSION)
    return QaResult(allocation)


def _step(
    run: Run, allocation: Allocation, event: AuditEvent, fields: dict[str, object], who: str | None
) -> Allocation:
    try:
        after = run.step(allocation, event, fields, who)  # type: ignore[arg-type]
    except IllegalTransition as refused:
        raise QaRefused(f"{notices.sentence(allocation.label)}: {refused.reason}") from refused
    follow_stage(run, after)
    return after


def follow_stage(run: Run, allocation: Allocation) -> int:
    """One truth per audit: the allocation's files in the Audit Submissions library show the
    audit's stage, so "Waiting for the QA check" lists only what is waiting. Returns how many
    items changed (none when they already show it: safe to run again)."""
    changed = 0
    query = Query(SUBMISSIONS, (where("allocation", "eq", allocation.id),), page_size=100)
    for item in list(run.services.store.query_all(query)):
        if item.fields.get("status") != allocation.stage.value:
            run.services.store.update(SUBMISSIONS, item.id, {"status": allocation.stage.value}, None)
            changed += 1
    return changed


# What QA can do, by the words the command line and the demo use.
ACTIONS = ("accept", "return", "share", "discussed", "disagree", "resolve")
# The same steps as QA chooses them on an allocation in SharePoint (the qa_decision column).
DECISIONS: dict[str, str] = {
    QADecision.ACCEPT: "accept",
    QADecision.RETURN: "return",
    QADecision.SHARE: "share",
    QADecision.DISCUSSED: "discussed",
}


def take(
    run: Run,
    allocation: Allocation,
    action: str,
    text: str = "",
    who: str | None = None,
    reaudit_by: str | None = None,
) -> QaResult:
    """One QA step by name; ``text`` is the reasons (return) or the disagreement (disagree)."""
    if action == "accept":
        return accept(run, allocation, who, reaudit_by)
    if action == "return":
        return return_for_amendment(run, allocation, text, who)
    if action == "share":
        return share_findings(run, allocation, who)
    if action == "discussed":
        return record_discussion(run, allocation, who)
    if action == "disagree":
        return record_disagreement(run, allocation, text, who)
    if action == "resolve":
        return resolve_disagreement(run, allocation, who)
    raise QaRefused(f"'{action}' is not a QA step: choose one of {', '.join(ACTIONS)}.")


def allocation_by_case(run: Run, case_ref: str, month: str | None = None) -> Allocation:
    """The allocation QA means by a case reference: the given month's, else the latest one
    that is with QA or the Team Manager (not one still waiting for its auditor)."""
    found = allocations_of_case(run, case_ref, month)
    if not found:
        raise QaRefused(no_allocation(case_ref, month))
    in_progress = [a for a in found if a.stage not in (AuditStage.ALLOCATED, AuditStage.CLOSED)]
    return max(in_progress or found, key=lambda a: a.month)


__all__ = [
    "AuditStage",
    "QaRefused",
    "accept",
    "allocation_by_case",
    "reallocate_reaudit",
    "reasons_reaudit_refused",
    "record_disagreement",
    "record_discussion",
    "resolve_disagreement",
    "return_for_amendment",
    "share_findings",
    "take",
]
