"""The learning bulletin for all staff (8.1), a seven-minute briefing: what it measures (the
period's accepted audits only, no figure from fewer than the minimum), what it says, and its
template. The QA team approves each excerpt before it goes (:mod:`shared.services.reports.approval`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.core.schema import Domain, Organisation, Timescales
from shared.core.wording import discussion_days
from shared.services.ports.documents import (
    MINIMUM_FOR_PERCENT,
    Column,
    DataTable,
    ReportContent,
    ReportLayout,
)
from shared.services.reports.aggregate import (
    AuditIndex,
    AuditRow,
)
from shared.services.reports.anonymise import Reviewed
from shared.services.reports.content import (
    GRADE_HEADERS,
    TITLES,
    common,
    domain_chart,
    grade_row,
    grades_alt,
)
from shared.services.reports.learning import lesson, reflective_questions
from shared.services.reports.measures import (
    Excerpt,
    GradeCounts,
    discussion_timeliness,
    domain_distribution,
    good_practice_excerpts,
    overall_distribution,
    share,
    throughput,
)
from shared.services.reports.period import ReportPeriod


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
    context = common(
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
            ("Domain", *GRADE_HEADERS),
            [grade_row(d.domain.name, d.grades, minimum) for d in b.domains if d.grades.graded >= minimum],
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
            "chart_domains": domain_chart(
                f"What accepted audits found, by domain: {period.label}", chart_rows
            )
        }
        content.alt_text = {
            "chart_domains": grades_alt(
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


BULLETIN_SECTIONS = (
    "What we found",
    "Why it matters",
    "What good looks like",
    "What to do differently",
    "Questions to reflect on in supervision and team meetings",
)


def bulletin_layout() -> ReportLayout:
    b = ReportLayout(
        "bulletin",
        "Learning from audits",
        "A seven-minute briefing for everyone in Children's Services (8.1): use it in team meetings "
        "and supervision. It names no one.",
        BULLETIN_SECTIONS,
    )
    b.tag("{%p if draft %}")
    b.text("{{ approval }}", bold=True)
    b.subheading("Excerpts for approval")
    b.text("Approve an excerpt by its number (auditdesk report bulletin --approve --excerpts 1,3) or in "
           "the Bulletin Excerpts list. Withheld excerpts cannot be published.", italic=True)  # fmt: skip
    b.table(
        "review_rows",
        [
            Column("No.", 1.3, True),
            Column("Domain", 3.6),
            Column("Excerpt (redacted)", 8.3),
            Column("Status", 3.4),
        ],
        empty="No good practice was highlighted in this period's accepted audits.",
    )
    b.tag("{%p endif %}")
    b.heading(1)
    b.bullets("found")
    b.tag("{%p if has_chart %}")
    b.chart("chart_domains")
    b.tag("{%p endif %}")
    b.heading(2)
    b.bullets("why")
    b.heading(3)
    b.text("The standard each audit looks for (2.3):")
    b.bullets("standard")
    b.subheading("In auditors' words")
    b.bullets("excerpts", "{{ e.text }}", loop="e", lead="{{ e.heading }}")
    b.when_empty("excerpts", "No excerpt has been approved for this bulletin.")
    b.heading(4)
    b.bullets("do")
    b.heading(5)
    b.numbered("questions")
    b.text("{{ source }}", italic=True, size=10)
    b.tag("{%p if not draft %}")
    b.text("{{ approval }}", italic=True, size=10)
    b.tag("{%p endif %}")
    return b
