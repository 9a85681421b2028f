"""Case discussions (4): twice a year per practitioner with their manager, planned by QA (4.2).

The schedule spreads each manager's discussions over the half-year; a returned Case
Discussion form completes the item (see :mod:`shared.services.programme.returns`).
"""

from __future__ import annotations

from shared.core.eligibility import StaffMember
from shared.core.programme import CASE_DISCUSSION, ScheduledItem, case_discussions_for_year
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

SPEC = SCHEDULES[CASE_DISCUSSION]


def schedule_case_discussions(services: Services, year: int) -> ScheduleResult:
    """4.2: each practitioner's case discussions for ``year``, spread over each manager's months."""
    plan = case_discussions_for_year(
        staff_records(services),
        year,
        services.schema.programme,
        services.deadlines.calendar,
        already_planned(services, SPEC, year),
    )
    return write_plan(services, SPEC, plan, year, _fields, _title, _details)


def _fields(item: ScheduledItem, member: StaffMember | None) -> dict[str, FieldValue]:
    return {"half_year": item.period}


def _title(item: ScheduledItem, member: StaffMember | None) -> str:
    return f"Case discussion with {name_of(member, item.person_email)} ({item.period}, 4.2)"


def _details(item: ScheduledItem, member: StaffMember | None) -> str:
    return (
        "Explore how well the practitioner knows a case, the purpose of involvement, their relationship "
        "with the child and family, and the overall assessment of practice (4.1). Upload the completed "
        "Case Discussion form to the Audit Submissions library."
    )
