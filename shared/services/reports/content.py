"""What every report says alike: its title and marking, the rows of the tables they share, the
charts of judgements and trends (as the documents port describes them), and the table shapes
their templates share. Each report's own words are in its module (highlights, bulletin,
quarterly); formatting a value happens once, in :func:`shared.services.ports.documents.formatted`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.core.schema import Organisation
from shared.services.ports.documents import (
    MINIMUM_FOR_PERCENT,
    Column,
    DataTable,
    GradeBars,
    ReportLayout,
    Share,
    StackedShares,
    TrendLines,
    Value,
    formatted,
)
from shared.services.reports.aggregate import GRADES
from shared.services.reports.measures import (
    ChainEntry,
    DiscussionTimeliness,
    GradeCounts,
    TaskFollowUp,
    Throughput,
    TrendPoint,
)

TITLES = {
    "highlights": "Audit Highlights Report",
    "bulletin": "Learning bulletin",
    "quarterly": "Quarterly audit report",
}


def pct(value: float | None) -> str:
    return formatted(value, True)


def common(
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


def concern_row(team: str, count: int) -> list[Value]:
    return [f"Concerns raised: {team}", count, "2.6"]


def grade_row(name: str, grades: GradeCounts, minimum: int = MINIMUM_FOR_PERCENT) -> list[Value]:
    return [name, *(grades.counts[g] for g in GRADES), Share(grades.good_or_better, grades.graded, minimum)]


GRADE_HEADERS = ("Outstanding", "Good", "Requires Improvement", "Inadequate", "Good or better")


def flow_rows(flow: Throughput) -> list[list[Value]]:
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


def overall_table(grades: GradeCounts, minimum: int) -> DataTable:
    """The overall judgements of accepted audits (2.7), each with its share."""
    return DataTable(
        "overall",
        "Overall judgements (accepted audits)",
        ("Judgement", "Audits", "Share"),
        [[g, grades.counts[g], Share(grades.counts[g], grades.graded, minimum)] for g in GRADES],
    )


def discussions_table(items: Sequence[DiscussionTimeliness], minimum: int) -> DataTable:
    """Findings discussed within the framework's timescales (2.10)."""
    return DataTable(
        "discussions",
        "Discussion of findings",
        ("Timescale", "Due", "On time", "Late", "Overdue", "Not yet due", "On time"),
        _discussion_rows(items, minimum),
    )


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


def trend_table(trend: Sequence[TrendPoint], minimum: int) -> DataTable:
    """The month-by-month trend both the highlights and the quarterly report end with."""
    return DataTable(
        "trend",
        "Trend",
        ("Month", "Allocated", "Returned", "On time", "Good or better", "Inadequate"),
        trend_rows(trend, minimum),
    )


def trend_rows(points: Sequence[TrendPoint], minimum: int) -> list[list[Value]]:
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


def chain_rows(entries: Sequence[ChainEntry], with_month: bool) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for e in entries:
        row: list[Value] = [e.case_ref]
        if with_month:
            row.append(e.month.label)
        rows.append([*row, e.team, e.grade, e.months_in, e.next_step])
    return rows


def follow_up_row(first: str, item: TaskFollowUp) -> list[Value]:
    return [first, item.due, item.done, item.done_on_time, item.overdue, item.open_not_due]


def tables_context(context: dict[str, object], tables: Sequence[DataTable]) -> None:
    for table in tables:
        context[table.key] = table.formatted()


def trend_chart(title: str, points: Sequence[TrendPoint], minimum: int) -> TrendLines:
    def percent(part: int, whole: int) -> float | None:
        ratio = Share(part, whole, minimum).ratio
        return None if ratio is None else 100 * ratio

    return TrendLines(
        title,
        tuple(f"{p.month.first_day:%b %y}" for p in points),
        (
            ("Returned on time (%)", tuple(percent(p.on_time, p.completed) for p in points)),
            ("Judged Good or better (%)", tuple(percent(p.good_or_better, p.graded) for p in points)),
        ),
    )


def trend_alt(points: Sequence[TrendPoint], minimum: int) -> str:
    parts = [
        f"{p.month.label}: {Share(p.on_time, p.completed, minimum)} returned on time, "
        f"{Share(p.good_or_better, p.graded, minimum)} Good or better"
        for p in points
    ]
    return "Line chart of timeliness and quality by month. " + "; ".join(parts) + "."


def grades_alt(kind: str, rows: Sequence[tuple[str, GradeCounts]]) -> str:
    described = "; ".join(
        f"{name}: " + ", ".join(f"{g.counts[grade]} {grade}" for grade in GRADES) for name, g in rows
    )
    return f"{kind}. {described}."


def domain_chart(title: str, domains: Sequence[tuple[str, GradeCounts]]) -> StackedShares:
    return StackedShares(
        title,
        tuple(name for name, _ in domains),
        GRADES,
        tuple(tuple(g.counts[grade] for grade in GRADES) for _, g in domains),
        category_label="Domain",
    )


def overall_chart(title: str, grades: GradeCounts) -> GradeBars:
    return GradeBars(title, GRADES, tuple(grades.counts[g] for g in GRADES))


def about(source: str) -> list[str]:
    return [
        f"Source: {source}, read by Audit Desk. Counts are of allocations (one case, one month).",
        "A returned audit is on time when it reached the Quality Assurance Team by the last working "
        "day of the month (2.2). Working days exclude bank holidays in England and local closure days.",
        "The data pack (.xlsx) sent with this report holds every table, for the Wider Leadership meeting.",
    ]


# -- the tables the reports' templates share ------------------------------------------------


def grade_columns(first: str, first_width: float = 3.7) -> list[Column]:
    return [
        Column(first, first_width),
        Column("Outstanding", 3.2, True),
        Column("Good", 1.6, True),
        Column("Requires Improvement", 3.3, True),
        Column("Inadequate", 2.95, True),
        Column("Good or better", 1.85, True),
    ]


FIGURE_COLUMNS = [Column("Measure", 11.4), Column("Figure", 2.4, True), Column("Framework", 2.8)]


# Tables the monthly and quarterly reports share.
TREND_COLUMNS = [
    Column("Month", 2.95),
    Column("Allocated", 2.55, True),
    Column("Returned", 2.55, True),
    Column("On time", 2.8, True),
    Column("Good or better", 2.8, True),
    Column("Inadequate", 2.95, True),
]


DISCUSSION_COLUMNS = [
    Column("Timescale", 4.4),
    Column("Due", 1.3, True),
    Column("On time", 1.7, True),
    Column("Late", 1.4, True),
    Column("Overdue", 2.35, True),
    Column("Not yet due", 1.6, True),
    Column("On time", 3.0, True),
]


def trend_and_about(b: ReportLayout) -> None:
    """How the highlights and the quarterly report end: the trend (section 7), then about this
    report (section 8)."""
    b.heading(7)
    b.chart("chart_trend")
    b.table("trend", TREND_COLUMNS)
    b.heading(8)
    b.bullets("about")
