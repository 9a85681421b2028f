"""The quarterly audit report for the Leadership Team (8.1): what it measures (trends by domain,
teams, re-audit outcomes, discussions, case discussions, supervision audits and observations),
what it says and its template.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.schema import Domain, Organisation
from shared.core.tasks import TaskType
from shared.services.ports.documents import (
    MINIMUM_FOR_PERCENT,
    Column,
    DataTable,
    ReportContent,
    ReportLayout,
    Share,
    SmallMultiples,
    StackedShares,
)
from shared.services.reports.aggregate import (
    GRADES,
    INADEQUATE,
    NO_TEAM,
    AuditIndex,
    AuditRow,
)
from shared.services.reports.content import (
    DISCUSSION_COLUMNS,
    FIGURE_COLUMNS,
    TITLES,
    about,
    chain_rows,
    common,
    discussions_table,
    flow_rows,
    follow_up_row,
    grades_alt,
    overall_chart,
    overall_table,
    tables_context,
    trend_alt,
    trend_and_about,
    trend_chart,
    trend_table,
)
from shared.services.reports.measures import (
    TREND_MONTHS,
    ChainEntry,
    DiscussionTimeliness,
    GradeCounts,
    ReauditOutcomes,
    TaskFollowUp,
    Throughput,
    TrendPoint,
    discussion_timeliness,
    domain_distribution,
    follow_up,
    overall_distribution,
    reaudit_chains,
    reaudit_outcomes,
    throughput,
    trend,
)
from shared.services.reports.period import ReportPeriod
from shared.services.workflow.lists import Task

# The Tasks that count towards compliance in the quarterly report (4.2, 5.3, 6).
COMPLIANCE_TASK_TYPES = (TaskType.CASE_DISCUSSION, TaskType.SUPERVISION_AUDIT, TaskType.OBSERVATION)


# Tasks recording improvement-plan actions (2.8), once the improvement-plan work creates them:
# the quarterly report shows their completion only when there are any.
IMPROVEMENT_ACTION = "Improvement action"


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
    return follow_up("Improvement-plan actions", due, as_of) if due else None


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
            ComplianceRow(task_type, team, follow_up(task_type, tasks, as_of))
            for team, tasks in sorted(by_team.items())
        )
        totals.append(follow_up(task_type, in_period, as_of))
    return rows, totals


def quarterly_content(q: Quarterly, extra_sections: Sequence[Mapping[str, object]] = ()) -> ReportContent:
    """``extra_sections``: further sections to print before 'About this report' (moderation,
    issue 15), each ``{"title": str, "paragraphs": [str], "rows": [[str]], "headers": [str]}``."""
    period, minimum = q.period, q.minimum
    month_names = [m.first_day.strftime("%B") for m in period.months]
    r = q.reaudits
    actions = q.improvement_actions
    if actions is not None:  # only when improvement-plan actions exist as Tasks (2.8)
        extra_sections = [
            *extra_sections,
            {
                "key": "improvement_actions",
                "title": "Improvement-plan actions",
                "paragraphs": [
                    f"{actions.due} improvement-plan action(s) were due this quarter (2.8): "
                    f"{Share(actions.done, actions.due, minimum)} done, "
                    f"{Share(actions.done_on_time, actions.due, minimum)} on time; {actions.overdue} overdue, "
                    f"{actions.open_not_due} open and not yet due."
                ],
                "headers": ["Actions", "Due", "Done", "Done on time", "Overdue", "Not yet due"],
                "rows": [follow_up_row("Improvement-plan actions", actions)],
            },
        ]
    small_teams = [t for t in q.teams if t.grades.graded < minimum]
    tables = [
        DataTable("flow", "Audits this quarter", ("Measure", "Figure", "Framework"), flow_rows(q.flow)),
        overall_table(q.overall, minimum),
        DataTable(
            "domain_trend",
            "Good or better by domain and month (accepted audits)",
            ("Domain", *month_names, "Quarter"),
            [
                [
                    d.name,
                    *(Share(g.good_or_better, g.graded, minimum) for g in months),
                    Share(total.good_or_better, total.graded, minimum),
                ]
                for (d, months), (_, total) in zip(q.domain_months, q.domains, strict=True)
            ],
        ),
        DataTable(
            "teams",
            "Teams",
            (
                "Team",
                "Audits",
                "Good or better",
                "Inadequate",
                "Returned on time",
                "Overdue",
                "Returned to auditor",
            ),
            [
                [
                    t.team + (" †" if t.grades.graded < minimum else ""),
                    t.audits,
                    Share(t.grades.good_or_better, t.grades.graded, minimum),
                    t.grades.counts[INADEQUATE],
                    Share(t.flow.on_time, t.flow.completed, minimum),
                    t.flow.overdue,
                    t.flow.returned_for_amendment,
                ]
                for t in q.teams
            ],
        ),
        DataTable(
            "reaudits",
            "Re-audit outcomes",
            ("Measure", "Figure", "Framework"),
            [
                ["Re-audits of Inadequate cases this quarter", r.reaudits, "2.12"],
                ["Improved: judged better than Inadequate", r.improved, "2.12"],
                ["Still Inadequate: re-audited again next month", r.still_inadequate, "2.12"],
                ["Not yet returned or accepted", r.pending, "2.12"],
                ["Longest chain (months Inadequate in a row)", r.longest_chain, "2.12"],
            ],
        ),
        DataTable(
            "chains",
            "Cases in a re-audit chain",
            ("Case", "Month", "Team", "Judgement", "Months Inadequate", "Next step"),
            chain_rows(q.chains, with_month=True),
        ),
        discussions_table(q.discussions, minimum),
        DataTable(
            "compliance_totals",
            "Compliance: all teams",
            ("Task", "Team", "Due", "Done", "Done on time", "Overdue", "Not yet due"),
            [[t.label, *follow_up_row("All teams", t)] for t in q.compliance_totals],
        ),
        DataTable(
            "compliance",
            "Compliance by team",
            ("Task", "Team", "Due", "Done", "Done on time", "Overdue", "Not yet due"),
            [[c.task_type, *follow_up_row(c.team, c.follow_up)] for c in q.compliance],
        ),
        trend_table(q.trend, minimum),
    ]
    context = common("quarterly", period.key, period.label, period.date_range, q.as_of, q.organisation)
    tables_context(context, tables)
    context["month_names"] = month_names
    context["partial"] = (
        f"Partial quarter: built on {q.as_of:%-d %B %Y}, before the quarter ended on "
        f"{period.last_day:%-d %B %Y}. Audits still due this quarter are not in these figures."
        if q.partial
        else ""
    )
    context["warnings"] = (
        [
            f"† {len(small_teams)} team(s) had fewer than {minimum} accepted audits this quarter: their "
            "figures are counts only and should not be compared with other teams'."
        ]
        if small_teams
        else []
    )
    context["summary"] = _quarterly_summary(q)
    context["extra_sections"] = [
        {
            "title": str(section.get("title", "")),
            "paragraphs": [str(p) for p in section.get("paragraphs", ()) or ()],  # type: ignore[attr-defined]
        }
        for section in extra_sections
    ]
    context["about"] = [
        *about("the Audit Allocations and Audit Submissions lists and the Tasks list"),
        f"Judgements count accepted audits only (2.11); {q.awaiting_qa} awaiting acceptance are not counted.",
        f"A percentage is shown only from {minimum} audits up; below that, the count alone.",
    ]
    content = ReportContent("quarterly", TITLES["quarterly"], period.key, context, tables)
    for section in extra_sections:
        headers = section.get("headers")
        rows = section.get("rows")
        if isinstance(headers, list | tuple) and isinstance(rows, list):
            content.tables.append(
                DataTable(
                    str(section.get("key", "extra")), str(section["title"]), tuple(map(str, headers)), rows
                )
            )

    small_multiples = SmallMultiples(
        "Accepted audits grading each domain Good or better, by month",
        tuple(m[:3] for m in month_names),
        tuple(
            (d.name, tuple(Share(g.good_or_better, g.graded, minimum) for g in months))
            for d, months in q.domain_months
        ),
    )

    content.charts = {
        "chart_overall": overall_chart(f"Overall judgements, {period.label}", q.overall),
        "chart_domain_trend": small_multiples,
        "chart_teams": StackedShares(
            "Overall judgements by team (accepted audits)",
            tuple(t.team for t in q.teams),
            GRADES,
            tuple(tuple(t.grades.counts[g] for g in GRADES) for t in q.teams),
            category_label="Team",
        ),
        "chart_trend": trend_chart("Timeliness and quality over the last nine months", q.trend, minimum),
    }
    content.alt_text = {
        "chart_overall": grades_alt(
            f"Bar chart of the overall judgements of {q.overall.graded} accepted audits, {period.label}",
            [("All teams", q.overall)],
        ),
        "chart_domain_trend": "Small multiples, one panel per domain, of the share of accepted audits "
        "grading it Good or better in each month. "
        + "; ".join(
            f"{d.name}: "
            + ", ".join(
                f"{name} {Share(g.good_or_better, g.graded, minimum)}"
                for name, g in zip(month_names, months, strict=True)
            )
            for d, months in q.domain_months
        )
        + ".",
        "chart_teams": grades_alt(
            "Stacked bar chart of overall judgements by team", [(t.team, t.grades) for t in q.teams]
        ),
        "chart_trend": trend_alt(q.trend, minimum),
    }
    content.headlines = [
        f"Returned on time: {Share(q.flow.on_time, q.flow.completed, minimum)}",
        f"Judged Good or better: {Share(q.overall.good_or_better, q.overall.graded, minimum)}",
        f"Re-audits of Inadequate cases: {r.reaudits}, {r.improved} improved",
    ]
    return content


def _quarterly_summary(q: Quarterly) -> list[str]:
    """The quarter's themes in sentences: quality, the domains that stand out, teams, re-audits."""
    minimum = q.minimum
    r = q.reaudits
    lines = [
        f"{q.flow.allocated} audits allocated in the quarter; {q.flow.completed} returned, "
        f"{Share(q.flow.on_time, q.flow.completed, minimum)} by the due date.",
        f"Of {q.overall.graded} accepted audits, {Share(q.overall.good_or_better, q.overall.graded, minimum)} "
        f"were Good or Outstanding; {q.overall.counts[INADEQUATE]} were Inadequate.",
    ]
    enough = [(d, g) for d, g in q.domains if g.graded >= minimum]
    if enough:
        weakest = max(enough, key=lambda item: item[1].weak_share or 0)
        strongest = max(enough, key=lambda item: item[1].good_or_better_share or 0)
        if weakest[1].weak:
            lines.append(
                f"Theme: {weakest[0].name} was the domain most often found wanting "
                f"({Share(weakest[1].weak, weakest[1].graded, minimum)} Requires Improvement or Inadequate)."
            )
        if strongest[0] != weakest[0]:
            lines.append(
                f"Strength: {strongest[0].name} "
                f"({Share(strongest[1].good_or_better, strongest[1].graded, minimum)} Good or Outstanding)."
            )
    comparable = [t for t in q.teams if t.grades.graded >= minimum]
    if len(comparable) >= 2:
        best = max(comparable, key=lambda t: t.grades.good_or_better_share or 0)
        worst = min(comparable, key=lambda t: t.grades.good_or_better_share or 0)
        lines.append(
            f"Teams with {minimum} or more accepted audits ranged from {worst.team} "
            f"({Share(worst.grades.good_or_better, worst.grades.graded, minimum)} Good or better) to "
            f"{best.team} ({Share(best.grades.good_or_better, best.grades.graded, minimum)})."
        )
    lines.append(
        f"{r.reaudits} re-audit(s) of Inadequate cases: {r.improved} improved, {r.still_inadequate} still "
        f"Inadequate; the longest chain ran {r.longest_chain} month(s) (2.12)."
    )
    return lines


