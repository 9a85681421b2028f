"""The Staff register: who is who, so the service knows who may audit (1.4)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from openpyxl import load_workbook

from shared.adapters.registers import RegisterReading, RegisterRejected, read_staff_register
from shared.adapters.registers.staff_register import build_staff_register, build_staff_register_template
from shared.core.eligibility import StaffMember
from shared.core.schema import AuditSchema
from shared.demo.example_registers import example_staff
from tests.registers.conftest import workbook_bytes

TODAY = dt.date(2026, 11, 2)
HEADER = ["Name", "Email", "Role", "Team", "Manager email", "ASYE start date", "Needs support", "Active"]
MANAGER: list[object] = [
    "Morgan Example (fictional)",
    "morgan.example@example.org",
    "Team Manager",
    "East",
    "",
    "",
    "",
    "",
]


def read(rows: Sequence[Sequence[object]], schema: AuditSchema) -> RegisterReading[StaffMember]:
    return read_staff_register(workbook_bytes([HEADER, *rows]), "staff.xlsx", schema, today=TODAY)


def worker(**changes: object) -> list[object]:
    row: dict[str, object] = {
        "Name": "Alex Example (fictional)",
        "Email": "alex.example@example.org",
        "Role": "Social Worker",
        "Team": "East",
        "Manager email": "morgan.example@example.org",
        "ASYE start date": None,
        "Needs support": "No",
        "Active": "Yes",
    }
    row.update(changes)
    return [row[title] for title in HEADER]


def test_example_department_round_trips_through_the_template_with_every_1_4_role(schema: AuditSchema) -> None:
    staff = example_staff(schema)
    data = build_staff_register(schema, staff)

    reading = read_staff_register(data, "staff-register.xlsx", schema, today=TODAY)

    assert reading.rows == staff
    assert reading.problems == []
    roles = {member.role for member in staff}
    assert {"Team Manager", "Senior Manager", "Group Manager", "ICRO", "ICRO Manager"} <= roles
    assert sum(member.asye_start is not None for member in staff) == 2
    assert sum(member.needs_support for member in staff) == 1
    assert all(m.email.endswith("@example.org") and "(fictional)" in m.name for m in staff)


def test_blank_template_reads_as_an_empty_register(schema: AuditSchema) -> None:
    reading = read_staff_register(build_staff_register_template(schema), "staff-register.xlsx", schema)
    assert reading.rows == []
    assert reading.problems == []


def test_role_not_in_the_list_rejects_only_that_row(schema: AuditSchema) -> None:
    rows: list[list[object]] = [
        MANAGER,
        [],
        [],
        [],
        [],
        worker(Role="Snr Practitioner"),
        worker(Email="b@example.org"),
    ]

    reading = read(rows, schema)

    assert str(reading.problems[0]) == (
        "Row 7, Role: 'Snr Practitioner' is not a role in the register. Choose one from the list."
    )
    assert reading.problems[0].severity == "error"
    assert [m.email for m in reading.rows] == ["morgan.example@example.org", "b@example.org"]
    assert reading.rejected_rows == [7]


def test_role_is_matched_whatever_its_case_and_stored_as_the_schema_writes_it(schema: AuditSchema) -> None:
    reading = read([MANAGER, worker(Role="  senior   PRACTITIONER ")], schema)
    assert reading.rows[1].role == "Senior Practitioner"


@pytest.mark.parametrize(
    ("changes", "column", "says"),
    [
        ({"Name": None}, "Name", "missing"),
        ({"Email": "  "}, "Email", "missing"),
        ({"Role": None}, "Role", "missing"),
        ({"Email": "alex.example"}, "Email", "not an email address"),
        ({"Email": "alex @example.org"}, "Email", "not an email address"),
        ({"Manager email": "morgan"}, "Manager email", "not an email address"),
        ({"Manager email": "alex.example@example.org"}, "Manager email", "own email"),
        ({"ASYE start date": "next autumn"}, "ASYE start date", "dd/mm/yyyy"),
        ({"ASYE start date": "31/02/2026"}, "ASYE start date", "not a real date"),
        ({"ASYE start date": dt.date(2028, 1, 5)}, "ASYE start date", "more than a year from now"),
        ({"Needs support": "Maybe"}, "Needs support", "not Yes or No"),
        ({"Active": "left"}, "Active", "not Yes or No"),
    ],
)
def test_each_bad_cell_rejects_its_row_with_what_to_do(
    schema: AuditSchema, changes: dict[str, object], column: str, says: str
) -> None:
    reading = read([MANAGER, worker(**changes)], schema)

    assert [m.email for m in reading.rows] == ["morgan.example@example.org"]
    [problem] = reading.problems
    assert (problem.row, problem.column, problem.severity) == (3, column, "error")
    assert says in problem.message
    assert str(problem).startswith(f"Row 3, {column}: ")


def test_every_problem_in_a_row_is_reported_at_once(schema: AuditSchema) -> None:
    reading = read([worker(Name=None, Email="nope", Role="Chief", Active="?")], schema)
    assert [p.column for p in reading.problems] == ["Name", "Email", "Role", "Active"]
    assert reading.rows == []


@pytest.mark.parametrize(
    "written",
    [dt.datetime(2026, 9, 7), dt.date(2026, 9, 7), "2026-09-07", "07/09/2026", "7/9/2026", 46272],
)
def test_asye_start_date_is_read_from_excel_dates_and_uk_or_iso_text(
    schema: AuditSchema, written: object
) -> None:
    reading = read([MANAGER, worker(**{"ASYE start date": written})], schema)
    assert reading.problems == []
    assert reading.rows[1].asye_start == dt.date(2026, 9, 7)


def test_asye_start_planned_within_the_year_is_accepted(schema: AuditSchema) -> None:
    reading = read([MANAGER, worker(**{"ASYE start date": dt.date(2027, 9, 6)})], schema)
    assert reading.problems == []


def test_second_row_with_the_same_email_is_rejected_whatever_the_case(schema: AuditSchema) -> None:
    reading = read(
        [MANAGER, worker(), worker(Name="Someone Else (fictional)", Email="ALEX.Example@example.org")], schema
    )

    assert [m.name for m in reading.rows] == ["Morgan Example (fictional)", "Alex Example (fictional)"]
    [problem] = reading.problems
    assert (problem.row, problem.column) == (4, "Email")
    assert "already on row 3" in problem.message


def test_manager_missing_from_the_register_is_a_warning_and_the_row_still_loads(schema: AuditSchema) -> None:
    reading = read([worker()], schema)

    assert [m.email for m in reading.rows] == ["alex.example@example.org"]
    [problem] = reading.problems
    assert (problem.row, problem.column, problem.severity) == (2, "Manager email", "warning")
    assert reading.errors == []
    assert reading.warnings == [problem]


def test_manager_listed_below_their_staff_is_found(schema: AuditSchema) -> None:
    reading = read([worker(), MANAGER], schema)
    assert reading.problems == []


def test_blank_manager_email_is_accepted(schema: AuditSchema) -> None:
    reading = read([worker(**{"Manager email": None})], schema)
    assert reading.problems == []
    assert reading.rows[0].manager_email == ""


def test_emails_are_lower_cased_and_yes_no_defaults_apply(schema: AuditSchema) -> None:
    reading = read(
        [MANAGER, worker(Email=" Alex.Example@Example.ORG ", **{"Needs support": None, "Active": None})],
        schema,
    )
    member = reading.rows[1]
    assert member.email == "alex.example@example.org"
    assert (member.needs_support, member.active) == (False, True)


def test_yes_no_accepts_y_n_and_true_false(schema: AuditSchema) -> None:
    reading = read([MANAGER, worker(**{"Needs support": "y", "Active": False})], schema)
    assert (reading.rows[1].needs_support, reading.rows[1].active) == (True, False)


def test_header_in_another_order_with_other_case_and_extra_columns(schema: AuditSchema) -> None:
    header = ["notes", "ROLE", "e-mail", "name", "Manager Email", "active (yes/no)", "Phone"]
    rows = [
        [
            "a note",
            "Team Manager",
            "morgan.example@example.org",
            "Morgan Example (fictional)",
            "",
            "yes",
            "x",
        ],
        [
            "",
            "ICRO",
            "skyler.example@example.org",
            "Skyler Example (fictional)",
            "morgan.example@example.org",
            "no",
            "",
        ],
    ]

    reading = read_staff_register(workbook_bytes([header, *rows]), "staff.xlsx", schema, today=TODAY)

    assert reading.problems == []
    assert [(m.role, m.active, m.team) for m in reading.rows] == [
        ("Team Manager", True, ""),
        ("ICRO", False, ""),
    ]


def test_header_below_a_title_row_and_rows_counted_as_excel_shows_them(schema: AuditSchema) -> None:
    data = workbook_bytes([["Hull staff, fictional"], [], HEADER, MANAGER, worker(Role="Chief")])
    reading = read_staff_register(data, "staff.xlsx", schema, today=TODAY)
    assert [p.row for p in reading.problems] == [5]


def test_staff_sheet_is_preferred_over_other_sheets(schema: AuditSchema) -> None:
    workbook = load_workbook(io.BytesIO(workbook_bytes([HEADER, worker(Role="Wrong")])))
    staff_sheet = workbook.create_sheet("STAFF", 0)
    for row in (HEADER, MANAGER):
        staff_sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    reading = read_staff_register(buffer.getvalue(), "staff.xlsx", schema, today=TODAY)

    assert [m.email for m in reading.rows] == ["morgan.example@example.org"]
    assert reading.problems == []


def test_file_without_the_header_is_rejected_with_the_columns_it_needs(schema: AuditSchema) -> None:
    with pytest.raises(RegisterRejected) as refused:
        read_staff_register(workbook_bytes([["Who", "What"], ["x", "y"]]), "people.xlsx", schema)
    assert refused.value.code == "no-header"
    assert "people.xlsx" in refused.value.message
    assert "Name, Email, Role" in refused.value.message


def test_five_thousand_staff_load(schema: AuditSchema) -> None:
    rows: list[list[object]] = [MANAGER]
    rows += [
        worker(
            Name=f"Person {n} (fictional)",
            Email=f"person{n}@example.org",
            **{"ASYE start date": "01/09/2026"},
        )
        for n in range(5_000)
    ]
    reading = read(rows, schema)
    assert len(reading.rows) == 5_001
    assert reading.problems == []
