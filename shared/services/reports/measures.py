"""The measures every report shares, from the indexed lists (:mod:`shared.services.reports.aggregate`):
pure functions, no store, no clock, no file format.

Every count names the framework section it reports on, and each runs in linear time over the
indexes. A report module (highlights, bulletin, quarterly) picks the measures it shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.schema import Domain, Timescales
from shared.core.tasks import TaskStatus, TaskType
from shared.core.wording import discussion_within
from shared.services.reports.aggregate import (
    GOOD_OR_BETTER,
    GRADES,
    INADEQUATE,
    NO_TEAM,
    WEAK,
    AuditIndex,
    AuditRow,
)
from shared.services.reports.anonymise import Reviewed
from shared.services.workflow.lists import Task

TREND_MONTHS = 6


SAFEGUARDING = TaskType.SAFEGUARDING


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class GradeCounts:
    """How many of each judgement (2.7); 'Not applicable' counted apart from the graded."""

    counts: Mapping[str, int]
    not_applicable: int = 0

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def good_or_better(self) -> int:
        return sum(n for grade, n in self.counts.items() if grade in GOOD_OR_BETTER)

    @property
    def weak(self) -> int:
        return sum(n for grade, n in self.counts.items() if grade in WEAK)

    @property
    def good_or_better_share(self) -> float | None:
        return share(self.good_or_better, self.graded)

    @property
    def weak_share(self) -> float | None:
        return share(self.weak, self.graded)


def grade_counts(values: Iterable[str]) -> GradeCounts:
    counter = Counter(values)
    return GradeCounts({g: counter.get(g, 0) for g in GRADES}, counter.get(NOT_APPLICABLE, 0))


@dataclass(frozen=True, slots=True)
class Throughput:
    """2.1, 2.2, 2.11: what was allocated, returned on time or late, is overdue, was sent back."""

    allocated: int
    completed: int
    on_time: int
    late: int
    overdue: int
    not_yet_due: int
    returned_for_amendment: int
    late_allocations: int

    @property
    def on_time_share(self) -> float | None:
        return share(self.on_time, self.completed)


def throughput(rows: Sequence[AuditRow], as_of: dt.date) -> Throughput:
    completed = on_time = late = overdue = not_due = returned = late_allocated = 0
    for row in rows:
        if row.submitted_on is not None:
            completed += 1
            if row.due_date is None or row.submitted_on <= row.due_date:
                on_time += 1
            else:
                late += 1
        elif row.due_date is not None and row.due_date < as_of:
            overdue += 1
        else:
            not_due += 1
        returned += row.times_returned > 0
        late_allocated += row.late_allocation
    return Throughput(len(rows), completed, on_time, late, overdue, not_due, returned, late_allocated)


def overall_distribution(rows: Sequence[AuditRow]) -> GradeCounts:
    return grade_counts(row.overall for row in rows if row.overall)


def domain_distribution(
    rows: Sequence[AuditRow], domains: Sequence[Domain]
) -> list[tuple[Domain, GradeCounts]]:
    """Per domain (2.3), every grade given this period, in one pass over the audits."""
    counters = [Counter[str]() for _ in domains]
    for row in rows:
        for counter, grade in zip(counters, row.domain_grades, strict=False):
            if grade:
                counter[grade] += 1
    return [
        (domain, GradeCounts({g: c.get(g, 0) for g in GRADES}, c.get(NOT_APPLICABLE, 0)))
        for domain, c in zip(domains, counters, strict=True)
    ]


def team_distribution(rows: Sequence[AuditRow]) -> list[tuple[str, GradeCounts]]:
    by_team: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.overall:
            by_team[row.team][row.overall] += 1
    return [(team, GradeCounts({g: c.get(g, 0) for g in GRADES})) for team, c in sorted(by_team.items())]


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """A case in a re-audit chain (2.12): Inadequate this month, or re-audited this month."""

    case_ref: str
    team: str
    month: AuditMonth
    grade: str
    previous_grade: str
    months_in: int  # consecutive months judged Inadequate, this one included
    is_reaudit: bool
    next_step: str
    reaudit_by: str = ""  # the re-auditor's email, once next month's re-audit is allocated
    reaudit_due: dt.date | None = None


def reaudit_chains(index: AuditIndex, months: Sequence[AuditMonth]) -> list[ChainEntry]:
    """2.12: each Inadequate case is re-audited the following month, again and again until the
    judgement improves; every case in a chain this period is listed with how many months in."""
    entries = []
    for row in index.in_months(months):
        grade = row.overall if row.accepted else ""
        if grade != INADEQUATE and not row.is_reaudit:
            continue
        previous = index.by_id.get(row.previous_id) if row.previous_id is not None else None
        months_in = index.chain_length.get(row.id, 0) if grade else 0
        if grade == INADEQUATE:
            step = f"Re-audit by a Senior Manager in {row.month.following().label}"
        elif grade:
            prior = index.chain_length.get(previous.id, 0) if previous else 0
            step = f"Improved after {prior} month{'s' if prior != 1 else ''} Inadequate: chain ends"
        elif row.submitted_on is not None:
            step = "Re-audit returned, awaiting the QA check"
        else:
            step = "Re-audit not yet returned"
        following = index.next_audit.get(row.id) if grade == INADEQUATE else None
        entries.append(
            ChainEntry(
                row.case_ref,
                row.team,
                row.month,
                grade or "Not yet accepted",
                previous.overall if previous else "",
                months_in,
                row.is_reaudit,
                step,
                following.auditor if following else "",
                following.due_date if following else None,
            )
        )
    entries.sort(key=lambda e: (-e.months_in, e.case_ref, e.month))
    return entries


@dataclass(frozen=True, slots=True)
class ReauditOutcomes:
    """2.12 over a period: re-audits that improved, stayed Inadequate, or are not graded yet."""

    reaudits: int
    improved: int
    still_inadequate: int
    pending: int
    longest_chain: int


def reaudit_outcomes(index: AuditIndex, months: Sequence[AuditMonth]) -> ReauditOutcomes:
    reaudits = improved = still = pending = longest = 0
    for row in index.in_months(months):
        longest = max(longest, index.chain_length.get(row.id, 0))
        if not row.is_reaudit:
            continue
        reaudits += 1
        if not row.overall:
            pending += 1
        elif row.overall == INADEQUATE:
            still += 1
        else:
            improved += 1
    return ReauditOutcomes(reaudits, improved, still, pending, longest)


@dataclass(frozen=True, slots=True)
class TaskFollowUp:
    """Tasks of one type: done (on time or late), open and overdue, open and not yet due."""

    label: str
    due: int
    done: int
    done_on_time: int
    overdue: int
    open_not_due: int


def follow_up(label: str, tasks: Iterable[Task], as_of: dt.date) -> TaskFollowUp:
    due = done = on_time = overdue = open_not_due = 0
    for task in tasks:
        if task.status == TaskStatus.CANCELLED:
            continue
        due += 1
        if task.status == TaskStatus.DONE:
            done += 1
            if task.due_date is None or (
                task.completed_on is not None and task.completed_on <= task.due_date
            ):
                on_time += 1
        elif task.due_date is not None and task.due_date < as_of:
            overdue += 1
        else:
            open_not_due += 1
    return TaskFollowUp(label, due, done, on_time, overdue, open_not_due)


@dataclass(frozen=True, slots=True)
class OverdueAction:
    """A Team Manager's corrective action for a safeguarding concern (2.6), past its due date."""

    case_ref: str
    team: str
    due: dt.date
    days_late: int  # calendar days
    assigned_to: str


