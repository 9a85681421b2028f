"""Excel forms: read a filled .xlsx by defined name, and fill a template by field id.

Reading works on the parts the hostile-file gate has already vetted: the workbook's defined
names, sheets, shared strings and date styles as openpyxl's read-only load would find them
(its public number-format rules), then each field's answer cell picked out of its sheet.
Dates come back whether Excel stored them as dates, as serial numbers or as typed text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import posixpath
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.styles.numbers import builtin_format_code, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from shared.adapters.forms.safety import OfficePackage
from shared.core.record import FieldValue, read_checkbox, read_date
from shared.core.schema import FormSpec
from shared.services.ports.forms import FormRejected


def read_excel_values(
    package: OfficePackage, data: bytes, form: FormSpec, errors: dict[str, str] | None = None
) -> dict[str, FieldValue]:
    """The answer cell of every field id that has a defined name, as Excel holds it. A cell
    showing an Excel error (``#NAME?``, ``#REF!``...) is no answer: it is read as empty and
    put in ``errors`` (field id -> the error shown)."""
    try:
        return _values(package, _workbook(package), form, {} if errors is None else errors)
    except FormRejected:
        raise
    except Exception:  # a part missing, a reference that leads nowhere, a number that is not one
        raise FormRejected(
            "excel-unreadable",
            f"{package.source} is damaged: Excel's workbook structure cannot be read. Open it in Excel, "
            "save it again and resend it; if that fails, copy the answers into a fresh template.",
        ) from None


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_C = f"{{{_SHEET_NS}}}c"
_V = f"{{{_SHEET_NS}}}v"
_IS = f"{{{_SHEET_NS}}}is"
_T = f"{{{_SHEET_NS}}}t"
_RUN_TEXT = f"{{{_SHEET_NS}}}r/{{{_SHEET_NS}}}t"
# 'Audit'!$B$12 or Audit!B12: the answer cell a defined name points at (first cell of a range).
_DESTINATION = re.compile(r"^(?:'((?:[^']|'')+)'|([^!'\s]+))!\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::|$)")


@dataclass(frozen=True, slots=True)
class _Workbook:
    """What reading the answers needs of the workbook, from the parts the gate has vetted."""

    sheets: dict[str, str]  # sheet title -> its part
    names: dict[str, str]  # workbook-wide defined name -> what it refers to
    shared: list[str]  # the shared strings, by index
    date_styles: frozenset[int]  # cell style indexes whose number format is a date
    epoch: dt.datetime


def _workbook(package: OfficePackage) -> _Workbook:
    """The workbook's sheets, names, shared strings and date styles, read as openpyxl's
    read-only load reads them (the same public format rules: ``is_date_format``), from the
    package the gate has already opened: no second unzip, nothing private of openpyxl's."""
    main = _related(package, "", "officeDocument")[0]
    root = package.parse(main)
    related = {rid: target for rid, (_, target) in _relationships(package, main).items()}
    # Every sheet the workbook lists must lead to its part: one that leads nowhere is damage.
    sheets = {
        sheet.get("name", ""): related[sheet.get(_R_ID, "")]
        for sheet in root.iterfind(f"{{{_SHEET_NS}}}sheets/{{{_SHEET_NS}}}sheet")
    }
    names = {
        str(name.get("name")): name.text or ""
        for name in root.iterfind(f"{{{_SHEET_NS}}}definedNames/{{{_SHEET_NS}}}definedName")
        if name.get("localSheetId") is None  # a sheet's own name is not the workbook's
    }
    properties = root.find(f"{{{_SHEET_NS}}}workbookPr")
    in_1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
    return _Workbook(
        sheets,
        names,
        [
            _shared_string(si)
            for part in _related(package, main, "sharedStrings")
            for si in package.parse(part)
        ],
        frozenset(i for part in _related(package, main, "styles") for i in _date_styles(package.parse(part))),
        MAC_EPOCH if in_1904 else WINDOWS_EPOCH,
    )


def _relationships(package: OfficePackage, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, the target part's name)."""
    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if part else "_rels/.rels"
    if not package.has(rels):
        return {}
    found = {}
    for rel in package.parse(rels).iterfind(f"{{{_RELS_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return found


def _related(package: OfficePackage, part: str, kind: str) -> list[str]:
    """The parts of one relationship type (the last word of its URI) that the package holds."""
    return [
        target
        for rel_type, target in _relationships(package, part).values()
        if rel_type.rpartition("/")[2] == kind and package.has(target)
    ]


def _shared_string(si: etree._Element) -> str:
    # As openpyxl's string table: the plain text, then the rich-text runs; "x005F_" dropped.
    text = "".join(t.text or "" for t in (*si.iterfind(_T), *si.iterfind(_RUN_TEXT)))
    return text.replace("x005F_", "")


def _date_styles(styles: etree._Element) -> set[int]:
    """Cell style indexes (cellXfs) whose number format shows a date or time."""
    custom = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode")
        for fmt in styles.iterfind(f"{{{_SHEET_NS}}}numFmts/{{{_SHEET_NS}}}numFmt")
    }
    dates = set()
    for index, xf in enumerate(styles.iterfind(f"{{{_SHEET_NS}}}cellXfs/{{{_SHEET_NS}}}xf")):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom[number_format] if number_format in custom else builtin_format_code(number_format)
        if is_date_format(code):
            dates.add(index)
    return dates


def _values(
    package: OfficePackage, workbook: _Workbook, form: FormSpec, errors: dict[str, str]
) -> dict[str, FieldValue]:
    """Each field's answer cell, picked out of the sheet XML the gate has already read and
    vetted, with lxml: openpyxl's row-by-row reading would cost more than the whole load."""
    kinds = {spec.id: spec.kind for spec in form.fields}
    wanted: dict[str, dict[str, str]] = {}
    for name, reference in workbook.names.items():
        if name not in kinds:
            continue
        match = _DESTINATION.match(reference)
        if match:
            quoted, plain, column, row = match.groups()
            title = quoted.replace("''", "'") if quoted else plain
            wanted.setdefault(title, {})[f"{column.upper()}{row}"] = name
    values: dict[str, FieldValue] = {}
    for title, cells in wanted.items():
        path = workbook.sheets.get(title)
        if path is None or not package.has(path):
            continue
        root = package.parse(path)
        for cell in root.iter(_C):
            field_id = cells.get(cell.get("r", ""))
            if field_id is None:
                continue
            if cell.get("t") == "e":
                errors[field_id] = (cell.findtext(_V) or "#VALUE!").strip()[:16]
                values[field_id] = None
            else:
                values[field_id] = _cell_value(_raw_value(cell, workbook), kinds[field_id])
    return values


def _raw_value(cell: etree._Element, workbook: _Workbook) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_IS)
        if inline is None:
            return None
        return "".join(t.text or "" for t in (*inline.iterfind(_T), *inline.iterfind(_RUN_TEXT)))
    text = cell.findtext(_V)
    if text is None or text == "":
        return None
    if kind == "s":
        index = int(text) if text.isdigit() else -1
        return workbook.shared[index] if 0 <= index < len(workbook.shared) else None
    if kind == "b":
        return text.strip() == "1"
    if kind != "n":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    style = cell.get("s", "0")
    if style.isdigit() and int(style) in workbook.date_styles:
        try:
            return from_excel(number, workbook.epoch)
        except (ValueError, OverflowError, TypeError):
            return text
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _cell_value(value: object, kind: str) -> FieldValue:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if kind == "date" else value
    if isinstance(value, str) and kind == "checkbox":
        try:
            return read_checkbox(value)
        except ValueError:
            return value
    if isinstance(value, dt.date | str | bool):
        return value
    if isinstance(value, int | float):
        if kind == "date":
            try:
                serial = from_excel(value)
            except (ValueError, OverflowError, TypeError):
                return str(value)
            return serial.date() if isinstance(serial, dt.datetime) else str(value)
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value)


