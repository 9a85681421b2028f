"""From list items to report data: pure functions, no store, no clock, no file format.

Every count names the framework section it reports on. Each function runs in linear time: the
items are indexed once (:func:`index_history`) and every figure is read from those indexes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.deadlines import AuditMonth
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.record import text_of
from shared.core.schema import AuditSchema, Domain, Organisation, Timescales
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.core.tasks import TaskStatus, TaskType
from shared.core.wording import discussion_days, discussion_within
from shared.services.ports.lists import ListItem
from shared.services.reports.anonymise import Reviewed
from shared.services.reports.period import ReportPeriod
from shared.services.workflow.lists import Allocation, Task

GRADES = tuple(g.value for g in Grade)  # best first (2.7)
GOOD_OR_BETTER = frozenset({Grade.OUTSTANDING.value, Grade.GOOD.value})
WEAK = frozenset({Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value})
INADEQUATE = Grade.INADEQUATE.value
QUARANTINED = SubmissionOutcome.QUARANTINED.value
# The Tasks that count towards compliance in the quarterly report (4.2, 5.3, 6).
COMPLIANCE_TASK_TYPES = (TaskType.CASE_DISCUSSION, TaskType.SUPERVISION_AUDIT, TaskType.OBSERVATION)
SAFEGUARDING = TaskType.SAFEGUARDING
# Tasks recording improvement-plan actions (2.8), once the improvement-plan work creates them:
# the quarterly report shows their completion only when there are any.
IMPROVEMENT_ACTION = "Improvement action"
TREND_MONTHS = 6
# 2.11: a judgement counts once the QA team has accepted the audit; before that it may change.
ACCEPTED_STAGES = frozenset(
    {
        AuditStage.ACCEPTED.value,
        AuditStage.FINDINGS_SHARED.value,
        AuditStage.DISCUSSION_HELD.value,
        AuditStage.CLOSED.value,
    }
)
# Below this many, a share is shown as a count only ("3 of 4"), never as a percentage.
MINIMUM_FOR_PERCENT = 5
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


# -- counting ----------------------------------------------------------------------------------


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


def _follow_up(label: str, tasks: Iterable[Task], as_of: dt.date) -> TaskFollowUp:
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
        _follow_up("Corrective action", list(tasks), as_of),
        tuple(overdue),
    )


@dataclass(frozen=True, slots=True)
class DiscussionTimeliness:
    """2.10: discussions of findings within 5 working days (Inadequate) or 10 (the others)."""

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


# -- the reports -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Highlights:
    """The monthly Audit Highlights Report for the Senior Leadership Team (2.12, 8.1)."""

    period: ReportPeriod
    as_of: dt.date
    flow: Throughput
    overall: GradeCounts
    domains: list[tuple[Domain, GradeCounts]]
    teams: list[tuple[str, GradeCounts]]
    chains: list[ChainEntry]
    safeguarding: SafeguardingSummary
    discussions: list[DiscussionTimeliness]
    good_practice: list[Excerpt]
    trend: list[TrendPoint]
    awaiting_qa: list[AuditRow] = field(default_factory=list)  # returned, not yet accepted (2.11)
    minimum: int = MINIMUM_FOR_PERCENT
    organisation: Organisation = field(default_factory=Organisation)
    # 2.10 in words, from the schema: 'within 5 working days when the case is Inadequate and ...'.
    discussion_rule: str = ""


def highlights(
    index: AuditIndex,
    period: ReportPeriod,
    domains: Sequence[Domain],
    as_of: dt.date,
    redact: Callable[[str], str],
    minimum: int = MINIMUM_FOR_PERCENT,
) -> Highlights:
    """Judgements count accepted audits only (2.11); the others are listed as awaiting QA."""
    rows = index.in_months(period.months)
    accepted = [r for r in rows if r.accepted]
    trend_months = (*period.months_before(TREND_MONTHS - len(period.months)), *period.months)
    return Highlights(
        period,
        as_of,
        throughput(rows, as_of),
        overall_distribution(accepted),
        domain_distribution(accepted, domains),
        team_distribution(accepted),
        reaudit_chains(index, period.months),
        safeguarding(index, period.months, as_of),
        discussion_timeliness(rows, as_of, index.timescales),
        good_practice_excerpts(accepted, domains, redact, limit=8),
        trend(index, trend_months, as_of),
        sorted((r for r in rows if r.awaiting_qa), key=lambda r: (r.team, r.case_ref)),
        minimum,
        index.organisation,
        discussion_rule(index.timescales),
    )


def discussion_rule(timescales: Timescales) -> str:
    others = [grade for grade in Grade if grade is not Grade.INADEQUATE]
    return (
        f"{discussion_within(timescales, [Grade.INADEQUATE])} when the case is Inadequate and "
        f"{discussion_within(timescales, others)} otherwise"
    )


@dataclass(frozen=True, slots=True)
class DomainLearning:
    domain: Domain
    grades: GradeCounts


@dataclass(frozen=True, slots=True)
class Bulletin:
    """The learning bulletin for all staff (8.1), from the period's accepted audits only:
    no names, no case or child references, no figure from fewer than ``minimum`` audits."""

    period: ReportPeriod
    audits: int  # accepted audits in the period
    domains: list[DomainLearning]
    strengths: list[DomainLearning]
    weaknesses: list[DomainLearning]
    excerpts: list[Excerpt]  # redacted; withheld ones marked, for the QA team's draft only
    learning_points: list[str]
    themes: list[str]
    awaiting_qa: int = 0
    returned_for_amendment: int = 0
    minimum: int = MINIMUM_FOR_PERCENT
    organisation: Organisation = field(default_factory=Organisation)

    @property
    def has_figures(self) -> bool:
        return self.audits >= self.minimum


def _percent(value: float | None) -> str:
    return "no" if value is None else f"{round(100 * value)}%"


def bulletin(
    index: AuditIndex,
    period: ReportPeriod,
    domains: Sequence[Domain],
    as_of: dt.date,
    redact: Callable[[str], str] | Callable[[str], Reviewed],
    theme_threshold: float = 0.3,
    minimum: int = MINIMUM_FOR_PERCENT,
) -> Bulletin:
    everything = index.in_months(period.months)
    rows = [r for r in everything if r.accepted]
    learning = [DomainLearning(d, g) for d, g in domain_distribution(rows, domains)]
    # A domain is judged a strength or an area to develop only on enough audits (no figure
    # from fewer than ``minimum``), and never both (with few audits the ends meet).
    graded = [d for d in learning if d.grades.graded >= minimum]
    weaknesses = sorted(graded, key=lambda d: (-(d.grades.weak_share or 0), d.domain.number))
    weaknesses = [d for d in weaknesses if d.grades.weak][:2]
    strengths = sorted(
        (d for d in graded if d not in weaknesses and d.grades.good_or_better),
        key=lambda d: (-(d.grades.good_or_better_share or 0), d.domain.number),
    )[:2]
    points = _learning_points(rows, learning, as_of, minimum, index.timescales)
    themes = [
        f"{d.domain.name}: {d.grades.weak} of the {d.grades.graded} audits that graded it found it "
        "Requires Improvement or Inadequate."
        for d in sorted(graded, key=lambda d: -(d.grades.weak_share or 0))
        if (d.grades.weak_share or 0) >= theme_threshold
    ][:3]
    if not themes and weaknesses:
        worst = weaknesses[0]
        themes = [
            f"{worst.domain.name}: the domain most often graded Requires Improvement or Inadequate "
            f"this period ({worst.grades.weak} of {worst.grades.graded})."
        ]
    return Bulletin(
        period,
        len(rows),
        learning,
        strengths,
        weaknesses,
        good_practice_excerpts(rows, domains, redact, limit=10),
        points,
        themes,
        sum(r.awaiting_qa for r in everything),
        sum(r.times_returned > 0 for r in rows),
        minimum,
        index.organisation,
    )


def _learning_points(
    rows: Sequence[AuditRow],
    learning: Sequence[DomainLearning],
    as_of: dt.date,
    minimum: int,
    timescales: Timescales,
) -> list[str]:
    """Plain statements drawn from the figures, in the framework's words; none from fewer than
    ``minimum`` audits."""
    points: list[str] = []
    overall = overall_distribution(rows)
    if overall.graded >= minimum:
        points.append(
            f"{overall.good_or_better} of the {overall.graded} audited cases "
            f"({_percent(overall.good_or_better_share)}) were judged Good or Outstanding overall."
        )
    for item in learning:
        if item.grades.graded >= minimum and (item.grades.weak_share or 0) >= 0.4:
            points.append(
                f"{item.domain.name} needs attention: {item.grades.weak} of {item.grades.graded} audits "
                "graded it Requires Improvement or Inadequate. Make sure improvement plans name an "
                "action for it (2.8)."
            )
    flow = throughput(rows, as_of)
    if flow.returned_for_amendment:
        points.append(
            "Some audits were returned for amendment before they were accepted (2.11): evidence for "
            "every judgement and a SMART improvement plan avoid the round trip."
        )
    timeliness = discussion_timeliness(rows, as_of, timescales)
    held = sum(t.held_on_time for t in timeliness)
    missed = sum(t.held_late + t.overdue for t in timeliness)
    if held + missed >= minimum:
        points.append(
            f"{held} of {held + missed} findings discussions ({_percent(share(held, held + missed))}) "
            f"were held within the framework's {discussion_days(timescales)} (2.10)."
        )
    return points


@dataclass(frozen=True, slots=True)
class TeamQuarter:
    team: str
    audits: int
    grades: GradeCounts
    flow: Throughput


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    task_type: str
    team: str
    follow_up: TaskFollowUp


@dataclass(frozen=True, slots=True)
class Quarterly:
    """The quarterly audit report for the Leadership Team (8.1)."""

    period: ReportPeriod
    as_of: dt.date
    flow: Throughput
    overall: GradeCounts
    domain_trend: list[tuple[Domain, list[float | None]]]  # good-or-better share per month
    domains: list[tuple[Domain, GradeCounts]]
    teams: list[TeamQuarter]
    reaudits: ReauditOutcomes
    chains: list[ChainEntry]
    discussions: list[DiscussionTimeliness]
    compliance: list[ComplianceRow]
    compliance_totals: list[TaskFollowUp]
    trend: list[TrendPoint]
    domain_months: list[tuple[Domain, list[GradeCounts]]] = field(default_factory=list)
    awaiting_qa: int = 0
    minimum: int = MINIMUM_FOR_PERCENT
    improvement_actions: TaskFollowUp | None = None  # None: no such tasks exist yet
    organisation: Organisation = field(default_factory=Organisation)

    @property
    def partial(self) -> bool:
        """Built before the quarter ended: its last weeks are not in it yet."""
        return self.as_of <= self.period.last_day


def quarterly(
    index: AuditIndex,
    period: ReportPeriod,
    domains: Sequence[Domain],
    as_of: dt.date,
    minimum: int = MINIMUM_FOR_PERCENT,
) -> Quarterly:
    rows = index.in_months(period.months)
    accepted = [r for r in rows if r.accepted]
    monthly = {
        month: domain_distribution([r for r in index.by_month.get(month, []) if r.accepted], domains)
        for month in period.months
    }
    domain_trend = [
        (domain, [monthly[month][position][1].good_or_better_share for month in period.months])
        for position, domain in enumerate(domains)
    ]
    domain_counts = [
        (domain, [monthly[month][position][1] for month in period.months])
        for position, domain in enumerate(domains)
    ]
    by_team: dict[str, list[AuditRow]] = defaultdict(list)
    for row in rows:
        by_team[row.team].append(row)
    teams = [
        TeamQuarter(
            team,
            len(team_rows),
            overall_distribution([r for r in team_rows if r.accepted]),
            throughput(team_rows, as_of),
        )
        for team, team_rows in sorted(by_team.items())
    ]
    compliance, totals = _compliance(index, period, as_of)
    trend_months = (*period.months_before(TREND_MONTHS), *period.months)
    return Quarterly(
        period,
        as_of,
        throughput(rows, as_of),
        overall_distribution(accepted),
        domain_trend,
        domain_distribution(accepted, domains),
        teams,
        reaudit_outcomes(index, period.months),
        reaudit_chains(index, period.months),
        discussion_timeliness(rows, as_of, index.timescales),
        compliance,
        totals,
        trend(index, trend_months, as_of),
        domain_counts,
        sum(r.awaiting_qa for r in rows),
        minimum,
        _improvement_actions(index, period, as_of),
        index.organisation,
    )


def _improvement_actions(index: AuditIndex, period: ReportPeriod, as_of: dt.date) -> TaskFollowUp | None:
    """2.8: improvement-plan actions due this period, done and overdue; None when there are none."""
    due = [
        t
        for t in index.tasks_by_type.get(IMPROVEMENT_ACTION, ())
        if t.due_date is not None and period.first_day <= t.due_date <= period.last_day
    ]
    return _follow_up("Improvement-plan actions", due, as_of) if due else None


def _compliance(
    index: AuditIndex, period: ReportPeriod, as_of: dt.date
) -> tuple[list[ComplianceRow], list[TaskFollowUp]]:
    """4.2, 5.3, 6: case discussions, supervision audits and observations due this period, by
    team: done, overdue, not yet due."""
    first, last = period.first_day, period.last_day
    rows: list[ComplianceRow] = []
    totals: list[TaskFollowUp] = []
    for task_type in COMPLIANCE_TASK_TYPES:
        in_period = [
            t
            for t in index.tasks_by_type.get(task_type, ())
            if t.due_date is not None and first <= t.due_date <= last
        ]
        by_team: dict[str, list[Task]] = defaultdict(list)
        for task in in_period:
            by_team[task.team or NO_TEAM].append(task)
        rows.extend(
            ComplianceRow(task_type, team, _follow_up(task_type, tasks, as_of))
            for team, tasks in sorted(by_team.items())
        )
        totals.append(_follow_up(task_type, in_period, as_of))
    return rows, totals
