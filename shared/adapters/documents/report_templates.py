"""Build the report templates (``templates/reports/*.docx``) with python-docx and Jinja tags,
from each report's layout (:class:`~shared.services.ports.documents.ReportLayout`, written in
``shared.services.reports``).

The built files are shipped: the QA team may restyle and reword them in Word. Tags are only
ever written in the layouts, by hand, never from data: the data reaches a template as context
values only, rendered with autoescape (see :mod:`shared.adapters.documents.render`). Run
``auditdesk templates build`` to rebuild them after changing a layout.

Tags used (docxtpl): ``{{ value }}``; ``{%p if x %}``/``{%p endif %}`` for whole paragraphs;
``{%tr for r in rows %}``/``{%tr endfor %}`` for table rows; a chart is an ``{{ chart_... }}``
on a paragraph of its own.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
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

from shared.adapters.documents.word_reports import TEMPLATE_FOLDER
from shared.adapters.forms.ooxml import replace_parts
from shared.services.ports.documents import (
    Bullets,
    ChartPlace,
    Column,
    Heading,
    Numbered,
    PageBreak,
    ReportLayout,
    Tag,
    Text,
)
from shared.services.ports.documents import Table as TableBlock

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
        saved = io.BytesIO()
        self.document.save(saved)
        # python-docx stamps each zip entry with the time of saving: rewritten with fixed
        # timestamps, the same layout gives the same bytes, like the forms (ooxml.write_zip).
        path.write_bytes(replace_parts(saved.getvalue(), {}))
        return path


def build_template(layout: ReportLayout, path: Path) -> Path:
    """The layout's template, written to ``path``."""
    b = Builder(layout.title, layout.audience, layout.sections)
    for block in layout.blocks:
        match block:
            case PageBreak():
                b.page_break()
            case Heading(text, level):
                b.plain_heading(text, level)
            case Text(text, italic, bold, size):
                paragraph = b.text(text, italic=italic, size=size)
                if bold:
                    paragraph.runs[0].bold = True
            case Tag(tag):
                b.tag(tag)
            case Bullets(variable, item, loop, lead):
                b.bullets(variable, item, loop, lead)
            case Numbered(variable):
                b.numbered(variable)
            case ChartPlace(variable):
                b.chart(variable)
            case TableBlock(variable, columns, empty):
                b.table(variable, columns, empty=empty)
    return b.save(path)


def template_path(kind: str, folder: Path = TEMPLATE_FOLDER) -> Path:
    return folder / f"{kind}.docx"


def build_report_templates(layouts: Sequence[ReportLayout], folder: Path = TEMPLATE_FOLDER) -> list[Path]:
    """(Re)build each layout's template into ``folder``."""
    return [build_template(layout, template_path(layout.kind, folder)) for layout in layouts]
