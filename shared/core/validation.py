"""Checking a returned single case file audit (2.3, 2.6, 2.7, 2.8, 2.11).

:func:`check_audit` reads the form's fields into an :class:`AuditRecord` and returns every
finding: errors send the form back to the auditor, warnings go to the QA check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from shared.core.consistency import check_grade_consistency
from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.findings import Finding, Severity, error, warning
from shared.core.grades import Grade
from shared.core.record import AuditRecord, FieldValue, parse_audit_record
from shared.core.schema import AuditSchema
from shared.core.smart import check_improvement_plan


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """A form's record and everything the checks found, errors first."""

    record: AuditRecord
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def is_acceptable(self) -> bool:
        """No errors: the form may go to the QA check (warnings go with it)."""
        return not self.errors


def check_audit(
    values: Mapping[str, FieldValue],
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None = None,
) -> AuditCheck:
    """Read and check a case file audit form given as ``{field_id: value}``."""
    parsed = parse_audit_record(values, schema)
    findings = list(parsed.findings)
    findings.extend(validate_audit(parsed.record, schema, deadlines, allocation_month, parsed.findings))
    position = schema.case_file_audit.position
    if len(findings) > 1:
        findings.sort(key=lambda f: (f.severity is not Severity.ERROR, position.get(f.field, len(position))))
    return AuditCheck(parsed.record, tuple(findings))


def validate_audit(
    record: AuditRecord,
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None = None,
    already: tuple[Finding, ...] = (),
) -> list[Finding]:
    """Every check on a parsed record. ``already`` holds the parser's findings, so a field
    whose value could not be read is not reported a second time as empty."""
    unreadable = {f.field for f in already}
    found: list[Finding] = []
    found.extend(_case_details(record, schema, unreadable))
    found.extend(_domains(record, unreadable))
    found.extend(_overall(record, unreadable))
    found.extend(_safeguarding(record, unreadable))
    found.extend(_review_period(record, schema, deadlines, unreadable))
    month = allocation_month or (AuditMonth.of(record.audit_date) if record.audit_date else None)
    reaudit_due = deadlines.reaudit_due_date(month) if month else None
    found.extend(check_improvement_plan(record, schema, deadlines.calendar, reaudit_due))
    found.extend(check_grade_consistency(record, schema))
    return found


_DETAIL_FIELDS = (
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
)


def _case_details(record: AuditRecord, schema: AuditSchema, unreadable: set[str]) -> list[Finding]:
    form = schema.case_file_audit
    found = []
    for field_id in _DETAIL_FIELDS:
        if field_id in unreadable:
            continue
        spec = form.field(field_id)
        if spec.required and getattr(record, field_id) in ("", None):  # the schema says which (2.3)
            found.append(error("field-missing", field_id, f"{spec.label} is empty: {spec.guidance}", "2.3"))
    if record.auditor_role and record.auditor_role not in schema.roles.auditors:
        found.append(
            error(
                "auditor-role-unknown",
                "auditor_role",
                f"Auditor's role '{record.auditor_role}' is not a role that audits cases (1.4). "
                "Choose one of: " + ", ".join(schema.roles.auditor_order) + ".",
                "1.4",
            )
        )
    if record.auditor and record.auditor.casefold() in {
        record.allocated_worker.casefold(),
        record.team_manager.casefold(),
    }:
        found.append(
            error(
                "auditor-conflict",
                "auditor",
                "The auditor is the case's allocated worker or Team Manager. An audit must be "
                "done by someone who does not work on or manage the case: ask QA to reallocate it.",
                "1.4",
            )
        )
    if record.discussion_date is None and "discussion_date" not in unreadable:
        found.append(
            warning(
                "discussion-not-recorded",
                "discussion_date",
                "No date is recorded for discussing the case with the allocated worker and Team "
                "Manager. Record when it took place and reflect it in the audit (2.5).",
                "2.5",
            )
        )
    return found


