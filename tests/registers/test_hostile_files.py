"""Register files pass the same hostile-file gate as returned forms before anything parses them."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from shared.adapters.registers import (
    RegisterReading,
    RegisterRejected,
    read_allocation_sheet,
    read_staff_register,
)
from shared.adapters.registers.staff_register import build_staff_register_template
from shared.core.schema import AuditSchema
from tests.registers.conftest import workbook_bytes

Reader = Callable[[bytes, str], RegisterReading[object]]


@pytest.fixture(params=["staff register", "allocation sheet"])
def reader(request: pytest.FixtureRequest, schema: AuditSchema) -> Reader:
    if request.param == "staff register":
        return lambda data, source: read_staff_register(data, source, schema)  # type: ignore[return-value]
    return read_allocation_sheet  # type: ignore[return-value]


def refusal(reader: Reader, data: bytes, source: str) -> RegisterRejected:
    with pytest.raises(RegisterRejected) as refused:
        reader(data, source)
    assert source in refused.value.message
    return refused.value


def with_extra_part(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info.filename))
        out.writestr(name, content)
    return buffer.getvalue()


def test_macro_enabled_workbook_is_refused_by_its_name(reader: Reader) -> None:
    refused = refusal(reader, workbook_bytes([["Name"]]), "staff.xlsm")
    assert refused.code == "macros"
    assert "Excel Workbook (.xlsx)" in refused.message


def test_workbook_hiding_a_vba_project_is_refused(reader: Reader) -> None:
    data = with_extra_part(workbook_bytes([["Name"]]), "xl/vbaProject.bin", b"\x00" * 64)
    assert refusal(reader, data, "staff.xlsx").code == "macros"


def test_password_protected_workbook_is_refused_with_how_to_remove_the_password(
    reader: Reader, schema: AuditSchema
) -> None:
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(build_staff_register_template(schema))).encrypt("fictional", encrypted)

    refused = refusal(reader, encrypted.getvalue(), "staff.xlsx")

    assert refused.code == "encrypted"
    assert "password" in refused.message


def test_file_that_is_not_a_zip_is_refused(reader: Reader) -> None:
    refused = refusal(reader, b"%PDF-1.7 fictional", "staff.xlsx")
    assert refused.code == "not-office"
    assert "not an Excel workbook (it is a PDF)" in refused.message


def test_zip_bomb_is_refused_before_it_is_unpacked(reader: Reader) -> None:
    data = with_extra_part(workbook_bytes([["Name"]]), "xl/media/padding.bin", b"\x00" * (4 * 1024 * 1024))
    refused = refusal(reader, data, "staff.xlsx")
    assert refused.code == "zip-bomb"


def test_empty_file_is_refused(reader: Reader) -> None:
    assert refusal(reader, b"", "staff.xlsx").code == "empty-file"


def test_cut_short_file_is_refused_as_damaged(reader: Reader, schema: AuditSchema) -> None:
    data = build_staff_register_template(schema)
    refused = refusal(reader, data[: len(data) // 2], "staff.xlsx")
    assert refused.code == "corrupt-zip"
    assert "import it again" in refused.message


def test_xml_with_a_dtd_is_refused(reader: Reader) -> None:
    data = with_extra_part(workbook_bytes([["Name"]]), "xl/extra.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')
    assert refusal(reader, data, "staff.xlsx").code == "xml-dtd"


def test_word_document_is_refused_as_not_a_workbook(reader: Reader) -> None:
    from pathlib import Path

    docx = (Path(__file__).resolve().parents[2] / "templates" / "case-discussion.docx").read_bytes()
    refused = refusal(reader, docx, "staff.docx")
    assert refused.code == "not-excel"
    assert "Word document" in refused.message
