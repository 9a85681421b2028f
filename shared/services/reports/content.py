"""What each report says: its tables (the data pack's sheets), its sentences and its charts.

One :class:`DataTable` feeds the Word table, the chart and the Excel sheet, so the three never
disagree. Values are numbers, shares (0 to 1) or text; formatting happens once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.adapters.documents import charts
from shared.core.schema import Organisation
from shared.services.reports.aggregate import (
    GRADES,
    INADEQUATE,
    MINIMUM_FOR_PERCENT,
    Bulletin,
    ChainEntry,
    DiscussionTimeliness,
    GradeCounts,
    Highlights,
    Quarterly,
    TaskFollowUp,
    Throughput,
    TrendPoint,
)
from shared.services.reports.learning import lesson, reflective_questions


@dataclass(frozen=True, slots=True)
class Share:
    """A percentage that always carries its count: '82% (41 of 50)', or only '3 of 4' when the
    whole is under the minimum (a percentage of a handful misleads)."""

    part: int
    whole: int
    minimum: int = MINIMUM_FOR_PERCENT

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole and self.whole >= self.minimum else None

    def __str__(self) -> str:
        if not self.whole:
            return "none"
        if self.whole < self.minimum:
            return f"{self.part} of {self.whole}"
        return f"{round(100 * self.part / self.whole)}% ({self.part} of {self.whole})"


Value = str | int | float | Share | None
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
    alt_text: dict[str, str] = field(default_factory=dict)  # per chart: what it shows, in words
    headlines: list[str] = field(default_factory=list)  # three figures for the email body


def _format(value: Value, percent: bool) -> str:
    if value is None:
        return "–"
    if isinstance(value, Share):
        return str(value)
    if percent and isinstance(value, float | int):
        return f"{round(100 * value)}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _pct(value: float | None) -> str:
    return _format(value, True)


def _common(
    kind: str, period_key: str, period_label: str, date_range: str, as_of: dt.date, organisation: Organisation
) -> dict[str, object]:
    marking = organisation.bulletin_marking if kind == "bulletin" else organisation.protective_marking
    return {
        "title": TITLES[kind],
        "period_label": period_label,
        "date_range": date_range,
        "as_of": f"{as_of:%-d %B %Y}",
        "classification": marking,
        "organisation": organisation.short_name,
        "period_key": period_key,
    }


def _concern_row(team: str, count: int) -> list[Value]:
    return [f"Concerns raised: {team}", count, "2.6"]


def _grade_row(name: str, grades: GradeCounts, minimum: int = MINIMUM_FOR_PERCENT) -> list[Value]:
    return [name, *(grades.counts[g] for g in GRADES), Share(grades.good_or_better, grades.graded, minimum)]


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


def _discussion_rows(items: Sequence[DiscussionTimeliness], minimum: int) -> list[list[Value]]:
    return [
        [
            t.label,
            t.due,
            t.held_on_time,
            t.held_late,
            t.overdue,
            t.not_yet_due,
            Share(t.held_on_time, t.held_on_time + t.held_late + t.overdue, minimum),
        ]
        for t in items
    ]


def _trend_table(trend: Sequence[TrendPoint], minimum: int) -> DataTable:
    """The month-by-month trend both the highlights and the quarterly report end with."""
    return DataTable(
        "trend",
        "Trend",
        ("Month", "Allocated", "Returned", "On time", "Good or better", "Inadequate"),
        _trend_rows(trend, minimum),
    )


def _trend_rows(points: Sequence[TrendPoint], minimum: int) -> list[list[Value]]:
    return [
        [
            p.month.label,
            p.allocated,
            p.completed,
            Share(p.on_time, p.completed, minimum),
            Share(p.good_or_better, p.graded, minimum),
            p.inadequate,
        ]
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


def _trend_chart(title: str, points: Sequence[TrendPoint], minimum: int) -> Callable[[], bytes]:
    def draw() -> bytes:
        def percent(part: int, whole: int) -> float | None:
            ratio = Share(part, whole, minimum).ratio
            return None if ratio is None else 100 * ratio

        return charts.trend_lines(
            title,
            [f"{p.month.first_day:%b %y}" for p in points],
            [
                ("Returned on time (%)", [percent(p.on_time, p.completed) for p in points]),
                ("Judged Good or better (%)", [percent(p.good_or_better, p.graded) for p in points]),
            ],
        )

    return draw


def _trend_alt(points: Sequence[TrendPoint], minimum: int) -> str:
    parts = [
        f"{p.month.label}: {Share(p.on_time, p.completed, minimum)} returned on time, "
        f"{Share(p.good_or_better, p.graded, minimum)} Good or better"
        for p in points
    ]
    return "Line chart of timeliness and quality by month. " + "; ".join(parts) + "."


def _grades_alt(kind: str, rows: Sequence[tuple[str, GradeCounts]]) -> str:
    described = "; ".join(
        f"{name}: " + ", ".join(f"{g.counts[grade]} {grade}" for grade in GRADES) for name, g in rows
    )
    return f"{kind}. {described}."


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


# -- the Audit Highlights Report -----------------------------------------------------------------


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
        DataTable("flow", "Audits this month", ("Measure", "Figure", "Framework"), _flow_rows(flow)),
        DataTable(
            "awaiting",
            "Audits awaiting QA acceptance (not counted in the judgements)",
            ("Case", "Team", "Stage"),
            awaiting_rows,
        ),
        DataTable(
            "overall",
            "Overall judgements (accepted audits)",
            ("Judgement", "Audits", "Share"),
            [[g, h.overall.counts[g], Share(h.overall.counts[g], h.overall.graded, minimum)] for g in GRADES],
        ),
        DataTable(
            "domains",
            "Judgements by domain (accepted audits)",
            ("Domain", *_GRADE_HEADERS),
            [_grade_row(d.title, g, minimum) for d, g in h.domains],
        ),
        DataTable(
            "teams",
            "Judgements by team (accepted audits)",
            ("Team", *_GRADE_HEADERS),
            [_grade_row(t, g, minimum) for t, g in h.teams],
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
                ["Corrective actions overdue (any month)", len(sg.overdue), "2.6"],
                ["Corrective actions open, not yet due", sg.actions.open_not_due, "2.6"],
                *(_concern_row(team, n) for team, n in sg.by_team.items()),
            ],
        ),
        DataTable(
            "discussions",
            "Discussion of findings",
            ("Timescale", "Due", "On time", "Late", "Overdue", "Not yet due", "On time"),
            _discussion_rows(h.discussions, minimum),
        ),
        _trend_table(h.trend, minimum),
    ]
    context = _common("highlights", period.key, period.label, period.date_range, h.as_of, h.organisation)
    _tables_context(context, tables)
    context["headline_month"] = period.months[0].first_day.strftime("%B")
    context["summary"] = _highlights_summary(h, on_time, good, inadequate)
    context["actions"] = _highlights_actions(h, inadequate)
    context["minimum"] = minimum
    context["discussion_rule"] = h.discussion_rule
    context["good_practice"] = [
        {"heading": f"{e.domain}: " if e.domain else "", "text": e.text, "team": e.team}
        for e in h.good_practice
        if not e.withheld
    ]
    context["about"] = [
        *_about("the Audit Allocations and Audit Submissions lists and the Tasks list"),
        f"Judgements count audits the Quality Assurance Team has accepted (2.11); {len(h.awaiting_qa)} "
        "returned audit(s) awaiting acceptance are listed, not counted.",
        f"A percentage is shown only from {minimum} audits up; below that, the count alone.",
    ]
    content = ReportContent("highlights", TITLES["highlights"], period.key, context, tables)
    domain_rows = [(d.name, g) for d, g in h.domains]
    content.charts = {
        "chart_overall": _overall_chart(f"Overall judgements, {period.label}", h.overall),
        "chart_domains": _domain_chart(f"Judgements by domain, {period.label}", domain_rows),
        "chart_trend": _trend_chart("Timeliness and quality over six months", h.trend, minimum),
    }
    content.alt_text = {
        "chart_overall": _grades_alt(
            f"Bar chart of the overall judgements of {h.overall.graded} accepted audits, {period.label}",
            [("All teams", h.overall)],
        ),
        "chart_domains": _grades_alt(
            f"Stacked bar chart of judgements by domain, {period.label}, accepted audits", domain_rows
        ),
        "chart_trend": _trend_alt(h.trend, minimum),
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


# -- the learning bulletin ---------------------------------------------------------------------


def bulletin_content(
    b: Bulletin,
    approved: Sequence[int] | None = None,
    *,
    draft: bool = False,
    approved_by: str = "",
    approved_on: dt.date | None = None,
) -> ReportContent:
    """The seven-minute briefing. ``approved``: the numbers (1-based, as listed in the draft) of
    the excerpts the QA team approved; only those are quoted. The draft lists every excerpt with
    its number and status for the QA team, and quotes none in the briefing itself."""
    period, minimum = b.period, b.minimum
    numbered = list(enumerate(b.excerpts, start=1))
    chosen = set(approved or ())
    published = [e for n, e in numbered if n in chosen and not e.withheld and not draft]
    # The areas to develop; with too few audits for figures, the domains auditors found weakest
    # (named, never counted), else the first graded.
    weakest = sorted((d for d in b.domains if d.grades.weak), key=lambda d: (-d.grades.weak, d.domain.number))
    focus = (
        [d.domain for d in b.weaknesses]
        or [d.domain for d in weakest][:2]
        or [d.domain for d in b.domains if d.grades.graded][:2]
    )
    found: list[str] = []
    if b.has_figures:
        found.append(
            f"The Quality Assurance Team accepted {b.audits} case file audits in {period.label}. "
            "This is what they tell us about practice across the service."
        )
        for d in b.weaknesses:
            g = d.grades
            found.append(
                f"Area to develop: {d.domain.name}. {g.weak} of {g.graded} audits graded it Requires "
                "Improvement or Inadequate."
            )
        for d in b.strengths:
            g = d.grades
            found.append(
                f"Strength: {d.domain.name}. {g.good_or_better} of {g.graded} audits graded it Good or Outstanding."
            )
    else:
        found.append(
            f"Fewer than {minimum} audits were accepted in {period.label}, too few for figures: this "
            "briefing draws on what auditors wrote, not on numbers."
        )
    why = [f"{d.name}: {lesson(d).why}" for d in focus]
    do = [step for d in focus for step in lesson(d).do]
    if b.returned_for_amendment:
        do.append(
            "Give evidence for every judgement and a SMART plan, so audits are accepted first time (2.11)."
        )
    standard = [f"{d.name}: {d.guidance}" for d in focus]
    context = _common(
        "bulletin",
        period.key,
        period.label,
        period.date_range,
        approved_on or period.last_day,
        b.organisation,
    )
    context.update(
        {
            "draft": draft,
            "found": found,
            "why": why,
            "standard": standard,
            "excerpts": [{"heading": f"{e.domain}: " if e.domain else "", "text": e.text} for e in published],
            "do": do,
            "questions": reflective_questions(focus),
            "approval": (
                f"Approved for publication by {approved_by} on {approved_on:%-d %B %Y}."
                if approved_by and approved_on and not draft
                else "DRAFT for the Quality Assurance Team: not for circulation until approved."
            ),
            "review_rows": [
                [
                    str(n),
                    e.domain or "Overall",
                    e.text,
                    f"Withheld: {e.withheld}" if e.withheld else "Awaiting approval",
                ]
                for n, e in numbered
            ]
            if draft
            else [],
            "source": (
                f"Drawn from {b.audits} audit(s) accepted by the QA team in {period.label}; "
                f"{b.awaiting_qa} more awaiting acceptance are not included. No figure is given from "
                f"fewer than {minimum} audits. Names, references and places are removed."
            ),
        }
    )
    tables = [
        DataTable(
            "domains",
            "Judgements by domain (accepted audits)",
            ("Domain", *_GRADE_HEADERS),
            [_grade_row(d.domain.name, d.grades, minimum) for d in b.domains if d.grades.graded >= minimum],
        ),
        DataTable(
            "excerpts",
            "Good practice excerpts, as approved by the QA team" if not draft else "Excerpts for QA approval",
            ("Number", "Domain", "Excerpt", "Status") if draft else ("Domain", "Excerpt"),
            [
                [n, e.domain, e.text, "Withheld: " + e.withheld if e.withheld else "Awaiting approval"]
                for n, e in numbered
            ]
            if draft
            else [[e.domain, e.text] for e in published],
        ),
    ]
    context["domains"] = tables[0].formatted()
    content = ReportContent("bulletin", TITLES["bulletin"], period.key, context, tables)
    chart_rows = [(d.domain.name, d.grades) for d in b.domains if d.grades.graded >= minimum]
    context["has_chart"] = bool(chart_rows) and b.has_figures
    if context["has_chart"]:
        content.charts = {
            "chart_domains": _domain_chart(
                f"What accepted audits found, by domain: {period.label}", chart_rows
            )
        }
        content.alt_text = {
            "chart_domains": _grades_alt(
                f"Stacked bar chart of judgements by domain from {b.audits} accepted audits, {period.label}",
                chart_rows,
            )
        }
    else:
        context["chart_domains"] = ""
    worst = b.weaknesses[0] if b.weaknesses else None
    content.headlines = [
        f"Audits behind it: {b.audits} accepted in {period.label}",
        f"Area to develop: {worst.domain.name} ({worst.grades.weak} of {worst.grades.graded})"
        if worst
        else "Area to develop: none stood out",
        f"Good practice quoted: {len(published)} approved excerpt(s)",
    ]
    return content


# -- the quarterly audit report ----------------------------------------------------------------


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
                "rows": [_follow_up_row("Improvement-plan actions", actions)],
            },
        ]
    small_teams = [t for t in q.teams if t.grades.graded < minimum]
    tables = [
        DataTable("flow", "Audits this quarter", ("Measure", "Figure", "Framework"), _flow_rows(q.flow)),
        DataTable(
            "overall",
            "Overall judgements (accepted audits)",
            ("Judgement", "Audits", "Share"),
            [[g, q.overall.counts[g], Share(q.overall.counts[g], q.overall.graded, minimum)] for g in GRADES],
        ),
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
            _chain_rows(q.chains, with_month=True),
        ),
        DataTable(
            "discussions",
            "Discussion of findings",
            ("Timescale", "Due", "On time", "Late", "Overdue", "Not yet due", "On time"),
            _discussion_rows(q.discussions, minimum),
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
        _trend_table(q.trend, minimum),
    ]
    context = _common("quarterly", period.key, period.label, period.date_range, q.as_of, q.organisation)
    _tables_context(context, tables)
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
        *_about("the Audit Allocations and Audit Submissions lists and the Tasks list"),
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

    def small_multiples() -> bytes:
        return charts.small_multiples(
            "Accepted audits grading each domain Good or better, by month",
            [m[:3] for m in month_names],
            [
                (d.name, [Share(g.good_or_better, g.graded, minimum) for g in months])
                for d, months in q.domain_months
            ],
        )

    content.charts = {
        "chart_overall": _overall_chart(f"Overall judgements, {period.label}", q.overall),
        "chart_domain_trend": small_multiples,
        "chart_teams": lambda: charts.stacked_shares(
            "Overall judgements by team (accepted audits)",
            [t.team for t in q.teams],
            GRADES,
            [[t.grades.counts[g] for g in GRADES] for t in q.teams],
            category_label="Team",
        ),
        "chart_trend": _trend_chart("Timeliness and quality over the last nine months", q.trend, minimum),
    }
    content.alt_text = {
        "chart_overall": _grades_alt(
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
        "chart_teams": _grades_alt(
            "Stacked bar chart of overall judgements by team", [(t.team, t.grades) for t in q.teams]
        ),
        "chart_trend": _trend_alt(q.trend, minimum),
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
