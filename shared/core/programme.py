"""The rest of the framework's programme as rules: staff observations (6), case discussions
(4.2), supervision audits (5.3) and the supervision policy's frequencies (5.2).

Pure: every rule is given the staff, the year and the working-day calendar; none reads a
clock. The numbers come from ``[programme]`` in the audit schema.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth, months_before
from shared.core.eligibility import StaffMember
from shared.core.schema import ProgrammeSettings
from shared.core.tasks import PROGRAMME_TASKS, TaskType
from shared.core.working_days import WorkingDayCalendar

# The programme's activities (4, 5, 6) are its task types.
OBSERVATION = TaskType.OBSERVATION
CASE_DISCUSSION = TaskType.CASE_DISCUSSION
SUPERVISION_AUDIT = TaskType.SUPERVISION_AUDIT
ACTIVITIES = PROGRAMME_TASKS

# The Staff Observation Form's types of observation (6.2 to 6.6).
ASYE_OBSERVATION = "ASYE direct observation"
ANNUAL_OBSERVATION = "Annual observation"
SUPPORT_OBSERVATION = "Support with improving performance"
MANAGER_OBSERVATION = "Manager observation"


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A person in the Staff register with the dates of their last observation, case
    discussion and supervision audit (None when not known)."""

    member: StaffMember
    last_observation: dt.date | None = None
    last_case_discussion: dt.date | None = None
    last_supervision_audit: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ScheduledItem:
    """One planned observation, case discussion or supervision audit.

    ``person_email`` is the practitioner observed, discussed with or supervised; ``lead_email``
    the observer, the manager or the auditor. ``key`` is stable: planning twice gives the same keys.
    """

    key: str
    activity: str
    person_email: str
    lead_email: str
    team: str
    due: dt.date
    section: str
    kind: str = ""
    period: str = ""
    supervisor_email: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    items: tuple[ScheduledItem, ...]
    # What stopped something being planned, in words QA can act on.
    problems: tuple[str, ...] = ()


# --- dates ---------------------------------------------------------------------------


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months later, or that month's last day when it has no such day."""
    return months_before(day, -months)


def year_months(year: int) -> tuple[AuditMonth, ...]:
    return tuple(AuditMonth(year, month) for month in range(1, 13))


def periods_of_year(year: int, per_year: int) -> tuple[tuple[str, tuple[AuditMonth, ...]], ...]:
    """The year cut into ``per_year`` equal runs of months: 2 gives H1 (January to June) and H2."""
    length = 12 // per_year
    prefix = {1: "Y", 2: "H", 4: "Q"}.get(per_year, "P")
    months = year_months(year)
    return tuple((f"{year}-{prefix}{n + 1}", months[n * length : (n + 1) * length]) for n in range(per_year))


# --- ASYE (6.2) ----------------------------------------------------------------------


def asye_year_end(asye_start: dt.date, settings: ProgrammeSettings) -> dt.date:
    """The first day after the ASYE year."""
    return months_after(asye_start, settings.asye_year_months)


def asye_observation_due_dates(
    asye_start: dt.date, settings: ProgrammeSettings, calendar: WorkingDayCalendar
) -> tuple[dt.date, ...]:
    """6.2: the direct observations of a newly qualified worker, due by the end of months 3, 6
    and 10 of the ASYE year by default (the last working day on or before that month's end)."""
    return tuple(
        calendar.previous_working_day_on_or_before(months_after(asye_start, month) - dt.timedelta(days=1))
        for month in settings.asye_months
    )


# --- supervision policy (5.2) --------------------------------------------------------


def supervision_frequency(member: StaffMember, on: dt.date, settings: ProgrammeSettings) -> str:
    """5.2: at least how often the practitioner is supervised on ``on``: 'week', 'fortnight'
    or 'month'. Newly qualified: weekly for 6 weeks, fortnightly to 6 months, then monthly."""
    start = member.asye_start
    if start is not None and start <= on:
        weeks = (on - start).days // 7
        for stage in settings.newly_qualified_supervision:
            if weeks < stage.until_weeks:
                return stage.every
    return settings.experienced_supervision_every


def _after_one(day: dt.date, every: str) -> dt.date:
    if every == "week":
        return day + dt.timedelta(days=7)
    if every == "fortnight":
        return day + dt.timedelta(days=14)
    return months_after(day, 1)


