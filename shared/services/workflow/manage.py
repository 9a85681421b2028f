"""What QA and managers do by editing list items, as steps the command line takes too (2.1-2.12).

Each step is refused with a reason a person can act on when the framework would not allow it,
and each one taken is recorded in the Audit Trail. The list-edit path (a task marked Done in
SharePoint, watched by :mod:`shared.services.workflow.changes`) runs the same checks as the command.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from shared.core import list_titles
from shared.core.addresses import is_plain_email
from shared.core.eligibility import CaseHolders, reasons_auditor_is_not_eligible
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS, TASKS
from shared.core.stages import AuditEvent, AuditStage, IllegalTransition, SubmissionOutcome
from shared.core.tasks import TaskStatus, TaskType
from shared.services.ports.lists import ItemNotFound, ListItem, Query, where
from shared.services.workflow import notices, qa
from shared.services.workflow.allocations import allocations_of_case, no_allocation
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

DONE, CANCELLED, OPEN = TaskStatus.DONE.value, TaskStatus.CANCELLED.value, TaskStatus.OPEN.value
# Tasks the framework puts on a person who must do them: they are done, never cancelled.
NEVER_CANCELLED: dict[str, str] = {
    TaskType.SAFEGUARDING: "a safeguarding action is done, never cancelled: mark it done once the corrective "
    "actions are recorded on Liquidlogic (2.6).",
    TaskType.DISCUSSION: "the discussion of the findings is the framework's step (2.10): mark it done once it "
    "is held and the actions are recorded on Liquidlogic.",
}


class Refused(ValueError):
    """A step the framework does not allow now; the message says why and what to do."""


# -- tasks ------------------------------------------------------------------------------


def task_by_id(services: Services, task_id: int) -> Task:
    try:
        return Task.from_item(services.store.get(TASKS, task_id))
    except ItemNotFound as missing:
        raise Refused(f"There is no task {task_id}: `auditdesk tasks` lists the open ones.") from missing


def reasons_task_cannot_close(task: Task, status: str) -> list[str]:
    if status == CANCELLED and task.task_type in NEVER_CANCELLED:
        return [f"Task {task.id} cannot be cancelled: {NEVER_CANCELLED[task.task_type]}"]
    return []


def close_task(run: Run, task: Task, status: str, who: str | None = None, note: str = "") -> Task:
    """Mark an open task Done or Cancelled, as its owner does in the Tasks list. A Discussion task
    marked done records the discussion and closes the audit (2.10)."""
    if task.status != OPEN:
        raise Refused(f"Task {task.id} is already {task.status}: nothing changed.")
    problems = reasons_task_cannot_close(task, status)
    if problems:
        raise Refused(" ".join(problems))
    allocation = _discussion_allocation(run, task) if status == DONE else None
    if allocation is not None:
        try:
            qa.record_discussion(run, allocation, who=who or task.assigned_to)
        except qa.QaRefused as refused:
            raise Refused(f"Task {task.id} is not done: {refused}") from refused
    store = run.services.store
    item = store.get(TASKS, task.id) if allocation is not None else None  # the discussion closed it
    if item is None or item.fields.get("status") != status:
        item = store.update(
            TASKS,
            task.id,
            {"status": status, "completed_on": run.today if status == DONE else None},
            item.etag if item is not None else task.etag,
        )
    trail_task(run, task, status, who, note)
    return Task.from_item(item)


def trail_task(run: Run, task: Task, status: str, who: str | None = None, note: str = "") -> None:
    after: dict[str, object] = {"status": status}
    if note:
        after["note"] = note
    run.trail(
        f"task/{task.id}/{status.lower()}",
        f"task {status.lower()}: {task.task_type}",
        TASKS,
        task.id,
        {"status": OPEN},
        after,  # type: ignore[arg-type]
        who,
    )


def on_task_changed(run: Run, item: ListItem) -> str | None:
    """A task someone marked Done or Cancelled in the Tasks list: the same checks as the command.
    A refused change is undone (the task is Open again) and the reason returned."""
    task = Task.from_item(item)
    if task.status not in (DONE, CANCELLED):
        return None
    problems = reasons_task_cannot_close(task, task.status)
    allocation = _discussion_allocation(run, task) if task.status == DONE and not problems else None
    if allocation is not None:
        try:
            qa.record_discussion(run, allocation, who=task.assigned_to)
        except qa.QaRefused as refused:
            problems.append(f"Task {task.id} is not done: {refused}")
    if problems:
        run.services.store.update(TASKS, task.id, {"status": OPEN, "completed_on": None}, task.etag)
        return " ".join(problems)
    trail_task(run, task, task.status, task.assigned_to or None)
    return None


def _discussion_allocation(run: Run, task: Task) -> Allocation | None:
    if task.task_type != TaskType.DISCUSSION or task.allocation is None:
        return None
    try:
        allocation = Allocation.from_item(run.services.store.get(ALLOCATIONS, task.allocation))
    except ItemNotFound:
        return None
    return allocation if allocation.stage is AuditStage.FINDINGS_SHARED else None


# -- allocations ------------------------------------------------------------------------


def reassign(run: Run, allocation: Allocation, auditor_email: str, who: str | None = None) -> Allocation:
    """2.1, 1.4: give the audit to another auditor while it is with the auditor; their open tasks
    for it follow, and the new auditor is sent the allocation with the blank forms."""
    from shared.services.workflow.allocations import notify_allocation

    new = auditor_email.strip().lower()
    if allocation.stage not in (AuditStage.ALLOCATED, AuditStage.RETURNED_FOR_AMENDMENT):
        raise Refused(
            f"{notices.sentence(allocation.label)} is '{allocation.stage.value}': only an audit still with "
            "its auditor can be given to another one."
        )
    if new == allocation.auditor_email and not allocation.eligibility_problems:
        raise Refused(f"{notices.sentence(allocation.label)} is already allocated to {new}: nothing changed.")
    staff = StaffDirectory.load(run.services)
    member = staff.get(new)
    if member is None:
        raise Refused(f"{new} is not in the Staff register: add them, or choose another auditor (1.4).")
    holders = CaseHolders(allocation.allocated_worker_email, allocation.team_manager_email)
    problems = reasons_auditor_is_not_eligible(member, holders, run.services.schema, allocation.is_reaudit)
    if problems:
        raise Refused(f"{new} cannot audit {allocation.label}: " + " ".join(problems))
    previous = allocation.auditor_email
    allocation = run.update_allocation(
        allocation,
        {"auditor_email": new, "eligibility_problems": None},
        f"auditor changed from {previous} to {new}",
        who,
    )
    for task in _open_tasks(run, allocation.id):
        if task.assigned_to == previous:
            run.services.store.update(TASKS, task.id, {"assigned_to": new}, task.etag)
    if allocation.stage is AuditStage.ALLOCATED:
        notify_allocation(run, allocation, _previous_of(run, allocation))
    return allocation


def cancel(run: Run, allocation: Allocation, reason: str, who: str | None = None) -> Allocation:
    """2.1: withdraw an allocation before the audit is returned (the case closed, or it was
    allocated by mistake). Its open tasks are cancelled and the auditor is told."""
    if not reason.strip():
        raise Refused("Say why the allocation is cancelled: the auditor is told your reason.")
    try:
        allocation = run.step(
            allocation,
            AuditEvent.CANCEL,
            {"cancelled_on": run.today, "cancel_reason": reason.strip()},
            who,
        )
    except IllegalTransition as refused:
        raise Refused(f"{notices.sentence(allocation.label)}: {refused.reason}") from refused
    for task in _open_tasks(run, allocation.id):
        run.services.store.update(TASKS, task.id, {"status": CANCELLED}, task.etag)
        trail_task(run, task, CANCELLED, who, "allocation cancelled")
    if is_plain_email(allocation.auditor_email):
        run.mail(notices.allocation_cancelled(allocation, reason.strip()))
    return allocation


def _open_tasks(run: Run, allocation_id: int) -> list[Task]:
    query = Query(TASKS, (where("allocation", "eq", allocation_id), where("status", "eq", OPEN)))
    return [Task.from_item(i) for i in run.services.store.query_all(query)]


def _previous_of(run: Run, allocation: Allocation) -> Allocation | None:
    if allocation.previous_allocation is None:
        return None
    try:
        return Allocation.from_item(run.services.store.get(ALLOCATIONS, allocation.previous_allocation))
    except ItemNotFound:
        return None


def allocation_by_case(run: Run, case_ref: str, month: str | None = None) -> Allocation:
    """The allocation meant by a case reference: the given month's, else the latest."""
    found = allocations_of_case(run, case_ref, month)
    if not found:
        raise Refused(no_allocation(case_ref, month))
    return max(found, key=lambda a: a.month)


