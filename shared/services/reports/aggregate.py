"""From list items to the rows every report reads: pure functions, no store, no clock, no file format.

The lists are indexed once (:func:`index_history`): each allocation with the grades of its
latest usable submission, each task, by month, by case and by type. The measures
(:mod:`shared.services.reports.measures`) read every figure from these indexes, in linear time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.record import text_of
from shared.core.schema import AuditSchema, Organisation, Timescales
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.services.ports.lists import ListItem
from shared.services.workflow.lists import Allocation, Task

GRADES = tuple(g.value for g in Grade)  # best first (2.7)
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING.value, Grade.GOOD.value})
WEAK = frozenset({Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value})
INADEQUATE = Grade.INADEQUATE.value
QUARANTINED = SubmissionOutcome.QUARANTINED.value
# 2.11: a judgement counts once the QA team has accepted the audit; before that it may change.
ACCEPTED_STAGES = frozenset(
    {
        AuditStage.ACCEPTED.value,
        AuditStage.FINDINGS_SHARED.value,
        AuditStage.DISCUSSION_HELD.value,
        AuditStage.CLOSED.value,
    }
)
# Below MINIMUM_FOR_PERCENT, a share is shown as a count only ("3 of 4"), never as a percentage.
# Where a row without a team is counted.
NO_TEAM = "(no team)"


# -- the rows every report reads ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One allocation (one case, one month) with the grades of its latest usable submission."""

    id: int
    case_ref: str
    month: AuditMonth
    team: str
    stage: str
    due_date: dt.date | None
    submitted_on: dt.date | None
    overall: str  # a grade value, or '' while not graded
    domain_grades: tuple[str, ...]  # per schema domain: a grade, 'Not applicable' or ''
    is_reaudit: bool
    previous_id: int | None
    times_returned: int
    late_allocation: bool
    safeguarding: bool
    findings_shared_on: dt.date | None
    discussion_due: dt.date | None
    discussion_held_on: dt.date | None
    good_practice: str
    people: tuple[str, ...]  # email addresses on the allocation (for redaction)
    auditor: str = ""  # the auditor's email address

    @property
    def accepted(self) -> bool:
        """Accepted by the QA team (2.11): only then do its judgements count."""
        return self.stage in ACCEPTED_STAGES

    @property
    def awaiting_qa(self) -> bool:
        """Returned by the auditor and graded, but not yet accepted by the QA team."""
        return self.submitted_on is not None and not self.accepted


@dataclass
class AuditIndex:
    """The lists, indexed once: audits by id and by month, tasks by allocation and by type."""

    rows: list[AuditRow]
    by_id: dict[int, AuditRow]
    by_month: dict[AuditMonth, list[AuditRow]]
    tasks: list[Task]
    tasks_by_allocation: dict[int, list[Task]]
    tasks_by_type: dict[str, list[Task]]
    # The schema's timescales and organisation: the reports' labels are rendered from them.
    timescales: Timescales
    organisation: Organisation
    chain_length: dict[int, int] = field(default_factory=dict)
    next_audit: dict[int, AuditRow] = field(default_factory=dict)  # re-audit by previous id

    def in_months(self, months: Iterable[AuditMonth]) -> list[AuditRow]:
        found: list[AuditRow] = []
        for month in months:
            found.extend(self.by_month.get(month, ()))
        return found


def index_history(
    allocations: Iterable[ListItem],
    submissions: Iterable[ListItem],
    tasks: Iterable[ListItem],
    schema: AuditSchema,
) -> AuditIndex:
    """Index the three lists in one pass each (submissions: the latest one not quarantined)."""
    latest: dict[int, ListItem] = {}
    for item in submissions:
        allocation = item.fields.get("allocation")
        if not isinstance(allocation, int) or item.fields.get("outcome") == QUARANTINED:
            continue
        current = latest.get(allocation)
        if current is None or item.id > current.id:
            latest[allocation] = item
    grade_columns = tuple(f"{d.id}_grade" for d in schema.domains)
    rows: list[AuditRow] = []
    by_id: dict[int, AuditRow] = {}
    by_month: dict[AuditMonth, list[AuditRow]] = defaultdict(list)
    for item in allocations:
        try:
            held = Allocation.from_item(item)
        except ValueError:  # no month (or stage) a report can place
            continue
        submission = latest.get(item.id)
        s = submission.fields if submission is not None else {}
        graded = held.overall_grade
        overall = graded.value if graded is not None else text_of(s.get("overall_grade"))
        people = (held.auditor_email, held.allocated_worker_email, held.team_manager_email)
        row = AuditRow(
            id=held.id,
            case_ref=held.case_ref,
            month=held.month,
            team=held.team or text_of(s.get("team")) or NO_TEAM,
            stage=held.stage.value,
            due_date=held.due_date,
            submitted_on=held.submitted_on,
            overall=overall if overall in GRADES else "",
            domain_grades=tuple(text_of(s.get(column)) for column in grade_columns),
            is_reaudit=held.is_reaudit,
            previous_id=held.previous_allocation,
            times_returned=held.times_returned,
            late_allocation=held.late_allocation,
            safeguarding=held.safeguarding_raised or bool(s.get("safeguarding_concern")),
            findings_shared_on=held.findings_shared_on,
            discussion_due=held.discussion_due,
            discussion_held_on=held.discussion_held_on,
            good_practice=text_of(s.get("good_practice")),
            people=tuple(p for p in people if p),
            auditor=held.auditor_email,
        )
        rows.append(row)
        by_id[row.id] = row
        by_month[held.month].append(row)
    task_rows: list[Task] = []
    by_allocation: dict[int, list[Task]] = defaultdict(list)
    by_type: dict[str, list[Task]] = defaultdict(list)
    for item in tasks:
        task = Task.from_item(item)
        task_rows.append(task)
        by_type[task.task_type].append(task)
        if task.allocation is not None:
            by_allocation[task.allocation].append(task)
    index = AuditIndex(
        rows,
        by_id,
        dict(by_month),
        task_rows,
        dict(by_allocation),
        dict(by_type),
        schema.timescales,
        schema.organisation,
    )
    index.chain_length = _chain_lengths(index)
    index.next_audit = {r.previous_id: r for r in rows if r.previous_id is not None}
    return index


def _chain_lengths(index: AuditIndex) -> dict[int, int]:
    """2.12: how many consecutive months each Inadequate case has been Inadequate, up to and
    including this audit. Each allocation is visited once (memoised walk back the chain)."""
    lengths: dict[int, int] = {}
    for row in index.rows:
        if row.id in lengths:
            continue
        walk: list[AuditRow] = []
        current: AuditRow | None = row
        while current is not None and current.id not in lengths and len(walk) < 240:
            walk.append(current)
            previous = current.previous_id
            current = index.by_id.get(previous) if previous is not None else None
        known = lengths.get(current.id, 0) if current is not None else 0
        for step in reversed(walk):
            known = known + 1 if step.overall == INADEQUATE else 0
            lengths[step.id] = known
    return lengths
