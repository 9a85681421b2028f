"""The data pack: one sheet per table, and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shared.adapters.documents.datapack import build_data_pack, neutralise
from shared.services.ports.documents import DataTable

DANGEROUS = [
    '=HYPERLINK("http://example.org","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_starting_like_a_formula_is_made_inert(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_ordinary_values_are_untouched() -> None:
    assert [neutralise(v) for v in ("Good", 3, 0.5, None, "Demo Team East")] == [
        "Good",
        3,
        0.5,
        None,
        "Demo Team East",
    ]


def test_no_cell_of_the_data_pack_is_a_formula() -> None:
    table = DataTable(
        "teams", "=Teams", ("=Team", "Audits", "Share"), [[v, 1, 0.25] for v in DANGEROUS], frozenset({2})
    )
    workbook = load_workbook(io.BytesIO(build_data_pack("=Report", "November 2026", [table])))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    sheet = workbook["Teams"]
    assert sheet["C2"].value == 0.25
    assert sheet["C2"].number_format == "0%"
    assert workbook.sheetnames == ["Contents", "Teams"]