# -- settings ---------------------------------------------------------------------------

EMAIL_SETTINGS = (
    "qa_team_email",
    "safeguarding_contact_email",
    "senior_leadership_email",
    "wider_leadership_email",
    "all_staff_email",
)
NUMBER_SETTINGS = ("reminder_working_days", "report_minimum_count")
LOCAL_CLOSURE_DAYS = "local_closure_days"
SETTINGS = (*EMAIL_SETTINGS, *NUMBER_SETTINGS, LOCAL_CLOSURE_DAYS)


def reasons_setting_refused(key: str, value: str) -> list[str]:
    if key not in SETTINGS:
        return [f"'{key}' is not a setting Audit Desk uses: choose one of {', '.join(SETTINGS)}."]
    text = value.strip()
    if key in EMAIL_SETTINGS and not is_plain_email(text):
        return [f"'{text}' is not a plain email address (name@domain)."]
    if key in NUMBER_SETTINGS and not (text.isdigit() and int(text) > 0):
        return [f"'{text}' is not a whole number of 1 or more."]
    if key == LOCAL_CLOSURE_DAYS:
        try:
            closure_days(text)
        except ValueError:
            return [
                f"'{text}' is not a list of dates: give ISO dates separated by commas (2026-12-29,2026-12-30)."
            ]
    return []


