"""Reports benchmark: the Audit Highlights Report for a month of 500 audits, the quarterly report
over 10,000 audits (aggregation and rendering timed apart), and how aggregation grows from 1k to
10k to 100k audits. Targets: monthly ≤ 1.0 s (issue 19), quarterly ≤ 5 s; aggregation about
linear. The monthly report is also timed with the real redactor (Presidio, a dictionary and word
frequencies) quoting its good practice, cold (first use loads them) and warm.

    .venv/bin/python -m benchmarks.bench_reports
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from benchmarks.goals import goal
from shared.adapters.documents.datapack import build_data_pack
from shared.adapters.documents.render import render_docx
from shared.adapters.documents.report_templates import template_path
from shared.core.deadlines import AuditMonth
from shared.core.schema_reader import load_schema
from shared.demo.fictional_history import FictionalHistory, fictional_history
from shared.services.ports.documents import ReportContent
from shared.services.reports import aggregate, highlights, quarterly
from shared.services.reports.anonymise import redactor
from shared.services.reports.highlights import highlights_content
from shared.services.reports.period import parse_period
from shared.services.reports.quarterly import quarterly_content

_T = TypeVar("_T")
SCHEMA = load_schema()
DOMAINS = SCHEMA.domains
AS_OF = dt.date(2026, 12, 15)
MONTH, QUARTER = parse_period("2026-11"), parse_period("2026-Q4")


def _aggregate(
    history: FictionalHistory, kind: str, redact: Callable[[str], str] | None = None
) -> ReportContent:
    index = aggregate.index_history(history.allocations, history.submissions, history.tasks, SCHEMA)
    if kind == "highlights":
        return highlights_content(
            highlights.highlights(index, MONTH, DOMAINS, AS_OF, redact or (lambda text: text))
        )
    return quarterly_content(quarterly.quarterly(index, QUARTER, DOMAINS, AS_OF))


def _both(history: FictionalHistory) -> tuple[ReportContent, ReportContent]:
    return _aggregate(history, "highlights"), _aggregate(history, "quarterly")


def _timed(work: Callable[[], _T]) -> tuple[_T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def report(
    kind: str,
    history: FictionalHistory,
    audits_in_period: int,
    target: float,
    redact: Callable[[str], str] | None = None,
    label: str = "",
) -> float:
    content, aggregation = _timed(lambda: _aggregate(history, kind, redact))

    def render() -> None:
        render_docx(template_path(kind), content)
        build_data_pack(content.title, content.period_key, content.tables)

    _, rendering = _timed(render)
    total = aggregation + rendering
    verdict = "within" if total <= target else "OVER"
    print(
        f"{label or kind:<22} {audits_in_period:>6} audits in the period, {len(history.allocations):>6} read: "
        f"aggregation {aggregation:6.3f} s + rendering {rendering:6.3f} s = {total:6.3f} s "
        f"({verdict} the {target} s target)"
    )
    return total


def main() -> None:
    print("Reports benchmark (fictional history; times are wall clock on this machine)\n")
    # A month of 500 audits, with the 5 months before it for the trend.
    monthly = fictional_history(3000, AuditMonth(2026, 11), months=6, seed=1)
    gc.freeze()
    in_month = len([a for a in monthly.allocations if a.fields["audit_month"] == "2026-11"])
    report("highlights", monthly, in_month, 1.0, label="highlights (cold)")
    best = min(report("highlights", monthly, in_month, 1.0, label="highlights (warm)") for _ in range(3))
    print(f"  best warm: {best:.3f} s")
    goal(f"highlights report, {in_month} audits", f"{best:.2f} s (best warm)", "<= 1.0 s", best <= 1.0)
    names = [str(s.fields["Title"]) for s in monthly.staff]
    emails = [str(s.fields["email"]) for s in monthly.staff]
    redact = redactor(names, emails, [d.name for d in DOMAINS]).__call__
    report("highlights", monthly, in_month, 1.0, redact, label="+ redactor (cold)")
    report("highlights", monthly, in_month, 1.0, redact, label="+ redactor (warm)")
    # 10,000 audits in the quarter, with the months before it.
    quarterly = fictional_history(13_333, AuditMonth(2026, 12), months=4, seed=2)
    gc.freeze()
    in_quarter = sum(1 for a in quarterly.allocations if str(a.fields["audit_month"]) >= "2026-10")
    report("quarterly", quarterly, in_quarter, 5.0)

    print("\nAggregation only (index + highlights + quarterly), 12 months of history:")
    previous: float | None = None
    for audits in (1_000, 10_000, 100_000):
        history = fictional_history(audits, AuditMonth(2026, 12), months=12, seed=3)
        gc.collect()
        gc.freeze()
        best = min(_timed(partial(_both, history))[1] for _ in range(3))
        ratio = f"  x{best / previous:5.1f} for 10x the audits" if previous else ""
        print(f"  {audits:>7} audits: {best:7.3f} s ({1e6 * best / audits:5.1f} µs per audit){ratio}")
        previous = best
        gc.unfreeze()


if __name__ == "__main__":
    main()
