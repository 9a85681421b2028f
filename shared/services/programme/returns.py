"""Returned Staff Observation, Case Discussion and Supervision Audit forms (4, 5, 6).

Intake hands these forms here instead of quarantining them as "not a case file audit". Each
is matched to its schedule item by the person it is about (name or email in the Staff
register) and completes it: the item's date, judgement and actions are recorded, its task is
done, and the Staff register's last date moves on. A Staff Observation Form is then shared
with the practitioner, with a reflective review set for their next supervision (6.5).
A form that cannot be matched comes back with a reason QA can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from shared.core.deadlines import months_before
from shared.core.eligibility import StaffMember
from shared.core.grades import Grade
from shared.core.programme import (
    CASE_DISCUSSION,
    OBSERVATION,
    SUPERVISION_AUDIT,
    supervision_sessions_expected,
)
from shared.core.record import text_of
from shared.services.ports.forms import FormOutcome, FormStatus
from shared.services.ports.lists import FieldValue
from shared.services.programme import observations
from shared.services.programme.schedule import (
    SCHEDULES,
    ScheduleEntry,
    ScheduleList,
    as_date,
    complete_schedule_task,
    entries_for,
    record_last_date,
    staff_records,
)
from shared.services.workflow.notices import findings_text
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

# Form id -> (activity, field naming the person, field with the date it took place).
PROGRAMME_FORMS = {
    "staff-observation": (OBSERVATION, "practitioner", "observation_date"),
    "case-discussion": (CASE_DISCUSSION, "practitioner", "discussion_date"),
    "supervision-audit": (SUPERVISION_AUDIT, "supervisee", "audit_date"),
}


@dataclass(frozen=True, slots=True)
class FormRecorded:
    """``recorded`` False means the file goes to quarantine with ``reason``."""

    recorded: bool
    reason: str
    team: str = ""


def record_programme_form(run: Run, form: FormOutcome, file_name: str, content: bytes) -> FormRecorded:
    """Complete the schedule item a returned observation, case discussion or supervision audit
    form is for. Safe to repeat: a form already recorded is recognised by its fingerprint."""
    activity, person_field, date_field = PROGRAMME_FORMS[str(form.template_id)]
    spec = SCHEDULES[activity]
    title = run.services.schema.forms[str(form.template_id)].title
    if form.status is FormStatus.INVALID:
        return FormRecorded(
            False,
            f"The {title} form cannot be recorded until these are fixed:\n" + findings_text(form.errors),
        )
    named = text_of(form.fields.get(person_field))
    person = _find_person(run, named, text_of(form.fields.get("team")))
    if person is None:
        return FormRecorded(
            False,
            f"The {title} form is about '{named}', who is not (or not uniquely) in the Staff register. "
            "Write the name as it is in the Staff register, or add the person, and upload the form again.",
        )
    fingerprint = hashlib.sha256(content).hexdigest()
    entry = _match(run, spec, person.email, fingerprint)
    if entry is None:
        return FormRecorded(
            False,
            f"No {activity.lower()} is scheduled and open for {person.name or person.email}. Ask QA to "
            f"schedule it (auditdesk schedule), then upload the form again.",
        )
    took_place = as_date(form.fields.get(date_field)) or run.today
    fields: dict[str, FieldValue] = {
        spec.done_column: took_place,
        "form_name": file_name,
        "form_fingerprint": fingerprint,
        **_activity_fields(activity, form, person, took_place, run),
    }
    store = run.services.store
    store.update(spec.list_name, entry.id, fields, None)
    run.trail(
        f"programme-form/{entry.key}/{fingerprint[:16]}",
        f"{activity} recorded from the returned form",
        spec.list_name,
        entry.id,
        {},
        {k: v for k, v in fields.items() if k not in ("action_plan", "actions")},
    )
    complete_schedule_task(run, entry.key)
    record_last_date(run.services, person.email, spec.staff_column, took_place)
    reason = f"{activity} of {took_place:%d/%m/%Y} recorded ({entry.section})."
    if activity == OBSERVATION:
        plan = text_of(form.fields.get("action_plan"))
        due = observations.after_observation(
            run,
            entry,
            person,
            took_place,
            as_date(form.fields.get("reflective_review_date")),
            plan,
            file_name,
            content,
        )
        reason += f" Form shared with the practitioner; reflective review due {due:%d/%m/%Y} (6.5)."
    elif activity == SUPERVISION_AUDIT:
        reason += _sessions_note(fields)
    log.info("programme form recorded against schedule item %d", entry.id)
    return FormRecorded(True, reason, entry.team or person.team)


def _activity_fields(
    activity: str, form: FormOutcome, person: StaffMember, took_place: dt.date, run: Run
) -> dict[str, FieldValue]:
    f = form.fields
    if activity == OBSERVATION:
        return {
            "overall_grade": _grade(f.get("overall_grade")),
            "reflective_review_date": as_date(f.get("reflective_review_date")),
            "action_plan": text_of(f.get("action_plan")) or None,
        }
    if activity == CASE_DISCUSSION:
        return {
            "case_ref": text_of(f.get("case_ref")).upper() or None,
            "overall_grade": _grade(f.get("overall_grade")),
            "actions": text_of(f.get("actions")) or None,
        }
    settings = run.services.schema.programme
    period_from = as_date(f.get("period_from")) or months_before(
        took_place, 12 // settings.supervision_audits_per_year
    )
    period_to = as_date(f.get("period_to")) or took_place
    return {
        "quality_grade": _grade(f.get("quality_grade")),
        "sessions_held": _number(f.get("sessions_held")),
        "sessions_expected": supervision_sessions_expected(person, period_from, period_to, settings),
        "actions": text_of(f.get("actions")) or None,
    }


def _sessions_note(fields: dict[str, FieldValue]) -> str:
    held, expected = fields.get("sessions_held"), fields.get("sessions_expected")
    if isinstance(held, int) and isinstance(expected, int) and held < expected:
        return f" Fewer supervision sessions recorded ({held}) than the policy expects ({expected}) (5.2)."
    return ""


def _find_person(run: Run, named: str, team: str) -> StaffMember | None:
    wanted = " ".join(named.split()).casefold()
    if not wanted:
        return None
    members = [r.member for r in staff_records(run.services) if r.member.active]
    by_email = [m for m in members if m.email == wanted]
    if by_email:
        return by_email[0]
    matches = [m for m in members if " ".join(m.name.split()).casefold() == wanted]
    if len(matches) > 1 and team:
        matches = [m for m in matches if m.team.casefold() == team.casefold()]
    return matches[0] if len(matches) == 1 else None


def _match(run: Run, spec: ScheduleList, email: str, fingerprint: str) -> ScheduleEntry | None:
    """The item this very form completed before (a repeated run), else the person's earliest open one."""
    entries = entries_for(run.services, spec, email)
    for entry in entries:
        if entry.form_fingerprint == fingerprint:
            return entry
    open_entries = sorted(
        (e for e in entries if e.done_on is None and e.due is not None),
        key=lambda e: (e.due or dt.date.max, e.key),
    )
    return open_entries[0] if open_entries else None


def _grade(value: FieldValue) -> str | None:
    text = text_of(value)
    return text if text in {g.value for g in Grade} else None


def _number(value: FieldValue) -> int | None:
    text = text_of(value)
    return int(text) if text.isdigit() else None
