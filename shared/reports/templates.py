"""Build the report templates (``templates/reports/*.docx``) with python-docx and Jinja tags.

The built files are shipped: the QA team may restyle and reword them in Word. Tags are only
ever written here, by hand, never from data: the data reaches a template as context values
only, rendered with autoescape (see :mod:`shared.reports.render`). Run
``python -m shared.reports.templates`` to rebuild them after changing this file.

Tags used (docxtpl): ``{{ value }}``; ``{%p if x %}``/``{%p endif %}`` for whole paragraphs;
``{%tr for r in rows %}``/``{%tr endfor %}`` for table rows; a chart is an ``{{ chart_... }}``
on a paragraph of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

TEMPLATE_FOLDER = Path(__file__).resolve().parents[2] / "templates" / "reports"
INK = RGBColor(0x1F, 0x2A, 0x44)
HEADER_FILL = "D9DEE7"


# -- the building blocks -----------------------------------------------------------------------


def _styles(document: DocumentObject) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 28), ("Heading 1", 16), ("Heading 2", 12.5), ("Subtitle", 15)):
        style = document.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = INK
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (TOC, PAGE): Word fills it in; the placeholder shows until it does."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _shade(cell_element: _Cell, fill: str) -> None:
    properties = cell_element._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_header(table: Table) -> None:
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row_properties.append(header)


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width_cm: float
    numeric: bool = False


class Builder:
    """Writes one template: title page, contents, numbered sections with tables and charts."""

    def __init__(self, title: str, audience: str, sections: Sequence[str]) -> None:
        self.document = Document()
        _styles(self.document)
        self.sections = sections
        self._title_page(title, audience)
        self._contents()
        self._footer(title)

    def _title_page(self, title: str, audience: str) -> None:
        d = self.document
        for _ in range(5):
            d.add_paragraph()
        d.add_paragraph("Hull Children's Services · Quality Assurance", style="Subtitle")
        d.add_paragraph(title, style="Title")
        d.add_paragraph("{{ period_label }}", style="Subtitle")
        d.add_paragraph("Period covered: {{ date_range }}")
        d.add_paragraph(audience)
        d.add_paragraph("Figures as at {{ as_of }}. Produced by Audit Desk for the Quality Assurance Team.")
        d.add_paragraph("{{ classification }}").runs[0].bold = True
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _contents(self) -> None:
        d = self.document
        heading = d.add_paragraph("Contents", style="Subtitle")
        heading.paragraph_format.space_after = Pt(8)
        for number, name in enumerate(self.sections, start=1):
            d.add_paragraph(f"{number}. {name}").paragraph_format.left_indent = Cm(0.5)
        note = d.add_paragraph()
        note.paragraph_format.space_before = Pt(10)
        _field(
            note,
            'TOC \\o "1-1" \\h \\z \\u',
            "(In Word, right-click here and choose Update Field for a contents list with page numbers.)",
        )
        for run in note.runs:
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        d.add_section(WD_SECTION.NEW_PAGE)

    def _footer(self, title: str) -> None:
        footer = self.document.sections[0].footer.paragraphs[0]
        footer.text = f"{title} · {{{{ period_label }}}} · {{{{ classification }}}} · page "
        _field(footer, "PAGE", "1")
        for run in footer.runs:
            run.font.size = Pt(8)

    def heading(self, number: int, level: int = 1) -> None:
        name = self.sections[number - 1]
        self.document.add_paragraph(f"{number}. {name}", style=f"Heading {level}")

    def subheading(self, text: str) -> None:
        self.document.add_paragraph(text, style="Heading 2")

    def text(self, text: str, *, italic: bool = False, size: float | None = None) -> Paragraph:
        paragraph = self.document.add_paragraph(text)
        for run in paragraph.runs:
            run.italic = italic
            if size:
                run.font.size = Pt(size)
        return paragraph

    def tag(self, tag: str) -> None:
        """A paragraph holding only a block tag, which docxtpl removes with the paragraph."""
        self.document.add_paragraph(tag)

    def bullets(self, variable: str, item: str = "{{ point }}", loop: str = "point", lead: str = "") -> None:
        """A bullet per item; ``lead`` is a tag shown in bold before the item's text."""
        self.tag(f"{{%p for {loop} in {variable} %}}")
        paragraph = self.document.add_paragraph(style="List Bullet")
        if lead:
            paragraph.add_run(lead).bold = True
        paragraph.add_run(item)
        self.tag("{%p endfor %}")

    def when_empty(self, variable: str, message: str) -> None:
        self.tag(f"{{%p if not {variable} %}}")
        self.text(message, italic=True)
        self.tag("{%p endif %}")

    def chart(self, variable: str) -> None:
        paragraph = self.document.add_paragraph(f"{{{{ {variable} }}}}")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(self, variable: str, columns: Sequence[Column], *, empty: str = "") -> None:
        """A table whose body repeats for each row of ``variable`` (a list of lists of text)."""
        if empty:
            self.tag(f"{{%p if {variable} %}}")
        table = self.document.add_table(rows=4, cols=len(columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for position, column in enumerate(columns):
            cells = [table.rows[r].cells[position] for r in range(4)]
            cells[0].text = column.heading
            cells[0].paragraphs[0].runs[0].bold = True
            _shade(cells[0], HEADER_FILL)
            cells[2].text = f"{{{{ r[{position}] }}}}"
            for cell in cells:
                cell.width = Cm(column.width_cm)
                if column.numeric:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
                cell.paragraphs[0].paragraph_format.space_after = Pt(0)
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9.5)
        table.autofit = False
        for grid_column, column in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), columns, strict=True):
            grid_column.set(qn("w:w"), str(int(Cm(column.width_cm).twips)))
        table.rows[1].cells[0].text = f"{{%tr for r in {variable} %}}"
        table.rows[3].cells[0].text = "{%tr endfor %}"
        _repeat_header(table)
        self.document.add_paragraph().paragraph_format.space_after = Pt(2)
        if empty:
            self.tag("{%p else %}")
            self.text(empty, italic=True)
            self.tag("{%p endif %}")

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.document.save(str(path))
        return path