QUARTERLY_SECTIONS = (
    "Summary",
    "Trends by domain",
    "Teams",
    "Re-audit outcomes",
    "Discussion of findings",
    "Case discussions, supervision audits and observations",
    "Trend over the year",
    "About this report",
)


def quarterly_layout() -> ReportLayout:
    b = ReportLayout(
        "quarterly", "Quarterly Audit Report", "For the Leadership Team (8.1).", QUARTERLY_SECTIONS
    )
    b.heading(1)
    b.tag("{%p if partial %}")
    b.text("{{ partial }}", bold=True)
    b.tag("{%p endif %}")
    b.bullets("summary")
    b.bullets("warnings")
    b.table("flow", FIGURE_COLUMNS)
    b.chart("chart_overall")
    b.heading(2)
    b.text("The share of accepted audits grading each domain Good or Outstanding, month by month "
           "(2.3, 2.7): one small chart per domain.")  # fmt: skip
    b.chart("chart_domain_trend")
    b.table(
        "domain_trend",
        [
            Column("Domain", 5.4),
            Column("{{ month_names[0] }}", 2.9, True),
            Column("{{ month_names[1] }}", 2.9, True),
            Column("{{ month_names[2] }}", 2.9, True),
            Column("Quarter", 2.9, True),
        ],
    )
    b.heading(3)
    b.chart("chart_teams")
    b.bullets("warnings")
    b.table(
        "teams",
        [
            Column("Team", 2.5),
            Column("Audits", 1.85, True),
            Column("Good or better", 1.85, True),
            Column("Inadequate", 2.95, True),
            Column("Returned on time", 2.55, True),
            Column("Overdue", 2.35, True),
            Column("Returned to auditor", 2.55, True),
        ],
        empty="No audits were allocated this quarter.",
    )
    b.heading(4)
    b.text("Inadequate cases are re-audited monthly by a Senior Manager until they improve (2.12).")
    b.table("reaudits", FIGURE_COLUMNS)
    b.subheading("Cases in a re-audit chain this quarter")
    b.table(
        "chains",
        [
            Column("Case", 2.5),
            Column("Month", 2.4),
            Column("Team", 2.7),
            Column("Judgement", 2.8),
            Column("Months Inadequate", 2.95, True),
            Column("Next step", 3.25),
        ],
        empty="No case was in a re-audit chain this quarter.",
    )
    b.heading(5)
    b.table("discussions", DISCUSSION_COLUMNS)
    b.heading(6)
    b.text("Tasks due this quarter: case discussions twice a year (4.2), supervision audits at least twice "
           "a year (5.3) and staff observations (6.2 to 6.6).")  # fmt: skip
    compliance = [Column("Task", 3.4), Column("Team", 3.0), Column("Due", 1.4, True), Column("Done", 1.6, True),
                  Column("Done on time", 2.3, True), Column("Overdue", 2.35, True), Column("Not yet due", 2.0, True)]  # fmt: skip
    b.table("compliance_totals", compliance)
    b.subheading("By team")
    b.table("compliance", compliance, empty="No such tasks were due this quarter.")
    # Further sections other work adds (moderation, issue 15; improvement-plan actions): each a
    # heading and paragraphs, from the context's ``extra_sections``.
    b.tag("{%p for s in extra_sections %}")
    b.plain_heading("{{ s.title }}")
    b.tag("{%p for para in s.paragraphs %}")
    b.text("{{ para }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    trend_and_about(b)
    return b
