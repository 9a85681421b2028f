"""A form field as the auditor meets it: its choices, title and placeholder (the Excel tool's
validation offers the same), and as a Word content control (``w:sdt``) whose tag is the
field id: a drop-down list, a date picker, a check box, or plain or rich text."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms.ooxml import W14
from shared.adapters.forms.word_blocks import add_run, sub, w
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.schema import AuditSchema, FieldSpec

CHECKBOX_EMPTY = "☐"


CHECKBOX_TICKED = "☒"


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
    if spec.group == "previous" and spec.id.startswith("p") and spec.id[1].isdigit():
        return f"Last plan row {spec.id[1 : spec.id.index('_')]}: {spec.label}"
    return spec.label


def placeholder_text(spec: FieldSpec) -> str:
    """What an empty control shows: the schema's guidance (and the date format for dates)."""
    text = spec.guidance.strip() or f"Enter the {spec.label.lower()}."
    if spec.kind == "date":
        text = f"{text} (dd/mm/yyyy)"
    return text


class Controls:
    """Writes content controls with unique ids, in document order."""

    def __init__(self, schema: AuditSchema) -> None:
        self.schema = schema
        self.next_id = 1000

    def _properties(self, sdt: etree._Element, spec: FieldSpec, placeholder: bool) -> etree._Element:
        props = sub(sdt, "sdtPr")
        if placeholder:
            sub(sub(props, "rPr"), "rStyle", val="PlaceholderText")
        sub(props, "alias", val=control_title(spec))
        sub(props, "tag", val=spec.id)
        self.next_id += 1
        sub(props, "id", val=str(self.next_id))
        if placeholder:
            sub(props, "showingPlcHdr")
        return props

    def inline(self, paragraph: etree._Element, spec: FieldSpec) -> None:
        """A control inside a paragraph: text, date, drop-down or check box."""
        sdt = sub(paragraph, "sdt")
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
            date = sub(props, "date")
            sub(date, "dateFormat", val="dd/MM/yyyy")
            sub(date, "lid", val="en-GB")
            sub(date, "storeMappedDataAs", val="dateTime")
            sub(date, "calendar", val="gregorian")
        elif choices:
            listing = sub(props, "dropDownList")
            for choice in choices:
                sub(listing, "listItem", displayText=choice, value=choice)
        else:
            sub(props, "text")
        content = sub(sdt, "sdtContent")
        if is_checkbox:
            run = add_run(content, CHECKBOX_EMPTY, size=24)
            fonts = etree.Element(w("rFonts"))
            for attribute in ("ascii", "hAnsi", "eastAsia"):
                fonts.set(w(attribute), "MS Gothic")
            run[0].insert(0, fonts)
        else:
            add_run(content, placeholder_text(spec), style="PlaceholderText", colour="808080")

    def block(self, cell: etree._Element, spec: FieldSpec) -> None:
        """A rich-text control holding whole paragraphs, for evidence and rationales."""
        sdt = sub(cell, "sdt")
        self._properties(sdt, spec, placeholder=True)
        content = sub(sdt, "sdtContent")
        paragraph = sub(content, "p")
        add_run(paragraph, placeholder_text(spec), style="PlaceholderText", colour="808080")