def next_supervision_by(
    member: StaffMember, after: dt.date, settings: ProgrammeSettings, calendar: WorkingDayCalendar
) -> dt.date:
    """6.5, 5.2: the latest working day the practitioner's next supervision can fall on."""
    latest = _after_one(after, supervision_frequency(member, after, settings))
    day = calendar.previous_working_day_on_or_before(latest)
    return day if day > after else calendar.next_working_day_on_or_after(after + dt.timedelta(days=1))


def supervision_sessions_expected(
    member: StaffMember, start: dt.date, end: dt.date, settings: ProgrammeSettings
) -> int:
    """5.2: how many supervision sessions the policy expects from ``start`` to ``end``."""
    sessions = 0
    day = start
    while day <= end:
        sessions += 1
        day = _after_one(day, supervision_frequency(member, day, settings))
    return sessions


# --- spreading the work (4.2, 5.3) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkToPlace:
    """A piece of work to give a lead and a month: any of ``candidates`` (in order of
    preference), in any of ``months``."""

    key: str
    candidates: tuple[str, ...]
    months: tuple[AuditMonth, ...]


def balance_load(
    work: Sequence[WorkToPlace], already: Iterable[tuple[str, AuditMonth]] = ()
) -> dict[str, tuple[str, AuditMonth]]:
    """Give each piece of work a lead and a month, in the order given, so that the work is
    shared fairly between leads and each lead's months are as even as possible (then the
    service's months as a whole). ``already`` is work planned before, which counts. The same
    input always gives the same answer."""
    per_lead_month: Counter[tuple[str, AuditMonth]] = Counter()
    per_lead: Counter[str] = Counter()
    per_month: Counter[AuditMonth] = Counter()
    for lead, month in already:
        per_lead_month[(lead, month)] += 1
        per_lead[lead] += 1
        per_month[month] += 1
    placed: dict[str, tuple[str, AuditMonth]] = {}
    for piece in work:
        if not piece.candidates or not piece.months:
            continue
        options = [(lead, month) for lead in piece.candidates for month in piece.months]
        lead, month = min(
            options,
            key=lambda option: (
                per_lead[option[0]],
                per_lead_month[option],
                per_month[option[1]],
                piece.candidates.index(option[0]),
                option[1],
            ),
        )
        placed[piece.key] = (lead, month)
        per_lead_month[(lead, month)] += 1
        per_lead[lead] += 1
        per_month[month] += 1
    return placed


# --- who is planned for --------------------------------------------------------------


def practitioners(staff: Iterable[StaffRecord], settings: ProgrammeSettings) -> list[StaffRecord]:
    """Active practitioners (observed, discussed with and supervision-audited), by email."""
    return sorted(
        (r for r in staff if r.member.active and r.member.role in settings.practitioner_roles),
        key=lambda r: r.member.email,
    )


def _by_email(staff: Iterable[StaffRecord]) -> dict[str, StaffMember]:
    return {r.member.email: r.member for r in staff}


def _manager_of(member: StaffMember, people: Mapping[str, StaffMember]) -> StaffMember | None:
    manager = people.get(member.manager_email)
    return manager if manager is not None and manager.active else None


# --- observations (6) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Due:
    key: str
    observer: str
    due: dt.date | None  # None: any month of ``months`` (spread by the observer's load)
    months: tuple[AuditMonth, ...]
    kind: str
    section: str


