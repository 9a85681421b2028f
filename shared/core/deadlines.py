"""Deadline rules, each with the framework section it implements.

Every rule takes the working-day calendar and the schema's timescales; none reads a clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.core.grades import Grade
from shared.core.schema import AuditSchema
from shared.core.working_days import WorkingDayCalendar

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True, order=True)
class AuditMonth:
    """The month an audit is allocated to, e.g. November 2026 (2.1, 2.2)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1 to 12, not {self.month}")

    @classmethod
    def parse(cls, text: str) -> AuditMonth:
        """From 'YYYY-MM' (how months are written on the command line and in lists)."""
        match = _MONTH.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a month: write it as YYYY-MM, e.g. 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> AuditMonth:
        return cls(day.year, day.month)

    def following(self) -> AuditMonth:
        """The next month: when an Inadequate case is re-audited (2.12)."""
        if self.month == 12:
            return AuditMonth(self.year + 1, 1)
        return AuditMonth(self.year, self.month + 1)

    def preceding(self) -> AuditMonth:
        if self.month == 1:
            return AuditMonth(self.year - 1, 12)
        return AuditMonth(self.year, self.month - 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def label(self) -> str:
        """'November 2026'."""
        return self.first_day.strftime("%B %Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class Deadlines:
    """The framework's timescales on Hull's working-day calendar."""

    def __init__(self, schema: AuditSchema, calendar: WorkingDayCalendar) -> None:
        self.schema = schema
        self.calendar = calendar
        self.timescales = schema.timescales

    @classmethod
    def for_schema(cls, schema: AuditSchema) -> Deadlines:
        """Deadlines on the calendar the schema names (bank holidays and local closures)."""
        settings = schema.calendar
        calendar = WorkingDayCalendar(settings.country, settings.subdivision, settings.local_closure_days)
        return cls(schema, calendar)

    def allocation_list_due_date(self, month: AuditMonth) -> dt.date:
        """2.1: the list of cases reaches auditors within the first week of the month."""
        by = dt.date(month.year, month.month, self.timescales.allocation_list_by_day_of_month)
        return self.calendar.previous_working_day_on_or_before(by)

    def audit_due_date(self, month: AuditMonth) -> dt.date:
        """2.2: audit and improvement plan returned by the last working day of the month."""
        return self.calendar.last_working_day_of_month(month.year, month.month)

    def amendment_due_date(self, returned_on: dt.date) -> dt.date:
        """2.11: an audit returned for amendment comes back within 3 working days."""
        return self.calendar.add_working_days(returned_on, self.timescales.amendment_working_days)

    def discussion_working_days(self, overall: Grade) -> int:
        """2.10: 5 working days if Inadequate; 10 if Good or Requires Improvement (and,
        by default, Outstanding, which the framework does not name)."""
        return self.timescales.discussion_working_days[overall]

    def discussion_due_date(self, findings_shared_on: dt.date, overall: Grade) -> dt.date:
        """2.10: Team Manager and worker discuss the findings and improvement plan."""
        return self.calendar.add_working_days(findings_shared_on, self.discussion_working_days(overall))

    def safeguarding_action_due_date(self, raised_on: dt.date) -> dt.date:
        """2.6: corrective action at once: the same working day (the next, if raised on a
        day the service is closed)."""
        return self.calendar.add_working_days(raised_on, self.timescales.safeguarding_action_working_days)

    def reaudit_month(self, audited_in: AuditMonth) -> AuditMonth:
        """2.12: an Inadequate case is re-audited the following month."""
        return audited_in.following()

    def reaudit_due_date(self, audited_in: AuditMonth) -> dt.date:
        """2.12: the re-audit is due on the last working day of the following month."""
        return self.audit_due_date(self.reaudit_month(audited_in))

    def review_period_start(self, audit_date: dt.date) -> dt.date:
        """2.3: the audit covers the last 6 months of involvement."""
        return months_before(audit_date, self.timescales.review_period_months)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, or the month's last day when it has no such day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")
