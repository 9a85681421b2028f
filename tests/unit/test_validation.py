"""Checking a returned case file audit: completeness (2.3), judgements (2.7), safeguarding (2.6),
the SMART improvement plan (2.8) and grade consistency (7.2)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.findings import Severity
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema, ConsistencyRule
from shared.core.validation import AuditCheck, check_audit
from shared.demo.examples import (
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
)

NOVEMBER = AuditMonth(2026, 11)


def check(fields: dict[str, FieldValue], schema: AuditSchema, deadlines: Deadlines) -> AuditCheck:
    return check_audit(fields, schema, deadlines, NOVEMBER)


def codes(result: AuditCheck) -> dict[str, Severity]:
    return {f.code: f.severity for f in result.findings}


def test_a_complete_good_audit_has_no_findings(schema: AuditSchema, deadlines: Deadlines) -> None:
    result = check(good_audit(), schema, deadlines)
    assert result.findings == ()
    assert result.is_acceptable


def test_a_complete_inadequate_audit_with_safeguarding_is_acceptable(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    result = check(inadequate_audit_with_safeguarding_concern(), schema, deadlines)
    assert result.is_acceptable, result.findings
    assert result.record.safeguarding_concern is True


def test_every_applicable_domain_needs_a_judgement_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["d4_grade"] = ""
    result = check(fields, schema, deadlines)
    finding = next(f for f in result.findings if f.code == "domain-grade-missing")
    assert finding.field == "d4_grade"
    assert finding.is_error
    assert "Domain 4 (Intervention, progress and impact for the child)" in finding.message
    assert "Not applicable" in finding.message


def test_a_domain_may_be_not_applicable_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["d5_grade"] = "Not applicable"
    fields["d5_evidence"] = ""
    result = check(fields, schema, deadlines)
    assert result.findings == ()
    assert result.record.judgement("d5").not_applicable


def test_a_graded_domain_needs_evidence_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["d2_evidence"] = "   "
    result = check(fields, schema, deadlines)
    assert codes(result) == {"domain-evidence-missing": Severity.ERROR}
    assert result.errors[0].field == "d2_evidence"


def test_an_overall_judgement_and_rationale_are_required_2_7(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["overall_grade"] = None
    fields["overall_rationale"] = ""
    assert codes(check(fields, schema, deadlines)) == {
        "overall-grade-missing": Severity.ERROR,
        "overall-rationale-missing": Severity.ERROR,
    }


def test_the_overall_judgement_cannot_be_not_applicable_2_7(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["overall_grade"] = "Not applicable"
    result = check(fields, schema, deadlines)
    assert codes(result) == {"grade-unreadable": Severity.ERROR}


@pytest.mark.parametrize(
    ("typed", "grade"),
    [
        ("Requires Improvement (to be good)", "Requires Improvement"),
        ("  good ", "Good"),
        ("INADEQUATE", "Inadequate"),
    ],
)
def test_grades_are_read_as_auditors_type_them_2_7(
    schema: AuditSchema, deadlines: Deadlines, typed: str, grade: str
) -> None:
    fields = good_audit()
    fields["d3_grade"] = typed
    record = check(fields, schema, deadlines).record
    assert record.judgement("d3").grade is not None
    assert record.judgement("d3").grade.value == grade  # type: ignore[union-attr]


def test_a_grade_not_on_the_scale_is_reported_once_with_the_choices_2_7(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["d3_grade"] = "Excellent"
    result = check(fields, schema, deadlines)
    assert [f.code for f in result.findings] == ["grade-unreadable"]
    assert "'Excellent' is not a judgement" in result.findings[0].message
    assert (
        "Outstanding, Good, Requires Improvement, Inadequate or Not applicable" in result.findings[0].message
    )


def test_the_safeguarding_question_must_be_answered_2_6(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["safeguarding_concern"] = None
    assert codes(check(fields, schema, deadlines)) == {"safeguarding-unanswered": Severity.ERROR}


def test_a_safeguarding_concern_needs_details_2_6(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["safeguarding_concern"] = "☒"
    result = check(fields, schema, deadlines)
    assert codes(result) == {"safeguarding-details-missing": Severity.ERROR}
    assert result.record.safeguarding_concern is True


def test_review_period_must_end_by_the_audit_date_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["review_to"] = "2026-12-01"
    assert "review-period-after-audit" in codes(check(fields, schema, deadlines))


def test_review_period_of_other_than_six_months_goes_to_qa_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["review_from"] = "2026-08-20"
    assert codes(check(fields, schema, deadlines)) == {"review-period-not-six-months": Severity.WARNING}


def test_reversed_review_period_is_an_error_2_3(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["review_from"] = "2026-11-21"
    fields["review_to"] = "2026-05-20"
    assert "review-period-reversed" in codes(check(fields, schema, deadlines))


@pytest.mark.parametrize("typed", ["20/11/2026", "2026-11-20", "2026-11-20T00:00:00Z", "20 November 2026"])
def test_dates_are_read_in_the_forms_word_and_excel_store(
    schema: AuditSchema, deadlines: Deadlines, typed: str
) -> None:
    fields = good_audit()
    fields["audit_date"] = typed
    assert check(fields, schema, deadlines).record.audit_date == dt.date(2026, 11, 20)


def test_an_unreadable_date_names_the_field_and_what_to_type(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["audit_date"] = "next Tuesday"
    result = check(fields, schema, deadlines)
    finding = result.errors[0]
    assert (finding.code, finding.field) == ("date-unreadable", "audit_date")
    assert "30/11/2026" in finding.message
    assert "field-missing" not in codes(result)


def test_missing_case_details_are_errors_naming_the_field_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["case_ref"] = ""
    result = check(fields, schema, deadlines)
    assert [(f.code, f.field) for f in result.errors] == [("field-missing", "case_ref")]
    assert "Case reference" in result.errors[0].message


def test_auditor_role_must_be_one_that_audits_1_4(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["auditor_role"] = "Social Worker"
    assert codes(check(fields, schema, deadlines)) == {"auditor-role-unknown": Severity.ERROR}


def test_auditor_may_not_be_the_allocated_worker_1_4(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["auditor"] = fields["allocated_worker"]
    assert codes(check(fields, schema, deadlines)) == {"auditor-conflict": Severity.ERROR}


def test_discussion_with_worker_and_manager_not_recorded_goes_to_qa_2_5(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["discussion_date"] = None
    assert codes(check(fields, schema, deadlines)) == {"discussion-not-recorded": Severity.WARNING}


def test_good_practice_not_highlighted_on_a_good_case_goes_to_qa_2_3(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["good_practice_summary"] = ""
    fields["d1_good_practice"] = ""
    assert codes(check(fields, schema, deadlines)) == {"good-practice-not-highlighted": Severity.WARNING}


def test_errors_come_first_then_warnings_in_form_order(schema: AuditSchema, deadlines: Deadlines) -> None:
    result = check(half_filled_audit(), schema, deadlines)
    severities = [f.severity for f in result.findings]
    assert severities == sorted(severities, key=lambda s: s is Severity.WARNING)
    error_fields = [f.field for f in result.errors]
    position = schema.case_file_audit.position
    assert error_fields == sorted(error_fields, key=position.__getitem__)


def test_checks_never_change_the_auditors_grades_7_2(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["overall_grade"] = "Outstanding"
    fields["d7_grade"] = "Inadequate"
    result = check(fields, schema, deadlines)
    assert result.record.overall_grade is not None
    assert result.record.overall_grade.value == "Outstanding"
    assert result.record.judgement("d7").grade is not None
    assert result.record.judgement("d7").grade.value == "Inadequate"  # type: ignore[union-attr]


# --- grade consistency (2.7, 7.2) --------------------------------------------------------


def test_outstanding_overall_needs_every_domain_good_or_better_7_2(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["overall_grade"] = "Outstanding"
    fields["d7_grade"] = "Requires Improvement"
    result = check(fields, schema, deadlines)
    assert codes(result) == {"outstanding-with-weaker-domains": Severity.WARNING}
    assert "Domain 7 (Recording and chronology) Requires Improvement" in result.findings[0].message


def test_good_overall_with_an_inadequate_domain_is_flagged_7_2(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["d7_grade"] = "Inadequate"
    assert codes(check(fields, schema, deadlines)) == {
        "good-overall-with-inadequate-domain": Severity.WARNING
    }


def test_inadequate_overall_with_every_domain_good_is_flagged_7_2(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["overall_grade"] = "Inadequate"
    assert "inadequate-overall-with-good-domains" in codes(check(fields, schema, deadlines))


def test_a_weak_domain_needs_a_linked_action_2_8(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["d3_grade"] = "Inadequate"
    fields["overall_grade"] = "Requires Improvement"
    result = check(fields, schema, deadlines)
    finding = next(f for f in result.findings if f.code == "weak-domain-without-action")
    assert finding.is_error
    assert finding.message == (
        "Domain 3 (Planning) is graded Inadequate but no improvement action is linked to it: "
        "add an action with an owner and a due date."
    )


def test_consistency_rules_are_local_settings_7_2(schema: AuditSchema, deadlines: Deadlines) -> None:
    relaxed = dataclasses.replace(
        schema,
        consistency={
            **schema.consistency,
            "good_overall_with_inadequate_domain": ConsistencyRule(enabled=False, severity=Severity.WARNING),
            "weak_domain_needs_action": ConsistencyRule(enabled=True, severity=Severity.WARNING),
        },
    )
    fields = good_audit()
    fields["d7_grade"] = "Inadequate"
    fields["a1_domain"] = "d1"
    assert codes(check(fields, relaxed, deadlines)) == {"weak-domain-without-action": Severity.WARNING}


# --- SMART improvement plan (2.8) -----------------------------------------------------------


def test_an_improvement_plan_is_required_when_the_case_is_not_good_2_8(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["overall_grade"] = "Requires Improvement"
    for part in ("action", "domain", "owner", "due", "measure"):
        fields[f"a1_{part}"] = None
    assert "improvement-plan-empty" in codes(check(fields, schema, deadlines))


@pytest.mark.parametrize(
    ("part", "code"),
    [
        ("owner", "action-owner-missing"),
        ("due", "action-due-missing"),
        ("measure", "action-measure-missing"),
        ("domain", "action-domain-missing"),
        ("action", "action-missing"),
    ],
)
def test_every_action_says_what_who_when_which_domain_and_how_measured_2_8(
    schema: AuditSchema, deadlines: Deadlines, part: str, code: str
) -> None:
    fields = good_audit()
    fields[f"a1_{part}"] = ""
    result = check(fields, schema, deadlines)
    assert codes(result) == {code: Severity.ERROR}
    assert result.errors[0].field == f"a1_{part}"


def test_action_due_before_the_audit_is_refused_2_8(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["a1_due"] = "2026-11-19"
    assert codes(check(fields, schema, deadlines)) == {"action-due-before-audit": Severity.ERROR}


def test_action_due_on_a_bank_holiday_suggests_the_next_working_day_2_8(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["a1_due"] = "2026-12-28"
    result = check(fields, schema, deadlines)
    assert codes(result) == {"action-due-not-working-day": Severity.WARNING}
    assert "Boxing Day (observed)" in result.findings[0].message
    assert "29/12/2026" in result.findings[0].message


def test_action_due_beyond_the_horizon_goes_to_qa_2_8(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["a1_due"] = "2027-06-01"
    assert codes(check(fields, schema, deadlines)) == {"action-due-too-far": Severity.WARNING}


def test_inadequate_case_actions_fall_due_before_the_reaudit_2_12(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = inadequate_audit_with_safeguarding_concern()
    fields["a1_due"] = "2027-01-05"  # the re-audit of a November audit is due 31/12/2026
    result = check(fields, schema, deadlines)
    assert codes(result) == {"action-due-after-reaudit": Severity.WARNING}
    assert "31/12/2026" in result.findings[0].message


@pytest.mark.parametrize(
    "wording",
    [
        "Continue to monitor the child's school attendance weekly",
        "Visit the child alone as soon as possible and record it",
        "Ongoing direct work with the child about their wishes",
    ],
)
def test_vague_wording_is_flagged_2_8(schema: AuditSchema, deadlines: Deadlines, wording: str) -> None:
    fields = good_audit()
    fields["a1_action"] = wording
    assert codes(check(fields, schema, deadlines)) == {"vague-wording": Severity.WARNING}


def test_vague_phrases_match_whole_words_only_2_8(schema: AuditSchema, deadlines: Deadlines) -> None:
    fields = good_audit()
    fields["a1_action"] = "Hold a strategy discussion with the Nasa team about ongoingness"
    assert check(fields, schema, deadlines).findings == ()


def test_an_unreadable_domain_on_an_action_is_reported_once_2_8(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["a1_domain"] = "Domain 9"
    assert [f.code for f in check(fields, schema, deadlines).findings] == ["domain-unreadable"]


@pytest.mark.parametrize(
    "typed", ["d7", "Recording and chronology", "Domain 7", "7. Recording and chronology"]
)
def test_action_domain_is_read_by_id_name_or_number_2_8(
    schema: AuditSchema, deadlines: Deadlines, typed: str
) -> None:
    fields = good_audit()
    fields["a1_domain"] = typed
    record = check(fields, schema, deadlines).record
    assert record.actions[0].domain is not None
    assert record.actions[0].domain.id == "d7"


def test_empty_plan_rows_are_ignored_and_partial_rows_are_reported(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    fields = good_audit()
    fields["a5_owner"] = "Alex Example (fictional)"
    result = check(fields, schema, deadlines)
    assert [a.row for a in result.record.actions] == [1, 5]
    assert {f.field for f in result.errors} == {"a5_action", "a5_domain", "a5_due", "a5_measure"}


def test_a_case_detail_hull_makes_optional_in_the_schema_is_not_demanded_2_3(
    tmp_path: object, deadlines: Deadlines
) -> None:
    """Hull edits the schema: a case detail with ``required = false`` may be left empty."""
    from pathlib import Path

    from shared.core.schema_reader import DEFAULT_SCHEMA_PATH, load_schema

    assert isinstance(tmp_path, Path)
    text = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8")
    marker = 'id = "child_ref"\nlabel = "Child reference"\nkind = "text"\nrequired = true'
    assert marker in text
    edited = tmp_path / "schema.toml"
    edited.write_text(
        text.replace(marker, marker.replace("required = true", "required = false")), encoding="utf-8"
    )
    optional = load_schema(edited)
    fields = good_audit()
    fields["child_ref"] = ""
    assert "field-missing" not in codes(check_audit(fields, optional, deadlines, NOVEMBER))
    assert "field-missing" in codes(check_audit(fields, load_schema(), deadlines, NOVEMBER))
