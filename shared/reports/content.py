"""What each report says: its tables (the data pack's sheets), its sentences and its charts.

One :class:`DataTable` feeds the Word table, the chart and the Excel sheet, so the three never
disagree. Values are numbers, shares (0 to 1) or text; formatting happens once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.reports import charts
from shared.reports.aggregate import (
    GRADES,
    INADEQUATE,
    Bulletin,
    ChainEntry,
    DiscussionTimeliness,
    GradeCounts,
    Highlights,
    Quarterly,
    TaskFollowUp,
    Throughput,
    TrendPoint,
    share,
)

Value = str | int | float | None
CLASSIFICATION = "OFFICIAL-SENSITIVE"
BULLETIN_CLASSIFICATION = "OFFICIAL"
TITLES = {
    "highlights": "Audit Highlights Report",
    "bulletin": "Learning bulletin",
    "quarterly": "Quarterly audit report",
}


@dataclass(frozen=True, slots=True)
class DataTable:
    """A table of the report. ``percent`` names the columns holding shares (0 to 1)."""

    key: str  # context variable and sheet name
    title: str
    headers: tuple[str, ...]
    rows: list[list[Value]]
    percent: frozenset[int] = frozenset()

    def formatted(self) -> list[list[str]]:
        return [[_format(v, i in self.percent) for i, v in enumerate(row)] for row in self.rows]


@dataclass
class ReportContent:
    kind: str
    title: str
    period_key: str
    context: dict[str, object]
    tables: list[DataTable]
    charts: dict[str, Callable[[], bytes]] = field(default_factory=dict)


def _format(value: Value, percent: bool) -> str:
    if value is None:
        return "–"
    if percent and isinstance(value, float | int):
        return f"{round(100 * value)}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _pct(value: float | None) -> str:
    return _format(value, True)


def _common(
    kind: str, period_key: str, period_label: str, date_range: str, as_of: dt.date
) -> dict[str, object]:
    return {
        "title": TITLES[kind],
        "period_label": period_label,
        "date_range": date_range,
        "as_of": f"{as_of:%-d %B %Y}",
        "classification": BULLETIN_CLASSIFICATION if kind == "bulletin" else CLASSIFICATION,
        "period_key": period_key,
    }


def _concern_row(team: str, count: int) -> list[Value]:
    return [f"Concerns raised: {team}", count, "2.6"]


def _grade_row(name: str, grades: GradeCounts) -> list[Value]:
    return [name, *(grades.counts[g] for g in GRADES), grades.good_or_better_share]


_GRADE_HEADERS = ("Outstanding", "Good", "Requires Improvement", "Inadequate", "Good or better")


def _flow_rows(flow: Throughput) -> list[list[Value]]:
    return [
        ["Audits allocated", flow.allocated, "2.1"],
        ["Allocated after the first week of the month", flow.late_allocations, "2.1"],
        ["Audits returned (completed)", flow.completed, "2.2"],
        ["Returned by the last working day of the month", flow.on_time, "2.2"],
        ["Returned late", flow.late, "2.2"],
        ["Overdue: not yet returned, past the due date", flow.overdue, "2.2"],
        ["Not yet returned, not yet due", flow.not_yet_due, "2.2"],
        ["Returned for amendment by the QA team", flow.returned_for_amendment, "2.11"],
    ]


def _discussion_rows(items: Sequence[DiscussionTimeliness]) -> list[list[Value]]:
    return [
        [t.label, t.due, t.held_on_time, t.held_late, t.overdue, t.not_yet_due, t.on_time_share]
        for t in items
    ]


def _trend_table(trend: Sequence[TrendPoint]) -> DataTable:
    """The month-by-month trend both the highlights and the quarterly report end with."""
    return DataTable(
        "trend",
        "Trend",
        ("Month", "Allocated", "Returned", "On time", "Good or better", "Inadequate"),
        _trend_rows(trend),
        frozenset({3, 4}),
    )


def _trend_rows(points: Sequence[TrendPoint]) -> list[list[Value]]:
    return [
        [p.month.label, p.allocated, p.completed, p.on_time_share, p.good_or_better_share, p.inadequate]
        for p in points
    ]


def _chain_rows(entries: Sequence[ChainEntry], with_month: bool) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for e in entries:
        row: list[Value] = [e.case_ref]
        if with_month:
            row.append(e.month.label)
        rows.append([*row, e.team, e.grade, e.months_in, e.next_step])
    return rows


def _follow_up_row(first: str, item: TaskFollowUp) -> list[Value]:
    return [first, item.due, item.done, item.done_on_time, item.overdue, item.open_not_due]


def _tables_context(context: dict[str, object], tables: Sequence[DataTable]) -> None:
    for table in tables:
        context[table.key] = table.formatted()


def _trend_chart(title: str, points: Sequence[TrendPoint]) -> Callable[[], bytes]:
    def draw() -> bytes:
        return charts.trend_lines(
            title,
            [f"{p.month.first_day:%b %y}" for p in points],
            [
                (
                    "Returned on time (%)",
                    [None if p.on_time_share is None else 100 * p.on_time_share for p in points],
                ),
                (
                    "Judged Good or better (%)",
                    [
                        None if p.good_or_better_share is None else 100 * p.good_or_better_share
                        for p in points
                    ],
                ),
            ],
        )

    return draw


def _domain_chart(title: str, domains: Sequence[tuple[str, GradeCounts]]) -> Callable[[], bytes]:
    def draw() -> bytes:
        return charts.stacked_shares(
            title,
            [name for name, _ in domains],
            GRADES,
            [[g.counts[grade] for grade in GRADES] for _, g in domains],
            category_label="Domain",
        )

    return draw


def _overall_chart(title: str, grades: GradeCounts) -> Callable[[], bytes]:
    return lambda: charts.grade_bars(title, GRADES, [grades.counts[g] for g in GRADES])


def _about(source: str) -> list[str]:
    return [
        f"Source: {source}, read by Audit Desk. Counts are of allocations (one case, one month).",
        "A returned audit is on time when it reached the Quality Assurance Team by the last working "
        "day of the month (2.2). Working days exclude bank holidays in England and local closure days.",
        "The data pack (.xlsx) sent with this report holds every table, for the Wider Leadership meeting.",
    ]


def highlights_content(h: Highlights) -> ReportContent:
    period = h.period
    flow = h.flow
    inadequate_chains = [c for c in h.chains if c.grade == INADEQUATE]
    summary = [
        f"{flow.allocated} audits allocated; {flow.completed} returned, {flow.on_time} of them by the due "
        f"date ({_pct(flow.on_time_share)}); {flow.overdue} overdue.",
        f"{h.overall.good_or_better} of {h.overall.graded} graded cases were Good or Outstanding "
        f"({_pct(h.overall.good_or_better_share)}); {h.overall.counts[INADEQUATE]} Inadequate.",
        f"{len(inadequate_chains)} case(s) Inadequate this month will be re-audited next month (2.12)"
        + (
            f"; the longest chain has run {max(c.months_in for c in inadequate_chains)} month(s)."
            if inadequate_chains
            else "."
        ),
        f"{h.safeguarding.alerts} immediate safeguarding concern(s) raised (2.6); "
        f"{h.safeguarding.actions.overdue} corrective action(s) overdue.",
    ]
    discussed = sum(t.held_on_time + t.held_late + t.overdue for t in h.discussions)
    if discussed:
        on_time = sum(t.held_on_time for t in h.discussions)
        summary.append(
            f"{_pct(share(on_time, discussed))} of findings discussions held within 5 or 10 working days (2.10)."
        )
    sg = h.safeguarding
    tables = [
        DataTable("flow", "Audits this month", ("Measure", "Figure", "Framework"), _flow_rows(flow)),
        DataTable(
            "overall",
            "Overall judgements",
            ("Judgement", "Audits", "Share"),
            [[g, h.overall.counts[g], share(h.overall.counts[g], h.overall.graded)] for g in GRADES],
            frozenset({2}),
        ),
        DataTable(
            "domains",
            "Judgements by domain",
            ("Domain", *_GRADE_HEADERS),
            [_grade_row(d.title, g) for d, g in h.domains],
            frozenset({5}),
        ),
        DataTable(
            "teams",
            "Judgements by team",
            ("Team", *_GRADE_HEADERS),
            [_grade_row(t, g) for t, g in h.teams],
            frozenset({5}),
        ),
        DataTable(
            "chains",
            "Inadequate cases and re-audit chains",
            ("Case", "Team", "Judgement", "Months Inadequate", "Next step"),
            _chain_rows(h.chains, with_month=False),
        ),
        DataTable(
            "safeguarding",
            "Immediate safeguarding concerns",
            ("Measure", "Figure", "Framework"),
            [
                ["Concerns raised in audits this month", sg.alerts, "2.6"],
                ["Corrective actions recorded on time", sg.actions.done_on_time, "2.6"],
                ["Corrective actions recorded late", sg.actions.done - sg.actions.done_on_time, "2.6"],
                ["Corrective actions overdue", sg.actions.overdue, "2.6"],
                ["Corrective actions open, not yet due", sg.actions.open_not_due, "2.6"],
                *(_concern_row(team, n) for team, n in sg.by_team.items()),
            ],
        ),
        DataTable(
            "discussions",
            "Discussion of findings",
            ("Timescale", "Due", "On time", "Late", "Overdue", "Not yet due", "On time %"),
            _discussion_rows(h.discussions),
            frozenset({6}),
        ),
        _trend_table(h.trend),
    ]
    context = _common("highlights", period.key, period.label, period.date_range, h.as_of)
    _tables_context(context, tables)
    context["summary"] = summary
    context["good_practice"] = [
        {"heading": f"{e.domain}: " if e.domain else "", "text": e.text, "team": e.team}
        for e in h.good_practice
    ]
    context["about"] = _about("the Audit Allocations and Audit Submissions lists and the Tasks list")
    content = ReportContent("highlights", TITLES["highlights"], period.key, context, tables)
    content.charts = {
        "chart_overall": _overall_chart(f"Overall judgements, {period.label}", h.overall),
        "chart_domains": _domain_chart(
            f"Judgements by domain, {period.label}", [(d.name, g) for d, g in h.domains]
        ),
        "chart_trend": _trend_chart("Timeliness and quality over six months", h.trend),
    }
    return content


def bulletin_content(b: Bulletin) -> ReportContent:
    period = b.period
    graded = sum(d.grades.graded for d in b.domains)

    def describe(d: object) -> str:
        from shared.reports.aggregate import DomainLearning

        assert isinstance(d, DomainLearning)
        g = d.grades
        return (
            f"{d.domain.name}: {_pct(g.good_or_better_share)} Good or Outstanding, "
            f"{_pct(g.weak_share)} Requires Improvement or Inadequate ({g.graded} audits)."
        )

    tables = [
        DataTable(
            "domains",
            "Judgements by domain",
            ("Domain", *_GRADE_HEADERS),
            [_grade_row(d.domain.title, d.grades) for d in b.domains],
            frozenset({5}),
        ),
    ]
    context = _common("bulletin", period.key, period.label, period.date_range, period.last_day)
    _tables_context(context, tables)
    context["intro"] = (
        f"This bulletin shares what {b.audits} case file audits in {period.label} tell us about practice "
        f"across the service ({graded} domain judgements). It is for every member of staff: use it in "
        "team meetings and supervision."
    )
    context["strengths"] = [describe(d) for d in b.strengths]
    context["weaknesses"] = [describe(d) for d in b.weaknesses]
    context["excerpts"] = [
        {"heading": f"{e.domain}: " if e.domain else "", "text": e.text} for e in b.excerpts
    ]
    context["learning_points"] = b.learning_points
    context["themes"] = b.themes
    content = ReportContent("bulletin", TITLES["bulletin"], period.key, context, tables)
    content.charts = {
        "chart_domains": _domain_chart(
            f"What audits found, by domain: {period.label}", [(d.domain.name, d.grades) for d in b.domains]
        ),
    }
    # The bulletin's own table of excerpts and points, for whoever edits the next one.
    content.tables.append(
        DataTable(
            "excerpts",
            "Good practice excerpts (redacted)",
            ("Domain", "Excerpt"),
            [[e.domain, e.text] for e in b.excerpts],
        )
    )
    return content


def quarterly_content(q: Quarterly) -> ReportContent:
    period = q.period
    month_names = [m.first_day.strftime("%B") for m in period.months]
    r = q.reaudits
    tables = [
        DataTable("flow", "Audits this quarter", ("Measure", "Figure", "Framework"), _flow_rows(q.flow)),
        DataTable(
            "overall",
            "Overall judgements",
            ("Judgement", "Audits", "Share"),
            [[g, q.overall.counts[g], share(q.overall.counts[g], q.overall.graded)] for g in GRADES],
            frozenset({2}),
        ),
        DataTable(
            "domain_trend",
            "Good or better by domain and month",
            ("Domain", *month_names, "Quarter"),
            [
                [d.title, *values, grades.good_or_better_share]
                for (d, values), (_, grades) in zip(q.domain_trend, q.domains, strict=True)
            ],
            frozenset({1, 2, 3, 4}),
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
                "Returned for amendment",
            ),
            [
                [
                    t.team,
                    t.audits,
                    t.grades.good_or_better_share,
                    t.grades.counts[INADEQUATE],
                    t.flow.on_time_share,
                    t.flow.overdue,
                    t.flow.returned_for_amendment,
                ]
                for t in q.teams
            ],
            frozenset({2, 4}),
        ),
        DataTable(
            "reaudits",
            "Re-audit outcomes",
            ("Measure", "Figure", "Framework"),
            [
                ["Re-audits of Inadequate cases this quarter", r.reaudits, "2.12"],
                ["Improved: judged better than Inadequate", r.improved, "2.12"],
                ["Still Inadequate: re-audited again next month", r.still_inadequate, "2.12"],
                ["Not yet returned", r.pending, "2.12"],
                ["Longest chain (months Inadequate in a row)", r.longest_chain, "2.12"],
            ],
        ),
        DataTable(
            "chains",
            "Cases in a re-audit chain",
            ("Case", "Month", "Team", "Judgement", "Months Inadequate", "Next step"),
            _chain_rows(q.chains, with_month=True),
        ),
        DataTable(
            "discussions",
            "Discussion of findings",
            ("Timescale", "Due", "On time", "Late", "Overdue", "Not yet due", "On time %"),
            _discussion_rows(q.discussions),
            frozenset({6}),
        ),
        DataTable(
            "compliance_totals",
            "Compliance: all teams",
            ("Task", "Team", "Due", "Done", "Done on time", "Overdue", "Not yet due"),
            [[t.label, *_follow_up_row("All teams", t)] for t in q.compliance_totals],
        ),
        DataTable(
            "compliance",
            "Compliance by team",
            ("Task", "Team", "Due", "Done", "Done on time", "Overdue", "Not yet due"),
            [[c.task_type, *_follow_up_row(c.team, c.follow_up)] for c in q.compliance],
        ),
        _trend_table(q.trend),
    ]
    context = _common("quarterly", period.key, period.label, period.date_range, q.as_of)
    _tables_context(context, tables)
    context["month_names"] = month_names
    best = max(q.teams, key=lambda t: t.grades.good_or_better_share or 0, default=None)
    summary = [
        f"{q.flow.allocated} audits allocated in the quarter; {q.flow.completed} returned, "
        f"{_pct(q.flow.on_time_share)} by the due date.",
        f"{_pct(q.overall.good_or_better_share)} of graded cases were Good or Outstanding; "
        f"{q.overall.counts[INADEQUATE]} were Inadequate.",
        f"{r.reaudits} re-audits of Inadequate cases: {r.improved} improved, {r.still_inadequate} still "
        "Inadequate (2.12).",
    ]
    if best is not None and best.grades.graded:
        summary.append(
            f"Highest share Good or better: {best.team} ({_pct(best.grades.good_or_better_share)})."
        )
    context["summary"] = summary
    context["about"] = _about("the Audit Allocations and Audit Submissions lists and the Tasks list")
    content = ReportContent("quarterly", TITLES["quarterly"], period.key, context, tables)

    def domain_trend_chart() -> bytes:
        return charts.trend_lines(
            "Audits grading each domain Good or better",
            month_names,
            [(d.name, [None if v is None else 100 * v for v in values]) for d, values in q.domain_trend],
        )

    content.charts = {
        "chart_overall": _overall_chart(f"Overall judgements, {period.label}", q.overall),
        "chart_domain_trend": domain_trend_chart,
        "chart_teams": lambda: charts.stacked_shares(
            "Overall judgements by team",
            [t.team for t in q.teams],
            GRADES,
            [[t.grades.counts[g] for g in GRADES] for t in q.teams],
            category_label="Team",
        ),
        "chart_trend": _trend_chart("Timeliness and quality over the last nine months", q.trend),
    }
    return content
