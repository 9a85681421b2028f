"""The programme in the demo: a year's schedule (2027) for the fictional department, then the
first quarter falling due: practitioners told with the form, one Staff Observation Form
returned and shared, and an observation nobody returned escalated by the daily sweep."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from shared.adapters.forms.word import fill_word_form
from shared.core.list_titles import OBSERVATIONS
from shared.core.programme import OBSERVATION
from shared.demo.example_registers import example_staff
from shared.services.ports.lists import Query
from shared.services.programme.case_discussions import schedule_case_discussions
from shared.services.programme.compliance import compliance_by_team
from shared.services.programme.observations import (
    FORM_TEMPLATE,
    notify_coming_observations,
    schedule_observations,
)
from shared.services.programme.schedule import SCHEDULES, ScheduleEntry, entries_due_between
from shared.services.programme.supervision import schedule_supervision_audits
from shared.services.workflow.changes import process_changes
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import Services
from shared.services.workflow.intake import submit_file
from shared.services.workflow.people import StaffDirectory, import_staff
from shared.services.workflow.sweep import sweep
from shared.services.workflow.unit_of_work import unit_of_work
from shared.services.workflow.workflow_run import Run

YEAR = 2027
D = dt.date


def demo_programme(services: Services, say: Callable[[str], None]) -> None:
    """Plan 2027 and replay January to March of it on ``services`` (fictional people only)."""
    import_staff(services, example_staff(services.schema))
    services.clock = Clock(D(2026, 12, 1))
    say(
        f"\nPlanning {YEAR} on {services.clock.today():%a %d %b %Y} (observations 6, case discussions 4.2, supervision audits 5.3)"
    )
    for plan in (schedule_observations, schedule_case_discussions, schedule_supervision_audits):
        result = plan(services, YEAR)
        say(
            f"  {result.activity}s: {result.planned} planned, {result.created} schedule items and "
            f"{result.tasks_created} tasks created"
        )
        for problem in result.problems:
            say(f"    ! {problem}")
    again = schedule_observations(services, YEAR)
    say(f"  Planning observations again creates nothing: {again.created} items, {again.tasks_created} tasks")
    _by_month(services, say)

    def day(when: dt.date, what: str) -> None:
        services.clock = Clock(when)
        say(f"\n{when:%a %d %b %Y}: {what}")

    day(D(2027, 1, 18), "practitioners with an observation in the next 10 working days are told (6.5)")
    with unit_of_work(services) as run:
        say(f"  {notify_coming_observations(run)} told, each sent the Staff Observation Form")
    day(D(2027, 2, 15), "the daily sweep reminds and escalates; more practitioners told")
    with unit_of_work(services) as run:
        say(f"  {notify_coming_observations(run)} told; sweep: {_sweep(run)}")

    day(D(2027, 2, 24), "a Team Manager returns a Staff Observation Form")
    content = _observation_form(services, D(2027, 2, 22))
    if content is not None:
        with tempfile.TemporaryDirectory(prefix="auditdesk-programme-") as folder:
            upload = Path(folder) / "staff-observation-february.docx"
            upload.write_bytes(content)
            submit_file(services, upload)
        for submission in process_changes(services).submissions:
            say(f"  {submission.file_name}: {submission.outcome}. {submission.reason}")

    day(D(2027, 3, 31), "end of the quarter: the daily sweep escalates what is overdue")
    with unit_of_work(services) as run:
        say(f"  {notify_coming_observations(run)} told; sweep: {_sweep(run)}")
    overdue = [
        e
        for e in entries_due_between(services, SCHEDULES[OBSERVATION], D(YEAR, 1, 1), services.clock.today())
        if e.done_on is None and e.due is not None and e.due < services.clock.today()
    ]
    for entry in overdue:
        say(
            f"  Overdue and escalated to the observer, their manager and QA: {entry.title} (due {entry.due:%d/%m/%Y})"
        )
    say("\nCompliance, January to March 2027 (due / done / overdue):")
    for figure in compliance_by_team(services, D(YEAR, 1, 1), D(YEAR, 3, 31)):
        say(f"  {figure.team:<16} {figure.activity:<18} {figure.due} / {figure.done} / {figure.overdue}")


def _sweep(run: Run) -> str:
    result = sweep(run)
    return f"{result.reminders} reminder(s), {result.escalations} escalation(s)"


def _by_month(services: Services, say: Callable[[str], None]) -> None:
    counts: Counter[tuple[int, str]] = Counter()
    for activity, spec in SCHEDULES.items():
        for entry in entries_due_between(services, spec, D(YEAR, 1, 1), D(YEAR, 12, 31)):
            if entry.due is not None:
                counts[(entry.due.month, activity)] += 1
    say("  Due per month (observations / case discussions / supervision audits):")
    for month in range(1, 13):
        figures = " / ".join(str(counts[(month, a)]) for a in SCHEDULES)
        say(f"    {D(YEAR, month, 1):%B}: {figures}")


def _observation_form(services: Services, observed_on: dt.date) -> bytes | None:
    """The Staff Observation Form for the first observation due in February, as its observer fills it in."""
    entries = [
        ScheduleEntry.from_item(item, SCHEDULES[OBSERVATION])
        for item in services.store.query_all(Query(OBSERVATIONS, page_size=500))
    ]
    february = sorted(
        (e for e in entries if e.due and e.due.month == 2 and e.due.year == YEAR),
        key=lambda e: e.due or D.max,
    )
    if not february:
        return None
    entry = february[0]
    staff = StaffDirectory.load(services)
    practitioner, observer = staff.get(entry.person_email), staff.get(entry.lead_email)
    if practitioner is None or observer is None:
        return None
    kind = services.store.get(OBSERVATIONS, entry.id).fields.get("observation_type")
    content = fill_word_form(
        FORM_TEMPLATE,
        {
            "practitioner": practitioner.name,
            "practitioner_role": practitioner.role,
            "observer": observer.name,
            "team": practitioner.team,
            "observation_date": observed_on,
            "observation_type": kind if isinstance(kind, str) else "Annual observation",
            "setting": "Home visit with a fictional family (DEMO-0103)",
            "appraisal_priorities": "Direct work with children; analysis of risk in recording.",
            "strengths": "Warm, child-centred conversation; the child's views were sought and recorded.",
            "development_areas": "Link observations to the assessment's analysis of risk.",
            "overall_grade": "Good",
            "action_plan": "Practitioner to complete a reflective log after two visits by 31/03/2027; "
            "Team Manager to review at supervision.",
        },
    )
    return content