def _grade_columns(first: str, first_width: float = 5.6) -> list[Column]:
    return [
        Column(first, first_width),
        Column("Outstanding", 2.1, True),
        Column("Good", 1.7, True),
        Column("Requires Improvement", 2.5, True),
        Column("Inadequate", 2.1, True),
        Column("Good or better", 2.2, True),
    ]


_FIGURES = [Column("Measure", 10.0), Column("Figure", 2.4, True), Column("Framework", 2.6)]


# -- the three reports -------------------------------------------------------------------------

HIGHLIGHTS_SECTIONS = (
    "At a glance",
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
    Column("Month", 3.6),
    Column("Allocated", 2.0, True),
    Column("Returned", 2.0, True),
    Column("On time", 2.0, True),
    Column("Good or better", 2.6, True),
    Column("Inadequate", 2.2, True),
]
_DISCUSSION_COLUMNS = [
    Column("Timescale", 5.8),
    Column("Due", 1.6, True),
    Column("On time", 1.9, True),
    Column("Late", 1.6, True),
    Column("Overdue", 2.0, True),
    Column("Not yet due", 2.2, True),
    Column("On time %", 1.9, True),
]


def build_highlights(path: Path) -> Path:
    b = Builder(
        "Audit Highlights Report",
        "For the Senior Leadership Team's monthly performance meeting (8.1).",
        HIGHLIGHTS_SECTIONS,
    )
    b.heading(1)
    b.bullets("summary")
    b.heading(2)
    b.text("Audits allocated for the month and returned by the last working day (2.1, 2.2), and audits "
           "returned by the Quality Assurance Team for amendment (2.11).")  # fmt: skip
    b.table("flow", _FIGURES)
    b.heading(3)
    b.text("Overall judgements (2.7) of the audits returned this month.")
    b.chart("chart_overall")
    b.subheading("By domain")
    b.chart("chart_domains")
    b.table("domains", _grade_columns("Domain"))
    b.subheading("By team")
    b.table("teams", _grade_columns("Team"), empty="No audit has been graded yet this month.")
    b.heading(4)
    b.text("An Inadequate case is re-audited the following month by a Senior Manager, and again until "
           "the judgement improves (2.12). Every case in a chain this month is listed, longest first.")  # fmt: skip
    b.table(
        "chains",
        [
            Column("Case", 2.6),
            Column("Team", 3.6),
            Column("Judgement", 2.6),
            Column("Months Inadequate", 2.0, True),
            Column("Next step", 5.4),
        ],
        empty="No case was judged Inadequate or re-audited this month.",
    )
    b.heading(5)
    b.text("Concerns raised by auditors during the audit, and the Team Managers' corrective action "
           "recorded on Liquidlogic under Management Oversight (2.6).")  # fmt: skip
    b.table("safeguarding", _FIGURES)
    b.heading(6)
    b.text("Team Manager and worker discuss the findings within 5 working days when the case is "
           "Inadequate and 10 otherwise (2.10).")  # fmt: skip
    b.table(
        "discussions",
        _DISCUSSION_COLUMNS,
    )
    b.heading(7)
    b.text("What auditors highlighted as good practice (2.3), with names and references removed.")
    b.bullets("good_practice", "{{ e.text }} ({{ e.team }})", loop="e", lead="{{ e.heading }}")
    b.when_empty("good_practice", "No good practice was highlighted in this month's returned audits.")
    b.heading(8)
    b.chart("chart_trend")
    b.table(
        "trend",
        _TREND_COLUMNS,
    )
    b.heading(9)
    b.bullets("about")
    return b.save(path)


