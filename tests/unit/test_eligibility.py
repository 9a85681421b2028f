"""Who may audit a case (1.4) and who re-audits an Inadequate case (2.12)."""

from __future__ import annotations

from shared.core.eligibility import CaseHolders, StaffMember, reasons_auditor_is_not_eligible
from shared.core.schema import AuditSchema

CASE = CaseHolders("worker@example.org", "manager@example.org")


def person(role: str, email: str = "auditor@example.org") -> StaffMember:
    return StaffMember(email=email, name="Pat Fictional", role=role)


def test_roles_named_in_the_framework_may_audit_1_4(schema: AuditSchema) -> None:
    for role in (
        "Senior Manager",
        "Director",
        "City Safeguarding Manager",
        "Team Manager",
        "ICRO",
        "IFRO",
        "Professional Practice Officer",
        "Practice Educator",
        "LADO",
    ):
        assert reasons_auditor_is_not_eligible(person(role), CASE, schema) == [], role


def test_a_social_worker_does_not_audit_1_4(schema: AuditSchema) -> None:
    reasons = reasons_auditor_is_not_eligible(person("Social Worker"), CASE, schema)
    assert len(reasons) == 1
    assert "case audits are done by" in reasons[0]


def test_an_auditor_does_not_audit_a_case_they_manage_1_4(schema: AuditSchema) -> None:
    manager = person("Team Manager", email="Manager@Example.org")
    assert reasons_auditor_is_not_eligible(manager, CASE, schema) == [
        "Pat Fictional manages the case and cannot audit it (1.4)."
    ]


def test_an_auditor_does_not_audit_a_case_they_work_on_1_4(schema: AuditSchema) -> None:
    worker = person("Team Manager", email="worker@example.org")
    assert "allocated worker" in reasons_auditor_is_not_eligible(worker, CASE, schema)[0]


def test_inadequate_case_is_reaudited_by_a_senior_manager_2_12(schema: AuditSchema) -> None:
    assert reasons_auditor_is_not_eligible(person("Senior Manager"), CASE, schema, is_reaudit=True) == []
    assert reasons_auditor_is_not_eligible(person("Director"), CASE, schema, is_reaudit=True) == []
    reasons = reasons_auditor_is_not_eligible(person("Team Manager"), CASE, schema, is_reaudit=True)
    assert reasons == [
        "Pat Fictional is a Team Manager; an Inadequate case is re-audited by a Senior Manager (2.12)."
    ]


def test_staff_who_have_left_are_not_allocated(schema: AuditSchema) -> None:
    leaver = StaffMember(email="a@example.org", name="Pat Fictional", role="ICRO", active=False)
    assert "no longer active" in reasons_auditor_is_not_eligible(leaver, CASE, schema)[0]