def observations_for_year(
    staff: Sequence[StaffRecord],
    year: int,
    settings: ProgrammeSettings,
    calendar: WorkingDayCalendar,
    already: Mapping[str, tuple[str, AuditMonth]] | None = None,
) -> Plan:
    """Every observation due in ``year``: ASYE workers 3 in their ASYE year by their Team
    Manager (6.2); experienced workers at least every 12 months (6.3); workers needing support
    every 6 months (6.4); Team Managers yearly by a Group Manager and ICROs by the ICRO Manager
    (6.6). With no last observation recorded, the observer's load decides the month."""
    people = _by_email(staff)
    problems: list[str] = []
    dues: list[tuple[StaffMember, _Due]] = []
    observer_load: Counter[str] = Counter()
    for record in sorted(staff, key=lambda r: r.member.email):
        member = record.member
        if not member.active:
            continue
        if member.role in settings.observed_by:
            observer = _manager_observer(member, people, settings.observed_by[member.role], observer_load)
            if observer is None:
                problems.append(
                    f"{member.name} ({member.role}) has no active {settings.observed_by[member.role]} "
                    "in the Staff register to observe them (6.6)."
                )
                continue
            observer_load[observer] += 1
            for key, when, months in _interval_dues(
                member, record.last_observation, settings.manager_interval_months, year, calendar
            ):
                dues.append((member, _Due(key, observer, when, months, MANAGER_OBSERVATION, "6.6")))
            continue
        if member.role not in settings.practitioner_roles:
            continue
        manager = _manager_of(member, people)
        if manager is None:
            problems.append(
                f"{member.name} has no active manager in the Staff register: nobody to observe them (6.2-6.4)."
            )
            continue
        last = record.last_observation
        if member.asye_start is not None and months_after(
            member.asye_start, settings.asye_year_months
        ) > dt.date(year, 1, 1):
            asye_dates = asye_observation_due_dates(member.asye_start, settings, calendar)
            for number, due_date in enumerate(asye_dates, start=1):
                if due_date.year == year:
                    key = f"observation/asye/{member.email}/{number}"
                    dues.append((member, _Due(key, manager.email, due_date, (), ASYE_OBSERVATION, "6.2")))
            if asye_year_end(member.asye_start, settings).year > year:
                continue  # still in the ASYE year at the end of this one
            last = max(d for d in (last, asye_dates[-1]) if d is not None)
        elif member.role == settings.newly_qualified_role:
            problems.append(
                f"{member.name} is a {member.role} with no ASYE start date in the Staff register: "
                "add it so the ASYE observations can be planned (6.2)."
            )
            continue
        interval = (
            settings.needs_support_interval_months
            if member.needs_support
            else settings.experienced_interval_months
        )
        kind, section = (SUPPORT_OBSERVATION, "6.4") if member.needs_support else (ANNUAL_OBSERVATION, "6.3")
        for key, when, months in _interval_dues(member, last, interval, year, calendar):
            dues.append((member, _Due(key, manager.email, when, months, kind, section)))
    already = already or {}
    fixed = [(d.observer, AuditMonth.of(d.due)) for _, d in dues if d.due is not None]
    spread = [d for _, d in dues if d.due is None]
    placed = balance_load(
        [WorkToPlace(d.key, (d.observer,), d.months) for d in spread if d.key not in already],
        [*fixed, *(already[d.key] for d in spread if d.key in already)],
    )
    items = []
    for member, planned in dues:
        when = planned.due
        if when is None:
            spot = already.get(planned.key) or placed.get(planned.key)
            if spot is None:
                continue
            when = calendar.last_working_day_of_month(spot[1].year, spot[1].month)
        items.append(
            ScheduledItem(
                planned.key,
                OBSERVATION,
                member.email,
                planned.observer,
                member.team,
                when,
                planned.section,
                planned.kind,
            )
        )
    return Plan(tuple(sorted(items, key=lambda i: (i.due, i.key))), tuple(problems))


def _manager_observer(
    member: StaffMember, people: Mapping[str, StaffMember], observer_role: str, load: Counter[str]
) -> str | None:
    """6.6: their own manager when they hold the observer's role; else the least-loaded one."""
    manager = _manager_of(member, people)
    if manager is not None and manager.role == observer_role:
        return manager.email
    candidates = sorted(
        (p for p in people.values() if p.active and p.role == observer_role and p.email != member.email),
        key=lambda p: (load[p.email], p.email),
    )
    return candidates[0].email if candidates else None


