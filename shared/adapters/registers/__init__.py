"""Registers kept in Excel by the Quality Assurance team: the Staff register (who is who,
1.4) and the allocation sheet (which cases are audited by whom each month, 2.1).

Each has a shipped template, built reproducibly from the schema, and a reader that passes
the file through the hostile-file gate, then loads every good row and reports every bad one
with its row number, column and what to do. A file that cannot be read at all raises
``RegisterRejected``.
"""

from __future__ import annotations

from pathlib import Path

from shared.adapters.registers import allocation_sheet, staff_register
from shared.adapters.registers.allocation_sheet import (
    build_allocation_sheet,
    build_allocation_sheet_template,
    read_allocation_sheet,
)
from shared.adapters.registers.staff_register import (
    build_staff_register,
    build_staff_register_template,
    read_staff_register,
)
from shared.adapters.registers.workbook import RegisterReading, RegisterRejected, RowProblem
from shared.core.schema import AuditSchema


def register_template_files(schema: AuditSchema) -> dict[str, bytes]:
    """File name -> bytes of the register templates shipped in templates/."""
    return {
        staff_register.TEMPLATE_FILE: build_staff_register_template(schema),
        allocation_sheet.TEMPLATE_FILE: build_allocation_sheet_template(schema),
    }


def write_register_templates(folder: Path, schema: AuditSchema) -> list[Path]:
    """Write the register templates into ``folder``; unchanged files are left untouched."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in register_template_files(schema).items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


__all__ = [
    "RegisterReading",
    "RegisterRejected",
    "RowProblem",
    "build_allocation_sheet",
    "build_allocation_sheet_template",
    "build_staff_register",
    "build_staff_register_template",
    "read_allocation_sheet",
    "read_staff_register",
    "register_template_files",
    "write_register_templates",
]
