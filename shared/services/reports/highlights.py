"""The monthly Audit Highlights Report for the Senior Leadership Team (2.12, 8.1): what it
measures, what it says (page 1 is what a Director reads in two minutes) and its template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.grades import Grade
from shared.core.schema import Domain, Organisation, Timescales
from shared.core.wording import discussion_within
from shared.services.ports.documents import (
    MINIMUM_FOR_PERCENT,
    Column,
    DataTable,
    ReportContent,
    ReportLayout,
    Share,
    Value,
)
from shared.services.reports.aggregate import (
    INADEQUATE,
    AuditIndex,
    AuditRow,
)
from shared.services.reports.content import (
    DISCUSSION_COLUMNS,
    FIGURE_COLUMNS,
    GRADE_HEADERS,
    TITLES,
    about,
    chain_rows,
    common,
    concern_row,
    discussions_table,
    domain_chart,
    flow_rows,
    grade_columns,
    grade_row,
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
    Excerpt,
    GradeCounts,
    SafeguardingSummary,
    Throughput,
    TrendPoint,
    discussion_timeliness,
    domain_distribution,
    good_practice_excerpts,
    overall_distribution,
    reaudit_chains,
    safeguarding,
    team_distribution,
    throughput,
    trend,
)
from shared.services.reports.period import ReportPeriod


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


def direction(points: Sequence[tuple[int, int]], minimum: int) -> str:
    """The six-month direction of a share, in words: the last three months against the three
    before, each pooled; 'too few to say' when either half is under the minimum."""
    if len(points) < 4:
        return "too few months to say"
    half = len(points) // 2
    early, late = points[:half], points[half:]
    early_whole, late_whole = sum(w for _, w in early), sum(w for _, w in late)
    if early_whole < minimum or late_whole < minimum:
        return "too few audits to say"
    change = 100 * (sum(p for p, _ in late) / late_whole - sum(p for p, _ in early) / early_whole)
    if change >= 5:
        return f"improving (up {round(change)} points)"
    if change <= -5:
        return f"worsening (down {round(-change)} points)"
    return "steady"


def _change(now: Share, before: Share) -> str:
    if now.ratio is None or before.ratio is None:
        return "–"
    points = round(100 * (now.ratio - before.ratio))
    return "0 points" if points == 0 else f"{points:+d} points"


def highlights_content(h: Highlights, names: Mapping[str, str] | None = None) -> ReportContent:
    """``names``: email address -> name, for who re-audits an Inadequate case (Staff register)."""
    names = names or {}
    period, flow, minimum = h.period, h.flow, h.minimum
    this, last = (h.trend[-1], h.trend[-2]) if len(h.trend) >= 2 else (h.trend[-1], None)
    on_time = Share(this.on_time, this.completed, minimum)
    good = Share(this.good_or_better, this.graded, minimum)
    held = sum(t.held_on_time for t in h.discussions)
    discussed = sum(t.held_on_time + t.held_late + t.overdue for t in h.discussions)
    last_on_time = Share(last.on_time, last.completed, minimum) if last else Share(0, 0)
    last_good = Share(last.good_or_better, last.graded, minimum) if last else Share(0, 0)
    headline_rows: list[list[Value]] = [
        [
            "Returned on time (2.2)",
            on_time,
            last_on_time,
            _change(on_time, last_on_time),
            direction([(p.on_time, p.completed) for p in h.trend], minimum),
        ],
        [
            "Judged Good or better (2.7)",
            good,
            last_good,
            _change(good, last_good),
            direction([(p.good_or_better, p.graded) for p in h.trend], minimum),
        ],
        [
            "Inadequate cases (2.12)",
            this.inadequate,
            last.inadequate if last else None,
            f"{this.inadequate - last.inadequate:+d}" if last else "–",
            "",
        ],
        [
            "Findings discussed on time (2.10)",
            Share(held, discussed, minimum),
            "",
            "",
            "",
        ],
    ]
    inadequate = [c for c in h.chains if c.grade == INADEQUATE]
    senior_rows: list[list[Value]] = [
        [
            c.case_ref,
            c.team,
            c.months_in,
            names.get(c.reaudit_by.lower(), c.reaudit_by) if c.reaudit_by else "Not allocated yet",
            f"{c.reaudit_due:%-d %b %Y}" if c.reaudit_due else f"{c.month.following().first_day:%b %Y}",
        ]
        for c in inadequate
    ]
    overdue_rows: list[list[Value]] = [
        [
            a.case_ref,
            a.team,
            f"{a.due:%-d %b %Y}",
            a.days_late,
            names.get(a.assigned_to.lower(), a.assigned_to),
        ]
        for a in h.safeguarding.overdue
    ]
    awaiting_rows: list[list[Value]] = [[r.case_ref, r.team, r.stage] for r in h.awaiting_qa]
    sg = h.safeguarding
    tables = [
        DataTable(
            "headlines",
            "Headlines",
            ("Measure", period.months[0].first_day.strftime("%B"), "Month before", "Change", "Six months"),
            headline_rows,
        ),
        DataTable(
            "senior",
            "Inadequate cases: re-audit by a Senior Manager (2.12)",
            ("Case", "Team", "Months Inadequate", "Re-audit by", "Due"),
            senior_rows,
        ),
        DataTable(
            "overdue_actions",
            "Overdue corrective actions for safeguarding concerns (2.6)",
            ("Case", "Team", "Due", "Days overdue", "Team Manager"),
            overdue_rows,
        ),
        DataTable("flow", "Audits this month", ("Measure", "Figure", "Framework"), flow_rows(flow)),
        DataTable(
            "awaiting",
            "Audits awaiting QA acceptance (not counted in the judgements)",
            ("Case", "Team", "Stage"),
            awaiting_rows,
        ),
        overall_table(h.overall, minimum),
        DataTable(
            "domains",
            "Judgements by domain (accepted audits)",
            ("Domain", *GRADE_HEADERS),
            [grade_row(d.title, g, minimum) for d, g in h.domains],
        ),
        DataTable(
            "teams",
            "Judgements by team (accepted audits)",
            ("Team", *GRADE_HEADERS),
            [grade_row(t, g, minimum) for t, g in h.teams],
        ),
        DataTable(
            "chains",
            "Inadequate cases and re-audit chains",
            ("Case", "Team", "Judgement", "Months Inadequate", "Next step"),
            chain_rows(h.chains, with_month=False),
        ),
        DataTable(
            "safeguarding",
            "Immediate safeguarding concerns",
            ("Measure", "Figure", "Framework"),
            [
                ["Concerns raised in audits this month", sg.alerts, "2.6"],
                ["Corrective actions recorded on time", sg.actions.done_on_time, "2.6"],
                ["Corrective actions recorded late", sg.actions.done - sg.actions.done_on_time, "2.6"],
                ["Corrective actions overdue (any month)", len(sg.overdue), "2.6"],
                ["Corrective actions open, not yet due", sg.actions.open_not_due, "2.6"],
                *(concern_row(team, n) for team, n in sg.by_team.items()),
            ],
        ),
        discussions_table(h.discussions, minimum),
        trend_table(h.trend, minimum),
    ]
    context = common("highlights", period.key, period.label, period.date_range, h.as_of, h.organisation)
    tables_context(context, tables)
    context["headline_month"] = period.months[0].first_day.strftime("%B")
    context["summary"] = _highlights_summary(h, on_time, good, inadequate)
    context["actions"] = _highlights_actions(h, inadequate)
    context["minimum"] = minimum
    context["discussion_rule"] = h.discussion_rule
    context["extra_sections"] = []  # sections other modules add (improvement actions, 2.8)
    context["good_practice"] = [
        {"heading": f"{e.domain}: " if e.domain else "", "text": e.text, "team": e.team}
        for e in h.good_practice
        if not e.withheld
    ]
    context["about"] = [
        *about("the Audit Allocations and Audit Submissions lists and the Tasks list"),
        f"Judgements count audits the Quality Assurance Team has accepted (2.11); {len(h.awaiting_qa)} "
        "returned audit(s) awaiting acceptance are listed, not counted.",
        f"A percentage is shown only from {minimum} audits up; below that, the count alone.",
    ]
    content = ReportContent("highlights", TITLES["highlights"], period.key, context, tables)
    domain_rows = [(d.name, g) for d, g in h.domains]
    content.charts = {
        "chart_overall": overall_chart(f"Overall judgements, {period.label}", h.overall),
        "chart_domains": domain_chart(f"Judgements by domain, {period.label}", domain_rows),
        "chart_trend": trend_chart("Timeliness and quality over six months", h.trend, minimum),
    }
    content.alt_text = {
        "chart_overall": grades_alt(
            f"Bar chart of the overall judgements of {h.overall.graded} accepted audits, {period.label}",
            [("All teams", h.overall)],
        ),
        "chart_domains": grades_alt(
            f"Stacked bar chart of judgements by domain, {period.label}, accepted audits", domain_rows
        ),
        "chart_trend": trend_alt(h.trend, minimum),
    }
    content.headlines = [
        f"Returned on time: {on_time}",
        f"Judged Good or better: {good}",
        f"Inadequate cases to re-audit: {len(inadequate)}; overdue safeguarding actions: {len(sg.overdue)}",
    ]
    return content


def _highlights_summary(
    h: Highlights, on_time: Share, good: Share, inadequate: Sequence[ChainEntry]
) -> list[str]:
    flow = h.flow
    lines = [
        f"{flow.allocated} audits allocated; {flow.completed} returned, {on_time} by the last working day; "
        f"{flow.overdue} overdue.",
        f"Of the {h.overall.graded} audits the QA team has accepted, {good} were judged Good or "
        f"Outstanding and {h.overall.counts[INADEQUATE]} Inadequate; {len(h.awaiting_qa)} more await QA.",
    ]
    weakest = max(
        (d for d in h.domains if d[1].graded >= h.minimum), key=lambda d: d[1].weak_share or 0, default=None
    )
    if weakest is not None and weakest[1].weak:
        lines.append(
            f"Weakest domain: {weakest[0].name}, {Share(weakest[1].weak, weakest[1].graded, h.minimum)} "
            "graded Requires Improvement or Inadequate."
        )
    return lines


def _highlights_actions(h: Highlights, inadequate: Sequence[ChainEntry]) -> list[str]:
    """What the Senior Leadership Team is asked to do: recommendations drawn from the figures."""
    actions: list[str] = []
    unallocated = [c for c in inadequate if not c.reaudit_by]
    if unallocated:
        actions.append(
            f"Name a Senior Manager to re-audit {len(unallocated)} Inadequate case(s) next month (2.12)."
        )
    if h.safeguarding.overdue:
        actions.append(
            f"Ask the Team Managers concerned to record the {len(h.safeguarding.overdue)} overdue corrective "
            "action(s) on Liquidlogic now (2.6)."
        )
    if h.flow.overdue:
        actions.append(f"Chase the {h.flow.overdue} audit(s) not yet returned (2.2).")
    weakest = max(
        (d for d in h.domains if d[1].graded >= h.minimum), key=lambda d: d[1].weak_share or 0, default=None
    )
    if weakest is not None and (weakest[1].weak_share or 0) >= 0.4:
        actions.append(f"Consider a themed audit of {weakest[0].name} (3.1).")
    return actions or ["No action is asked of the Senior Leadership Team this month."]


HIGHLIGHTS_SECTIONS = (
    "Audits this month",
    "Judgements",
    "Inadequate cases and re-audit chains",
    "Immediate safeguarding concerns",
    "Discussion of findings",
    "Good practice highlighted",
    "Trend against previous months",
    "About this report",
)


def highlights_layout() -> ReportLayout:
    b = ReportLayout(
        "highlights",
        "Audit Highlights Report",
        "For the Senior Leadership Team and the Wider Leadership meeting (8.1).",
        HIGHLIGHTS_SECTIONS,
    )
    # Page 1: what a Director reads in two minutes.
    b.plain_heading("At a glance")
    b.bullets("summary")
    b.table(
        "headlines",
        [
            Column("Measure", 4.6),
            Column("{{ headline_month }}", 3.4, True),
            Column("Month before", 3.4, True),
            Column("Change", 2.1, True),
            Column("Six months", 3.1),
        ],
    )
    b.subheading("Recommendations")
    b.bullets("actions")
    b.plain_heading("Needs a senior person now")
    b.subheading("Inadequate cases: who re-audits, by when (2.12)")
    b.table(
        "senior",
        [
            Column("Case", 3.0),
            Column("Team", 4.35),
            Column("Months Inadequate", 2.95, True),
            Column("Re-audit by", 4.0),
            Column("Due", 2.3),
        ],
        empty="No case was judged Inadequate this month.",
    )
    b.subheading("Safeguarding corrective actions overdue (2.6)")
    b.table(
        "overdue_actions",
        [
            Column("Case", 3.0),
            Column("Team", 4.25),
            Column("Due", 2.6),
            Column("Days overdue", 2.35, True),
            Column("Team Manager", 4.4),
        ],
        empty="No corrective action for a safeguarding concern is overdue.",
    )
    b.page_break()
    # The detail.
    b.heading(1)
    b.text("Audits allocated for the month and returned by the last working day (2.1, 2.2), and audits "
           "returned by the Quality Assurance Team for amendment (2.11).")  # fmt: skip
    b.table("flow", FIGURE_COLUMNS)
    b.subheading("Returned, awaiting QA acceptance (not counted in the judgements)")
    b.table(
        "awaiting",
        [Column("Case", 3.0), Column("Team", 5.0), Column("Stage", 5.0)],
        empty="Every returned audit has been accepted by the QA team.",
    )
    b.heading(2)
    b.text("Overall judgements (2.7) of the audits the Quality Assurance Team accepted this month.")
    b.chart("chart_overall")
    b.subheading("By domain")
    b.chart("chart_domains")
    b.table("domains", grade_columns("Domain"))
    b.subheading("By team")
    b.table("teams", grade_columns("Team"), empty="No audit has been accepted yet this month.")
    b.heading(3)
    b.text("An Inadequate case is re-audited the following month by a Senior Manager, and again until "
           "the judgement improves (2.12). Every case in a chain this month is listed, longest first.")  # fmt: skip
    b.table(
        "chains",
        [
            Column("Case", 2.6),
            Column("Team", 3.3),
            Column("Judgement", 2.8),
            Column("Months Inadequate", 2.95, True),
            Column("Next step", 4.95),
        ],
        empty="No case was judged Inadequate or re-audited this month.",
    )
    # Further sections other work adds (improvement plan actions, 2.8: shared/services/reports/actions.py),
    # each a heading and paragraphs, from the context's ``extra_sections``.
    b.tag("{%p for s in extra_sections %}")
    b.subheading("{{ s.title }}")
    b.tag("{%p for para in s.paragraphs %}")
    b.text("{{ para }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.heading(4)
    b.text("Concerns raised by auditors during the audit, and the Team Managers' corrective action "
           "recorded on Liquidlogic under Management Oversight (2.6).")  # fmt: skip
    b.table("safeguarding", FIGURE_COLUMNS)
    b.heading(5)
    b.text("Team Manager and worker discuss the findings {{ discussion_rule }} (2.10).")
    b.table("discussions", DISCUSSION_COLUMNS)
    b.heading(6)
    b.text("What auditors highlighted as good practice (2.3) in accepted audits, with names and "
           "references removed.")  # fmt: skip
    b.bullets("good_practice", "{{ e.text }} ({{ e.team }})", loop="e", lead="{{ e.heading }}")
    b.when_empty("good_practice", "No good practice was highlighted in this month's accepted audits.")
    trend_and_about(b)
    return b