def _domains(record: AuditRecord, unreadable: set[str]) -> list[Finding]:
    found = []
    for judgement in record.domains:
        domain = judgement.domain
        grade_field = f"{domain.id}_grade"
        if judgement.grade is None and not judgement.not_applicable:
            if grade_field not in unreadable:
                found.append(
                    error(
                        "domain-grade-missing",
                        grade_field,
                        f"{domain.title} has no judgement: choose a grade, or Not applicable if "
                        "the domain does not apply to this case.",
                        "2.3",
                    )
                )
        elif judgement.grade is not None and not judgement.evidence:
            found.append(
                error(
                    "domain-evidence-missing",
                    f"{domain.id}_evidence",
                    f"{domain.title} is graded {judgement.grade.value} without evidence: add the "
                    "evidence from the file that supports the judgement.",
                    "2.3",
                )
            )
    if all(j.not_applicable for j in record.domains):
        found.append(
            error(
                "no-domain-graded",
                "d1_grade",
                "Every domain is marked Not applicable: grade at least the domains that apply to this case.",
                "2.3",
            )
        )
    return found


def _overall(record: AuditRecord, unreadable: set[str]) -> list[Finding]:
    found = []
    if record.overall_grade is None and "overall_grade" not in unreadable:
        found.append(
            error(
                "overall-grade-missing",
                "overall_grade",
                "There is no overall judgement: choose Outstanding, Good, Requires Improvement or Inadequate.",
                "2.7",
            )
        )
    if not record.overall_rationale:
        found.append(
            error(
                "overall-rationale-missing",
                "overall_rationale",
                "The overall judgement has no rationale: explain it with evidence from the file.",
                "2.3",
            )
        )
    if record.overall_grade is not None and record.overall_grade.is_weak and not record.actions:
        found.append(
            error(
                "improvement-plan-empty",
                "a1_action",
                f"The case is judged {record.overall_grade.value} but the improvement plan is "
                "empty: add SMART actions with owners and due dates.",
                "2.8",
            )
        )
    if (
        record.overall_grade is not None
        and record.overall_grade.at_least(Grade.GOOD)
        and not record.good_practice_summary
        and not any(j.good_practice for j in record.domains)
    ):
        found.append(
            warning(
                "good-practice-not-highlighted",
                "good_practice_summary",
                f"The case is judged {record.overall_grade.value} but no good practice is "
                "highlighted: add the good practice seen, so it can be shared.",
                "2.3",
            )
        )
    return found


def _safeguarding(record: AuditRecord, unreadable: set[str]) -> list[Finding]:
    if record.safeguarding_concern is None:
        if "safeguarding_concern" in unreadable:
            return []
        return [
            error(
                "safeguarding-unanswered",
                "safeguarding_concern",
                "The immediate safeguarding question is not answered: tick the box if you found "
                "an immediate concern about a child's safety, or answer No.",
                "2.6",
            )
        ]
    if record.safeguarding_concern and not record.safeguarding_details:
        return [
            error(
                "safeguarding-details-missing",
                "safeguarding_details",
                "An immediate safeguarding concern is ticked without details: describe the "
                "concern and when you told the Team Manager. The Team Manager is alerted now "
                "whatever else is wrong with this form.",
                "2.6",
            )
        ]
    return []


def _review_period(
    record: AuditRecord, schema: AuditSchema, deadlines: Deadlines, unreadable: set[str]
) -> list[Finding]:
    start, end, audit = record.review_from, record.review_to, record.audit_date
    if start is None or end is None:
        return []
    if end < start:
        return [
            error(
                "review-period-reversed",
                "review_to",
                f"The period reviewed ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y}): "
                "check the two dates.",
                "2.3",
            )
        ]
    if audit is None:
        return []
    if end > audit:
        return [
            error(
                "review-period-after-audit",
                "review_to",
                f"The period reviewed ends {end:%d/%m/%Y}, after the audit date "
                f"{audit:%d/%m/%Y}: it must end on or before the audit date.",
                "2.3",
            )
        ]
    months = schema.timescales.review_period_months
    tolerance = dt.timedelta(days=schema.timescales.review_period_tolerance_days)
    expected_start = deadlines.review_period_start(audit)
    if abs(start - expected_start) > tolerance or audit - end > tolerance:
        return [
            warning(
                "review-period-not-six-months",
                "review_from",
                f"The period reviewed ({start:%d/%m/%Y} to {end:%d/%m/%Y}) is not the last "
                f"{months} months before the audit ({expected_start:%d/%m/%Y} to "
                f"{audit:%d/%m/%Y}). Review the last {months} months, or explain why not.",
                "2.3",
            )
        ]
    return []
