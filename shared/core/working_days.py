"""Working days: England and Wales bank holidays plus Hull's local closure days.

"Within N working days of D" counts from the next working day: 5 working days after
Wednesday 23 December 2026 is Monday 4 January 2027 (Christmas, the substitute Boxing Day
on Monday 28 December and New Year's Day are not working days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import holidays

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5
_MEMO_LIMIT = 50_000


class WorkingDayCalendar:
    """Which days are working days: Monday to Friday, less bank holidays and closure days."""

    def __init__(
        self,
        country: str = "GB",
        subdivision: str = "ENG",
        local_closure_days: Iterable[dt.date] = (),
    ) -> None:
        self.country = country
        self.subdivision = subdivision
        self.local_closure_days = frozenset(local_closure_days)
        # Year -> every closed weekday-or-weekend date with its name, built once per year.
        self._closed_by_year: dict[int, dict[dt.date, str]] = {}
        # Deadlines repeat (every audit of a month shares its due dates): remember answers.
        self._added: dict[tuple[dt.date, int], dt.date] = {}
        self._last_by_month: dict[tuple[int, int], dt.date] = {}

    def __repr__(self) -> str:
        return (
            f"WorkingDayCalendar({self.country!r}, {self.subdivision!r}, "
            f"{len(self.local_closure_days)} local closure days)"
        )

    def _closed_days(self, year: int) -> dict[dt.date, str]:
        closed = self._closed_by_year.get(year)
        if closed is None:
            bank_holidays = holidays.country_holidays(
                self.country, subdiv=self.subdivision or None, years=year
            )
            closed = {day: str(name) for day, name in bank_holidays.items()}
            closed.update({d: "Local closure day" for d in self.local_closure_days if d.year == year})
            self._closed_by_year[year] = closed
        return closed

    def holiday_name(self, day: dt.date) -> str | None:
        """The bank holiday's name, 'Local closure day', or None on other days."""
        return self._closed_days(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < _SATURDAY and day not in self._closed_days(day.year)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The date ``count`` working days after ``start``, counting from the next working day.

        With ``count`` 0 the answer is ``start`` when it is a working day, else the next one
        (a same-day deadline raised on a Saturday falls on Monday).
        """
        known = self._added.get((start, count))
        if known is not None:
            return known
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        if count == 0:
            day = self.next_working_day_on_or_after(day)
        remaining = count
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        if len(self._added) >= _MEMO_LIMIT:
            self._added.clear()
        self._added[(start, count)] = day
        return day

    def next_working_day_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day_on_or_before(self, day: dt.date) -> dt.date:
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def last_working_day_of_month(self, year: int, month: int) -> dt.date:
        last = self._last_by_month.get((year, month))
        if last is None:
            last = self.previous_working_day_on_or_before(last_day_of_month(year, month))
            self._last_by_month[(year, month)] = last
        return last

    def first_working_day_of_month(self, year: int, month: int) -> dt.date:
        return self.next_working_day_on_or_after(dt.date(year, month, 1))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall after ``start`` up to and including ``end``.

        The inverse of :meth:`add_working_days`: ``working_days_between(d, add_working_days(d, n)) == n``.
        Negative when ``end`` is before ``start`` (a deadline already passed).
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for day in _days_after(start, end) if self.is_working_day(day))


def last_day_of_month(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - _ONE_DAY


def _days_after(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start + _ONE_DAY
    while day <= end:
        yield day
        day += _ONE_DAY