@dataclass(frozen=True, slots=True)
class SafeguardingSummary:
    """2.6: concerns raised by audits this period, and the Team Managers' corrective actions."""

    alerts: int
    by_team: Mapping[str, int]
    actions: TaskFollowUp
    overdue: tuple[OverdueAction, ...] = ()


def safeguarding(index: AuditIndex, months: Sequence[AuditMonth], as_of: dt.date) -> SafeguardingSummary:
    raised = [row for row in index.in_months(months) if row.safeguarding]
    tasks = (
        task
        for row in raised
        for task in index.tasks_by_allocation.get(row.id, ())
        if task.task_type == SAFEGUARDING
    )
    by_team = Counter(row.team for row in raised)
    # Every overdue corrective action, whatever month raised it: a senior person acts on these now.
    overdue = sorted(
        (
            OverdueAction(
                index.by_id[t.allocation].case_ref if t.allocation in index.by_id else "(case not found)",
                t.team or NO_TEAM,
                t.due_date,
                (as_of - t.due_date).days,
                t.assigned_to,
            )
            for t in index.tasks_by_type.get(SAFEGUARDING, ())
            if t.status == TaskStatus.OPEN and t.due_date is not None and t.due_date < as_of
        ),
        key=lambda a: (a.due, a.case_ref),
    )
    return SafeguardingSummary(
        len(raised),
        dict(sorted(by_team.items())),
        follow_up("Corrective action", list(tasks), as_of),
        tuple(overdue),
    )


