"""Word forms: read the content controls of a filled .docx, and fill a template by field id.

Reading goes straight to ``word/document.xml`` with lxml (python-docx would cost some 20
times the parse): every ``w:sdt`` whose tag is a field id gives that field's value,
wherever the auditor moved it and whatever they typed around it. A control still showing
its placeholder, or still holding the placeholder's words, counts as empty.

The reader reads what the person sees in Word: text deleted or moved away under tracked
changes (``w:del``, ``w:moveFrom``) is not read, a text box Word writes twice (its
``mc:Choice`` and the ``mc:Fallback`` for older readers) is read once, a non-breaking hyphen
is a hyphen and a symbol (``w:sym``) is its character. Text typed in an answer's cell but
beside its box is reported, never silently dropped (:attr:`WordControls.beside`).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import io
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from shared.adapters.forms import ooxml
from shared.adapters.forms.controls import CHECKBOX_EMPTY, CHECKBOX_TICKED, control_title, placeholder_text
from shared.adapters.forms.ooxml import MC, W14, W
from shared.adapters.forms.safety import WORD_PART, open_package
from shared.core.record import FieldValue, read_date
from shared.core.schema import FormSpec

_SDT = f"{{{W}}}sdt"
_SDT_PR = f"{{{W}}}sdtPr"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_TAG = f"{{{W}}}tag"
_ID = f"{{{W}}}id"
_LOCK = f"{{{W}}}lock"
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
_NO_BREAK_HYPHEN = f"{{{W}}}noBreakHyphen"
_SOFT_HYPHEN = f"{{{W}}}softHyphen"
_SYM = f"{{{W}}}sym"
_CHAR = f"{{{W}}}char"
_FONT = f"{{{W}}}font"
_TC = f"{{{W}}}tc"
_R_STYLE = f"{{{W}}}rStyle"
_TEXT_TAGS = (_P, _T, _TAB, _BR, _CR, _NO_BREAK_HYPHEN, _SYM)
# What a reader of the page does not see: deleted or moved-away text under tracked changes,
# and the copy of a text box Word writes for older readers beside the one it shows.
_UNSEEN = (f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass(slots=True)
class WordControls:
    """What the content controls of one document hold, by field id."""

    values: dict[str, FieldValue] = field(default_factory=dict)
    # Field ids whose control appears more than once with different answers.
    conflicting: set[str] = field(default_factory=set)
    # Text typed in a field's answer cell but outside its box, by field id.
    beside: dict[str, str] = field(default_factory=dict)


def without_unseen(root: etree._Element) -> etree._Element:
    """The document as the person sees it: tracked deletions and moves-away, and the fallback
    copy of text boxes, taken out (in place; the tree is the reader's own parse)."""
    for element in list(root.iter(_UNSEEN)):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return root


def read_word_controls(root: etree._Element, form: FormSpec | None = None) -> WordControls:
    """Every tagged content control's value. With ``form``, text identical to a field's
    placeholder counts as empty (Word sometimes drops the placeholder flag)."""
    placeholders = {} if form is None else {spec.id: placeholder_text(spec) for spec in form.fields}
    titles = {} if form is None else {control_title(spec): spec.id for spec in form.fields}
    found = WordControls()
    without_unseen(root)
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
        value = _control_value(sdt, props, placeholders.get(field_id))
        if isinstance(value, str) and value == placeholders.get(field_id):
            value = None
        beside = _text_beside(sdt)
        if beside and field_id not in found.beside:
            found.beside[field_id] = beside
        previous = found.values.get(field_id)
        if field_id not in found.values or previous in (None, ""):
            found.values[field_id] = value
        elif value not in (None, "") and value != previous and not isinstance(value, bool):
            found.conflicting.add(field_id)
    return found


def _control_value(sdt: etree._Element, props: etree._Element, placeholder: str | None) -> FieldValue:
    box = props.find(_CHECKBOX)
    if box is not None:
        checked = box.find(_CHECKED)
        return checked is not None and checked.get(_W14_VAL, "0").lower() in ("1", "true", "on")
    content = sdt.find(_SDT_CONTENT)
    text = "" if content is None else _text(content)
    if not text:
        return None
    if props.find(_PLACEHOLDER) is not None and (
        text == placeholder or content is None or _all_placeholder_style(content)
    ):
        # Still the placeholder. Typed text under a flag an editor forgot to clear is an answer.
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


def _all_placeholder_style(content: etree._Element) -> bool:
    """Every run with text is styled as placeholder text (what Word shows for an empty box)."""
    runs = [run for run in content.iter(_R) if run.find(_T) is not None]
    if not runs:
        return True
    for run in runs:
        props = run.find(_RPR)
        style = None if props is None else props.find(_R_STYLE)
        if style is None or style.get(_VAL) != "PlaceholderText":
            return False
    return True


def _text_beside(sdt: etree._Element) -> str:
    """Text in the same table cell as the control but outside any control: typed beside the box."""
    cell = sdt.getparent()
    while cell is not None and cell.tag != _TC:
        if cell.tag == _SDT:
            return ""  # a control inside another control: the outer one owns the cell
        cell = cell.getparent()
    if cell is None:
        return ""
    pieces: list[str] = []
    for run in cell.iter(_R):
        if any(ancestor.tag == _SDT for ancestor in run.iterancestors()):
            continue
        pieces.append(_text(run))
    return " ".join(" ".join(pieces).split())


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
        elif tag == _NO_BREAK_HYPHEN:
            pieces.append("-")
        elif tag == _SYM:
            pieces.append(_symbol(element))
        else:
            pieces.append("\n")
    return "".join(pieces).strip()


# Symbol-font characters Word stores at U+F000 plus the font's own code: the common ones as
# the characters they show. Others keep Word's code, so nothing the auditor typed vanishes.
_SYMBOL_FONTS = {
    "wingdings": {0xFC: "✓", 0xFB: "✗", 0xFE: "☒", 0xA8: "☐", 0x9F: "•", 0xE0: "→"},
    "symbol": {0xB7: "•", 0xB0: "°", 0xA3: "≤", 0xB3: "≥", 0xB1: "±", 0xAE: "→", 0xD7: "×"},
}


def _symbol(element: etree._Element) -> str:
    """A ``w:sym`` character as the reader sees it."""
    try:
        number = int(element.get(_CHAR, ""), 16)
    except ValueError:
        return ""
    font = (element.get(_FONT) or "").strip().lower()
    if 0xF000 <= number <= 0xF0FF:
        shown = _SYMBOL_FONTS.get(font, {}).get(number - 0xF000)
        if shown:
            return shown
    return chr(number) if 0x20 <= number < 0x110000 else ""


# --- filling ---------------------------------------------------------------------------


def fill_word_form(
    template: Path | bytes, values: Mapping[str, FieldValue], locked: Collection[str] = ()
) -> bytes:
    """A filled copy of a Word template: each value goes into the content control tagged
    with its field id, as an auditor would type it (dates as dd/mm/yyyy with the date
    picker's stored date, ticks in check boxes). None or "" leaves the placeholder.
    The controls of the field ids in ``locked`` can be neither edited nor deleted in Word
    (``w:lock sdtContentLocked``): what the service already knows stays as it is.

    Raises ValueError naming any field id the template has no control for.
    """
    data = template.read_bytes() if isinstance(template, Path) else template
    template_root, parts = _template_package(data)
    root = copy.deepcopy(template_root)
    filled: set[str] = set()
    for sdt in root.iter(_SDT):
        props = sdt.find(_SDT_PR)
        tag = None if props is None else props.find(_TAG)
        field_id = None if tag is None else tag.get(_VAL)
        if props is None or field_id is None or field_id not in values:
            continue
        filled.add(field_id)
        _fill_control(sdt, props, values[field_id])
        if field_id in locked:
            _lock(props)
    missing = sorted(set(values) - filled)
    if missing:
        raise ValueError("The Word template has no content control tagged " + ", ".join(missing))
    document = ooxml.xml_bytes(root)
    return ooxml.write_zip((name, document if name == WORD_PART else part) for name, part in parts)


@functools.lru_cache(maxsize=4)
def _template_package(data: bytes) -> tuple[etree._Element, tuple[tuple[str, bytes], ...]]:
    """A template checked, unzipped and parsed once (keyed by its bytes, so a rebuilt template is
    read afresh): a month's allocations each fill a copy of the same document (issue 19)."""
    root = open_package(data, "template").parse(WORD_PART)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = tuple((name, source.read(name)) for name in source.namelist())
    return root, parts


def _lock(props: etree._Element) -> None:
    lock = props.find(_LOCK)
    if lock is None:
        lock = etree.Element(_LOCK)
        # CT_SdtPr's sequence: rPr, alias, tag, id, lock, ... (Word refuses elements out of order).
        after = [props.find(name) for name in (_RPR, _ALIAS, _TAG, _ID)]
        anchor = max((props.index(e) for e in after if e is not None), default=-1)
        props.insert(anchor + 1, lock)
    lock.set(_VAL, "sdtContentLocked")


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
