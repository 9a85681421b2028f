"""Reading filled audit forms: per-form cost next to the floors measured in the same run.

Run: .venv/bin/python benchmarks/bench_forms.py [COUNT]

COUNT (default 1,000) filled forms of each kind, all fictional, held in memory:
- Word: the floor is opening the zip and parsing word/document.xml with lxml; the reader
  (hostile-file gate, content controls, identity) should stay within 3x of it. The full
  cost with the core's validation and grade checks is shown next to it.
- Excel: the floor is openpyxl's own read-only load of the same file; the reader should
  stay within 1.3x of it.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree  # type: ignore[import-untyped]
from openpyxl import load_workbook

from benchmarks.goals import goal
from shared.adapters.forms import fill_excel_form, fill_word_form, read_form
from shared.adapters.forms.reader import identify_form
from shared.adapters.forms.safety import WORD_PART, open_package
from shared.adapters.forms.templates import template_path
from shared.adapters.forms.word import read_word_controls
from shared.core.deadlines import Deadlines
from shared.core.schema_reader import load_schema
from shared.demo.examples import EXAMPLES

SCHEMA = load_schema()
DEADLINES = Deadlines.for_schema(SCHEMA)


def filled_forms(count: int, extension: str) -> list[bytes]:
    """``count`` distinct filled forms, cycling through the example audits."""
    fill = fill_word_form if extension == "docx" else fill_excel_form
    template = template_path("case-file-audit", extension).read_bytes()
    makers = list(EXAMPLES.values())
    forms = []
    for number in range(count):
        values = makers[number % len(makers)]()
        values["case_ref"] = f"DEMO-{number:05d}"
        forms.append(fill(template, values))
    return forms


def per_form_ms(action: Callable[[bytes], object], forms: list[bytes], repeats: int = 3) -> float:
    """Best of ``repeats`` passes over all forms, in milliseconds per form."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for data in forms:
            action(data)
        runs.append((time.perf_counter() - start) * 1000 / len(forms))
    return min(runs)


def word_floor(data: bytes) -> object:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read(WORD_PART))


def word_read(data: bytes) -> object:
    package = open_package(data, "bench.docx")
    form = identify_form(package, SCHEMA)
    return read_word_controls(package.parse(WORD_PART), form)


def excel_floor(data: bytes) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    workbook.close()
    return workbook


EXCEL_GOAL = 1.25  # x openpyxl's read-only load (issue 19)


def read_and_check(name: str) -> Callable[[bytes], object]:
    def action(data: bytes) -> object:
        outcome = read_form(data, name, SCHEMA, DEADLINES)
        assert outcome.rejection is None, outcome.rejection
        return outcome

    return action


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"Audit Desk forms benchmark: {count} filled case file audits of each kind (fictional)")
    word = filled_forms(count, "docx")
    excel = filled_forms(count, "xlsx")
    print(
        f"  average size: Word {statistics.mean(map(len, word)) / 1024:.1f} KB, "
        f"Excel {statistics.mean(map(len, excel)) / 1024:.1f} KB"
    )
    rows: list[tuple[str, float, float | None, str]] = []
    floor = per_form_ms(word_floor, word)
    rows.append(("Word floor: zip + lxml parse of document.xml", floor, None, ""))
    rows.append(
        (
            "Word read: gate + identity + content controls",
            per_form_ms(word_read, word),
            floor,
            "target <= 3.0x",
        )
    )
    rows.append(
        (
            "Word read + validate + grade checks (read_form)",
            per_form_ms(read_and_check("b.docx"), word),
            floor,
            "",
        )
    )
    floor = per_form_ms(excel_floor, excel)
    rows.append(("Excel floor: openpyxl read-only load", floor, None, ""))
    rows.append(
        (
            "Excel read + validate + grade checks (read_form)",
            per_form_ms(read_and_check("b.xlsx"), excel),
            floor,
            f"target <= {EXCEL_GOAL}x",
        )
    )
    excel_ratio = rows[-1][1] / floor
    width = max(len(row[0]) for row in rows)
    for label, ms, against, note in rows:
        ratio = f"{ms / against:5.2f}x floor" if against else " " * 11
        print(f"  {label:<{width}}  {ms:7.3f} ms/form  {ratio}  {note}")
    goal(
        "Excel form read (read_form)",
        f"{excel_ratio:.2f}x openpyxl's read-only load",
        f"<= {EXCEL_GOAL}x",
        excel_ratio <= EXCEL_GOAL,
    )


if __name__ == "__main__":
    main()
