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
import warnings
from collections.abc import Mapping
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import from_excel

from shared.core.record import FieldValue, read_checkbox, read_date
from shared.core.schema import FormSpec
from shared.forms.outcome import FormRejected
from shared.forms.safety import OfficePackage


def read_excel_values(package: OfficePackage, data: bytes, form: FormSpec) -> dict[str, FieldValue]:
    """The answer cell of every field id that has a defined name, as Excel holds it."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it does not read (e.g. newer validation): harmless.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            try:
                return _values(workbook, form)
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


def _values(workbook: object, form: FormSpec) -> dict[str, FieldValue]:
    from openpyxl.workbook.workbook import Workbook

    assert isinstance(workbook, Workbook)
    wanted = set(form.field_ids)
    cells: dict[str, dict[tuple[int, int], str]] = {}
    for name, definition in workbook.defined_names.items():
        if name not in wanted:
            continue
        for sheet_title, reference in definition.destinations:
            first = reference.replace("$", "").split(":")[0]
            column, row = coordinate_from_string(first)
            cells.setdefault(sheet_title, {})[(row, column_index_from_string(column))] = name
            break
    kinds = {spec.id: spec.kind for spec in form.fields}
    values: dict[str, FieldValue] = {}
    for sheet_title, wanted_cells in cells.items():
        if sheet_title not in workbook.sheetnames:
            continue
        sheet = workbook[sheet_title]
        rows = [row for row, _ in wanted_cells]
        columns = [column for _, column in wanted_cells]
        top, left = min(rows), min(columns)
        grid = sheet.iter_rows(
            min_row=top, max_row=max(rows), min_col=left, max_col=max(columns), values_only=True
        )
        for row_number, cells_in_row in enumerate(grid, start=top):
            for column_number, value in enumerate(cells_in_row, start=left):
                field_id = wanted_cells.get((row_number, column_number))
                if field_id is not None:
                    values[field_id] = _cell_value(value, kinds[field_id])
    return values


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


def fill_excel_form(template: Path | bytes, values: Mapping[str, FieldValue]) -> bytes:
    """A filled copy of an Excel template: each value goes into the cell named with its
    field id (dates as Excel dates, ticks as Yes/No). None or "" leaves the cell empty.

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
