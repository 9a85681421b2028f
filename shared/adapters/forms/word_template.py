"""The Word audit tools, written from the schema as OOXML.

Every field is a content control (``w:sdt``) whose tag is the field id: drop-down lists for
judgements, domains and roles, date pickers for dates, a check box for the safeguarding
question, plain or rich text for the rest, with the schema's guidance as placeholder text.
The layout follows the audit tools councils already use: title and guidance for the
auditor, case details, one section per domain, the overall judgement, the immediate
safeguarding question, and the improvement plan as a table on a landscape page.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms import ooxml
from shared.adapters.forms.ooxml import MC, W14, R, W
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.schema import AuditSchema, FieldSpec, FormSpec

_CT_DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
_CT_SETTINGS = "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"
_CT_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
_CT_FOOTER = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
_REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

NAVY = "1F3864"
LABEL_FILL = "DEE6F0"
GUIDANCE_FILL = "F2F2F2"
CHECKBOX_EMPTY = "☐"
CHECKBOX_TICKED = "☒"
# A4 in twentieths of a point, 2 cm margins.
_A4 = (11906, 16838)
_MARGIN = 1134


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _w(tag))
    for key, value in attrs.items():
        element.set(_w(key), value)
    return element


def field_choices(spec: FieldSpec, schema: AuditSchema) -> tuple[str, ...]:
    """The entries of a drop-down field, in the order the auditor sees them."""
    if spec.kind == "grade":
        grades = tuple(g.value for g in Grade)
        return (*grades, NOT_APPLICABLE) if spec.allow_not_applicable else grades
    if spec.kind == "domain":
        return tuple(d.name for d in schema.domains)
    if spec.kind == "role":
        return schema.roles.auditor_order or tuple(sorted(schema.roles.auditors))
    if spec.kind == "staff_role":
        return schema.roles.staff
    if spec.kind == "choice":
        return spec.options
    return ()


def control_title(spec: FieldSpec) -> str:
    """The control's title (``w:alias``), unique on the form: it identifies the field when
    an editor drops the tag (LibreOffice 7 keeps titles but not tags on re-save)."""
    if spec.group.startswith("d") and spec.group[1:].isdigit():
        return f"Domain {spec.group[1:]}: {spec.label}"
    if spec.group == "plan":
        return f"Improvement plan row {spec.id[1 : spec.id.index('_')]}: {spec.label}"
    return spec.label


def placeholder_text(spec: FieldSpec) -> str:
    """What an empty control shows: the schema's guidance (and the date format for dates)."""
    text = spec.guidance.strip() or f"Enter the {spec.label.lower()}."
    if spec.kind == "date":
        text = f"{text} (dd/mm/yyyy)"
    return text


# --- paragraphs and runs -----------------------------------------------------------------


def _run(
    parent: etree._Element,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int | None = None,
    colour: str | None = None,
    style: str | None = None,
) -> etree._Element:
    run = _sub(parent, "r")
    if bold or italic or size or colour or style:
        props = _sub(run, "rPr")
        if style:
            _sub(props, "rStyle", val=style)
        if bold:
            _sub(props, "b")
        if italic:
            _sub(props, "i")
        if colour:
            _sub(props, "color", val=colour)
        if size:
            _sub(props, "sz", val=str(size))
    text_element = _sub(run, "t")
    text_element.text = text
    text_element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _paragraph(
    parent: etree._Element, text: str = "", style: str | None = None, **run: object
) -> etree._Element:
    paragraph = _sub(parent, "p")
    if style:
        _sub(_sub(paragraph, "pPr"), "pStyle", val=style)
    if text:
        _run(paragraph, text, **run)  # type: ignore[arg-type]
    return paragraph


# --- content controls ------------------------------------------------------------------


