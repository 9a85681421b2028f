"""Supervision audits (5): at least twice a year per practitioner (5.3), by an auditor other
than their supervisor, checking supervision against the supervision policy's frequency (5.2)."""

from __future__ import annotations

from shared.core.deadlines import months_before
from shared.core.eligibility import StaffMember
from shared.core.programme import (
    SUPERVISION_AUDIT,
    ScheduledItem,
    supervision_audits_for_year,
    supervision_sessions_expected,
)
from shared.core.schema import ProgrammeSettings
from shared.services.ports.lists import FieldValue
from shared.services.programme.schedule import (
    SCHEDULES,
    ScheduleResult,
    already_planned,
    name_of,
    staff_records,
    write_plan,
)
from shared.services.workflow.dependencies import Services

SPEC = SCHEDULES[SUPERVISION_AUDIT]


def schedule_supervision_audits(services: Services, year: int) -> ScheduleResult:
    """5.3: each practitioner's supervision audits for ``year``, shared between auditors."""
    settings = services.schema.programme
    plan = supervision_audits_for_year(
        staff_records(services),
        year,
        settings,
        services.deadlines.calendar,
        already_planned(services, SPEC, year),
    )

    def fields(item: ScheduledItem, member: StaffMember | None) -> dict[str, FieldValue]:
        return {
            "half_year": item.period,
            "supervisor_email": item.supervisor_email or None,
            "sessions_expected": expected_sessions(member, item, settings),
        }

    def details(item: ScheduledItem, member: StaffMember | None) -> str:
        expected = expected_sessions(member, item, settings)
        return (
            f"Audit the quality of supervision and management decision making (5.2). The supervision "
            f"policy expects at least {expected} session(s) in the {_period_months(settings)} months before "
            "the due date. Upload the completed Supervision Audit form to the Audit Submissions library."
        )

    return write_plan(services, SPEC, plan, year, fields, _title, details)


def _period_months(settings: ProgrammeSettings) -> int:
    return 12 // settings.supervision_audits_per_year


def expected_sessions(
    member: StaffMember | None, item: ScheduledItem, settings: ProgrammeSettings
) -> int | None:
    """5.2: sessions the policy expects over the period the audit looks back on."""
    if member is None:
        return None
    start = months_before(item.due, _period_months(settings))
    return supervision_sessions_expected(member, start, item.due, settings)


def _title(item: ScheduledItem, member: StaffMember | None) -> str:
    return f"Audit the supervision of {name_of(member, item.person_email)} ({item.period}, 5.3)"