def _interval_dues(
    member: StaffMember, last: dt.date | None, interval: int, year: int, calendar: WorkingDayCalendar
) -> list[tuple[str, dt.date | None, tuple[AuditMonth, ...]]]:
    """Observations due in ``year`` at least every ``interval`` months after ``last``. One
    already overdue at the start of the year is due by the end of January. With no last date,
    one in each run of ``interval`` months, its month left to the load balancer."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    dues: list[tuple[str, dt.date | None, tuple[AuditMonth, ...]]] = []
    if last is None:
        per_year = max(1, 12 // interval)
        for number, (_, months) in enumerate(periods_of_year(year, per_year), start=1):
            dues.append((f"observation/{year}/{member.email}/{number}", None, months))
        return dues
    following = months_after(last, interval)
    number = 0
    while following <= end:
        if following < start:
            following = calendar.last_working_day_of_month(year, 1)
        due = calendar.previous_working_day_on_or_before(following)
        if due < start:
            due = calendar.first_working_day_of_month(year, 1)
        number += 1
        dues.append((f"observation/{year}/{member.email}/{number}", due, ()))
        following = months_after(due, interval)
    return dues


# --- case discussions (4.2) and supervision audits (5.3) -----------------------------


def case_discussions_for_year(
    staff: Sequence[StaffRecord],
    year: int,
    settings: ProgrammeSettings,
    calendar: WorkingDayCalendar,
    already: Mapping[str, tuple[str, AuditMonth]] | None = None,
) -> Plan:
    """4.2: twice a year (by default) each practitioner has a case discussion with their
    manager, spread over each half-year so no manager has a month of them."""
    people = _by_email(staff)
    work: list[WorkToPlace] = []
    details: dict[str, tuple[StaffMember, str]] = {}
    problems = []
    for record in practitioners(staff, settings):
        member = record.member
        manager = _manager_of(member, people)
        if manager is None:
            problems.append(
                f"{member.name} has no active manager in the Staff register for case discussions (4.2)."
            )
            continue
        for period, months in periods_of_year(year, settings.case_discussions_per_year):
            key = f"case-discussion/{period}/{member.email}"
            work.append(WorkToPlace(key, (manager.email,), months))
            details[key] = (member, period)
    return _placed_plan(work, details, already, CASE_DISCUSSION, "4.2", calendar, problems)


def supervision_audits_for_year(
    staff: Sequence[StaffRecord],
    year: int,
    settings: ProgrammeSettings,
    calendar: WorkingDayCalendar,
    already: Mapping[str, tuple[str, AuditMonth]] | None = None,
) -> Plan:
    """5.3: at least twice a year each practitioner's supervision is audited, by an auditor
    who is neither the practitioner nor their supervisor (another team's manager first),
    shared evenly between auditors and spread over the months."""
    people = _by_email(staff)
    auditors = sorted(
        (p for p in people.values() if p.active and p.role in settings.supervision_auditor_roles),
        key=lambda p: p.email,
    )
    work: list[WorkToPlace] = []
    details: dict[str, tuple[StaffMember, str]] = {}
    problems = []
    for record in practitioners(staff, settings):
        member = record.member
        candidates = tuple(
            a.email
            for a in sorted(auditors, key=lambda a: (a.team == member.team, a.email))
            if a.email not in (member.email, member.manager_email)
        )
        if not candidates:
            problems.append(
                f"Nobody can audit {member.name}'s supervision: no active "
                + " or ".join(settings.supervision_auditor_roles)
                + " other than their supervisor (5.3)."
            )
            continue
        for period, months in periods_of_year(year, settings.supervision_audits_per_year):
            key = f"supervision-audit/{period}/{member.email}"
            work.append(WorkToPlace(key, candidates, months))
            details[key] = (member, period)
    return _placed_plan(work, details, already, SUPERVISION_AUDIT, "5.3", calendar, problems)


def _placed_plan(
    work: list[WorkToPlace],
    details: Mapping[str, tuple[StaffMember, str]],
    already: Mapping[str, tuple[str, AuditMonth]] | None,
    activity: str,
    section: str,
    calendar: WorkingDayCalendar,
    problems: list[str],
) -> Plan:
    already = already or {}
    placed = {**already, **balance_load([w for w in work if w.key not in already], already.values())}
    items = []
    for piece in work:
        member, period = details[piece.key]
        lead, month = placed[piece.key]
        items.append(
            ScheduledItem(
                piece.key,
                activity,
                member.email,
                lead,
                member.team,
                calendar.last_working_day_of_month(month.year, month.month),
                section,
                period=period,
                supervisor_email=member.manager_email,
            )
        )
    return Plan(tuple(sorted(items, key=lambda i: (i.due, i.key))), tuple(problems))
