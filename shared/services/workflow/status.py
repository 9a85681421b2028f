"""Where every audit stands: one line per allocation, for `auditdesk status` and the reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.list_titles import ALLOCATIONS, TASKS
from shared.core.stages import AuditStage
from shared.core.tasks import TaskStatus
from shared.services.ports.lists import Query, where
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation, Task


@dataclass(frozen=True, slots=True)
class AllocationStatus:
    id: int
    case_ref: str
    month: str
    auditor: str
    team: str
    stage: str
    overall_grade: str
    next_due: dt.date | None
    next_step: str
    overdue: bool
    reaudit_month: int
    late_allocation: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "allocation": self.id,
            "case_ref": self.case_ref,
            "month": self.month,
            "auditor": self.auditor,
            "team": self.team,
            "stage": self.stage,
            "overall_grade": self.overall_grade,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "next_step": self.next_step,
            "overdue": self.overdue,
            "reaudit_month": self.reaudit_month,
            "late_allocation": self.late_allocation,
        }


def next_step(allocation: Allocation) -> tuple[str, dt.date | None]:
    """What happens next, by whom, and by when (2.2, 2.10, 2.11)."""
    stage = allocation.stage
    if stage is AuditStage.ALLOCATED:
        return "auditor returns the audit (2.2)", allocation.due_date
    if stage is AuditStage.RETURNED_FOR_AMENDMENT:
        return "auditor returns the amended audit (2.11)", allocation.amendment_due
    if stage in (AuditStage.SUBMITTED, AuditStage.RESUBMITTED):
        return "QA check (2.11)", None
    if stage is AuditStage.ACCEPTED:
        return "QA shares the findings (2.9)", None
    if stage is AuditStage.FINDINGS_SHARED:
        return "Team Manager discusses the findings (2.10)", allocation.discussion_due
    if stage is AuditStage.DISCUSSION_HELD:
        return "close", None
    return "", None


def allocation_statuses(services: Services, month: AuditMonth | None = None) -> list[AllocationStatus]:
    today = services.clock.today()
    filters = (where("audit_month", "eq", str(month)),) if month else ()
    rows = []
    for item in services.store.query_all(Query(ALLOCATIONS, filters, page_size=500)):
        allocation = Allocation.from_item(item)
        step, due = next_step(allocation)
        rows.append(
            AllocationStatus(
                id=allocation.id,
                case_ref=allocation.case_ref,
                month=str(allocation.month),
                auditor=allocation.auditor_email,
                team=allocation.team,
                stage=allocation.stage.value,
                overall_grade=allocation.overall_grade.value if allocation.overall_grade else "",
                next_due=due,
                next_step=step,
                overdue=due is not None and due < today,
                reaudit_month=allocation.chain_month,
                late_allocation=bool(item.fields.get("late_allocation")),
            )
        )
    rows.sort(key=lambda r: (r.month, r.team, r.case_ref))
    return rows


def open_tasks(services: Services) -> list[Task]:
    tasks = [
        Task.from_item(item)
        for item in services.store.query_all(
            Query(TASKS, (where("status", "eq", TaskStatus.OPEN.value),), page_size=500)
        )
    ]
    tasks.sort(key=lambda t: (t.due_date or dt.date.max, t.task_type))
    return tasks


def task_rows(services: Services, tasks: list[Task]) -> list[dict[str, object]]:
    """Tasks for scripts: every row carries its id, the case and the allocation it belongs to."""
    today = services.clock.today()
    ids = sorted({t.allocation for t in tasks if t.allocation is not None})
    allocations: dict[int, Allocation] = {}
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        query = Query(ALLOCATIONS, (where("Id", "in", chunk),), page_size=len(chunk))
        allocations.update({i.id: Allocation.from_item(i) for i in services.store.query_all(query)})
    rows: list[dict[str, object]] = []
    for t in tasks:
        allocation = allocations.get(t.allocation) if t.allocation is not None else None
        rows.append(
            {
                "id": t.id,
                "type": t.task_type,
                "status": t.status,
                "title": t.title,
                "assigned_to": t.assigned_to,
                "due": t.due_date.isoformat() if t.due_date else None,
                "section": t.section,
                "overdue": bool(t.due_date and t.due_date < today),
                "allocation": t.allocation,
                "case_ref": allocation.case_ref if allocation else None,
                "month": str(allocation.month) if allocation else None,
            }
        )
    return rows