class _Controls:
    """Writes content controls with unique ids, in document order."""

    def __init__(self, schema: AuditSchema) -> None:
        self.schema = schema
        self.next_id = 1000

    def _properties(self, sdt: etree._Element, spec: FieldSpec, placeholder: bool) -> etree._Element:
        props = _sub(sdt, "sdtPr")
        if placeholder:
            _sub(_sub(props, "rPr"), "rStyle", val="PlaceholderText")
        _sub(props, "alias", val=control_title(spec))
        _sub(props, "tag", val=spec.id)
        self.next_id += 1
        _sub(props, "id", val=str(self.next_id))
        if placeholder:
            _sub(props, "showingPlcHdr")
        return props

    def inline(self, paragraph: etree._Element, spec: FieldSpec) -> None:
        """A control inside a paragraph: text, date, drop-down or check box."""
        sdt = _sub(paragraph, "sdt")
        is_checkbox = spec.kind == "checkbox"
        props = self._properties(sdt, spec, placeholder=not is_checkbox)
        choices = field_choices(spec, self.schema)
        if is_checkbox:
            box = etree.SubElement(props, f"{{{W14}}}checkbox")
            etree.SubElement(box, f"{{{W14}}}checked").set(f"{{{W14}}}val", "0")
            for state, code in (("checkedState", "2612"), ("uncheckedState", "2610")):
                element = etree.SubElement(box, f"{{{W14}}}{state}")
                element.set(f"{{{W14}}}val", code)
                element.set(f"{{{W14}}}font", "MS Gothic")
        elif spec.kind == "date":
            date = _sub(props, "date")
            _sub(date, "dateFormat", val="dd/MM/yyyy")
            _sub(date, "lid", val="en-GB")
            _sub(date, "storeMappedDataAs", val="dateTime")
            _sub(date, "calendar", val="gregorian")
        elif choices:
            listing = _sub(props, "dropDownList")
            for choice in choices:
                _sub(listing, "listItem", displayText=choice, value=choice)
        else:
            _sub(props, "text")
        content = _sub(sdt, "sdtContent")
        if is_checkbox:
            run = _run(content, CHECKBOX_EMPTY, size=24)
            fonts = etree.Element(_w("rFonts"))
            for attribute in ("ascii", "hAnsi", "eastAsia"):
                fonts.set(_w(attribute), "MS Gothic")
            run[0].insert(0, fonts)
        else:
            _run(content, placeholder_text(spec), style="PlaceholderText", colour="808080")

    def block(self, cell: etree._Element, spec: FieldSpec) -> None:
        """A rich-text control holding whole paragraphs, for evidence and rationales."""
        sdt = _sub(cell, "sdt")
        self._properties(sdt, spec, placeholder=True)
        content = _sub(sdt, "sdtContent")
        paragraph = _sub(content, "p")
        _run(paragraph, placeholder_text(spec), style="PlaceholderText", colour="808080")


# --- tables ----------------------------------------------------------------------------


