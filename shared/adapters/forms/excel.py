"""Excel forms: read a filled .xlsx by defined name, and fill a template by field id.

Reading uses openpyxl's read-only mode, after the hostile-file gate has vetted every part.
Each field's defined name points at its answer cell; the answer sheet is streamed once
over the rectangle those cells span, however many rows the auditor added around them.
Dates come back whether Excel stored them as dates, as serial numbers or as typed text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import warnings
from collections.abc import Collection, Mapping
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook.workbook import Workbook

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
        with warnings.catch_warnings():
            # openpyxl warns about extensions it does not read (e.g. newer validation): harmless.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            try:
                return _values(package, workbook, form, {} if errors is None else errors)
            finally:
                workbook.close()
    except FormRejected:
        raise
    except Exception:  # openpyxl raises anything at all on a damaged workbook
        raise FormRejected(
            "excel-unreadable",
            f"{package.source} is damaged: Excel's workbook structure cannot be read. Open it in Excel, "
            "save it again and resend it; if that fails, copy the answers into a fresh template.",
        ) from None


_SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_C = f"{{{_SHEET_NS}}}c"
_V = f"{{{_SHEET_NS}}}v"
_IS = f"{{{_SHEET_NS}}}is"
_T = f"{{{_SHEET_NS}}}t"
_RUN_TEXT = f"{{{_SHEET_NS}}}r/{{{_SHEET_NS}}}t"
# 'Audit'!$B$12 or Audit!B12: the answer cell a defined name points at (first cell of a range).
_DESTINATION = re.compile(r"^(?:'((?:[^']|'')+)'|([^!'\s]+))!\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::|$)")


def _values(
    package: OfficePackage, workbook: Workbook, form: FormSpec, errors: dict[str, str]
) -> dict[str, FieldValue]:
    """Each field's answer cell. openpyxl has read the workbook's structure (names, shared
    strings, date styles); the answer cells are then picked out of the sheet XML the gate
    has already read and vetted, with lxml: openpyxl's row-by-row reading would cost more
    than the whole load."""
    kinds = {spec.id: spec.kind for spec in form.fields}
    wanted: dict[str, dict[str, str]] = {}
    for name, definition in workbook.defined_names.items():
        if name not in kinds:
            continue
        match = _DESTINATION.match(definition.attr_text or "")
        if match:
            quoted, plain, column, row = match.groups()
            title = quoted.replace("''", "'") if quoted else plain
            wanted.setdefault(title, {})[f"{column.upper()}{row}"] = name
    values: dict[str, FieldValue] = {}
    for title, cells in wanted.items():
        if title not in workbook.sheetnames:
            continue
        sheet = workbook[title]
        # Read-only worksheets keep their part name and shared strings privately (openpyxl 3.1).
        path: str = getattr(sheet, "_worksheet_path", "")
        shared: list[str] = getattr(sheet, "_shared_strings", [])
        if not package.has(path):
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
                values[field_id] = _cell_value(_raw_value(cell, shared, workbook), kinds[field_id])
    return values


def _raw_value(cell: etree._Element, shared: list[str], workbook: Workbook) -> object:
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
        return shared[index] if 0 <= index < len(shared) else None
    if kind == "b":
        return text.strip() == "1"
    if kind != "n":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    style = cell.get("s", "0")
    # Date styles as openpyxl's stylesheet reader found them (style index -> date format).
    date_styles: set[int] = getattr(workbook, "_date_formats", set())
    if style.isdigit() and int(style) in date_styles:
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
