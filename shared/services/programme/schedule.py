"""Writing a year's plan: schedule list items and their tasks, each made once by its key.

A plan is the core's (:mod:`shared.core.programme`); this puts it in the lists. Planning the
same year again adds only what is missing (a new starter, say) and never moves what is there:
what was planned before counts towards each manager's load.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.eligibility import StaffMember
from shared.core.list_titles import CASE_DISCUSSIONS, OBSERVATIONS, STAFF, SUPERVISION_AUDITS, TASKS
from shared.core.programme import (
    CASE_DISCUSSION,
    OBSERVATION,
    SUPERVISION_AUDIT,
    Plan,
    ScheduledItem,
    StaffRecord,
)
from shared.core.record import text_of
from shared.core.tasks import TaskStatus, TaskType
from shared.services.ports.lists import FieldValue, ListItem, Query, where
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Task
from shared.services.workflow.people import staff_from_item
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

_CHUNK = 50


@dataclass(frozen=True, slots=True)
class ScheduleList:
    """Where an activity's schedule lives and which columns say who, when and whether done."""

    activity: TaskType
    list_name: str
    person_column: str
    lead_column: str
    done_column: str
    staff_column: str  # the Staff register's "last ..." date


SCHEDULES = {
    OBSERVATION: ScheduleList(
        OBSERVATION,
        OBSERVATIONS,
        "practitioner_email",
        "observer_email",
        "observation_date",
        "last_observation",
    ),
    CASE_DISCUSSION: ScheduleList(
        CASE_DISCUSSION,
        CASE_DISCUSSIONS,
        "practitioner_email",
        "manager_email",
        "discussion_date",
        "last_case_discussion",
    ),
    SUPERVISION_AUDIT: ScheduleList(
        SUPERVISION_AUDIT,
        SUPERVISION_AUDITS,
        "supervisee_email",
        "auditor_email",
        "audit_date",
        "last_supervision_audit",
    ),
}


@dataclass(frozen=True, slots=True)
class ScheduleResult:
    """What planning a year did: ``created`` new schedule items and ``tasks_created`` tasks."""

    activity: str
    year: int
    planned: int
    created: int
    tasks_created: int
    problems: tuple[str, ...] = ()

    @property
    def already_there(self) -> int:
        return self.planned - self.created

    @property
    def nothing_new(self) -> bool:
        return self.created == 0 and self.tasks_created == 0


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """An item of a schedule list, as the programme reads it."""

    id: int
    etag: str
    key: str
    person_email: str
    lead_email: str
    team: str
    due: dt.date | None
    done_on: dt.date | None
    section: str
    title: str
    form_fingerprint: str

    @classmethod
    def from_item(cls, item: ListItem, spec: ScheduleList) -> ScheduleEntry:
        f = item.fields
        return cls(
            id=item.id,
            etag=item.etag,
            key=text_of(f.get("schedule_key")),
            person_email=text_of(f.get(spec.person_column)).lower(),
            lead_email=text_of(f.get(spec.lead_column)).lower(),
            team=text_of(f.get("team")),
            due=as_date(f.get("due_date")),
            done_on=as_date(f.get(spec.done_column)),
            section=text_of(f.get("section")),
            title=text_of(f.get("Title")),
            form_fingerprint=text_of(f.get("form_fingerprint")),
        )


