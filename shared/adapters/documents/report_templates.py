"""Build the report templates (``templates/reports/*.docx``) with python-docx and Jinja tags.

The built files are shipped: the QA team may restyle and reword them in Word. Tags are only
ever written here, by hand, never from data: the data reaches a template as context values
only, rendered with autoescape (see :mod:`shared.adapters.documents.render`). Run
``python -m shared.adapters.documents.report_templates`` to rebuild them after changing this file.

Tags used (docxtpl): ``{{ value }}``; ``{%p if x %}``/``{%p endif %}`` for whole paragraphs;
``{%tr for r in rows %}``/``{%tr endfor %}`` for table rows; a chart is an ``{{ chart_... }}``
on a paragraph of its own.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from shared.config import SHIPPED_TEMPLATES

TEMPLATE_FOLDER = SHIPPED_TEMPLATES / "reports"
INK = RGBColor(0x1F, 0x2A, 0x44)
HEADER_FILL = "D9DEE7"
LANGUAGE = "en-GB"
BODY_PT = 11.0  # body text (accessibility: at least 11 pt)
TABLE_PT = 10.0  # table text
# A column heading's longest word is measured in DejaVu Sans Bold (wider than Calibri, and what
# LibreOffice falls back to without Calibri) at the table size, plus the cell's padding.
_CELL_PADDING_CM = 0.4


def _language(document: DocumentObject, language: str) -> None:
    """Every run's language (spelling, screen readers): the document defaults and Normal."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    targets = [document.styles["Normal"].element.get_or_add_rPr()]
    if defaults is not None:
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
            targets.append(run_defaults.find(qn("w:rPr")))
    for properties in targets:
        for old in properties.findall(qn("w:lang")):
            properties.remove(old)
        lang = OxmlElement("w:lang")
        for attribute in ("w:val", "w:eastAsia", "w:bidi"):
            lang.set(qn(attribute), language)
        properties.append(lang)


@lru_cache(maxsize=512)
def word_width_cm(word: str, size_pt: float = TABLE_PT) -> float:
    """How wide ``word`` prints in bold at ``size_pt``: measured with the font matplotlib ships."""
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    font = FT2Font(findfont(FontProperties(family="DejaVu Sans", weight="bold")))
    font.set_size(size_pt, 72)
    font.set_text(word)
    return float(font.get_width_height()[0]) / 64 / 72 * 2.54


def heading_fits(heading: str, width_cm: float) -> bool:
    """True when every word of a column heading fits its column on one line (no 'Inadequ|ate')."""
    return all(word_width_cm(word) + _CELL_PADDING_CM <= width_cm for word in heading.split())


def set_properties(document: DocumentObject, title: str, when: dt.datetime, organisation: str = "") -> None:
    """Core properties as a reader's software shows them: title, author and dates of this
    report, British English; nothing left from the template python-docx starts from."""
    properties = document.core_properties
    properties.title = title
    properties.author = "Audit Desk"
    properties.last_modified_by = "Audit Desk"
    properties.created = when
    properties.modified = when
    properties.last_printed = when
    properties.revision = 1
    properties.language = LANGUAGE
    properties.subject = f"{organisation} practice audit (8.1)" if organisation else "Practice audit (8.1)"
    properties.keywords = "audit; quality assurance"
    properties.comments = ""
    properties.category = "Report"
    properties.content_status = ""
    properties.identifier = ""
    properties.version = ""


# -- the building blocks -----------------------------------------------------------------------


def _styles(document: DocumentObject) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(5)
    for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 12.5), ("Subtitle", 12)):
        style = document.styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = INK
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "List Number"):
        document.styles[name].paragraph_format.space_after = Pt(3)
    _language(document, LANGUAGE)
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
    """Writes one template: a two-line header (no title page, no contents: the reader starts on
    page 1 with the content), numbered sections with tables and charts."""

    def __init__(self, title: str, audience: str, sections: Sequence[str]) -> None:
        self.document = Document()
        _styles(self.document)
        self.sections = sections
        self._header(title, audience)
        self._footer(title)

    def _header(self, title: str, audience: str) -> None:
        d = self.document
        top = d.add_paragraph("{{ organisation }} · Quality Assurance · {{ classification }}")
        top.runs[0].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        top.paragraph_format.space_after = Pt(0)
        d.add_paragraph(f"{title}: {{{{ period_label }}}}", style="Title")
        d.add_paragraph(f"{audience} Figures as at {{{{ as_of }}}}.")

    def _footer(self, title: str) -> None:
        footer = self.document.sections[0].footer.paragraphs[0]
        footer.text = f"{title} · {{{{ period_label }}}} · {{{{ classification }}}} · page "
        _field(footer, "PAGE", "1")
        for run in footer.runs:
            run.font.size = Pt(9)

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def plain_heading(self, text: str, level: int = 1) -> None:
        self.document.add_paragraph(text, style=f"Heading {level}")

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

    def numbered(self, variable: str) -> None:
        self.tag(f"{{%p for point in {variable} %}}")
        self.document.add_paragraph("{{ point }}", style="List Number")
        self.tag("{%p endfor %}")

    def table(self, variable: str, columns: Sequence[Column], *, empty: str = "") -> None:
        """A table whose body repeats for each row of ``variable`` (a list of lists of text)."""
        if empty:
            self.tag(f"{{%p if {variable} %}}")
        for column in columns:
            if not column.heading.startswith("{{") and not heading_fits(column.heading, column.width_cm):
                raise ValueError(
                    f"Column heading '{column.heading}' would break mid-word at {column.width_cm} cm"
                )
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
                    run.font.size = Pt(TABLE_PT)
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
        set_properties(self.document, "{{ title }}", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        self.document.save(str(path))
        return path


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


# -- the three reports -------------------------------------------------------------------------

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


def build_highlights(path: Path) -> Path:
    b = Builder(
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
    b.text("Team Manager and worker discuss the findings {{ discussion_rule }} (2.10).")
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
    return b.save(path)


BULLETIN_SECTIONS = (
    "What we found",
    "Why it matters",
    "What good looks like",
    "What to do differently",
    "Questions to reflect on in supervision and team meetings",
)


def build_bulletin(path: Path) -> Path:
    b = Builder(
        "Learning from audits",
        "A seven-minute briefing for everyone in Children's Services (8.1): use it in team meetings "
        "and supervision. It names no one.",
        BULLETIN_SECTIONS,
    )
    b.tag("{%p if draft %}")
    banner = b.text("{{ approval }}")
    banner.runs[0].bold = True
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
    b = Builder("Quarterly Audit Report", "For the Leadership Team (8.1).", QUARTERLY_SECTIONS)
    b.heading(1)
    b.tag("{%p if partial %}")
    b.text("{{ partial }}").runs[0].bold = True
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
    b.document.add_paragraph("{{ s.title }}", style="Heading 1")
    b.tag("{%p for para in s.paragraphs %}")
    b.text("{{ para }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.heading(7)
    b.chart("chart_trend")
    b.table("trend", _TREND_COLUMNS)
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
