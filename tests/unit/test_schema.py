"""The audit schema: one TOML file Hull edits; mistakes in it are refused with the key named."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from shared.core.grades import Grade
from shared.core.schema import AuditSchema
from shared.core.schema_reader import DEFAULT_SCHEMA_PATH, SchemaError, load_schema, parse_schema

REQUIRED_CASE_AUDIT_FIELDS = (
    [
        "case_ref",
        "child_ref",
        "team",
        "allocated_worker",
        "team_manager",
        "auditor",
        "auditor_role",
        "audit_date",
        "review_from",
        "review_to",
        "discussion_date",
    ]
    + [f"d{n}_{part}" for n in range(1, 8) for part in ("grade", "evidence", "good_practice")]
    + ["overall_grade", "overall_rationale", "safeguarding_concern", "safeguarding_details"]
    + [f"a{n}_{part}" for n in range(1, 9) for part in ("action", "domain", "owner", "due", "measure")]
    + ["good_practice_summary"]
    # 2.12: the re-audit's look at the last audit and its plan.
    + ["previous_judgements"]
    + [f"p{n}_{part}" for n in range(1, 9) for part in ("action", "status", "finding", "note")]
)


def raw() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))


def test_case_file_audit_has_exactly_the_stable_field_ids(schema: AuditSchema) -> None:
    assert sorted(schema.case_file_audit.field_ids) == sorted(REQUIRED_CASE_AUDIT_FIELDS)


def test_seven_domains_with_the_default_names_2_3(schema: AuditSchema) -> None:
    assert [d.id for d in schema.domains] == [f"d{n}" for n in range(1, 8)]
    assert schema.domain("d3").title == "Domain 3 (Planning)"


def test_grades_are_the_four_judgements_best_first_2_7(schema: AuditSchema) -> None:
    assert [g.value for g in Grade] == ["Outstanding", "Good", "Requires Improvement", "Inadequate"]
    assert schema.grade_descriptions[Grade.GOOD] == "A service that exceeds minimum requirements"


def test_all_five_forms_are_defined(schema: AuditSchema) -> None:
    assert set(schema.forms) == {
        "case-file-audit",
        "staff-observation",
        "supervision-audit",
        "case-discussion",
        "moderation",  # built from [moderation], the domains and the grades (7.2)
    }


def test_domains_are_renamed_in_the_schema_not_in_code(tmp_path: Path) -> None:
    edited = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8").replace(
        'name = "Planning"', 'name = "Planning and review"'
    )
    path = tmp_path / "hull.toml"
    path.write_text(edited, encoding="utf-8")
    assert load_schema(path).domain("d3").name == "Planning and review"


def test_a_wrong_grade_order_is_refused_naming_the_key() -> None:
    data = raw()
    data["grades"]["order"] = ["Good", "Outstanding", "Requires Improvement", "Inadequate"]
    with pytest.raises(SchemaError, match=r"'grades.order' must be exactly"):
        parse_schema(data)


def test_a_discussion_timescale_missing_a_grade_is_refused_2_10() -> None:
    data = raw()
    del data["timescales"]["discussion_working_days"]["Outstanding"]
    with pytest.raises(SchemaError, match='has no entry for "Outstanding"'):
        parse_schema(data)


def test_local_closure_days_must_be_dates() -> None:
    data = raw()
    data["calendar"]["local_closure_days"] = ["Christmas Eve"]
    with pytest.raises(SchemaError, match="not a date"):
        parse_schema(data)


def test_unknown_consistency_rules_are_refused() -> None:
    data = raw()
    data["consistency"]["grade_everything_good"] = {"enabled": True}
    with pytest.raises(SchemaError, match="unknown rules"):
        parse_schema(data)


def test_a_schema_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[grades\norder = ", encoding="utf-8")
    with pytest.raises(SchemaError, match="not valid TOML"):
        load_schema(path)


def test_a_missing_schema_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="Cannot read the audit schema"):
        load_schema(tmp_path / "absent.toml")


def test_duplicate_field_ids_are_refused() -> None:
    data = raw()
    data["forms"]["case-discussion"]["fields"].append(dict(data["forms"]["case-discussion"]["fields"][0]))
    with pytest.raises(SchemaError, match="twice"):
        parse_schema(data)


def test_the_reaudit_asks_per_action_exactly_what_the_core_understands_2_12(schema: AuditSchema) -> None:
    from shared.core.actions import REAUDIT_ANSWERS

    assert schema.case_file_audit.field("p1_finding").options == REAUDIT_ANSWERS
    assert schema.case_file_audit.previous_plan_rows == schema.case_file_audit.plan_rows


def test_guidance_names_a_timescale_and_says_the_schema_number_2_3() -> None:
    data = raw()
    data["timescales"]["review_period_months"] = 9
    (review_from,) = [f for f in parse_schema(data).case_file_audit.fields if f.id == "review_from"]
    assert review_from.guidance == "Start of the period reviewed: 9 months before the audit date (2.3)."


def test_guidance_naming_an_unknown_word_is_refused_naming_the_key() -> None:
    data = raw()
    data["forms"]["case-file-audit"]["fields"][0]["guidance"] = "Within {review_months} months."
    with pytest.raises(SchemaError, match=r"'forms.case-file-audit.*guidance' names \{review_months\}"):
        parse_schema(data)


def test_the_organisation_may_not_be_left_empty() -> None:
    data = raw()
    data["organisation"]["name"] = "  "
    with pytest.raises(SchemaError, match=r"'organisation\.name' must not be empty"):
        parse_schema(data)