@dataclass(frozen=True, slots=True)
class DiscussionTimeliness:
    """2.10: discussions of findings within the schema's working days (Inadequate, the others)."""

    label: str
    due: int
    held_on_time: int
    held_late: int
    overdue: int
    not_yet_due: int

    @property
    def on_time_share(self) -> float | None:
        return share(self.held_on_time, self.held_on_time + self.held_late + self.overdue)


def discussion_timeliness(
    rows: Sequence[AuditRow], as_of: dt.date, timescales: Timescales
) -> list[DiscussionTimeliness]:
    buckets: dict[bool, list[int]] = {True: [0, 0, 0, 0, 0], False: [0, 0, 0, 0, 0]}
    for row in rows:
        if row.discussion_due is None:
            continue
        counts = buckets[row.overall == INADEQUATE]
        counts[0] += 1
        if row.discussion_held_on is not None:
            counts[1 if row.discussion_held_on <= row.discussion_due else 2] += 1
        elif row.discussion_due < as_of:
            counts[3] += 1
        else:
            counts[4] += 1
    return [
        DiscussionTimeliness(
            f"Inadequate: {discussion_within(timescales, [Grade.INADEQUATE])}", *buckets[True]
        ),
        DiscussionTimeliness(
            "Good, Outstanding or Requires Improvement: "
            + discussion_within(timescales, [Grade.GOOD, Grade.OUTSTANDING, Grade.REQUIRES_IMPROVEMENT]),
            *buckets[False],
        ),
    ]


@dataclass(frozen=True, slots=True)
class TrendPoint:
    month: AuditMonth
    allocated: int
    completed: int
    on_time_share: float | None
    good_or_better_share: float | None
    inadequate: int
    on_time: int = 0
    good_or_better: int = 0
    graded: int = 0  # accepted audits with an overall judgement


def trend(index: AuditIndex, months: Sequence[AuditMonth], as_of: dt.date) -> list[TrendPoint]:
    points = []
    for month in months:
        rows = index.by_month.get(month, [])
        flow = throughput(rows, as_of)
        grades = overall_distribution([r for r in rows if r.accepted])
        points.append(
            TrendPoint(
                month,
                flow.allocated,
                flow.completed,
                flow.on_time_share,
                grades.good_or_better_share,
                grades.counts[INADEQUATE],
                flow.on_time,
                grades.good_or_better,
                grades.graded,
            )
        )
    return points


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Good practice an auditor highlighted (2.3), already redacted, with where it came from."""

    domain: str  # the domain it names, or '' for the overall summary
    team: str
    text: str
    withheld: str = ""  # why the redactor would not let it be published ('' when it may be)


def good_practice_excerpts(
    rows: Sequence[AuditRow],
    domains: Sequence[Domain],
    redact: Callable[[str], str] | Callable[[str], Reviewed],
    limit: int = 12,
) -> list[Excerpt]:
    """Each highlighted line of an accepted audit (the intake writes 'Domain name: text' per
    domain), redacted; the same text once only, most recent audits first, at most ``limit``.
    ``redact`` returns text ('' to drop it) or a :class:`Reviewed` (withheld ones are kept,
    marked, for the QA team's draft)."""
    by_name = {d.name.casefold(): d.name for d in domains}
    seen: set[str] = set()
    found: list[Excerpt] = []
    for row in sorted(rows, key=lambda r: (r.month, r.id), reverse=True):
        if not row.accepted:  # 2.11: text the QA team sent back is not quoted
            continue
        for line in row.good_practice.splitlines():
            domain, _, rest = line.partition(":")
            name = by_name.get(domain.strip().casefold(), "") if rest else ""
            reviewed = redact((rest if name else line).strip())
            text, withheld = (
                (reviewed, "") if isinstance(reviewed, str) else (reviewed.text, reviewed.withheld)
            )
            if len(text) < 12 or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            found.append(Excerpt(name, row.team, text, withheld))
            if len(found) >= limit:
                return found
    return found
