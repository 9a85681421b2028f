"""`auditdesk sample` (2.1) on the embedded store: the proposal is written on the allocation sheet
QA already uses, loads with `auditdesk allocate` as today, and a bad export changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from shared.adapters.registers.allocation_sheet import read_allocation_sheet
from shared.adapters.registers.staff_register import build_staff_register
from shared.core.deadlines import AuditMonth
from shared.core.schema_reader import load_schema
from shared.demo.fictional_cases import export_csv, fictional_case_rows, fictional_staff
from shared.entry.cli.main import app

SCHEMA = load_schema()
runner = CliRunner()


def auditdesk(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "--today", "2026-12-01", *args])
    return result.exit_code, result.output


def test_2_1_the_sample_is_written_on_the_allocation_sheet_and_qa_loads_it_as_today(tmp_path: Path) -> None:
    home = tmp_path / "home"
    register = tmp_path / "staff.xlsx"
    register.write_bytes(build_staff_register(SCHEMA, fictional_staff()))
    assert auditdesk(home, "staff", "import", str(register))[0] == 0
    export = tmp_path / "cases.csv"
    export.write_bytes(export_csv(fictional_case_rows(2000)))
    sheet = tmp_path / "proposal.xlsx"
    code, output = auditdesk(
        home, "sample", "--month", "2026-12", "--cases", str(export), "--out", str(sheet)
    )
    assert code == 0, output
    assert "40 cases proposed" in output

    reading = read_allocation_sheet(sheet.read_bytes(), sheet.name)
    assert not reading.problems
    assert len(reading.rows) == 40
    assert {r.month for r in reading.rows} == {AuditMonth(2026, 12)}
    why = load_workbook(io.BytesIO(sheet.read_bytes()))["Why chosen"]
    reasons = [why.cell(r, 5).value for r in range(5, 45)]
    assert all("drawn at random" in str(r) for r in reasons)

    code, output = auditdesk(home, "allocate", str(sheet))
    assert code == 0, output
    # Next month's sample does not take a case allocated this month again.
    again = tmp_path / "january.xlsx"
    code, output = auditdesk(
        home, "sample", "--month", "2027-01", "--cases", str(export), "--out", str(again)
    )
    assert code == 0, output
    january = {r.case_ref for r in read_allocation_sheet(again.read_bytes(), again.name).rows}
    assert not january & {r.case_ref for r in reading.rows}


def test_2_1_a_malformed_export_writes_no_sheet_and_says_every_row(tmp_path: Path) -> None:
    home = tmp_path / "home"
    register = tmp_path / "staff.xlsx"
    register.write_bytes(build_staff_register(SCHEMA, fictional_staff()))
    auditdesk(home, "staff", "import", str(register))
    rows = [list(r) for r in fictional_case_rows(30)]
    rows[4][2] = "Fictional Team Z"
    rows[6][0] = rows[1][0]
    export = tmp_path / "cases.csv"
    export.write_bytes(export_csv(rows))
    sheet = tmp_path / "proposal.xlsx"
    code, output = auditdesk(
        home, "sample", "--month", "2026-12", "--cases", str(export), "--out", str(sheet)
    )
    assert code == 1
    assert "Row 6, Team: 'Fictional Team Z' is not a team" in output
    assert "Row 8, Case reference" in output
    assert not sheet.exists()
