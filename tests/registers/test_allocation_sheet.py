"""The allocation sheet: QA's list of cases to audit each month (2.1, 2.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.adapters.registers import RegisterReading, RegisterRejected, read_allocation_sheet
from shared.adapters.registers.allocation_sheet import build_allocation_sheet, build_allocation_sheet_template
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth
from shared.core.schema import AuditSchema
from shared.demo.example_registers import example_allocations, example_staff
from tests.registers.conftest import workbook_bytes

HEADER = [
    "Case reference",
    "Team",
    "Allocated worker email",
    "Team Manager email",
    "Auditor email",
    "Audit month (YYYY-MM)",
]
NOVEMBER = AuditMonth(2026, 11)


def allocation(**changes: object) -> list[object]:
    row: dict[str, object] = {
        "Case reference": "DEMO-0001",
        "Team": "East",
        "Allocated worker email": "alex.example@example.org",
        "Team Manager email": "morgan.example@example.org",
        "Auditor email": "riley.sample@example.org",
        "Audit month (YYYY-MM)": "2026-11",
    }
    row.update(changes)
    return [row[title] for title in HEADER]


def read(rows: list[list[object]]) -> RegisterReading[AllocationRequest]:
    return read_allocation_sheet(workbook_bytes([HEADER, *rows]), "allocations.xlsx")


def test_example_allocations_round_trip_through_the_template_2_1(schema: AuditSchema) -> None:
    requests = example_allocations(example_staff(schema), NOVEMBER)
    data = build_allocation_sheet(schema, requests)

    reading = read_allocation_sheet(data, "allocation-sheet.xlsx")

    assert reading.rows == requests
    assert reading.problems == []
    assert all(r.auditor_email not in (r.allocated_worker_email, r.team_manager_email) for r in requests)


def test_blank_template_reads_as_no_allocations(schema: AuditSchema) -> None:
    reading = read_allocation_sheet(build_allocation_sheet_template(schema), "allocation-sheet.xlsx")
    assert (reading.rows, reading.problems) == ([], [])


def test_emails_are_lower_cased_and_the_row_becomes_an_allocation_request() -> None:
    reading = read(
        [allocation(**{"Auditor email": "Riley.Sample@EXAMPLE.org", "Case reference": " DEMO-0001 "})]
    )
    assert reading.rows == [
        AllocationRequest(
            case_ref="DEMO-0001",
            team="East",
            allocated_worker_email="alex.example@example.org",
            team_manager_email="morgan.example@example.org",
            auditor_email="riley.sample@example.org",
            month=NOVEMBER,
        )
    ]


@pytest.mark.parametrize(
    "written", [dt.datetime(2026, 11, 1), dt.date(2026, 11, 30), "2026-11", "2026-11-15", "15/11/2026", 46327]
)
def test_audit_month_from_text_or_an_excel_date_means_that_dates_month(written: object) -> None:
    reading = read([allocation(**{"Audit month (YYYY-MM)": written})])
    assert reading.problems == []
    assert reading.rows[0].month == NOVEMBER


@pytest.mark.parametrize(
    ("changes", "column", "says"),
    [
        ({"Case reference": None}, "Case reference", "missing"),
        ({"Allocated worker email": None}, "Allocated worker email", "missing"),
        ({"Team Manager email": ""}, "Team Manager email", "missing"),
        ({"Auditor email": None}, "Auditor email", "missing"),
        ({"Auditor email": "riley.sample"}, "Auditor email", "not an email address"),
        ({"Allocated worker email": "alex@example"}, "Allocated worker email", "not an email address"),
        ({"Audit month (YYYY-MM)": None}, "Audit month", "missing"),
        ({"Audit month (YYYY-MM)": "November"}, "Audit month", "YYYY-MM"),
        ({"Audit month (YYYY-MM)": "2026-13"}, "Audit month", "not a month"),
    ],
)
def test_each_bad_cell_rejects_its_row_2_1(changes: dict[str, object], column: str, says: str) -> None:
    reading = read([allocation(**changes), allocation(**{"Case reference": "DEMO-0002"})])

    assert [r.case_ref for r in reading.rows] == ["DEMO-0002"]
    [problem] = reading.problems
    assert (problem.row, problem.column, problem.severity) == (2, column, "error")
    assert says in problem.message


def test_same_case_twice_in_one_month_keeps_the_first_row() -> None:
    reading = read(
        [
            allocation(),
            allocation(**{"Case reference": "demo-0001", "Auditor email": "quinn.example@example.org"}),
            allocation(**{"Audit month (YYYY-MM)": "2026-12"}),
        ]
    )

    assert [(r.auditor_email, str(r.month)) for r in reading.rows] == [
        ("riley.sample@example.org", "2026-11"),
        ("riley.sample@example.org", "2026-12"),
    ]
    [problem] = reading.problems
    assert str(problem) == (
        "Row 3, Case reference: demo-0001 is already allocated for November 2026 on row 2. "
        "A case is audited once a month: delete this row."
    )


def test_header_in_another_order_without_the_optional_team_column() -> None:
    header = [
        "audit month",
        "AUDITOR EMAIL",
        "case reference",
        "Comments",
        "team manager email",
        "allocated worker email",
    ]
    row = [
        "2026-11",
        "riley.sample@example.org",
        "DEMO-0009",
        "",
        "morgan.example@example.org",
        "alex.example@example.org",
    ]

    reading = read_allocation_sheet(workbook_bytes([header, [], row]), "allocations.xlsx")

    assert reading.problems == []
    assert [(r.case_ref, r.team, r.auditor_email) for r in reading.rows] == [
        ("DEMO-0009", "", "riley.sample@example.org")
    ]


def test_staff_register_given_as_an_allocation_sheet_is_rejected_with_the_columns_needed(
    schema: AuditSchema,
) -> None:
    from shared.adapters.registers.staff_register import build_staff_register_template

    with pytest.raises(RegisterRejected) as refused:
        read_allocation_sheet(build_staff_register_template(schema), "staff-register.xlsx")
    assert refused.value.code == "no-header"
    assert "Case reference" in refused.value.message


def test_five_thousand_allocations_load() -> None:
    rows = [allocation(**{"Case reference": f"DEMO-{n:05d}"}) for n in range(5_000)]
    reading = read(rows)
    assert len(reading.rows) == 5_000
    assert reading.problems == []
