"""Reading filled forms back by field id (issue 3), then the core's checks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from shared.adapters.forms import fill_excel_form, fill_word_form, read_form
from shared.adapters.forms.templates import TEMPLATES_DIR
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.demo.examples import (
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
)
from shared.demo.hostile_forms import part, with_parts
from shared.services.ports.forms import FormStatus
from tests.forms.conftest import every_field

WORD_FORMS = ["case-file-audit", "staff-observation", "supervision-audit", "case-discussion"]


@pytest.mark.parametrize("form_id", WORD_FORMS)
def test_every_field_of_the_word_tool_round_trips(
    form_id: str, schema: AuditSchema, deadlines: Deadlines
) -> None:
    form = schema.forms[form_id]
    values = every_field(form, schema)
    filled = fill_word_form(TEMPLATES_DIR / f"{form_id}.docx", values)
    outcome = read_form(filled, f"{form_id}.docx", schema, deadlines)
    assert outcome.rejection is None
    assert outcome.template_id == form_id
    assert dict(outcome.fields) == values


def test_every_field_of_the_excel_tool_round_trips(schema: AuditSchema, deadlines: Deadlines) -> None:
    values = every_field(schema.case_file_audit, schema)
    filled = fill_excel_form(TEMPLATES_DIR / "case-file-audit.xlsx", values)
    outcome = read_form(filled, "audit.xlsx", schema, deadlines)
    assert outcome.rejection is None
    assert dict(outcome.fields) == values


def test_a_good_complete_audit_in_word_is_valid(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(good_word, "DEMO-0001.docx", schema, deadlines)
    assert outcome.status is FormStatus.VALID, outcome.findings
    assert outcome.fields["overall_grade"] == "Good"
    assert outcome.fields["safeguarding_concern"] is False


def test_a_good_complete_audit_in_excel_is_valid(
    good_excel: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(good_excel, "DEMO-0001.xlsx", schema, deadlines)
    assert outcome.status is FormStatus.VALID, outcome.findings
    assert outcome.fields["audit_date"] == dt.date(2026, 11, 20)


def test_a_half_filled_audit_is_invalid_with_findings_naming_each_field_2_3(
    word_template: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(
        fill_word_form(word_template, half_filled_audit()), "DEMO-0003.docx", schema, deadlines
    )
    assert outcome.status is FormStatus.INVALID
    codes = {(f.code, f.field) for f in outcome.errors}
    assert ("grade-unreadable", "d3_grade") in codes
    assert ("overall-rationale-missing", "overall_rationale") in codes


def test_a_ticked_safeguarding_box_is_read_as_an_immediate_concern_2_6(
    word_template: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    filled = fill_word_form(word_template, inadequate_audit_with_safeguarding_concern())
    outcome = read_form(filled, "DEMO-0002.docx", schema, deadlines)
    assert outcome.fields["safeguarding_concern"] is True
    assert outcome.fields["overall_grade"] == "Inadequate"


def test_placeholder_text_counts_as_empty(
    word_template: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    values = good_audit()
    del values["team"]
    outcome = read_form(fill_word_form(word_template, values), "audit.docx", schema, deadlines)
    assert outcome.fields["team"] is None
    assert ("field-missing", "team") in {(f.code, f.field) for f in outcome.errors}


def test_placeholder_words_without_the_placeholder_flag_still_count_as_empty(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml")
    guidance = schema.case_file_audit.field("d1_good_practice").guidance.encode()
    document = document.replace(
        b"Direct work sessions used the child&#8217;s drawings to plan visits.", guidance
    ).replace(b"Direct work sessions used the child's drawings to plan visits.", guidance)
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert outcome.fields["d1_good_practice"] is None


def test_extra_paragraphs_tables_and_formatting_around_the_fields_do_not_matter(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml")
    extra = (
        b"<w:p><w:r><w:t>Auditor's own note, added above the form.</w:t></w:r></w:p>"
        b"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>An extra table</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    document = document.replace(b"<w:body>", b"<w:body>" + extra, 1)
    # Word splits typed text into runs with their own formatting: the value must read whole.
    document = document.replace(
        b'<w:t xml:space="preserve">DEMO-0001</w:t>',
        b"<w:t>DEMO-</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>00</w:t></w:r><w:r><w:t>01</w:t>",
    )
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert outcome.status is FormStatus.VALID, outcome.findings
    assert outcome.fields["case_ref"] == "DEMO-0001"


def test_a_word_date_typed_without_the_picker_is_still_read(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml").replace(b' w:fullDate="2026-11-20T00:00:00Z"', b"")
    document = document.replace(b">20/11/2026<", b">20 November 2026<")
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert outcome.fields["audit_date"] == "20 November 2026"
    assert outcome.status is FormStatus.VALID, outcome.findings


@pytest.mark.parametrize(
    "stored",
    [dt.datetime(2026, 11, 20), 46346, 46346.0, "20/11/2026", "2026-11-20", "20 November 2026"],
    ids=["date", "serial", "serial-float", "uk-text", "iso-text", "long-text"],
)
def test_an_excel_date_is_read_however_excel_stores_it(
    stored: object, good_excel: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    workbook = load_workbook(io.BytesIO(good_excel))
    sheet, reference = next(iter(workbook.defined_names["audit_date"].destinations))
    cell = workbook[sheet][reference.replace("$", "")]
    cell.value = stored
    cell.number_format = "General"
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = read_form(buffer.getvalue(), "a.xlsx", schema, deadlines)
    assert outcome.status is FormStatus.VALID, outcome.findings


def test_a_copied_control_with_a_different_answer_is_an_error(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml")
    copy = (
        b'<w:p><w:sdt><w:sdtPr><w:tag w:val="overall_grade"/></w:sdtPr><w:sdtContent>'
        b"<w:r><w:t>Inadequate</w:t></w:r></w:sdtContent></w:sdt></w:p>"
    )
    document = document.replace(b"</w:body>", copy + b"</w:body>")
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert ("field-duplicated", "overall_grade") in {(f.code, f.field) for f in outcome.errors}


def test_a_deleted_control_is_reported_by_field(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml").replace(b'w:val="d1_good_practice"', b'w:val="removed"')
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert ("field-control-missing", "d1_good_practice") in {(f.code, f.field) for f in outcome.warnings}


@pytest.mark.parametrize("name", ["case-file-audit.docx", "case-file-audit.xlsx", "staff-observation.docx"])
def test_an_unfilled_template_is_rejected_as_an_empty_form(
    name: str, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form((TEMPLATES_DIR / name).read_bytes(), name, schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "empty-form"


def test_filling_a_field_the_template_lacks_is_refused_by_name(
    word_template: bytes, excel_template: bytes
) -> None:
    with pytest.raises(ValueError, match="no_such_field"):
        fill_word_form(word_template, {"no_such_field": "x"})
    with pytest.raises(ValueError, match="no_such_field"):
        fill_excel_form(excel_template, {"no_such_field": "x"})


def test_filled_forms_keep_the_template_identity(good_word: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(good_word)) as archive:
        assert b"case-file-audit" in archive.read("docProps/custom.xml")
        assert archive.read("word/styles.xml")


def test_a_control_whose_tag_was_dropped_is_still_found_by_its_title(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    document = part(good_word, "word/document.xml").replace(b'<w:tag w:val="d1_evidence"/>', b"")
    outcome = read_form(with_parts(good_word, {"word/document.xml": document}), "a.docx", schema, deadlines)
    assert outcome.status is FormStatus.VALID, outcome.findings
    assert outcome.fields["d1_evidence"] == good_audit()["d1_evidence"]
