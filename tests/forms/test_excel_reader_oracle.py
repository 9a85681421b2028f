"""The Excel reader finds in every answer cell what openpyxl's own public API finds there (an
oracle Audit Desk did not write): in the shipped template filled with every example audit, with
the 1904 date system, rich text, a date format of its own, every field given a distinct value,
and a workbook LibreOffice Calc has saved. A workbook whose structure cannot be followed is
refused as damaged, as before (2.2: a file that cannot be read is quarantined with a reason)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import MAC_EPOCH

from shared.adapters.forms import fill_excel_form
from shared.adapters.forms.excel import _cell_value, read_excel_values
from shared.adapters.forms.safety import open_package
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema
from shared.demo.examples import EXAMPLES, good_audit
from shared.services.ports.forms import FormRejected
from tests.forms.conftest import distinct_value


def as_openpyxl_reads_it(data: bytes, schema: AuditSchema) -> dict[str, FieldValue]:
    """Each named answer cell through openpyxl's public API (read-only, cached values)."""
    kinds = {spec.id: spec.kind for spec in schema.case_file_audit.fields}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    found: dict[str, FieldValue] = {}
    for name, definition in workbook.defined_names.items():
        if name not in kinds:
            continue
        for title, reference in definition.destinations:
            cell = workbook[title][reference.replace("$", "").split(":")[0]]
            found[name] = _cell_value(cell.value, kinds[name])
            break
    workbook.close()
    return found


def as_audit_desk_reads_it(data: bytes, schema: AuditSchema) -> dict[str, FieldValue]:
    return read_excel_values(open_package(data, "form.xlsx"), data, schema.case_file_audit)


def edited(data: bytes, change: Callable[..., None]) -> bytes:
    """The workbook opened, changed and saved by openpyxl (as another program would save it)."""
    workbook = load_workbook(io.BytesIO(data), rich_text=True)
    change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cell_of(workbook: object, field_id: str) -> object:
    title, reference = next(iter(workbook.defined_names[field_id].destinations))  # type: ignore[attr-defined]
    return workbook[title][reference.replace("$", "")]  # type: ignore[index]


@pytest.mark.parametrize("example", EXAMPLES.keys())
def test_every_example_audit_reads_as_openpyxl_reads_it_2_2(
    example: str, excel_template: bytes, schema: AuditSchema
) -> None:
    data = fill_excel_form(excel_template, EXAMPLES[example]())

    assert as_audit_desk_reads_it(data, schema) == as_openpyxl_reads_it(data, schema)


def test_every_field_with_a_distinct_value_reads_as_openpyxl_reads_it(
    excel_template: bytes, schema: AuditSchema
) -> None:
    fields = schema.case_file_audit.fields
    data = fill_excel_form(
        excel_template, {spec.id: distinct_value(spec, n, schema) for n, spec in enumerate(fields)}
    )

    found = as_audit_desk_reads_it(data, schema)

    assert found == as_openpyxl_reads_it(data, schema)
    assert sum(value is not None for value in found.values()) == len(fields)


def test_the_1904_date_system_rich_text_and_a_date_format_of_its_own_read_as_openpyxl_reads_them(
    excel_template: bytes, schema: AuditSchema
) -> None:
    def change(workbook: object) -> None:
        workbook.epoch = MAC_EPOCH  # type: ignore[attr-defined]
        cell_of(workbook, "audit_date").number_format = "d mmmm yyyy"  # type: ignore[attr-defined]
        cell_of(workbook, "good_practice_summary").value = CellRichText(  # type: ignore[attr-defined]
            "Plain start, ", TextBlock(InlineFont(b=True), "bold middle"), ", plain end."
        )

    data = edited(fill_excel_form(excel_template, good_audit()), change)

    found = as_audit_desk_reads_it(data, schema)

    assert found == as_openpyxl_reads_it(data, schema)
    assert found["audit_date"] == good_audit()["audit_date"]
    assert found["good_practice_summary"] == "Plain start, bold middle, plain end."


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_workbook_libreoffice_calc_saved_reads_as_openpyxl_reads_it(
    excel_template: bytes, schema: AuditSchema, tmp_path: Path
) -> None:
    source = tmp_path / "in" / "audit.xlsx"
    source.parent.mkdir()
    source.write_bytes(fill_excel_form(excel_template, good_audit()))
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    data = (tmp_path / "out" / "audit.xlsx").read_bytes()

    found = as_audit_desk_reads_it(data, schema)

    assert found == as_openpyxl_reads_it(data, schema)
    assert found["case_ref"] == good_audit()["case_ref"]


def test_a_workbook_whose_sheets_cannot_be_found_is_refused_as_damaged(
    excel_template: bytes, schema: AuditSchema
) -> None:
    data = fill_excel_form(excel_template, good_audit())
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "xl/_rels/workbook.xml.rels":
                target.writestr(info, source.read(info.filename))

    with pytest.raises(FormRejected) as refused:
        as_audit_desk_reads_it(broken.getvalue(), schema)

    assert refused.value.rejection.code == "excel-unreadable"


def test_dates_come_back_as_dates(excel_template: bytes, schema: AuditSchema) -> None:
    data = fill_excel_form(excel_template, {**good_audit(), "audit_date": dt.date(2026, 11, 3)})

    assert as_audit_desk_reads_it(data, schema)["audit_date"] == dt.date(2026, 11, 3)
