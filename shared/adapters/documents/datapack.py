"""The data pack behind each report (.xlsx, openpyxl): one sheet per table, for the Wider
Leadership meeting.

openpyxl stores any string that starts with ``=`` as a formula, and spreadsheet programs run
text that starts with ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a
formula when a cell is edited or the sheet is saved as CSV and opened again. Every text value
that starts with one of those gets a leading single quote (OWASP's advice for CSV injection,
which survives a CSV export) and every text cell is stored as text, never as a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from shared.services.ports.documents import DataTable, Share, Value

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Value) -> Value:
    """Text that a spreadsheet would read as a formula, made inert (prefixed with a quote). A
    share is written as the report prints it, with its count ('82% (41 of 50)', '3 of 4')."""
    if isinstance(value, Share):
        value = str(value)
    if isinstance(value, str):
        value = _ILLEGAL.sub(" ", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


def build_data_pack(title: str, period_label: str, tables: Sequence[DataTable]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    contents = workbook.active
    assert contents is not None
    contents.title = "Contents"
    contents.append([neutralise(f"{title}: data pack")])
    contents.append([neutralise(period_label)])
    contents.append([])
    contents.append(["Sheet", "Table"])
    contents["A1"].font = Font(bold=True, size=14)
    header_fill = PatternFill("solid", fgColor="D9DEE7")
    used: set[str] = {"Contents"}
    for table in tables:
        name = _sheet_name(table.key, used)
        contents.append([name, neutralise(table.title)])
        sheet = workbook.create_sheet(name)
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([neutralise(v) for v in row])
        for cell in (c for row in sheet.iter_rows(min_row=2) for c in row):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever it looks like
            elif cell.column - 1 in table.percent and isinstance(cell.value, float | int):
                cell.number_format = "0%"
        for position, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[position - 1] or "")) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(position)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A2"
    contents.column_dimensions["A"].width = 22
    contents.column_dimensions["B"].width = 48
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(key: str, used: set[str]) -> str:
    base = _SHEET_NAME.sub(" ", key.replace("_", " ").capitalize())[:28] or "Sheet"
    name, number = base, 2
    while name in used:
        name, number = f"{base} {number}", number + 1
    used.add(name)
    return name
