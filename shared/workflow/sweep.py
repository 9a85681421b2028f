"""The daily sweep: reminders before due dates, overdue escalation, and the allocation-week check.

Each reminder or escalation goes at most once per item per day (its key names the day), so
the sweep may run as often as anyone likes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.workflow import AuditStage
from shared.lists.port import Query, where
from shared.workflow import notices
from shared.workflow.lists import ALLOCATIONS, TASKS, Allocation, Task
from shared.workflow.people import StaffDirectory
from shared.workflow.run import Run

log = logging.getLogger(__name__)

WITH_AUDITOR = (AuditStage.ALLOCATED.value, AuditStage.RETURNED_FOR_AMENDMENT.value)


@dataclass
class SweepResult:
    reminders: int = 0
    escalations: int = 0
    allocation_week_alert: bool = False
    observation_notices: int = 0


def sweep(run: Run) -> SweepResult:
    services = run.services
    today = run.today
    calendar = services.deadlines.calendar
    result = SweepResult()
    lead = int(services.setting("reminder_working_days") or "2")
    remind_until = calendar.add_working_days(today, lead)
    qa_team = services.setting("qa_team_email")
    staff = StaffDirectory.load(services)

    for item in services.store.query_all(
        Query(ALLOCATIONS, (where("status", "in", WITH_AUDITOR),), page_size=500)
    ):
        with run.isolated(ALLOCATIONS, item.id):
            _allocation_due(run, Allocation.from_item(item), today, remind_until, qa_team, result)

    for item in services.store.query_all(Query(TASKS, (where("status", "eq", "Open"),), page_size=500)):
        with run.isolated(TASKS, item.id):
            _task_due(run, Task.from_item(item), today, remind_until, qa_team, staff, result)

    result.allocation_week_alert = _allocation_week_check(run, today, qa_team)
    # 6.5: practitioners hear of an observation before it happens, with the form.
    from shared.programme.observations import notify_coming_observations

    result.observation_notices = notify_coming_observations(run)
    log.info("sweep: %d reminder(s), %d escalation(s)", result.reminders, result.escalations)
    return result


def _allocation_due(
    run: Run, allocation: Allocation, today: dt.date, remind_until: dt.date, qa_team: str, result: SweepResult
) -> None:
    due = (
        allocation.amendment_due
        if allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT
        else allocation.due_date
    )
    if due is None:
        return
    what = (
        f"Amended audit of {allocation.label}"
        if allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT
        else f"Case file audit and improvement plan for {allocation.label}"
    )
    section = "2.11" if allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT else "2.2"
    if due < today:
        sent = run.mail(
            notices.overdue(
                [allocation.auditor_email, allocation.team_manager_email, qa_team],
                what,
                due,
                section,
                f"overdue/allocation/{allocation.id}/{today}",
            )
        )
        result.escalations += not sent.already_sent
    elif due <= remind_until:
        sent = run.mail(
            notices.reminder(
                allocation.auditor_email,
                what,
                due,
                section,
                f"reminder/allocation/{allocation.id}/{today}",
            )
        )
        result.reminders += not sent.already_sent


def _task_due(
    run: Run,
    task: Task,
    today: dt.date,
    remind_until: dt.date,
    qa_team: str,
    staff: StaffDirectory,
    result: SweepResult,
) -> None:
    if task.due_date is None or not task.assigned_to:
        return
    if task.due_date < today:
        manager = staff.get(task.assigned_to)
        to = [task.assigned_to, qa_team]
        if manager is not None and manager.manager_email:
            to.insert(1, manager.manager_email)
        sent = run.mail(
            notices.overdue(to, task.title, task.due_date, task.section, f"overdue/task/{task.id}/{today}")
        )
        result.escalations += not sent.already_sent
    elif task.due_date <= remind_until:
        sent = run.mail(
            notices.reminder(
                task.assigned_to,
                task.title,
                task.due_date,
                task.section,
                f"reminder/task/{task.id}/{today}",
            )
        )
        result.reminders += not sent.already_sent


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
