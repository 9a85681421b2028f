"""The daily sweep: reminders before due dates, overdue escalation, and the allocation-week check.

One message per person per day: everything due or overdue that is someone's to do is gathered
first, each thing once (an amendment is one thing, though both its allocation and its task
say it is due), then each person gets one email: a reminder, an escalation, or a digest when
there are several. Its key names the person and the day, so the sweep may run as often as
anyone likes.

Who hears of what (2.2, 2.6, 2.10, 2.11): the person who must act is reminded, and told when it
is overdue; an overdue thing is escalated to that person's line manager (the Staff register)
and the QA team, and an overdue safeguarding action also to the safeguarding contact when the
Settings list names one. The case's Team Manager hears only of what the framework puts on them
(the discussion of the findings, a safeguarding action): then they are the person who must act.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.actions import ActionStatus, ReminderStep, reminder_step, step_still_to_send
from shared.core.addresses import is_plain_email
from shared.core.deadlines import AuditMonth
from shared.core.list_titles import ALLOCATIONS, IMPROVEMENT_ACTIONS, TASKS
from shared.core.stages import WITH_AUDITOR, AuditStage
from shared.core.tasks import AUDITOR_TASKS, TaskStatus, TaskType
from shared.services.ports.lists import Query, where
from shared.services.ports.mail import OutgoingMessage
from shared.services.workflow import notices
from shared.services.workflow.actions import ActionItem
from shared.services.workflow.links import item_link, latest_submission_link
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    reminders: int = 0
    escalations: int = 0
    allocation_week_alert: bool = False
    observation_notices: int = 0
    messages: int = 0
    reaudit_forms_refreshed: int = 0


@dataclass(frozen=True, slots=True)
class Due:
    """One thing someone must do, due soon or overdue."""

    thing: str  # "allocation/12" or "task/5": each thing once
    owner: str
    what: str
    due: dt.date
    section: str
    overdue: bool
    details: str = ""
    link: str = ""
    escalate_to: tuple[str, ...] = ()


@dataclass
class _Inbox:
    own: list[Due] = field(default_factory=list)  # theirs to do
    escalated: list[Due] = field(default_factory=list)  # someone else's, overdue


def sweep(run: Run) -> SweepResult:
    services = run.services
    today = run.today
    calendar = services.deadlines.calendar
    result = SweepResult()
    lead = int(services.setting("reminder_working_days") or "2")
    remind_until = calendar.add_working_days(today, lead)
    qa_team = services.setting("qa_team_email")
    safeguarding_contact = _optional_setting(run, "safeguarding_contact_email")
    staff = StaffDirectory.load(services)

    tasks = [
        Task.from_item(i)
        for i in services.store.query_all(
            Query(TASKS, (where("status", "eq", TaskStatus.OPEN.value),), page_size=500)
        )
    ]
    allocations = {
        i.id: Allocation.from_item(i)
        for i in services.store.query_all(
            Query(ALLOCATIONS, (where("status", "in", WITH_AUDITOR),), page_size=500)
        )
    }
    allocations.update(_allocations_by_id(run, {t.allocation for t in tasks} - set(allocations)))
    covered_by_task = {
        t.allocation for t in tasks if t.task_type in AUDITOR_TASKS and t.allocation is not None
    }

    things: list[Due] = []
    # 2.8: improvement actions, each step (before, on the day, overdue) once per action.
    action_steps = _actions_due(run, today, remind_until, staff, qa_team, things)
    for held in allocations.values():
        if held.stage.value not in WITH_AUDITOR or held.id in covered_by_task:
            continue
        with run.isolated(ALLOCATIONS, held.id):
            due = _allocation_due(run, held, today, remind_until, staff, qa_team)
            if due is not None:
                things.append(due)
    for task in tasks:
        with run.isolated(TASKS, task.id):
            allocation = allocations.get(task.allocation) if task.allocation is not None else None
            due = _task_due(run, task, allocation, today, remind_until, staff, qa_team, safeguarding_contact)
            if due is not None:
                things.append(due)

    inboxes: dict[str, _Inbox] = {}
    for thing in things:
        inboxes.setdefault(thing.owner, _Inbox()).own.append(thing)
        if thing.overdue:
            for person in thing.escalate_to:
                if person != thing.owner:
                    inboxes.setdefault(person, _Inbox()).escalated.append(thing)
    told: set[tuple[str, bool]] = set()
    gone: set[str] = set()  # things whose owner's message went, now or earlier today
    for person, inbox in sorted(inboxes.items()):
        if not is_plain_email(person):
            continue
        sent = run.mail(_message(person, inbox, today, staff))
        gone.update(t.thing for t in inbox.own)
        if not sent.already_sent:
            result.messages += 1
            told.update((t.thing, t.overdue) for t in (*inbox.own, *inbox.escalated))
    # Each action's step is recorded once its messages went (or had gone, on a re-run today).
    services.state.put_many({key: step for thing, (key, step) in action_steps.items() if thing in gone})
    result.reminders = sum(1 for _, overdue in told if not overdue)
    result.escalations = sum(1 for _, overdue in told if overdue)

    result.allocation_week_alert = _allocation_week_check(run, today, qa_team)
    # 2.12: a re-audit's form not yet started shows the last plan's statuses as recorded today.
    from shared.services.workflow.reaudit_plan import refresh_reaudit_drafts

    result.reaudit_forms_refreshed = refresh_reaudit_drafts(run)
    # 6.5: practitioners hear of an observation before it happens, with the form (the
    # programme's notice, handed in by bootstrap: shared.services.workflow.extensions).
    result.observation_notices = sum(notify(run) for notify in run.services.extensions.sweep_notices)
    log.info(
        "sweep: %d reminder(s), %d escalation(s) in %d message(s)",
        result.reminders,
        result.escalations,
        result.messages,
    )
    return result


def _actions_due(
    run: Run, today: dt.date, remind_until: dt.date, staff: StaffDirectory, qa_team: str, things: list[Due]
) -> dict[str, tuple[str, str]]:
    """Add to ``things`` each open improvement action whose next reminder step is due today and
    not yet sent; returns, per thing, the state key and step to record once it has gone."""
    steps: dict[str, tuple[str, str]] = {}
    query = Query(IMPROVEMENT_ACTIONS, (where("status", "eq", ActionStatus.OPEN.value),), page_size=500)
    for item in run.services.store.query_all(query):
        with run.isolated(IMPROVEMENT_ACTIONS, item.id):
            action = ActionItem.from_item(item)
            if action.due is None or not action.owner_email:
                continue
            step = reminder_step(action.due, today, remind_until)
            if step is None:
                continue
            state_key = f"action-reminded:{action.key}"
            sent = run.services.state.get(state_key)
            earlier = [s for s in ReminderStep if s.value == sent]
            if not step_still_to_send(step, earlier):
                continue
            thing = f"action/{action.id}"
            steps[thing] = (state_key, step.value)
            # Overdue: to the owner's Team Manager; QA when the register names no manager.
            manager = _line_manager(staff, action.owner_email) or (qa_team,)
            what = f"Improvement action for case {action.case_ref} ({action.domain}): {action.action}"
            things.append(
                Due(
                    thing,
                    action.owner_email,
                    what,
                    action.due,
                    "2.8",
                    step is ReminderStep.OVERDUE,
                    f"Measure of success: {action.measure}\n  When it is done, set its status to Done "
                    f"with a note in the Improvement Actions list (or: auditdesk actions done {action.id}).",
                    item_link(run.services, IMPROVEMENT_ACTIONS, action.id),
                    manager,
                )
            )
    return steps


def _optional_setting(run: Run, key: str) -> str:
    try:
        value = run.services.setting(key)
    except Exception:  # not set: nobody extra to tell
        return ""
    return value if is_plain_email(value) else ""


def _allocations_by_id(run: Run, ids: Iterable[int | None]) -> dict[int, Allocation]:
    wanted = sorted(i for i in ids if i is not None)
    found: dict[int, Allocation] = {}
    for start in range(0, len(wanted), 100):
        chunk = wanted[start : start + 100]
        query = Query(ALLOCATIONS, (where("Id", "in", chunk),), page_size=len(chunk))
        found.update({i.id: Allocation.from_item(i) for i in run.services.store.query_all(query)})
    return found


def _line_manager(staff: StaffDirectory, email: str) -> tuple[str, ...]:
    member = staff.get(email)
    return (member.manager_email,) if member is not None and member.manager_email else ()


def _named(staff: StaffDirectory, email: str) -> str:
    member = staff.get(email)
    return f"{member.name} ({email})" if member is not None and member.name else email


def _contacts(staff: StaffDirectory, allocation: Allocation) -> str:
    """Who the auditor talks to about the case (2.4, 2.5), by name."""
    people = []
    for role, address in (
        ("the allocated worker", allocation.allocated_worker_email),
        ("the Team Manager", allocation.team_manager_email),
    ):
        if not address:
            continue
        if is_plain_email(address):
            people.append(f"{role}, {_named(staff, address)}")
        else:  # never quoted: it may carry anything; QA corrects the column
            people.append(f"{role} (the allocation's {role[4:]} address is unusable: ask QA to correct it)")
    return "Contact " + " and ".join(people) + "." if people else ""


def _allocation_due(
    run: Run,
    allocation: Allocation,
    today: dt.date,
    remind_until: dt.date,
    staff: StaffDirectory,
    qa_team: str,
) -> Due | None:
    amending = allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT
    due = allocation.amendment_due if amending else allocation.due_date
    if due is None or due > remind_until:
        return None
    what = (
        f"Amended audit of {allocation.label}"
        if amending
        else f"Case file audit and improvement plan for {allocation.label}"
    )
    link = latest_submission_link(run.services, allocation.id) if amending else ""
    return Due(
        f"allocation/{allocation.id}",
        allocation.auditor_email,
        what,
        due,
        "2.11" if amending else "2.2",
        due < today,
        _contacts(staff, allocation),
        link or item_link(run.services, ALLOCATIONS, allocation.id),
        (*_line_manager(staff, allocation.auditor_email), qa_team),
    )


def _task_due(
    run: Run,
    task: Task,
    allocation: Allocation | None,
    today: dt.date,
    remind_until: dt.date,
    staff: StaffDirectory,
    qa_team: str,
    safeguarding_contact: str,
) -> Due | None:
    if task.due_date is None or not task.assigned_to or task.due_date > remind_until:
        return None
    if (
        task.task_type in AUDITOR_TASKS
        and allocation is not None
        and allocation.stage.value not in WITH_AUDITOR
        and task.assigned_to == allocation.auditor_email
    ):
        return None  # returned and with QA: nothing is due from the auditor now
    escalate = (*_line_manager(staff, task.assigned_to), qa_team)
    if task.task_type == TaskType.SAFEGUARDING and safeguarding_contact:
        escalate = (*escalate, safeguarding_contact)
    details = ""
    link = ""
    if allocation is not None:
        if task.task_type in AUDITOR_TASKS:
            details = _contacts(staff, allocation)
        elif (
            task.task_type in (TaskType.DISCUSSION, TaskType.SAFEGUARDING)
            and allocation.allocated_worker_email
        ):
            details = f"The allocated worker is {_named(staff, allocation.allocated_worker_email)}."
        link = latest_submission_link(run.services, allocation.id)
    return Due(
        f"task/{task.id}",
        task.assigned_to,
        task.title,
        task.due_date,
        task.section,
        task.due_date < today,
        details,
        link or item_link(run.services, TASKS, task.id),
        escalate,
    )


def _line(thing: Due, staff: StaffDirectory, theirs: bool) -> str:
    when = f"overdue since {thing.due:%d/%m/%Y}" if thing.overdue else f"due {thing.due:%A %d %B %Y}"
    who = "" if theirs else f"{_named(staff, thing.owner)}: "
    text = f"- {who}{thing.what}, {when} ({thing.section})"
    if thing.details:
        text += f"\n  {thing.details}"
    if thing.link:
        text += f"\n  Where: {thing.link}"
    return text


def _message(person: str, inbox: _Inbox, today: dt.date, staff: StaffDirectory) -> OutgoingMessage:
    own = sorted(inbox.own, key=lambda t: (not t.overdue, t.due, t.thing))
    escalated = sorted(inbox.escalated, key=lambda t: (t.due, t.thing))
    key = f"sweep/{person}/{today.isoformat()}"
    everything = [*own, *escalated]
    if len(everything) == 1:
        (thing,) = everything
        theirs = bool(own)
        if thing.overdue:
            subject = f"Overdue since {thing.due:%d/%m/%Y}: {thing.what}"
            opening = (
                "This is yours to do, was due on "
                if theirs
                else f"This is for {_named(staff, thing.owner)} to do, was due on "
            ) + f"{thing.due:%A %d %B %Y} ({thing.section}) and is not done:"
            closing = (
                "Please do it now, or tell the Quality Assurance Team why it cannot be done."
                if theirs
                else "You are told as their line manager or as the Quality Assurance Team: please "
                "make sure it is done."
            )
        else:
            subject = f"Reminder: due {thing.due:%d/%m/%Y}: {thing.what}"
            opening = f"A reminder that this is due on {thing.due:%A %d %B %Y} ({thing.section}):"
            closing = ""
        body = f"{opening}\n\n{_line(thing, staff, theirs)}" + (f"\n\n{closing}" if closing else "")
        return OutgoingMessage(
            to=(person,), subject=subject, text_body=body + notices.SIGN_OFF, idempotency_key=key
        )
    parts = []
    overdue_own = [t for t in own if t.overdue]
    coming = [t for t in own if not t.overdue]
    if overdue_own:
        parts.append("Overdue, yours to do now:\n" + "\n".join(_line(t, staff, True) for t in overdue_own))
    if coming:
        parts.append("Due soon:\n" + "\n".join(_line(t, staff, True) for t in coming))
    if escalated:
        parts.append(
            "Overdue for someone you manage or oversee (please make sure each is done):\n"
            + "\n".join(_line(t, staff, False) for t in escalated)
        )
    overdue_count = len(overdue_own) + len(escalated)
    subject = f"Audit Desk for {today:%d/%m/%Y}: {len(everything)} things due" + (
        f", {overdue_count} overdue" if overdue_count else ""
    )
    return OutgoingMessage(
        to=(person,),
        subject=subject,
        text_body="\n\n".join(parts) + notices.SIGN_OFF,
        idempotency_key=key,
    )


def _allocation_week_check(run: Run, today: dt.date, qa_team: str) -> bool:
    """2.1: once the first week has passed, QA hears if nothing is allocated for the month."""
    month = AuditMonth.of(today)
    due = run.services.deadlines.allocation_list_due_date(month)
    if today <= due:
        return False
    page = run.services.store.query(
        Query(ALLOCATIONS, (where("audit_month", "eq", str(month)),), page_size=1)
    )
    if page.items:
        return False
    sent = run.mail(notices.allocation_week_missed(qa_team, month.label, due, f"allocation-week/{month}"))
    return not sent.already_sent
