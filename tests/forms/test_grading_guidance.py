"""The Case Audit Grading Guidance in the tool (7.1, Appendix 2, 7.2; issue 13): in the schema,
beside each judgement in Word and Excel, quoted by the self-check; required answers marked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]
from openpyxl import load_workbook
from typer.testing import CliRunner

from shared.adapters.forms import fill_word_form
from shared.adapters.forms.templates import TEMPLATES_DIR
from shared.core.grades import Grade
from shared.core.schema import AuditSchema
from shared.core.schema_reader import SchemaError, parse_schema
from shared.demo.examples import good_audit
from shared.demo.hostile_forms import part
from shared.entry.cli.main import app
from tests.unit.test_schema import raw

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_every_domain_says_what_each_grade_looks_like_7_1(schema: AuditSchema) -> None:
    for domain in schema.domains:
        assert [grade for grade, _ in domain.grading] == [g.value for g in Grade]
        assert all(text.strip() for _, text in domain.grading)


def test_guidance_for_a_grade_that_does_not_exist_is_refused_naming_it_7_1() -> None:
    data = raw()
    data["domains"][0]["grading"]["Excellent"] = "Not a grade."
    with pytest.raises(SchemaError, match="Excellent"):
        parse_schema(data)


def test_the_word_tool_shows_the_guidance_under_each_judgement_in_its_own_row_7_1(
    schema: AuditSchema,
) -> None:
    root = etree.fromstring(part((TEMPLATES_DIR / "case-file-audit.docx").read_bytes(), "word/document.xml"))
    ns = {"w": W}
    for domain in schema.domains:
        (grade_row,) = root.xpath(
            "//w:tr[.//w:sdt/w:sdtPr/w:tag/@w:val=$id]", namespaces=ns, id=f"{domain.id}_grade"
        )
        guidance_row = grade_row.getnext()
        text = "".join(guidance_row.itertext())
        assert domain.grade_guidance("Inadequate") in text
        assert not guidance_row.xpath(".//w:sdt", namespaces=ns)  # never in an answer's cell


def test_the_excel_tool_shows_the_guidance_beside_each_judgement_7_1(schema: AuditSchema) -> None:
    book = load_workbook(io.BytesIO((TEMPLATES_DIR / "case-file-audit.xlsx").read_bytes()))
    for domain in schema.domains:
        ((sheet, reference),) = list(book.defined_names[f"{domain.id}_grade"].destinations)
        cell = book[sheet][reference.replace("$", "")]
        beside = str(book[sheet].cell(cell.row, cell.column + 1).value)
        assert domain.grade_guidance("Outstanding") in beside


def test_domain_judgement_and_evidence_are_marked_required(schema: AuditSchema) -> None:
    form = schema.case_file_audit
    for domain in schema.domains:
        assert form.field(f"{domain.id}_grade").required
        assert form.field(f"{domain.id}_evidence").required
    labels = "".join(
        etree.fromstring(
            part((TEMPLATES_DIR / "case-file-audit.docx").read_bytes(), "word/document.xml")
        ).itertext()
    )
    assert labels.count("Judgement *") == len(schema.domains)


def test_the_self_check_quotes_the_guidance_for_a_missing_judgement_and_a_consistency_flag_7_2(
    tmp_path: Path, schema: AuditSchema
) -> None:
    missing = good_audit()
    missing["d3_grade"] = None
    flagged = good_audit()
    flagged["overall_grade"] = "Outstanding"
    flagged["d7_grade"] = "Requires Improvement"
    paths = []
    for name, values in (("missing.docx", missing), ("flagged.docx", flagged)):
        path = tmp_path / name
        path.write_bytes(fill_word_form(TEMPLATES_DIR / "case-file-audit.docx", values))
        paths.append(str(path))
    output = " ".join(CliRunner().invoke(app, ["validate", paths[0]]).output.split())  # as wrapped
    planning = schema.domain("d3")
    for grade, text in planning.grading:
        assert f"{planning.title}, {grade}: {text}" in output
    output = " ".join(CliRunner().invoke(app, ["validate", paths[1]]).output.split())
    recording = schema.domain("d7")
    assert (
        f"{recording.title}, Requires Improvement: {recording.grade_guidance('Requires Improvement')}"
        in output
    )
    assert "Domain 3 (Planning)" not in output