BULLETIN_SECTIONS = (
    "What we found",
    "Strengths and areas to develop",
    "Good practice to share",
    "Learning points",
    "Themes for thematic audits",
)


def build_bulletin(path: Path) -> Path:
    b = Builder(
        "Learning from Audits",
        "Learning bulletin for all staff (8.1). It names no one: no names, case or child references.",
        BULLETIN_SECTIONS,
    )
    b.heading(1)
    b.text("{{ intro }}")
    b.chart("chart_domains")
    b.heading(2)
    b.subheading("Strengths")
    b.bullets("strengths")
    b.when_empty("strengths", "Not enough audits were graded this period to name strengths.")
    b.subheading("Areas to develop")
    b.bullets("weaknesses")
    b.when_empty("weaknesses", "No domain was graded Requires Improvement or Inadequate this period.")
    b.table("domains", _grade_columns("Domain"))
    b.heading(3)
    b.text("In auditors' words, with names, references and contact details removed.", italic=True)
    b.bullets("excerpts", "{{ e.text }}", loop="e", lead="{{ e.heading }}")
    b.when_empty("excerpts", "No good practice was highlighted in this period's audits.")
    b.heading(4)
    b.bullets("learning_points")
    b.heading(5)
    b.text("Themed audits are based on Serious Case Reviews, performance information and single case "
           "file audits (3.1). From this period's audits, the Quality Assurance Team suggests:")  # fmt: skip
    b.bullets("themes")
    b.when_empty("themes", "No domain stands out this period.")
    return b.save(path)


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


def build_quarterly(path: Path) -> Path:
    b = Builder(
        "Quarterly Audit Report",
        "For the Leadership Team (8.1).",
        QUARTERLY_SECTIONS,
    )
    b.heading(1)
    b.bullets("summary")
    b.table("flow", _FIGURES)
    b.chart("chart_overall")
    b.heading(2)
    b.text("The share of audits grading each domain Good or Outstanding, month by month (2.3, 2.7).")
    b.chart("chart_domain_trend")
    b.table("domain_trend", [Column("Domain", 7.0), Column("{{ month_names[0] }}", 2.6, True),
                             Column("{{ month_names[1] }}", 2.6, True), Column("{{ month_names[2] }}", 2.6, True),
                             Column("Quarter", 2.2, True)])  # fmt: skip
    b.heading(3)
    b.chart("chart_teams")
    b.table(
        "teams",
        [
            Column("Team", 4.6),
            Column("Audits", 1.6, True),
            Column("Good or better", 2.3, True),
            Column("Inadequate", 2.0, True),
            Column("Returned on time", 2.6, True),
            Column("Overdue", 2.0, True),
            Column("Returned for amendment", 2.4, True),
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
            Column("Case", 2.6),
            Column("Month", 2.6),
            Column("Team", 3.4),
            Column("Judgement", 2.6),
            Column("Months Inadequate", 2.0, True),
            Column("Next step", 4.4),
        ],
        empty="No case was in a re-audit chain this quarter.",
    )
    b.heading(5)
    b.table(
        "discussions",
        _DISCUSSION_COLUMNS,
    )
    b.heading(6)
    b.text("Tasks due this quarter: case discussions twice a year (4.2), supervision audits at least twice "
           "a year (5.3) and staff observations (6.2 to 6.6).")  # fmt: skip
    compliance = [Column("Task", 3.6), Column("Team", 4.2), Column("Due", 1.5, True), Column("Done", 1.5, True),
                  Column("Done on time", 2.2, True), Column("Overdue", 1.8, True), Column("Not yet due", 2.0, True)]  # fmt: skip
    b.table("compliance_totals", compliance)
    b.subheading("By team")
    b.table("compliance", compliance, empty="No such tasks were due this quarter.")
    b.heading(7)
    b.chart("chart_trend")
    b.table(
        "trend",
        _TREND_COLUMNS,
    )
    b.heading(8)
    b.bullets("about")
    return b.save(path)


BUILDERS = {
    "highlights": build_highlights,
    "bulletin": build_bulletin,
    "quarterly": build_quarterly,
}


def template_path(kind: str, folder: Path = TEMPLATE_FOLDER) -> Path:
    return folder / f"{kind}.docx"


def build_report_templates(folder: Path = TEMPLATE_FOLDER) -> list[Path]:
    """(Re)build every report template into ``folder``."""
    return [build(template_path(kind, folder)) for kind, build in BUILDERS.items()]


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for built in build_report_templates(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_FOLDER):
        print(built)