# --- filling ---------------------------------------------------------------------------


def fill_excel_form(
    template: Path | bytes, values: Mapping[str, FieldValue], locked: Collection[str] = ()
) -> bytes:
    """A filled copy of an Excel template: each value goes into the cell named with its
    field id (dates as Excel dates, ticks as Yes/No). None or "" leaves the cell empty.
    The cells of the field ids in ``locked`` are locked (the sheet is protected): what the
    service already knows stays as it is.

    Raises ValueError naming any field id the template has no named cell for.
    """
    data = template.read_bytes() if isinstance(template, Path) else template
    workbook = load_workbook(io.BytesIO(data))
    missing = []
    for field_id, value in values.items():
        definition = workbook.defined_names.get(field_id)
        if definition is None:
            missing.append(field_id)
            continue
        for sheet_title, reference in definition.destinations:
            cell = workbook[sheet_title][reference.replace("$", "").split(":")[0]]
            if isinstance(value, str) and cell.is_date:
                # Excel turns a typed date into a date: do the same for test and demo data.
                with contextlib.suppress(ValueError):
                    value = read_date(value) or value
            cell.value = _excel_value(value)
            if field_id in locked:
                cell.protection = Protection(locked=True)
            break
    if missing:
        raise ValueError("The Excel template has no cell named " + ", ".join(sorted(missing)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value: FieldValue) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value
