"""Typed views of the list items the workflow reads and writes, and the names of its lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.record import count_of, day_of, grade_of, text_of
from shared.core.stages import AuditStage
from shared.core.tasks import TaskStatus
from shared.services.ports.lists import ListItem


@dataclass(frozen=True, slots=True)
class Allocation:
    """An item of Audit Allocations: one case, one month, one auditor (2.1)."""

    id: int
    etag: str
    key: str
    case_ref: str
    month: AuditMonth
    auditor_email: str
    allocated_worker_email: str
    team_manager_email: str
    team: str
    stage: AuditStage
    due_date: dt.date | None
    is_reaudit: bool
    overall_grade: Grade | None
    previous_allocation: int | None
    chain_month: int
    accepted_on: dt.date | None
    findings_shared_on: dt.date | None
    discussion_due: dt.date | None
    amendment_due: dt.date | None
    qa_decision: str
    qa_reasons: str
    disagreement: str
    disagreement_resolved: bool
    safeguarding_raised: bool
    last_submission_hash: str
    times_returned: int
    steps_taken: int = 0
    recent_steps: str = ""
    eligibility_problems: str = ""
    submitted_on: dt.date | None = None
    late_allocation: bool = False
    discussion_held_on: dt.date | None = None

    @classmethod
    def from_item(cls, item: ListItem) -> Allocation:
        f = item.fields
        stage_text = text_of(f.get("status")) or AuditStage.ALLOCATED.value
        previous = f.get("previous_allocation")
        return cls(
            id=item.id,
            etag=item.etag,
            key=text_of(f.get("allocation_key")),
            case_ref=text_of(f.get("case_ref")),
            month=AuditMonth.parse(text_of(f.get("audit_month"))),
            auditor_email=text_of(f.get("auditor_email")).lower(),
            allocated_worker_email=text_of(f.get("allocated_worker_email")).lower(),
            team_manager_email=text_of(f.get("team_manager_email")).lower(),
            team=text_of(f.get("team")),
            stage=AuditStage(stage_text),
            due_date=day_of(f.get("due_date")),
            is_reaudit=bool(f.get("is_reaudit")),
            overall_grade=grade_of(f.get("overall_grade")),
            previous_allocation=previous if isinstance(previous, int) else None,
            chain_month=count_of(f.get("chain_month")),
            accepted_on=day_of(f.get("accepted_on")),
            findings_shared_on=day_of(f.get("findings_shared_on")),
            discussion_due=day_of(f.get("discussion_due")),
            amendment_due=day_of(f.get("amendment_due")),
            qa_decision=text_of(f.get("qa_decision")),
            qa_reasons=text_of(f.get("qa_reasons")),
            disagreement=text_of(f.get("disagreement")),
            disagreement_resolved=bool(f.get("disagreement_resolved")),
            safeguarding_raised=bool(f.get("safeguarding_raised")),
            last_submission_hash=text_of(f.get("last_submission_hash")),
            times_returned=count_of(f.get("times_returned")),
            steps_taken=count_of(f.get("steps_taken")),
            recent_steps=text_of(f.get("recent_steps")),
            eligibility_problems=text_of(f.get("eligibility_problems")),
            submitted_on=day_of(f.get("submitted_on")),
            late_allocation=bool(f.get("late_allocation")),
            discussion_held_on=day_of(f.get("discussion_held_on")),
        )

    @property
    def label(self) -> str:
        """How people (not logs) name the allocation: 'case DEMO-0001, November 2026'."""
        return f"case {self.case_ref}, {self.month.label}"


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    etag: str
    key: str
    task_type: str
    status: str
    assigned_to: str
    due_date: dt.date | None
    allocation: int | None
    title: str
    section: str
    team: str = ""
    completed_on: dt.date | None = None

    @classmethod
    def from_item(cls, item: ListItem) -> Task:
        f = item.fields
        allocation = f.get("allocation")
        return cls(
            id=item.id,
            etag=item.etag,
            key=text_of(f.get("task_key")),
            task_type=text_of(f.get("task_type")),
            status=text_of(f.get("status")) or TaskStatus.OPEN.value,
            assigned_to=text_of(f.get("assigned_to")).lower(),
            due_date=day_of(f.get("due_date")),
            allocation=allocation if isinstance(allocation, int) else None,
            title=text_of(f.get("Title")),
            section=text_of(f.get("section")),
            team=text_of(f.get("team")),
            completed_on=day_of(f.get("completed_on")),
        )