def closure_days(text: str) -> tuple[dt.date, ...]:
    return tuple(sorted({dt.date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()}))


def set_setting(run: Run, key: str, value: str, who: str | None = None) -> str:
    """Change a Settings list entry, as QA does in SharePoint; recorded in the Audit Trail."""
    problems = reasons_setting_refused(key, value)
    if problems:
        raise Refused(f"Setting '{key}' not changed: " + " ".join(problems))
    services = run.services
    text = value.strip()
    if key == LOCAL_CLOSURE_DAYS:
        text = ",".join(d.isoformat() for d in closure_days(text))
    elif key in EMAIL_SETTINGS:
        text = text.lower()
    before = current_settings(services).get(key, "")
    if before == text:
        raise Refused(f"Setting '{key}' is already {text}: nothing changed.")
    services.set_setting(key, text)
    if key == LOCAL_CLOSURE_DAYS:
        services.use_local_closure_days()
    run.trail(
        f"setting/{key}/{run.services.clock.now().isoformat()}",
        f"setting {key} changed",
        list_titles.SETTINGS,
        0,
        {key: before},
        {key: text},
        who,
    )
    return text


def current_settings(services: Services) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in SETTINGS:
        try:
            values[key] = services.setting(key)
        except Exception:  # a missing entry on SharePoint: shown as not set
            values[key] = ""
    return values


# -- submissions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    id: int
    file_name: str
    case_ref: str
    allocation: int | None
    audit_month: str
    auditor: str
    status: str
    outcome: str
    reason: str
    location: str

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "file": self.file_name,
            "case_ref": self.case_ref,
            "allocation": self.allocation,
            "month": self.audit_month,
            "auditor": self.auditor,
            "status": self.status,
            "outcome": self.outcome,
            "why": self.reason,
            "location": self.location,
        }


WAITING_STAGES = (AuditStage.SUBMITTED.value, AuditStage.RESUBMITTED.value)


def submissions(services: Services, quarantined: bool = False, waiting: bool = False) -> list[SubmissionRow]:
    """The Audit Submissions library's files: all, the quarantine, or those waiting for QA."""
    from shared.services.workflow.links import item_link

    filters = []
    if quarantined:
        filters.append(where("outcome", "eq", SubmissionOutcome.QUARANTINED.value))
    if waiting:
        filters.append(where("status", "in", WAITING_STAGES))
    items = list(services.store.query_all(Query(SUBMISSIONS, tuple(filters), page_size=500)))
    months = _months_of(services, {i.fields.get("allocation") for i in items})
    rows = []
    for item in items:
        f = item.fields
        allocation = f.get("allocation")
        allocation_id = allocation if isinstance(allocation, int) else None
        name = str(f.get("FileLeafRef") or "")
        rows.append(
            SubmissionRow(
                item.id,
                name,
                str(f.get("case_ref") or ""),
                allocation_id,
                months.get(allocation_id, "") if allocation_id else "",
                str(f.get("auditor_email") or ""),
                str(f.get("status") or ""),
                str(f.get("outcome") or ""),
                str(f.get("outcome_reason") or ""),
                item_link(services, SUBMISSIONS, item.id, name),
            )
        )
    rows.sort(key=lambda r: r.id)
    return rows


def _months_of(services: Services, ids: Iterable[object]) -> dict[int | None, str]:
    wanted = sorted(i for i in ids if isinstance(i, int))
    if not wanted:
        return {}
    query = Query(ALLOCATIONS, (where("Id", "in", wanted),), page_size=len(wanted))
    return {i.id: str(i.fields.get("audit_month") or "") for i in services.store.query_all(query)}
