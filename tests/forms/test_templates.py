"""The shipped audit tools (issue 3): built from the schema, every field a control by field id."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]
from openpyxl import load_workbook

from shared.adapters.forms import TEMPLATES_DIR, build_templates
from shared.adapters.forms.ooxml import PROP_SCHEMA_VERSION, PROP_TEMPLATE, PROP_TEMPLATE_VERSION, W14, W
from shared.adapters.forms.safety import open_package
from shared.adapters.forms.templates import template_files, template_names
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.schema import CASE_FILE_AUDIT, AuditSchema
from shared.core.schema_reader import load_schema

NS = {"w": W, "w14": W14}
GRADES = [g.value for g in Grade]


def _document(form_id: str) -> etree._Element:
    with zipfile.ZipFile(TEMPLATES_DIR / f"{form_id}.docx") as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def _control(root: etree._Element, field_id: str) -> etree._Element:
    found = root.xpath(f'//w:sdt[w:sdtPr/w:tag/@w:val="{field_id}"]', namespaces=NS)
    assert len(found) == 1, f"{field_id}: {len(found)} controls"
    return found[0]


def _dropdown(root: etree._Element, field_id: str) -> list[str]:
    return list(_control(root, field_id).xpath("w:sdtPr/w:dropDownList/w:listItem/@w:value", namespaces=NS))


def test_shipped_templates_are_exactly_what_the_schema_builds(schema: AuditSchema) -> None:
    for name, data in template_files(schema).items():
        assert (TEMPLATES_DIR / name).read_bytes() == data, (
            f"templates/{name} is stale: run auditdesk templates build"
        )


def test_rebuilding_the_templates_gives_identical_bytes(schema: AuditSchema, tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in build_templates(schema, tmp_path / "one")}
    second = {p.name: p.read_bytes() for p in build_templates(schema, tmp_path / "two")}
    assert first == second
    assert set(first) == {
        "case-file-audit.docx",
        "case-file-audit.xlsx",
        "staff-observation.docx",
        "supervision-audit.docx",
        "case-discussion.docx",
        "moderation.docx",  # the moderation form (7.2), Word and Excel
        "moderation.xlsx",
    }


@pytest.mark.parametrize("name", template_names(load_schema()))
def test_every_template_carries_its_template_id_and_version(name: str, schema: AuditSchema) -> None:
    package = open_package((TEMPLATES_DIR / name).read_bytes(), name)
    properties = package.custom_properties()
    form = schema.forms[Path(name).stem]
    assert properties[PROP_TEMPLATE] == form.id
    assert properties[PROP_TEMPLATE_VERSION] == str(form.version)
    assert properties[PROP_SCHEMA_VERSION] == str(schema.version)


@pytest.mark.parametrize(
    "form_id", ["case-file-audit", "staff-observation", "supervision-audit", "case-discussion"]
)
def test_every_field_is_a_word_content_control_tagged_with_its_field_id(
    form_id: str, schema: AuditSchema
) -> None:
    root = _document(form_id)
    tags = root.xpath("//w:sdt/w:sdtPr/w:tag/@w:val", namespaces=NS)
    assert sorted(tags) == sorted(schema.forms[form_id].field_ids)


def test_domain_grade_is_a_dropdown_of_the_four_judgements_and_not_applicable_2_7(
    schema: AuditSchema,
) -> None:
    root = _document(CASE_FILE_AUDIT)
    for domain in schema.domains:
        assert _dropdown(root, f"{domain.id}_grade") == [*GRADES, NOT_APPLICABLE]


def test_overall_judgement_offers_the_four_judgements_without_not_applicable_2_7() -> None:
    assert _dropdown(_document(CASE_FILE_AUDIT), "overall_grade") == GRADES


def test_improvement_plan_domain_is_a_dropdown_of_the_seven_domains_2_8(schema: AuditSchema) -> None:
    root = _document(CASE_FILE_AUDIT)
    for row in range(1, 9):
        assert _dropdown(root, f"a{row}_domain") == [d.name for d in schema.domains]


def test_dates_are_date_pickers_in_uk_format(schema: AuditSchema) -> None:
    root = _document(CASE_FILE_AUDIT)
    dates = [spec.id for spec in schema.case_file_audit.fields if spec.kind == "date"]
    assert "audit_date" in dates
    assert "a8_due" in dates
    for field_id in dates:
        picker = _control(root, field_id).find("w:sdtPr/w:date", NS)
        assert picker is not None
        assert picker.find("w:dateFormat", NS).get(f"{{{W}}}val") == "dd/MM/yyyy"


def test_immediate_safeguarding_concern_is_a_check_box_2_6() -> None:
    control = _control(_document(CASE_FILE_AUDIT), "safeguarding_concern")
    assert control.find("w:sdtPr/w14:checkbox", NS) is not None


def test_empty_controls_show_the_schema_guidance_as_placeholder_text(schema: AuditSchema) -> None:
    root = _document(CASE_FILE_AUDIT)
    control = _control(root, "child_ref")
    assert control.find("w:sdtPr/w:showingPlcHdr", NS) is not None
    text = "".join(control.xpath("w:sdtContent//w:t/text()", namespaces=NS))
    assert text == schema.case_file_audit.field("child_ref").guidance


def test_word_tool_has_a_section_per_domain_and_an_eight_row_improvement_plan_2_3_2_8(
    schema: AuditSchema,
) -> None:
    root = _document(CASE_FILE_AUDIT)
    headings = root.xpath('//w:p[w:pPr/w:pStyle/@w:val="Heading1"]//w:t/text()', namespaces=NS)
    for domain in schema.domains:
        assert f"Domain {domain.number}: {domain.name}" in headings
    assert "Improvement plan (2.8)" in headings
    assert "Immediate safeguarding concern (2.6)" in headings
    plan = root.xpath('//w:tbl[.//w:tag/@w:val="a1_action"]', namespaces=NS)[0]
    assert len(plan.findall("w:tr", NS)) == 1 + 8


# --- the Excel tool ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(io.BytesIO((TEMPLATES_DIR / "case-file-audit.xlsx").read_bytes()))


def test_every_field_has_an_excel_defined_name_pointing_at_an_unlocked_cell(
    workbook, schema: AuditSchema
) -> None:
    for field_id in schema.case_file_audit.field_ids:
        definition = workbook.defined_names[field_id]
        sheet, reference = next(iter(definition.destinations))
        assert sheet == "Audit"
        assert workbook[sheet][reference.replace("$", "")].protection.locked is False, field_id


def test_excel_sheet_is_protected_without_a_password(workbook) -> None:
    protection = workbook["Audit"].protection
    assert protection.sheet is True
    assert not protection.password
    assert workbook["Audit"]["A2"].protection.locked is True


def test_excel_grades_and_domains_are_validated_lists_and_dates_are_validated_dates_2_7(
    workbook, schema: AuditSchema
) -> None:
    sheet = workbook["Audit"]
    lists = workbook["Lists"]

    def validation_of(field_id: str):
        reference = next(iter(workbook.defined_names[field_id].destinations))[1].replace("$", "")
        matches = [dv for dv in sheet.data_validations.dataValidation if reference in dv.sqref]
        assert len(matches) == 1, field_id
        return matches[0]

    def entries(formula: str) -> list[str]:
        cells = lists[formula.split("!")[1].replace("$", "")]
        return [row[0].value for row in cells]

    assert entries(validation_of("d1_grade").formula1) == [*GRADES, NOT_APPLICABLE]
    assert entries(validation_of("overall_grade").formula1) == GRADES
    assert entries(validation_of("a3_domain").formula1) == [d.name for d in schema.domains]
    assert entries(validation_of("safeguarding_concern").formula1) == ["Yes", "No"]
    assert validation_of("audit_date").type == "date"


def test_excel_improvement_plan_is_a_table_of_eight_rows_2_8(workbook) -> None:
    table = workbook["Audit"].tables["ImprovementPlan"]
    first, last = table.ref.split(":")
    assert int(last[1:]) - int(first[1:]) == 8
