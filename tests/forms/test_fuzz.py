"""Fuzzing the reader (issue 3): mutated forms only ever give an outcome, never an exception."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.forms import read_form
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.demo.hostile_forms import part, with_parts
from shared.services.ports.forms import FormOutcome

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    buffer = bytearray(data)
    for position, delete, insert in edits:
        at = position % (len(buffer) + 1)
        buffer[at : at + delete] = insert
    return bytes(buffer)


EDITS = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.integers(0, 16), st.binary(max_size=16)), min_size=1, max_size=6
)
XML_SNIPPETS = st.sampled_from(
    [
        b"<",
        b">",
        b"&",
        b"&amp;",
        b"&x;",
        b"<!DOCTYPE r>",
        b"<![CDATA[x]]>",
        b"<w:sdt>",
        b"</w:sdt>",
        b'<w:tag w:val="overall_grade"/>',
        b"<w:showingPlcHdr/>",
        b'w:fullDate="9999-99-99T"',
        b'<w14:checked w14:val="1"/>',
        b"\x00",
        b"\xff\xfe",
        b"<?xml version='1.0'?>",
        b"]]>",
        b'"',
        b"'",
    ]
)
XML_EDITS = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.integers(0, 40), st.one_of(XML_SNIPPETS, st.binary(max_size=8))),
    min_size=1,
    max_size=5,
)


def _assert_outcome(outcome: object) -> None:
    assert isinstance(outcome, FormOutcome)
    if outcome.rejection is not None:
        assert outcome.rejection.message


@FUZZ
@given(edits=EDITS)
def test_byte_mutations_of_a_word_form_give_an_outcome(
    edits: list[tuple[int, int, bytes]], good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    _assert_outcome(read_form(_mutate(good_word, edits), "fuzz.docx", schema, deadlines))


@FUZZ
@given(edits=EDITS)
def test_byte_mutations_of_an_excel_form_give_an_outcome(
    edits: list[tuple[int, int, bytes]], good_excel: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    _assert_outcome(read_form(_mutate(good_excel, edits), "fuzz.xlsx", schema, deadlines))


@FUZZ
@given(
    name=st.sampled_from(
        ["word/document.xml", "docProps/custom.xml", "[Content_Types].xml", "word/styles.xml"]
    ),
    edits=XML_EDITS,
)
def test_xml_mutations_inside_a_word_form_give_an_outcome(
    name: str,
    edits: list[tuple[int, int, bytes]],
    good_word: bytes,
    schema: AuditSchema,
    deadlines: Deadlines,
) -> None:
    mutated = with_parts(good_word, {name: _mutate(part(good_word, name), edits)})
    _assert_outcome(read_form(mutated, "fuzz.docx", schema, deadlines))


@FUZZ
@given(
    name=st.sampled_from(
        [
            "xl/workbook.xml",
            "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml",
            "xl/styles.xml",
            "docProps/custom.xml",
        ]
    ),
    edits=XML_EDITS,
)
def test_xml_mutations_inside_an_excel_form_give_an_outcome(
    name: str,
    edits: list[tuple[int, int, bytes]],
    good_excel: bytes,
    schema: AuditSchema,
    deadlines: Deadlines,
) -> None:
    with zipfile.ZipFile(io.BytesIO(good_excel)) as archive:
        if name not in archive.namelist():
            return
    mutated = with_parts(good_excel, {name: _mutate(part(good_excel, name), edits)})
    _assert_outcome(read_form(mutated, "fuzz.xlsx", schema, deadlines))


@FUZZ
@given(text=st.text(max_size=200))
def test_any_text_typed_into_any_word_field_gives_an_outcome(
    text: str, word_template: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    from shared.adapters.forms import fill_word_form

    legal = "".join(
        ch
        for ch in text
        if ch in "\t\n" or (ch >= " " and ch not in "\ufffe\uffff" and not "\ud800" <= ch <= "\udfff")
    )
    values = {
        field_id: legal
        for field_id in ("case_ref", "audit_date", "d1_grade", "a1_domain", "overall_rationale")
    }
    _assert_outcome(read_form(fill_word_form(word_template, values), "typed.docx", schema, deadlines))
