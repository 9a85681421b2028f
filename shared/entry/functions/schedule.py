"""When the timer jobs are due, and catching up the ones that were missed.

Every timer fires once a day; whether its job is due is decided here, on Hull's working-day
calendar, not in a CRON expression: a timer that fires on a non-working day does nothing, and
one that finds a due day since its last run (the host was down, the run failed) runs the job
for each missed day, oldest first. The last run day is kept in state per timer, after the job
succeeds, so a failed job is simply tried again the next time the timer fires.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.working_days import WorkingDayCalendar
from shared.services.ports.state import StateStore

# A gap longer than this is an outage someone has noticed; catching up stops there.
MAX_CATCH_UP_DAYS = 400


class Cadence(enum.Enum):
    EVERY_WORKING_DAY = "every working day"
    FIRST_WORKING_DAY_OF_MONTH = "first working day of the month"
    FIRST_WORKING_DAY_OF_QUARTER = "first working day of January, April, July and October"


@dataclass(frozen=True, slots=True)
class TimerJob:
    name: str
    cadence: Cadence

    @property
    def state_key(self) -> str:
        return f"timer-last-run:{self.name}"

    def is_due_on(self, calendar: WorkingDayCalendar, day: dt.date) -> bool:
        if not calendar.is_working_day(day):
            return False
        if self.cadence is Cadence.EVERY_WORKING_DAY:
            return True
        if self.cadence is Cadence.FIRST_WORKING_DAY_OF_QUARTER and day.month % 3 != 1:
            return False
        return day == calendar.first_working_day_of_month(day.year, day.month)


class TimerOutcome(enum.Enum):
    NOT_A_WORKING_DAY = "not a working day"
    NOTHING_DUE = "nothing due"
    RAN = "ran"


@dataclass(frozen=True, slots=True)
class TimerResult:
    outcome: TimerOutcome
    days_run: tuple[dt.date, ...] = ()


def due_days(
    job: TimerJob, calendar: WorkingDayCalendar, today: dt.date, last_run: dt.date | None
) -> list[dt.date]:
    """The due days after ``last_run`` up to ``today``, oldest first. A job never run before is
    due only for its latest due day: installing the app does not replay history."""
    earliest = today - dt.timedelta(days=MAX_CATCH_UP_DAYS)
    start = max(last_run + dt.timedelta(days=1), earliest) if last_run else earliest
    days = [
        start + dt.timedelta(days=n)
        for n in range((today - start).days + 1)
        if job.is_due_on(calendar, start + dt.timedelta(days=n))
    ]
    if last_run is None:
        return days[-1:]
    if job.cadence is Cadence.EVERY_WORKING_DAY:
        return days[-1:]  # a daily job (the sweep) covers every earlier day when it runs today
    return days


def run_if_due(
    job: TimerJob,
    calendar: WorkingDayCalendar,
    state: StateStore,
    today: dt.date,
    work: Callable[[dt.date], object],
) -> TimerResult:
    """Run ``work(due_day)`` for each due day not yet run; record each one after it succeeds."""
    if not calendar.is_working_day(today):
        return TimerResult(TimerOutcome.NOT_A_WORKING_DAY)
    stored = state.get(job.state_key)
    last_run = dt.date.fromisoformat(stored) if stored else None
    days = due_days(job, calendar, today, last_run)
    for day in days:
        work(day)
        state.put(job.state_key, day.isoformat())
    return TimerResult(TimerOutcome.RAN if days else TimerOutcome.NOTHING_DUE, tuple(days))


def previous_month(day: dt.date) -> str:
    """The month a report published on ``day`` covers: ``2026-11`` for a run in December 2026."""
    return str(AuditMonth.of(day).preceding())


def previous_quarter(day: dt.date) -> str:
    """The quarter a report published on ``day`` covers: ``2026-Q3`` for a run in October 2026."""
    quarter = (day.month - 1) // 3  # 0..3 for the quarter ``day`` is in
    if quarter == 0:
        return f"{day.year - 1}-Q4"
    return f"{day.year}-Q{quarter}"