def as_date(value: FieldValue) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for parse in (dt.date.fromisoformat, lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                return parse(text)
            except ValueError:
                continue
    return None


# --- reading -------------------------------------------------------------------------


def staff_records(services: Services) -> list[StaffRecord]:
    """The Staff register with each person's last observation, case discussion and supervision audit."""
    records = []
    for item in services.store.query_all(Query(STAFF, page_size=500)):
        member = staff_from_item(item)
        if not member.email:
            continue
        records.append(
            StaffRecord(
                member,
                as_date(item.fields.get("last_observation")),
                as_date(item.fields.get("last_case_discussion")),
                as_date(item.fields.get("last_supervision_audit")),
            )
        )
    return sorted(records, key=lambda r: r.member.email)


def entries_due_between(
    services: Services, spec: ScheduleList, start: dt.date, end: dt.date
) -> list[ScheduleEntry]:
    query = Query(
        spec.list_name, (where("due_date", "ge", start), where("due_date", "le", end)), page_size=500
    )
    return [ScheduleEntry.from_item(item, spec) for item in services.store.query_all(query)]


def entries_for(services: Services, spec: ScheduleList, person_email: str) -> list[ScheduleEntry]:
    query = Query(spec.list_name, (where(spec.person_column, "eq", person_email),), page_size=500)
    return [ScheduleEntry.from_item(item, spec) for item in services.store.query_all(query)]


def _keys_present(services: Services, spec: ScheduleList, keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    present: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        query = Query(
            spec.list_name, (where("schedule_key", "in", wanted[start : start + _CHUNK]),), page_size=500
        )
        present.update(text_of(item.fields.get("schedule_key")) for item in services.store.query_all(query))
    return present


def already_planned(services: Services, spec: ScheduleList, year: int) -> dict[str, tuple[str, AuditMonth]]:
    """What is already planned for ``year``: key -> (lead, month), so planning again keeps it."""
    planned = {}
    for entry in entries_due_between(services, spec, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        if entry.key and entry.due is not None:
            planned[entry.key] = (entry.lead_email, AuditMonth.of(entry.due))
    return planned


# --- writing -------------------------------------------------------------------------


def write_plan(
    services: Services,
    spec: ScheduleList,
    plan: Plan,
    year: int,
    item_fields: Callable[[ScheduledItem, StaffMember | None], dict[str, FieldValue]],
    task_title: Callable[[ScheduledItem, StaffMember | None], str],
    task_details: Callable[[ScheduledItem, StaffMember | None], str] = lambda item, member: "",
) -> ScheduleResult:
    """Add the plan's missing schedule items, then a task for each (made once by key)."""
    from shared.services.workflow.unit_of_work import unit_of_work

    with unit_of_work(services) as run:
        return _write_plan(run, spec, plan, year, item_fields, task_title, task_details)


def _write_plan(
    run: Run,
    spec: ScheduleList,
    plan: Plan,
    year: int,
    item_fields: Callable[[ScheduledItem, StaffMember | None], dict[str, FieldValue]],
    task_title: Callable[[ScheduledItem, StaffMember | None], str],
    task_details: Callable[[ScheduledItem, StaffMember | None], str],
) -> ScheduleResult:
    services = run.services
    people = {r.member.email: r.member for r in staff_records(services)}
    present = _keys_present(services, spec, (item.key for item in plan.items))
    rows = []
    for item in plan.items:
        if item.key in present:
            continue
        member = people.get(item.person_email)
        rows.append(
            {
                "Title": task_title(item, member),
                spec.person_column: item.person_email,
                spec.lead_column: item.lead_email,
                "due_date": item.due,
                "team": item.team or None,
                "section": item.section,
                "schedule_key": item.key,
                **item_fields(item, member),
            }
        )
    if rows:
        services.store.add_many(spec.list_name, rows)
    for item in plan.items:
        member = people.get(item.person_email)
        run.task(
            item.key,
            spec.activity,
            task_title(item, member),
            item.lead_email,
            item.due,
            item.section,
            details=task_details(item, member),
            team=item.team,
        )
    log.info(
        "%s %d: %d planned, %d new, %d new task(s)",
        spec.activity,
        year,
        len(plan.items),
        len(rows),
        run.tasks_created,
    )
    return ScheduleResult(spec.activity, year, len(plan.items), len(rows), run.tasks_created, plan.problems)


def complete_schedule_task(run: Run, key: str) -> bool:
    """Mark the open task made for schedule item ``key`` done."""
    store = run.services.store
    done = False
    for item in list(store.query_all(Query(TASKS, (where("task_key", "eq", key),)))):
        task = Task.from_item(item)
        if task.status == TaskStatus.OPEN:
            store.update(
                TASKS, task.id, {"status": TaskStatus.DONE.value, "completed_on": run.today}, task.etag
            )
            done = True
    return done


def record_last_date(services: Services, email: str, column: str, day: dt.date) -> None:
    """Keep the Staff register's "last ..." date: only ever moved later."""
    for item in services.store.query_all(Query(STAFF, (where("email", "eq", email),))):
        current = as_date(item.fields.get(column))
        if current is None or current < day:
            services.store.update(STAFF, item.id, {column: day}, item.etag)


def name_of(member: StaffMember | None, email: str) -> str:
    return member.name if member is not None and member.name else email
