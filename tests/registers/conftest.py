from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from shared.core.schema import AuditSchema
from shared.core.schema_reader import load_schema


@pytest.fixture(scope="session")
def schema() -> AuditSchema:
    return load_schema()


def workbook_bytes(rows: Sequence[Sequence[object]], sheet_title: str = "Sheet1") -> bytes:
    """A plain workbook, as someone might make by hand: ``rows`` from A1 down."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
