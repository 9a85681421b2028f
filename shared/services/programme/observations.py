"""Staff observations (6): the year's schedule, the practitioner told beforehand with the
form (6.5), and a returned Staff Observation Form shared, reviewed and its action plan kept.

Overdue observations need nothing here: their tasks are open tasks, and the daily sweep
escalates every overdue open task to the observer, their manager and QA.
"""

from __future__ import annotations

import datetime as dt

from shared.core.eligibility import StaffMember
from shared.core.list_titles import OBSERVATIONS
from shared.core.programme import OBSERVATION, ScheduledItem, next_supervision_by, observations_for_year
from shared.core.tasks import TaskType
from shared.services.ports.lists import FieldValue, Query, where
from shared.services.programme import notices
from shared.services.programme.schedule import (
    SCHEDULES,
    ScheduleEntry,
    ScheduleResult,
    already_planned,
    name_of,
    staff_records,
    write_plan,
)
from shared.services.workflow.dependencies import TEMPLATES, Services
from shared.services.workflow.workflow_run import Run

SPEC = SCHEDULES[OBSERVATION]
FORM_TEMPLATE = TEMPLATES / "staff-observation.docx"


def schedule_observations(services: Services, year: int) -> ScheduleResult:
    """6.2-6.6: every observation due in ``year``, with a task for the observer."""
    programme = services.schema.programme
    calendar = services.deadlines.calendar
    plan = observations_for_year(
        staff_records(services), year, programme, calendar, already_planned(services, SPEC, year)
    )
    return write_plan(services, SPEC, plan, year, _fields, _title, _details)


def _fields(item: ScheduledItem, member: StaffMember | None) -> dict[str, FieldValue]:
    return {"observation_type": item.kind}


def _title(item: ScheduledItem, member: StaffMember | None) -> str:
    return f"Observe the practice of {name_of(member, item.person_email)} ({item.kind}, {item.section})"


def _details(item: ScheduledItem, member: StaffMember | None) -> str:
    return (
        "Before: discuss the observation with the practitioner; Audit Desk sends them the Staff "
        "Observation Form (6.5). After: upload the completed form to the Audit Submissions library; "
        "Audit Desk shares it with the practitioner and sets the reflective review for their next "
        "supervision (6.5)."
    )


def notify_coming_observations(run: Run) -> int:
    """6.5: tell each practitioner whose observation falls due within the notice period, and
    send them the Staff Observation Form. Once per observation; returns how many were told."""
    services = run.services
    settings = services.schema.programme
    until = services.deadlines.calendar.add_working_days(run.today, settings.notice_working_days)
    query = Query(
        OBSERVATIONS, (where("due_date", "ge", run.today), where("due_date", "le", until)), page_size=500
    )
    entries = [ScheduleEntry.from_item(item, SPEC) for item in services.store.query_all(query)]
    people = {r.member.email: r.member for r in staff_records(services)} if entries else {}
    form = FORM_TEMPLATE.read_bytes() if entries else b""
    told = 0
    for entry in entries:
        if entry.done_on is not None or entry.due is None or not entry.key:
            continue
        practitioner = people.get(entry.person_email)
        observer = people.get(entry.lead_email)
        kind = _kind(services, entry)
        sent = run.mail(
            notices.observation_coming(
                name_of(practitioner, entry.person_email),
                entry.person_email,
                name_of(observer, entry.lead_email),
                entry.lead_email,
                kind,
                entry.due,
                entry.section,
                form,
                f"observation-notice/{entry.key}",
            )
        )
        told += not sent.already_sent
    return told


def _kind(services: Services, entry: ScheduleEntry) -> str:
    value = services.store.get(OBSERVATIONS, entry.id).fields.get("observation_type")
    return value if isinstance(value, str) and value else "observation"


def after_observation(
    run: Run,
    entry: ScheduleEntry,
    practitioner: StaffMember,
    observed_on: dt.date,
    review_on: dt.date | None,
    action_plan: str,
    file_name: str,
    content: bytes,
) -> dt.date:
    """6.5: share the completed form with the practitioner and set the shared reflective review
    for their next supervision (or the date on the form, if sooner). Returns the review's due date."""
    services = run.services
    calendar = services.deadlines.calendar
    next_supervision = next_supervision_by(practitioner, observed_on, services.schema.programme, calendar)
    due = (
        review_on
        if review_on is not None and observed_on <= review_on <= next_supervision
        else next_supervision
    )
    run.mail(
        notices.observation_shared(
            practitioner.name or practitioner.email,
            practitioner.email,
            entry.lead_email,
            due,
            file_name,
            content,
            bool(action_plan),
            f"observation-shared/{entry.key}",
        )
    )
    run.task(
        f"reflective-review/{entry.key}",
        TaskType.REFLECTIVE_REVIEW,
        f"Shared reflective review of {practitioner.name or practitioner.email}'s observation at their next "
        "supervision, and the shared action plan (6.5)",
        entry.lead_email,
        due,
        "6.5",
        details=(
            "Shared action plan recorded on the Observations item: review it together."
            if action_plan
            else "The form has no shared action plan yet: agree one together and record it on the Observations item."
        ),
        team=entry.team,
    )
    return due
