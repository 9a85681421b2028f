"""Typed views of the list items the workflow reads and writes, and the names of its lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.stages import AuditStage
from shared.services.ports.lists import FieldValue, ListItem

ALLOCATIONS = "Audit Allocations"
SUBMISSIONS = "Audit Submissions"
TASKS = "Tasks"
STAFF = "Staff"
TRAIL = "Audit Trail"
SETTINGS = "Settings"


def _date(value: FieldValue) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _text(value: FieldValue) -> str:
    return value if isinstance(value, str) else ""


def _grade(value: FieldValue) -> Grade | None:
    for grade in Grade:
        if grade.value == value:
            return grade
    return None


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

    @classmethod
    def from_item(cls, item: ListItem) -> Allocation:
        f = item.fields
        stage_text = _text(f.get("status")) or AuditStage.ALLOCATED.value
        previous = f.get("previous_allocation")
        chain = f.get("chain_month")
        return cls(
            id=item.id,
            etag=item.etag,
            key=_text(f.get("allocation_key")),
            case_ref=_text(f.get("case_ref")),
            month=AuditMonth.parse(_text(f.get("audit_month"))),
            auditor_email=_text(f.get("auditor_email")).lower(),
            allocated_worker_email=_text(f.get("allocated_worker_email")).lower(),
            team_manager_email=_text(f.get("team_manager_email")).lower(),
            team=_text(f.get("team")),
            stage=AuditStage(stage_text),
            due_date=_date(f.get("due_date")),
            is_reaudit=bool(f.get("is_reaudit")),
            overall_grade=_grade(f.get("overall_grade")),
            previous_allocation=previous if isinstance(previous, int) else None,
            chain_month=int(chain) if isinstance(chain, int | float) else 0,
            accepted_on=_date(f.get("accepted_on")),
            findings_shared_on=_date(f.get("findings_shared_on")),
            discussion_due=_date(f.get("discussion_due")),
            amendment_due=_date(f.get("amendment_due")),
            qa_decision=_text(f.get("qa_decision")),
            qa_reasons=_text(f.get("qa_reasons")),
            disagreement=_text(f.get("disagreement")),
            disagreement_resolved=bool(f.get("disagreement_resolved")),
            safeguarding_raised=bool(f.get("safeguarding_raised")),
            last_submission_hash=_text(f.get("last_submission_hash")),
            times_returned=int(returned)
            if isinstance(returned := f.get("times_returned"), int | float)
            else 0,
            steps_taken=int(steps) if isinstance(steps := f.get("steps_taken"), int | float) else 0,
            recent_steps=_text(f.get("recent_steps")),
            eligibility_problems=_text(f.get("eligibility_problems")),
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

    @classmethod
    def from_item(cls, item: ListItem) -> Task:
        f = item.fields
        allocation = f.get("allocation")
        return cls(
            id=item.id,
            etag=item.etag,
            key=_text(f.get("task_key")),
            task_type=_text(f.get("task_type")),
            status=_text(f.get("status")) or "Open",
            assigned_to=_text(f.get("assigned_to")).lower(),
            due_date=_date(f.get("due_date")),
            allocation=allocation if isinstance(allocation, int) else None,
            title=_text(f.get("Title")),
            section=_text(f.get("section")),
        )
