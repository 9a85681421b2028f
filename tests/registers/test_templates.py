"""The shipped register templates: reproducible, and what QA expects to find in them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shared.adapters.registers import register_template_files, write_register_templates
from shared.adapters.registers.staff_register import build_staff_register_template
from shared.core.schema import AuditSchema

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_committed_templates_equal_a_fresh_build(schema: AuditSchema) -> None:
    for name, data in register_template_files(schema).items():
        assert (TEMPLATES / name).read_bytes() == data, f"templates/{name} is stale: rebuild the templates"


def test_building_twice_gives_the_same_bytes_with_fixed_dates(schema: AuditSchema) -> None:
    first = build_staff_register_template(schema)
    assert build_staff_register_template(schema) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert b"2026-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def test_write_register_templates_leaves_unchanged_files_alone(schema: AuditSchema, tmp_path: Path) -> None:
    written = write_register_templates(tmp_path, schema)
    assert [p.name for p in written] == ["staff-register.xlsx", "allocation-sheet.xlsx"]
    stamps = [p.stat().st_mtime_ns for p in written]
    write_register_templates(tmp_path, schema)
    assert [p.stat().st_mtime_ns for p in written] == stamps


def test_staff_register_offers_the_1_4_roles_as_a_drop_down_with_yes_no_and_date_checks(
    schema: AuditSchema,
) -> None:
    workbook = load_workbook(io.BytesIO(build_staff_register_template(schema)))
    assert workbook.sheetnames[:2] == ["Staff", "How to fill this in"]
    sheet = workbook["Staff"]
    assert isinstance(sheet, Worksheet)
    assert [c.value for c in sheet[1]] == [
        "Name",
        "Email",
        "Role",
        "Team",
        "Manager email",
        "ASYE start date",
        "Needs support",
        "Active",
        "Preferred form",
    ]
    assert sheet.freeze_panes == "A2"
    assert "StaffRegister" in sheet.tables
    by_range = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    role_list = by_range["C2:C1048576"].formula1
    assert role_list is not None
    lists = workbook["Lists"]
    assert lists.sheet_state == "hidden"
    assert tuple(c.value for c in lists["A"]) == schema.roles.staff
    assert by_range["F2:F1048576"].type == "date"
    assert by_range["G2:G1048576"].type == by_range["H2:H1048576"].type == "list"


@pytest.mark.parametrize(("name", "sheet_title"), [("allocation-sheet.xlsx", "Allocations")])
def test_allocation_sheet_has_the_2_1_columns(schema: AuditSchema, name: str, sheet_title: str) -> None:
    workbook = load_workbook(io.BytesIO(register_template_files(schema)[name]))
    sheet = workbook[sheet_title]
    assert isinstance(sheet, Worksheet)
    assert [c.value for c in sheet[1]] == [
        "Case reference",
        "Team",
        "Allocated worker email",
        "Team Manager email",
        "Auditor email",
        "Audit month (YYYY-MM)",
    ]
    assert "How to fill this in" in workbook.sheetnames


def test_the_staff_register_says_which_audit_tool_an_auditor_prefers(schema: AuditSchema) -> None:
    from shared.adapters.registers.staff_register import build_staff_register, read_staff_register
    from shared.core.eligibility import StaffMember

    members = (
        StaffMember("a@example.org", "A Example (fictional)", schema.roles.staff[0], form_preference="Excel"),
        StaffMember("b@example.org", "B Example (fictional)", schema.roles.staff[0]),
    )
    reading = read_staff_register(build_staff_register(schema, members), "register.xlsx", schema)
    assert [m.form_preference for m in reading.rows] == ["Excel", ""]
