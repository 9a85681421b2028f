"""The Excel audit tool, written from the schema with openpyxl.

One input sheet: a row per field (question, answer, guidance), the answer cell named with
the field id, drop-down validation for judgements, domains, roles and yes/no questions,
date validation for dates, and the improvement plan as an Excel table. Answer cells are
unlocked and the rest of the sheet protected without a password, so the form cannot be
broken by accident but needs nothing to fill in. Drop-down lists live on a hidden sheet.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from shared.adapters.forms import ooxml
from shared.adapters.forms.controls import field_choices, placeholder_text
from shared.adapters.forms.word_template import NAVY
from shared.core.grades import Grade
from shared.core.schema import AuditSchema, FieldSpec, FormSpec

INPUT_SHEET = "Audit"
LISTS_SHEET = "Lists"
PLAN_TABLE = "ImprovementPlan"
YES_NO = ("Yes", "No")
DATE_FORMAT = "dd/mm/yyyy"

_THIN = Side(style="thin", color="8EA9C1")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LABEL_FILL = PatternFill("solid", fgColor="DEE6F0")
_INPUT_FILL = PatternFill("solid", fgColor="FFFBE6")
_SECTION_FILL = PatternFill("solid", fgColor=NAVY)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)
_PLAN_PARTS = ("action", "domain", "owner", "due", "measure")
# The re-audit's look at the last plan (2.12): part -> column (the note in the wide column E).
_PREVIOUS_PARTS = (("action", 1), ("status", 2), ("finding", 3), ("note", 5))


class _ExcelForm:
    def __init__(self, form: FormSpec, schema: AuditSchema) -> None:
        self.form = form
        self.schema = schema
        self.workbook = Workbook()
        sheet = self.workbook.active
        assert isinstance(sheet, Worksheet)
        self.sheet = sheet
        sheet.title = INPUT_SHEET
        self.lists = self.workbook.create_sheet(LISTS_SHEET)
        self.lists.sheet_state = "hidden"
        self.lists.protection.sheet = True
        self.list_ranges: dict[tuple[str, ...], str] = {}
        self.validations: dict[str, DataValidation] = {}
        self.row = 1

    def build(self) -> bytes:
        sheet = self.sheet
        for column, width in zip("ABCDE", (44, 46, 58, 14, 44), strict=True):
            sheet.column_dimensions[column].width = width
        self._write(self.schema.organisation.name, font=Font(size=11, color="44546A"))
        self._write(self.form.title, font=Font(size=18, bold=True, color=NAVY))
        self._write(
            f"Audit Framework section {self.form.section}. Form {self.form.id}, version {self.form.version}. "
            "Fill in the yellow cells; questions marked * must be answered.",
            font=Font(italic=True, size=9, color="595959"),
        )
        self.row += 1
        self._section("Guidance for the auditor")
        self._merged(self.form.guidance, height=15 * (2 + len(self.form.guidance) // 150))
        if any(spec.kind == "grade" for spec in self.form.fields):
            self._section("Judgements (2.7)")
            for grade in Grade:
                self._write(grade.value, font=Font(bold=True), fill=_LABEL_FILL)
                cell = sheet.cell(self.row - 1, 2, self.schema.grade_descriptions[grade])
                sheet.merge_cells(start_row=self.row - 1, start_column=2, end_row=self.row - 1, end_column=3)
                cell.alignment = _WRAP
        plan: list[FieldSpec] = []
        previous: list[FieldSpec] = []
        current = ""
        for spec in self.form.fields:
            if spec.group == "plan":
                plan.append(spec)
                continue
            if spec.group == "previous":
                previous.append(spec)
                continue
            if previous and spec.group != "details":
                self._previous(previous)  # after the case details, as on the Word form
                previous = []
            if spec.group != current:
                current = spec.group
                self._group_heading(spec)
            self._field(spec)
        if plan:
            self._plan(plan)
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
        sheet.freeze_panes = "A4"
        sheet.print_title_rows = "1:3"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        if sheet.sheet_properties.pageSetUpPr is not None:
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for validation in self.validations.values():
            sheet.add_data_validation(validation)
        properties = self.workbook.custom_doc_props  # type: ignore[attr-defined]  # openpyxl 3.1, not in the stubs
        properties.append(StringProperty(name=ooxml.PROP_TEMPLATE, value=self.form.id))
        properties.append(IntProperty(name=ooxml.PROP_TEMPLATE_VERSION, value=self.form.version))
        properties.append(StringProperty(name=ooxml.PROP_SCHEMA, value=self.schema.id))
        properties.append(IntProperty(name=ooxml.PROP_SCHEMA_VERSION, value=self.schema.version))
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        core = ooxml.core_properties_xml(self.form.title, f"Audit Framework section {self.form.section}")
        return ooxml.replace_parts(buffer.getvalue(), {"docProps/core.xml": core})

    # --- layout ---

    def _write(self, text: str, font: Font | None = None, fill: PatternFill | None = None) -> None:
        cell = self.sheet.cell(self.row, 1, text)
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
            cell.border = _BOX
        cell.alignment = _WRAP
        self.row += 1

    def _merged(self, text: str, height: float) -> None:
        cell = self.sheet.cell(self.row, 1, text)
        cell.alignment = _WRAP
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=3)
        self.sheet.row_dimensions[self.row].height = height
        self.row += 1

    def _section(self, title: str) -> None:
        self.row += 1
        for column in range(1, 4):
            self.sheet.cell(self.row, column).fill = _SECTION_FILL
        self.sheet.cell(self.row, 1, title).font = Font(bold=True, color="FFFFFF", size=12)
        self.row += 1

    def _group_heading(self, spec: FieldSpec) -> None:
        if spec.group == "details":
            self._section("Case details" if self.form.plan_rows else "Details")
        elif spec.group == "overall":
            safeguarding = any(f.id.startswith("safeguarding") for f in self.form.fields)
            self._section(
                "Overall judgement and immediate safeguarding (2.6, 2.7)"
                if safeguarding
                else "Overall judgement (2.7)"
            )
        else:
            domain = self.schema.domain(spec.group)
            self._section(f"Domain {domain.number}: {domain.name}")
            if domain.guidance:
                self._merged(domain.guidance, height=30)

    def _field(self, spec: FieldSpec) -> None:
        sheet = self.sheet
        label = sheet.cell(self.row, 1, spec.label + (" *" if spec.required else ""))
        label.font = Font(bold=True)
        label.fill = _LABEL_FILL
        label.border = _BOX
        label.alignment = _WRAP
        self._input(sheet.cell(self.row, 2), spec)
        grading = self._grading(spec)
        hint = sheet.cell(self.row, 3, grading or placeholder_text(spec))
        hint.font = Font(
            italic=not grading, size=8 if grading else 9, color="404040" if grading else "808080"
        )
        hint.alignment = _WRAP
        sheet.row_dimensions[self.row].height = 75 if spec.kind == "richtext" or grading else 30
        self.row += 1

    def _grading(self, spec: FieldSpec) -> str:
        """Beside a domain's judgement: what each grade looks like there (7.1, Appendix 2)."""
        if spec.kind != "grade" or not (spec.group.startswith("d") and spec.group[1:].isdigit()):
            return ""
        return "\n".join(f"{grade}: {text}" for grade, text in self.schema.domain(spec.group).grading)

    def _input(self, cell: object, spec: FieldSpec) -> None:
        from openpyxl.cell.cell import Cell

        assert isinstance(cell, Cell)
        cell.fill = _INPUT_FILL
        cell.border = _BOX
        cell.alignment = _WRAP
        cell.protection = _UNLOCKED
        reference = f"{quote_sheetname(INPUT_SHEET)}!${cell.column_letter}${cell.row}"
        self.workbook.defined_names[spec.id] = DefinedName(spec.id, attr_text=reference)
        if spec.kind == "date":
            cell.number_format = DATE_FORMAT
            self._validation("date", spec).add(cell)
            return
        choices = YES_NO if spec.kind == "checkbox" else field_choices(spec, self.schema)
        if choices:
            self._validation(self._list_range(choices), spec).add(cell)

    def _list_range(self, choices: tuple[str, ...]) -> str:
        if choices not in self.list_ranges:
            column = get_column_letter(len(self.list_ranges) + 1)
            for row, choice in enumerate(choices, start=1):
                self.lists[f"{column}{row}"] = choice
            self.list_ranges[choices] = f"{LISTS_SHEET}!${column}$1:${column}${len(choices)}"
        return self.list_ranges[choices]

    def _validation(self, key: str, spec: FieldSpec) -> DataValidation:
        if key not in self.validations:
            if key == "date":
                validation = DataValidation(
                    type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2099,12,31)"
                )
                validation.error = "Enter a date such as 30/11/2026."
            else:
                validation = DataValidation(type="list", formula1=f"={key}")
                validation.error = "Choose an entry from the list."
            validation.allow_blank = True
            validation.showErrorMessage = True
            validation.errorTitle = "Audit Desk"
            validation.showInputMessage = True
            validation.promptTitle = spec.label[:32]
            validation.prompt = placeholder_text(spec)[:255]
            self.validations[key] = validation
        return self.validations[key]

    def _previous(self, fields: list[FieldSpec]) -> None:
        """2.12: the last audit's judgements and plan (filled in by Audit Desk on a re-audit) and
        what the Senior Manager found for each action."""
        sheet = self.sheet
        self._section("Re-audit only: the last audit and its improvement plan (2.12)")
        self._merged(
            "On a re-audit Audit Desk fills in the last audit's judgements and each action of its plan with "
            "the status recorded for it. For each action, say whether it was done and whether it made a "
            "difference for the child, with what you found on the file. Leave empty on a first audit.",
            height=45,
        )
        for spec in fields:
            if not spec.id[1].isdigit():
                self._field(spec)
        by_id = {spec.id: spec for spec in fields}
        header_row = self.row
        for part, column in _PREVIOUS_PARTS:
            cell = sheet.cell(header_row, column, by_id[f"p1_{part}"].label)
            cell.font = Font(bold=True)
            cell.fill = _LABEL_FILL
            cell.border = _BOX
            cell.alignment = _WRAP
        sheet.row_dimensions[header_row].height = 30
        for number in range(1, self.form.previous_plan_rows + 1):
            row = header_row + number
            for part, column in _PREVIOUS_PARTS:
                self._input(sheet.cell(row, column), by_id[f"p{number}_{part}"])
            sheet.row_dimensions[row].height = 45
        self.row = header_row + self.form.previous_plan_rows + 1

    def _plan(self, fields: list[FieldSpec]) -> None:
        sheet = self.sheet
        self._section("Improvement plan (2.8)")
        self._merged(
            "Make every action SMART: what will be done, which domain it improves, who will do it, by when "
            "(a working day), and how success will be measured. Every domain judged Requires Improvement "
            "or Inadequate needs at least one action.",
            height=30,
        )
        by_id = {spec.id: spec for spec in fields}
        header_row = self.row
        for column, part in enumerate(_PLAN_PARTS, start=1):
            cell = sheet.cell(header_row, column, by_id[f"a1_{part}"].label)
            cell.font = Font(bold=True)
        for number in range(1, self.form.plan_rows + 1):
            row = header_row + number
            for column, part in enumerate(_PLAN_PARTS, start=1):
                self._input(sheet.cell(row, column), by_id[f"a{number}_{part}"])
            sheet.row_dimensions[row].height = 45
        last = header_row + self.form.plan_rows
        table = Table(displayName=PLAN_TABLE, ref=f"A{header_row}:E{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        sheet.add_table(table)
        self.row = last + 1


def build_excel_template(form: FormSpec, schema: AuditSchema) -> bytes:
    """The .xlsx audit tool for ``form``: the same schema always gives the same bytes."""
    return _ExcelForm(form, schema).build()
