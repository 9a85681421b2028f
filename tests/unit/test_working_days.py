"""Working days: England and Wales bank holidays plus local closure days (domain notes)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.core.working_days import WorkingDayCalendar, last_day_of_month

CALENDAR = WorkingDayCalendar()
D = dt.date

# Every England and Wales bank holiday in 2026 and 2027, substitute days included.
BANK_HOLIDAYS_2026_2027 = [
    D(2026, 1, 1),
    D(2026, 4, 3),
    D(2026, 4, 6),
    D(2026, 5, 4),
    D(2026, 5, 25),
    D(2026, 8, 31),
    D(2026, 12, 25),
    D(2026, 12, 28),  # Boxing Day falls on a Saturday: Monday 28 December is the holiday
    D(2027, 1, 1),
    D(2027, 3, 26),
    D(2027, 3, 29),
    D(2027, 5, 3),
    D(2027, 5, 31),
    D(2027, 8, 30),
    D(2027, 12, 27),  # Christmas Day on a Saturday
    D(2027, 12, 28),  # Boxing Day on a Sunday
]


@pytest.mark.parametrize("day", BANK_HOLIDAYS_2026_2027, ids=str)
def test_bank_holidays_are_not_working_days(day: dt.date) -> None:
    assert day.weekday() < 5
    assert not CALENDAR.is_working_day(day)


def test_exactly_the_known_weekday_bank_holidays_are_closed_in_2026_and_2027() -> None:
    closed_weekdays = [
        day
        for day in (D(2026, 1, 1) + dt.timedelta(days=n) for n in range(730))
        if day.weekday() < 5 and not CALENDAR.is_working_day(day)
    ]
    assert closed_weekdays == BANK_HOLIDAYS_2026_2027


def test_boxing_day_2026_on_a_saturday_moves_to_monday_28_december() -> None:
    assert CALENDAR.holiday_name(D(2026, 12, 28)) == "Boxing Day (observed)"
    assert CALENDAR.is_working_day(D(2026, 12, 29))


# (start, working days, expected): "within N working days of D" counts from the next working day.
KNOWN_ADDITIONS = [
    (D(2026, 12, 23), 5, D(2027, 1, 4)),  # the domain notes' own example, over Christmas
    (D(2026, 11, 30), 3, D(2026, 12, 3)),
    (D(2026, 11, 27), 3, D(2026, 12, 2)),  # a Friday: the weekend does not count
    (D(2026, 11, 28), 1, D(2026, 11, 30)),  # from a Saturday
    (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Good Friday and Easter Monday
    (D(2026, 12, 24), 1, D(2026, 12, 29)),
    (D(2027, 12, 24), 1, D(2027, 12, 29)),
    (D(2026, 5, 22), 10, D(2026, 6, 8)),  # Spring bank holiday inside the span
    (D(2026, 11, 30), 10, D(2026, 12, 14)),
    (D(2026, 11, 30), 5, D(2026, 12, 7)),
]


@pytest.mark.parametrize(("start", "count", "expected"), KNOWN_ADDITIONS, ids=str)
def test_add_working_days_on_known_dates(start: dt.date, count: int, expected: dt.date) -> None:
    assert CALENDAR.add_working_days(start, count) == expected


LAST_WORKING_DAYS = {
    (2026, 1): D(2026, 1, 30),
    (2026, 2): D(2026, 2, 27),
    (2026, 5): D(2026, 5, 29),
    (2026, 8): D(2026, 8, 28),  # 31 August is the late summer bank holiday
    (2026, 10): D(2026, 10, 30),
    (2026, 11): D(2026, 11, 30),
    (2026, 12): D(2026, 12, 31),
    (2027, 1): D(2027, 1, 29),
    (2027, 2): D(2027, 2, 26),
    (2027, 4): D(2027, 4, 30),
    (2027, 5): D(2027, 5, 28),  # 31 May is the spring bank holiday
    (2027, 7): D(2027, 7, 30),
    (2027, 10): D(2027, 10, 29),
    (2027, 12): D(2027, 12, 31),
}


@pytest.mark.parametrize(("month", "expected"), LAST_WORKING_DAYS.items(), ids=str)
def test_last_working_day_of_month_on_known_months(month: tuple[int, int], expected: dt.date) -> None:
    assert CALENDAR.last_working_day_of_month(*month) == expected


def test_local_closure_days_are_not_working_days() -> None:
    hull = WorkingDayCalendar(local_closure_days=[D(2026, 12, 24)])
    assert not hull.is_working_day(D(2026, 12, 24))
    assert hull.holiday_name(D(2026, 12, 24)) == "Local closure day"
    assert hull.add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 29)
    assert CALENDAR.add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 24)


def test_a_same_day_deadline_raised_on_a_closed_day_falls_on_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 30)
    assert CALENDAR.add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_working_days(D(2026, 11, 27), -1)


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))
counts = st.integers(min_value=0, max_value=60)


@given(days, counts)
@settings(max_examples=300, deadline=None)
def test_adding_working_days_lands_on_a_working_day(start: dt.date, count: int) -> None:
    assert CALENDAR.is_working_day(CALENDAR.add_working_days(start, count))


@given(days, st.integers(min_value=1, max_value=60))
@settings(max_examples=300, deadline=None)
def test_n_working_days_are_really_n(start: dt.date, count: int) -> None:
    end = CALENDAR.add_working_days(start, count)
    assert end > start
    assert CALENDAR.working_days_between(start, end) == count
    # and not one day earlier
    assert CALENDAR.working_days_between(start, end - dt.timedelta(days=1)) == count - 1


@given(days, counts, counts)
@settings(max_examples=300, deadline=None)
def test_adding_working_days_is_monotonic(start: dt.date, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert CALENDAR.add_working_days(start, low) <= CALENDAR.add_working_days(start, high)


@given(days, days)
@settings(max_examples=200, deadline=None)
def test_later_start_never_gives_an_earlier_deadline(first: dt.date, second: dt.date) -> None:
    early, late = sorted((first, second))
    assert CALENDAR.add_working_days(early, 5) <= CALENDAR.add_working_days(late, 5)


@given(st.integers(min_value=2024, max_value=2030), st.integers(min_value=1, max_value=12))
@settings(max_examples=100, deadline=None)
def test_last_working_day_of_month_is_the_last_one(year: int, month: int) -> None:
    last = CALENDAR.last_working_day_of_month(year, month)
    assert CALENDAR.is_working_day(last)
    assert (last.year, last.month) == (year, month)
    after = last + dt.timedelta(days=1)
    while after <= last_day_of_month(year, month):
        assert not CALENDAR.is_working_day(after)
        after += dt.timedelta(days=1)


def test_the_service_day_is_the_uk_day_not_the_utc_day_in_summer() -> None:
    """00:30 on a British Summer Time morning is 23:30 UTC the day before: the service's today is
    the UK date, so a reminder due that morning is not dated the day before."""
    import datetime as dt

    from shared.services.workflow.clock import Clock

    half_past_midnight_bst = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)
    assert Clock(utc_now=lambda: half_past_midnight_bst).today() == dt.date(2026, 7, 2)
    winter_midnight = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # GMT: the same day
    assert Clock(utc_now=lambda: winter_midnight).today() == dt.date(2026, 12, 1)
    assert Clock(dt.date(2026, 11, 20), utc_now=lambda: half_past_midnight_bst).today() == dt.date(
        2026, 11, 20
    )
