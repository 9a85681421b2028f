"""Word forms: read the content controls of a filled .docx, and fill a template by field id.

Reading goes straight to ``word/document.xml`` with lxml (python-docx would cost some 20
times the parse): every ``w:sdt`` whose tag is a field id gives that field's value,
wherever the auditor moved it and whatever they typed around it. A control still showing
its placeholder, or still holding the placeholder's words, counts as empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.core.record import FieldValue, read_date
from shared.core.schema import FormSpec
from shared.forms import ooxml
from shared.forms.ooxml import W14, W
from shared.forms.safety import WORD_PART, open_package
from shared.forms.word_template import CHECKBOX_EMPTY, CHECKBOX_TICKED, control_title, placeholder_text

_SDT = f"{{{W}}}sdt"
_SDT_PR = f"{{{W}}}sdtPr"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_TAG = f"{{{W}}}tag"
_ALIAS = f"{{{W}}}alias"
_VAL = f"{{{W}}}val"
_PLACEHOLDER = f"{{{W}}}showingPlcHdr"
_DATE = f"{{{W}}}date"
_FULL_DATE = f"{{{W}}}fullDate"
_CHECKBOX = f"{{{W14}}}checkbox"
_CHECKED = f"{{{W14}}}checked"
_W14_VAL = f"{{{W14}}}val"
_P = f"{{{W}}}p"
_R = f"{{{W}}}r"
_T = f"{{{W}}}t"
_RPR = f"{{{W}}}rPr"
_TAB = f"{{{W}}}tab"
_BR = f"{{{W}}}br"
_CR = f"{{{W}}}cr"
_TEXT_TAGS = (_P, _T, _TAB, _BR, _CR)
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(slots=True)
class WordControls:
    """What the content controls of one document hold, by field id."""

    values: dict[str, FieldValue] = field(default_factory=dict)
    # Field ids whose control appears more than once with different answers.
    conflicting: set[str] = field(default_factory=set)


def read_word_controls(root: etree._Element, form: FormSpec | None = None) -> WordControls:
    """Every tagged content control's value. With ``form``, text identical to a field's
    placeholder counts as empty (Word sometimes drops the placeholder flag)."""
    placeholders = {} if form is None else {spec.id: placeholder_text(spec) for spec in form.fields}
    titles = {} if form is None else {control_title(spec): spec.id for spec in form.fields}
    found = WordControls()
    for sdt in root.iter(_SDT):
        props = sdt.find(_SDT_PR)
        if props is None:
            continue
        tag = props.find(_TAG)
        field_id = None if tag is None else tag.get(_VAL)
        if not field_id:
            alias = props.find(_ALIAS)
            field_id = None if alias is None else titles.get(alias.get(_VAL, ""))
        if not field_id:
            continue
        value = _control_value(sdt, props)
        if isinstance(value, str) and value == placeholders.get(field_id):
            value = None
        previous = found.values.get(field_id)
        if field_id not in found.values or previous in (None, ""):
            found.values[field_id] = value
        elif value not in (None, "") and value != previous and not isinstance(value, bool):
            found.conflicting.add(field_id)
    return found


def _control_value(sdt: etree._Element, props: etree._Element) -> FieldValue:
    box = props.find(_CHECKBOX)
    if box is not None:
        checked = box.find(_CHECKED)
        return checked is not None and checked.get(_W14_VAL, "0").lower() in ("1", "true", "on")
    if props.find(_PLACEHOLDER) is not None:
        return None
    content = sdt.find(_SDT_CONTENT)
    text = "" if content is None else _text(content)
    if not text:
        return None
    date = props.find(_DATE)
    if date is not None:
        full = date.get(_FULL_DATE)
        if full:
            try:
                return dt.date.fromisoformat(full[:10])
            except ValueError:
                pass
    return text


def _text(content: etree._Element) -> str:
    pieces: list[str] = []
    paragraphs = 0
    for element in content.iter(_TEXT_TAGS):
        tag = element.tag
        if tag == _T:
            if element.text:
                pieces.append(element.text)
        elif tag == _P:
            if paragraphs:
                pieces.append("\n")
            paragraphs += 1
        elif tag == _TAB:
            pieces.append("\t")
        else:
            pieces.append("\n")
    return "".join(pieces).strip()


# --- filling ---------------------------------------------------------------------------


def fill_word_form(template: Path | bytes, values: Mapping[str, FieldValue]) -> bytes:
    """A filled copy of a Word template: each value goes into the content control tagged
    with its field id, as an auditor would type it (dates as dd/mm/yyyy with the date
    picker's stored date, ticks in check boxes). None or "" leaves the placeholder.

    Raises ValueError naming any field id the template has no control for.
    """
    data = template.read_bytes() if isinstance(template, Path) else template
    package = open_package(data, "template")
    root = package.parse(WORD_PART)
    filled: set[str] = set()
    for sdt in root.iter(_SDT):
        props = sdt.find(_SDT_PR)
        tag = None if props is None else props.find(_TAG)
        field_id = None if tag is None else tag.get(_VAL)
        if props is None or field_id is None or field_id not in values:
            continue
        filled.add(field_id)
        _fill_control(sdt, props, values[field_id])
    missing = sorted(set(values) - filled)
    if missing:
        raise ValueError("The Word template has no content control tagged " + ", ".join(missing))
    return ooxml.replace_parts(data, {WORD_PART: ooxml.xml_bytes(root)})


def _fill_control(sdt: etree._Element, props: etree._Element, value: FieldValue) -> None:
    content = sdt.find(_SDT_CONTENT)
    if content is None:
        content = etree.SubElement(sdt, _SDT_CONTENT)
    box = props.find(_CHECKBOX)
    if box is not None:
        ticked = bool(value) and str(value).strip().lower() not in ("false", "no", "0")
        checked = box.find(_CHECKED)
        if checked is None:
            checked = etree.SubElement(box, _CHECKED)
        checked.set(_W14_VAL, "1" if ticked else "0")
        for text in content.iter(_T):
            text.text = CHECKBOX_TICKED if ticked else CHECKBOX_EMPTY
        return
    if value is None or value == "":
        return
    for element in (props.find(_PLACEHOLDER), props.find(_RPR)):
        if element is not None:
            props.remove(element)
    date = props.find(_DATE)
    if date is not None and isinstance(value, str):
        # Word's date picker turns typed text into a date: do the same for test and demo data.
        with contextlib.suppress(ValueError):
            value = read_date(value) or value
    text = _as_text(value)
    if date is not None and isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        date.set(_FULL_DATE, f"{day.isoformat()}T00:00:00Z")
    block = content.find(_P) is not None
    for child in list(content):
        content.remove(child)
    lines = text.split("\n")
    if block:
        for line in lines:
            _text_run(etree.SubElement(content, _P), line)
    else:
        for number, line in enumerate(lines):
            run = _text_run(content, line)
            if number:
                run.insert(0, etree.Element(_BR))


def _text_run(parent: etree._Element, text: str) -> etree._Element:
    run = etree.SubElement(parent, _R)
    element = etree.SubElement(run, _T)
    element.text = text
    element.set(_XML_SPACE, "preserve")
    return run


def _as_text(value: FieldValue) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
