"""Writing a register workbook: the shipped templates and the fictional examples.

One data sheet (frozen header, widths, an Excel table, drop-downs and date checks on whole
columns so rows typed below the table are checked too), a "How to fill this in" sheet and a
hidden sheet holding the drop-down lists. The bytes are reproducible: the zip is rewritten
with fixed entry dates and the core properties carry a fixed timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from shared.adapters.forms import ooxml
from shared.adapters.forms.word_template import NAVY
from shared.core.schema import AuditSchema

GUIDANCE_SHEET = "How to fill this in"
LISTS_SHEET = "Lists"
YES_NO = ("Yes", "No")
DATE_FORMAT = "dd/mm/yyyy"
_LAST_ROW = 1_048_576
_HEADER_FILL = PatternFill("solid", fgColor=NAVY)
_WRAP = Alignment(wrap_text=True, vertical="top")

Kind = Literal["text", "email", "choice", "date", "yes-no", "month"]
CellValue = str | bool | dt.date | None


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    title: str
    width: float
    guidance: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RegisterLayout:
    template_id: str
    title: str
    subject: str
    sheet_title: str
    table_name: str
    columns: tuple[TemplateColumn, ...]
    introduction: tuple[str, ...]
    version: int = 1


def build_register_workbook(
    layout: RegisterLayout, schema: AuditSchema, rows: Sequence[Sequence[CellValue]] = ()
) -> bytes:
    """The workbook for ``layout`` holding ``rows`` (none for the blank template)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = layout.sheet_title
    _guidance_sheet(workbook.create_sheet(GUIDANCE_SHEET), layout, schema)
    if any(column.kind in ("choice", "yes-no") for column in layout.columns):
        lists = workbook.create_sheet(LISTS_SHEET)
        lists.sheet_state = "hidden"
    _data_sheet(sheet, workbook, layout, rows)
    properties = workbook.custom_doc_props  # type: ignore[attr-defined]  # openpyxl 3.1, not in the stubs
    properties.append(StringProperty(name=ooxml.PROP_TEMPLATE, value=layout.template_id))
    properties.append(IntProperty(name=ooxml.PROP_TEMPLATE_VERSION, value=layout.version))
    properties.append(StringProperty(name=ooxml.PROP_SCHEMA, value=schema.id))
    properties.append(IntProperty(name=ooxml.PROP_SCHEMA_VERSION, value=schema.version))
    buffer = io.BytesIO()
    workbook.save(buffer)
    core = ooxml.core_properties_xml(layout.title, layout.subject)
    return ooxml.replace_parts(buffer.getvalue(), {"docProps/core.xml": core})


def _data_sheet(
    sheet: Worksheet, workbook: Workbook, layout: RegisterLayout, rows: Sequence[Sequence[CellValue]]
) -> None:
    list_columns = 0
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        header = sheet.cell(1, index, column.title)
        header.font = Font(bold=True, color="FFFFFF")
        header.fill = _HEADER_FILL
        header.alignment = _WRAP
        for number, row in enumerate(rows, start=2):
            cell = sheet.cell(number, index, _cell_value(row[index - 1], column))
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
            elif column.kind == "month":
                cell.number_format = "@"
        target = f"{letter}2:{letter}{_LAST_ROW}"
        if column.kind in ("choice", "yes-no"):
            lists = workbook[LISTS_SHEET]
            list_columns += 1
            choices = column.choices or YES_NO
            list_letter = get_column_letter(list_columns)
            for number, choice in enumerate(choices, start=1):
                lists.cell(number, list_columns, choice)
            source = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$1:${list_letter}${len(choices)}"
            _validate(sheet, DataValidation(type="list", formula1=source), column, target)
        elif column.kind == "date":
            validation = DataValidation(
                type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2099,12,31)"
            )
            _validate(sheet, validation, column, target)
        elif column.kind == "email":
            validation = DataValidation(type="custom", formula1=f'ISNUMBER(SEARCH("@",{letter}2))')
            _validate(sheet, validation, column, target)
        elif column.kind == "month":
            sheet.column_dimensions[letter].number_format = "@"
            # Typed as text so Excel does not turn 2026-11 into a date (a date is read too).
            validation = DataValidation(type="textLength", operator="equal", formula1="7")
            _validate(sheet, validation, column, target)
    last_column = get_column_letter(len(layout.columns))
    last_row = max(2, len(rows) + 1)
    table = Table(displayName=layout.table_name, ref=f"A1:{last_column}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"


def _validate(sheet: Worksheet, validation: DataValidation, column: TemplateColumn, target: str) -> None:
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorTitle = "Audit Desk"
    validation.error = column.guidance[:255]
    validation.showInputMessage = True
    validation.promptTitle = column.title[:32]
    validation.prompt = column.guidance[:255]
    validation.add(target)
    sheet.add_data_validation(validation)


def _cell_value(value: CellValue, column: TemplateColumn) -> CellValue:
    if column.kind == "yes-no" and isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _guidance_sheet(sheet: Worksheet, layout: RegisterLayout, schema: AuditSchema) -> None:
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 100
    sheet.cell(1, 1, schema.organisation.name).font = Font(size=11, color="44546A")
    sheet.cell(2, 1, f"{layout.title}: how to fill this in").font = Font(size=16, bold=True, color=NAVY)
    row = 4
    for line in layout.introduction:
        cell = sheet.cell(row, 1, line)
        cell.alignment = Alignment(wrap_text=False, vertical="top")
        row += 1
    row += 1
    sheet.cell(row, 1, "Column").font = Font(bold=True)
    sheet.cell(row, 2, "What to write").font = Font(bold=True)
    for column in layout.columns:
        row += 1
        sheet.cell(row, 1, column.title).font = Font(bold=True)
        sheet.cell(row, 2, column.guidance).alignment = _WRAP
    sheet.protection.sheet = True
