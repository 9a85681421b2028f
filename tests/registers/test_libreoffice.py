"""A register saved again by another spreadsheet program (LibreOffice Calc) still reads back whole."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.adapters.registers import read_allocation_sheet, read_staff_register
from shared.core.deadlines import AuditMonth
from shared.core.schema import AuditSchema
from shared.demo.example_registers import (
    example_allocations,
    example_staff,
    write_example_allocation_sheet,
    write_example_staff_register,
)

SOFFICE = shutil.which("soffice")

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def test_registers_resaved_by_libreoffice_read_back_unchanged(schema: AuditSchema, tmp_path: Path) -> None:
    staff = example_staff(schema)
    requests = example_allocations(staff, AuditMonth(2026, 11))
    originals = tmp_path / "original"
    originals.mkdir()
    staff_file = write_example_staff_register(originals / "staff.xlsx", schema)
    allocation_file = write_example_allocation_sheet(originals / "allocations.xlsx", requests, schema)
    resaved = tmp_path / "resaved"
    profile = tmp_path / "profile"
    assert SOFFICE is not None
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx"]
    command += ["--outdir", str(resaved), str(staff_file), str(allocation_file)]
    subprocess.run(command, check=True, capture_output=True, timeout=240)

    staff_reading = read_staff_register((resaved / "staff.xlsx").read_bytes(), "staff.xlsx", schema)
    allocation_reading = read_allocation_sheet(
        (resaved / "allocations.xlsx").read_bytes(), "allocations.xlsx"
    )

    assert (staff_reading.rows, staff_reading.problems) == (staff, [])
    assert (allocation_reading.rows, allocation_reading.problems) == (requests, [])
