"""The report templates' layouts: what each report shows where (the documents adapter builds
the ``.docx`` from them; ``auditdesk templates build``)."""

from __future__ import annotations

from shared.services.ports.documents import Column, ReportLayout


def _grade_columns(first: str, first_width: float = 3.7) -> list[Column]:
    return [
        Column(first, first_width),
        Column("Outstanding", 3.2, True),
        Column("Good", 1.6, True),
        Column("Requires Improvement", 3.3, True),
        Column("Inadequate", 2.95, True),
        Column("Good or better", 1.85, True),
    ]


_FIGURES = [Column("Measure", 11.4), Column("Figure", 2.4, True), Column("Framework", 2.8)]


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


# Tables the monthly and quarterly reports share.
_TREND_COLUMNS = [
    Column("Month", 2.95),
    Column("Allocated", 2.55, True),
    Column("Returned", 2.55, True),
    Column("On time", 2.8, True),
    Column("Good or better", 2.8, True),
    Column("Inadequate", 2.95, True),
]
_DISCUSSION_COLUMNS = [
    Column("Timescale", 4.4),
    Column("Due", 1.3, True),
    Column("On time", 1.7, True),
    Column("Late", 1.4, True),
    Column("Overdue", 2.35, True),
    Column("Not yet due", 1.6, True),
    Column("On time", 3.0, True),
]


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
    b.table("flow", _FIGURES)
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
    b.table("domains", _grade_columns("Domain"))
    b.subheading("By team")
    b.table("teams", _grade_columns("Team"), empty="No audit has been accepted yet this month.")
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
    b.heading(4)
    b.text("Concerns raised by auditors during the audit, and the Team Managers' corrective action "
           "recorded on Liquidlogic under Management Oversight (2.6).")  # fmt: skip
    b.table("safeguarding", _FIGURES)
    b.heading(5)
    b.text("Team Manager and worker discuss the findings within 5 working days when the case is "
           "Inadequate and 10 otherwise (2.10).")  # fmt: skip
    b.table("discussions", _DISCUSSION_COLUMNS)
    b.heading(6)
    b.text("What auditors highlighted as good practice (2.3) in accepted audits, with names and "
           "references removed.")  # fmt: skip
    b.bullets("good_practice", "{{ e.text }} ({{ e.team }})", loop="e", lead="{{ e.heading }}")
    b.when_empty("good_practice", "No good practice was highlighted in this month's accepted audits.")
    b.heading(7)
    b.chart("chart_trend")
    b.table("trend", _TREND_COLUMNS)
    b.heading(8)
    b.bullets("about")
    return b


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
    b.table("flow", _FIGURES)
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
    b.table("reaudits", _FIGURES)
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
    b.table("discussions", _DISCUSSION_COLUMNS)
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
    b.heading(7)
    b.chart("chart_trend")
    b.table("trend", _TREND_COLUMNS)
    b.heading(8)
    b.bullets("about")
    return b


def report_layouts() -> list[ReportLayout]:
    return [highlights_layout(), bulletin_layout(), quarterly_layout()]