def _table(body: etree._Element, widths: Iterable[int]) -> etree._Element:
    widths = list(widths)
    table = _sub(body, "tbl")
    props = _sub(table, "tblPr")
    _sub(props, "tblW", w=str(sum(widths)), type="dxa")
    borders = _sub(props, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _sub(borders, side, val="single", sz="4", space="0", color="8EA9C1")
    _sub(props, "tblLayout", type="fixed")
    margins = _sub(props, "tblCellMar")
    for side in ("top", "bottom"):
        _sub(margins, side, w="40", type="dxa")
    for side in ("left", "right"):
        _sub(margins, side, w="100", type="dxa")
    grid = _sub(table, "tblGrid")
    for width in widths:
        _sub(grid, "gridCol", w=str(width))
    return table


def _row(table: etree._Element, header: bool = False, cant_split: bool = True) -> etree._Element:
    row = _sub(table, "tr")
    if header or cant_split:
        props = _sub(row, "trPr")
        if cant_split:
            _sub(props, "cantSplit")
        if header:
            _sub(props, "tblHeader")
    return row


def _cell(row: etree._Element, width: int, fill: str | None = None) -> etree._Element:
    cell = _sub(row, "tc")
    props = _sub(cell, "tcPr")
    _sub(props, "tcW", w=str(width), type="dxa")
    if fill:
        _sub(props, "shd", val="clear", color="auto", fill=fill)
    return cell


def _label_cell(row: etree._Element, width: int, spec: FieldSpec) -> None:
    cell = _cell(row, width, LABEL_FILL)
    paragraph = _paragraph(cell, spec.label, bold=True)
    if spec.required:
        _run(paragraph, " *", bold=True, colour="C00000")


# --- the document ----------------------------------------------------------------------


class _WordForm:
    def __init__(self, form: FormSpec, schema: AuditSchema) -> None:
        self.form = form
        self.schema = schema
        self.controls = _Controls(schema)
        self.root = etree.Element(_w("document"), nsmap={"w": W, "r": R, "w14": W14, "mc": MC})
        self.root.set(f"{{{MC}}}Ignorable", "w14")
        self.body = _sub(self.root, "body")
        self.content_width = _A4[0] - 2 * _MARGIN

    def build(self) -> bytes:
        self._title()
        if any(spec.kind == "grade" for spec in self.form.fields):
            self._grading_key()
        groups = _groups(self.form)
        for group, fields in groups:
            if group == "plan":
                continue
            if group == "details":
                heading = "Case details" if self.form.plan_rows else "Details"
                self._heading(heading)
                self._field_table(fields)
            elif group == "overall":
                self._overall(fields)
            else:
                self._domain(group, fields)
        plan = [spec for group, fields in groups if group == "plan" for spec in fields]
        if plan:
            self._end_section(landscape=False)
            self._plan(plan)
            self._closing()
            self._section_properties(self.body, landscape=True)
        else:
            self._closing()
            self._section_properties(self.body, landscape=False)
        return ooxml.xml_bytes(self.root)

    def _title(self) -> None:
        _paragraph(self.body, self.schema.organisation.name, style="Subtitle")
        _paragraph(self.body, self.form.title, style="Title")
        _paragraph(
            self.body,
            f"Audit Framework section {self.form.section}. Form {self.form.id}, version "
            f"{self.form.version}. Fields marked * must be completed.",
            style="Caption",
        )
        self._heading("Guidance for the auditor")
        table = _table(self.body, [self.content_width])
        cell = _cell(_row(table, cant_split=False), self.content_width, GUIDANCE_FILL)
        for sentence in _sentences(self.form.guidance):
            _paragraph(cell, sentence)

    def _grading_key(self) -> None:
        self._heading("Judgements (2.7)")
        label_width = 2600
        table = _table(self.body, [label_width, self.content_width - label_width])
        for grade in Grade:
            row = _row(table)
            _paragraph(_cell(row, label_width, LABEL_FILL), grade.value, bold=True)
            _paragraph(_cell(row, self.content_width - label_width), self.schema.grade_descriptions[grade])

    def _heading(self, text: str, level: int = 1) -> None:
        _paragraph(self.body, text, style=f"Heading{level}")

    def _field_table(self, fields: Iterable[FieldSpec]) -> None:
        label_width = 3400
        table = _table(self.body, [label_width, self.content_width - label_width])
        for spec in fields:
            row = _row(table, cant_split=spec.kind != "richtext")
            _label_cell(row, label_width, spec)
            cell = _cell(row, self.content_width - label_width)
            if spec.kind == "richtext":
                self.controls.block(cell, spec)
            else:
                self.controls.inline(_sub(cell, "p"), spec)
            if spec.kind == "grade":
                self._grade_guidance(table, spec)

    def _grade_guidance(self, table: etree._Element, spec: FieldSpec) -> None:
        """Under a domain's judgement, in small grey type, what each grade looks like in that
        domain (7.1, Appendix 2): in a row of its own, never in the answer's cell."""
        if not (spec.group.startswith("d") and spec.group[1:].isdigit()):
            return
        domain = self.schema.domain(spec.group)
        if not domain.grading:
            return
        cell = _cell(_row(table), self.content_width, GUIDANCE_FILL)
        _sub(cell[0], "gridSpan", val="2")
        for grade, text in domain.grading:
            paragraph = _paragraph(cell, style="GradeGuide")
            _run(paragraph, f"{grade}: ", bold=True, size=15, colour="404040")
            _run(paragraph, text, size=15, colour="404040")

    def _domain(self, domain_id: str, fields: list[FieldSpec]) -> None:
        domain = self.schema.domain(domain_id)
        self._heading(f"Domain {domain.number}: {domain.name}")
        if domain.guidance:
            _paragraph(self.body, domain.guidance, style="Guidance")
        self._field_table(fields)

    def _overall(self, fields: list[FieldSpec]) -> None:
        judgement = [spec for spec in fields if not spec.id.startswith("safeguarding")]
        safeguarding = [spec for spec in fields if spec.id.startswith("safeguarding")]
        if judgement:
            self._heading("Overall judgement (2.7)")
            self._field_table(judgement)
        if safeguarding:
            self._heading("Immediate safeguarding concern (2.6)")
            _paragraph(
                self.body,
                "If you have identified an immediate concern about a child's safety, tell the Team "
                "Manager now so that corrective action can be taken; do not wait until the audit is "
                "finished. The Team Manager records the action on Liquidlogic under Management Oversight.",
                style="Guidance",
            )
            self._field_table(safeguarding)

    def _plan(self, fields: list[FieldSpec]) -> None:
        self._heading("Improvement plan (2.8)")
        _paragraph(
            self.body,
            "Make every action SMART: what will be done, which domain it improves, who will do it, "
            "by when (a working day), and how success will be measured. Every domain judged Requires "
            "Improvement or Inadequate needs at least one action.",
            style="Guidance",
        )
        parts = ["action", "domain", "owner", "due", "measure"]
        width = _A4[1] - 2 * _MARGIN
        widths = [600, 4200, 2600, 2100, 1700]
        widths.append(width - sum(widths))
        table = _table(self.body, widths)
        header = _row(table, header=True)
        by_id = {spec.id: spec for spec in fields}
        labels = ["No."] + [by_id[f"a1_{part}"].label for part in parts]
        for column, label in enumerate(labels):
            _paragraph(_cell(header, widths[column], LABEL_FILL), label, bold=True)
        for number in range(1, self.form.plan_rows + 1):
            row = _row(table)
            _paragraph(_cell(row, widths[0]), str(number), bold=True)
            for column, part in enumerate(parts, start=1):
                self.controls.inline(_sub(_cell(row, widths[column]), "p"), by_id[f"a{number}_{part}"])

    def _closing(self) -> None:
        _paragraph(self.body, "")
        if self.form.plan_rows:
            text = (
                "Return the completed audit and improvement plan to the Quality Assurance Team by the "
                "last working day of the month (2.2), and share your findings with the Team Manager and "
                "practitioner (2.9)."
            )
        else:
            text = "Return the completed form to the Quality Assurance Team."
        _paragraph(self.body, text, style="Guidance")

    def _end_section(self, landscape: bool) -> None:
        paragraph = _sub(self.body, "p")
        self._section_properties(_sub(paragraph, "pPr"), landscape)

    def _section_properties(self, parent: etree._Element, landscape: bool) -> None:
        props = _sub(parent, "sectPr")
        header = _sub(props, "headerReference", type="default")
        header.set(f"{{{R}}}id", "rIdHeader")
        footer = _sub(props, "footerReference", type="default")
        footer.set(f"{{{R}}}id", "rIdFooter")
        width, height = (_A4[1], _A4[0]) if landscape else _A4
        size = _sub(props, "pgSz", w=str(width), h=str(height))
        if landscape:
            size.set(_w("orient"), "landscape")
        margin = str(_MARGIN)
        _sub(
            props,
            "pgMar",
            top=margin,
            right=margin,
            bottom=margin,
            left=margin,
            header="567",
            footer="567",
            gutter="0",
        )


def _groups(form: FormSpec) -> list[tuple[str, list[FieldSpec]]]:
    groups: list[tuple[str, list[FieldSpec]]] = []
    for spec in form.fields:
        if groups and groups[-1][0] == spec.group:
            groups[-1][1].append(spec)
        else:
            groups.append((spec.group, [spec]))
    return groups


def _sentences(text: str) -> list[str]:
    """Guidance split at full stops into short paragraphs, easier to read in a box."""
    parts = [part.strip() for part in text.replace(". ", ".\n").splitlines()]
    return [part for part in parts if part]


# --- the other parts -------------------------------------------------------------------


def _styles() -> bytes:
    root = etree.Element(_w("styles"), nsmap={"w": W})
    defaults = _sub(root, "docDefaults")
    run = _sub(_sub(defaults, "rPrDefault"), "rPr")
    _sub(run, "rFonts", ascii="Arial", hAnsi="Arial", eastAsia="Arial", cs="Arial")
    _sub(run, "sz", val="20")
    _sub(run, "szCs", val="20")
    _sub(run, "lang", val="en-GB")
    _sub(_sub(_sub(defaults, "pPrDefault"), "pPr"), "spacing", after="60", line="264", lineRule="auto")

    def style(
        kind: str,
        style_id: str,
        name: str,
        *,
        size: int | None = None,
        bold: bool = False,
        italic: bool = False,
        colour: str | None = None,
        before: int | None = None,
        after: int | None = None,
        keep_next: bool = False,
        fill: str | None = None,
        default: bool = False,
    ) -> None:
        element = _sub(root, "style", type=kind, styleId=style_id)
        if default:
            element.set(_w("default"), "1")
        _sub(element, "name", val=name)
        if kind == "paragraph" and style_id != "Normal":
            _sub(element, "basedOn", val="Normal")
            _sub(element, "next", val="Normal")
        _sub(element, "qFormat")
        if kind == "paragraph" and (before is not None or after is not None or keep_next or fill):
            paragraph = _sub(element, "pPr")
            if keep_next:
                _sub(paragraph, "keepNext")
            if fill:
                _sub(paragraph, "shd", val="clear", color="auto", fill=fill)
            _sub(paragraph, "spacing", before=str(before or 0), after=str(after or 60))
        props = _sub(element, "rPr")
        if bold:
            _sub(props, "b")
        if italic:
            _sub(props, "i")
        if colour:
            _sub(props, "color", val=colour)
        if size:
            _sub(props, "sz", val=str(size))
            _sub(props, "szCs", val=str(size))

    style("paragraph", "Normal", "Normal", default=True)
    style("paragraph", "Title", "Title", size=36, bold=True, colour=NAVY, after=60)
    style("paragraph", "Subtitle", "Subtitle", size=22, colour="44546A", after=0)
    style("paragraph", "Caption", "Caption", size=17, italic=True, colour="595959", after=120)
    style(
        "paragraph",
        "Heading1",
        "heading 1",
        size=26,
        bold=True,
        colour=NAVY,
        before=280,
        after=100,
        keep_next=True,
    )
    style(
        "paragraph",
        "Heading2",
        "heading 2",
        size=22,
        bold=True,
        colour=NAVY,
        before=160,
        after=60,
        keep_next=True,
    )
    style(
        "paragraph", "Guidance", "Guidance", size=18, italic=True, colour="404040", after=100, keep_next=True
    )
    style("paragraph", "GradeGuide", "Grade guidance", size=15, colour="404040", after=20)
    style("paragraph", "Header", "header", size=16, colour="C00000")
    style("paragraph", "Footer", "footer", size=16, colour="595959")
    style("character", "PlaceholderText", "Placeholder Text", colour="808080")
    return ooxml.xml_bytes(root)


def _settings() -> bytes:
    root = etree.Element(_w("settings"), nsmap={"w": W})
    _sub(root, "defaultTabStop", val="720")
    _sub(root, "characterSpacingControl", val="doNotCompress")
    compat = _sub(root, "compat")
    # Word 2013+ mode: without it Word opens the form in compatibility mode and the
    # check box control (w14) is not clickable.
    _sub(
        compat,
        "compatSetting",
        name="compatibilityMode",
        uri="http://schemas.microsoft.com/office/word",
        val="15",
    )
    return ooxml.xml_bytes(root)


def _header_footer(tag: str, text: str, centred: bool, page_number: bool) -> bytes:
    root = etree.Element(_w(tag), nsmap={"w": W, "r": R})
    paragraph = _sub(root, "p")
    props = _sub(paragraph, "pPr")
    _sub(props, "pStyle", val="Header" if tag == "hdr" else "Footer")
    if centred:
        _sub(props, "jc", val="center")
    _run(paragraph, text, bold=tag == "hdr")
    if page_number:
        _run(paragraph, "   Page ")
        field = _sub(paragraph, "fldSimple", instr=" PAGE ")
        _run(field, "1")
    return ooxml.xml_bytes(root)


def build_word_template(form: FormSpec, schema: AuditSchema) -> bytes:
    """The .docx audit tool for ``form``: the same schema always gives the same bytes."""
    document = _WordForm(form, schema).build()
    footer_text = f"{form.title}: template {form.id} v{form.version}, schema {schema.id} v{schema.version}."
    properties: dict[str, str | int] = {
        ooxml.PROP_TEMPLATE: form.id,
        ooxml.PROP_TEMPLATE_VERSION: form.version,
        ooxml.PROP_SCHEMA: schema.id,
        ooxml.PROP_SCHEMA_VERSION: schema.version,
    }
    parts = [
        (
            "[Content_Types].xml",
            ooxml.content_types_xml(
                {
                    "rels": "application/vnd.openxmlformats-package.relationships+xml",
                    "xml": "application/xml",
                },
                {
                    "/word/document.xml": _CT_DOCUMENT,
                    "/word/styles.xml": _CT_STYLES,
                    "/word/settings.xml": _CT_SETTINGS,
                    "/word/header1.xml": _CT_HEADER,
                    "/word/footer1.xml": _CT_FOOTER,
                    "/docProps/core.xml": ooxml.CT_CORE,
                    "/docProps/app.xml": ooxml.CT_EXTENDED,
                    "/docProps/custom.xml": ooxml.CT_CUSTOM,
                },
            ),
        ),
        (
            "_rels/.rels",
            ooxml.relationships_xml(
                [
                    ("rId1", ooxml.REL_OFFICE_DOCUMENT, "word/document.xml"),
                    ("rId2", ooxml.REL_CORE, "docProps/core.xml"),
                    ("rId3", ooxml.REL_EXTENDED, "docProps/app.xml"),
                    ("rId4", ooxml.REL_CUSTOM, "docProps/custom.xml"),
                ]
            ),
        ),
        ("word/document.xml", document),
        (
            "word/_rels/document.xml.rels",
            ooxml.relationships_xml(
                [
                    ("rIdStyles", _REL_BASE + "styles", "styles.xml"),
                    ("rIdSettings", _REL_BASE + "settings", "settings.xml"),
                    ("rIdHeader", _REL_BASE + "header", "header1.xml"),
                    ("rIdFooter", _REL_BASE + "footer", "footer1.xml"),
                ]
            ),
        ),
        ("word/styles.xml", _styles()),
        ("word/settings.xml", _settings()),
        (
            "word/header1.xml",
            _header_footer("hdr", schema.organisation.protective_marking, centred=True, page_number=False),
        ),
        ("word/footer1.xml", _header_footer("ftr", footer_text, centred=False, page_number=True)),
        (
            "docProps/core.xml",
            ooxml.core_properties_xml(form.title, f"Audit Framework section {form.section}"),
        ),
        ("docProps/app.xml", ooxml.extended_properties_xml()),
        ("docProps/custom.xml", ooxml.custom_properties_xml(properties)),
    ]
    return ooxml.write_zip(parts)
