"""The framework's timescales in words, rendered from the schema's numbers.

Emails, forms and reports say "within 3 working days" or "the last 6 months" from here, so
Hull editing ``[timescales]`` in the audit schema never leaves a document saying the old number.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.core.grades import Grade
from shared.core.schema import Timescales


def months(count: int) -> str:
    """'6 months', '1 month'."""
    return f"{count} month" if count == 1 else f"{count} months"


def working_days(count: int) -> str:
    """'3 working days', '1 working day'; 0 is 'the same working day' (2.6)."""
    if count == 0:
        return "the same working day"
    return f"{count} working day" if count == 1 else f"{count} working days"


def working_days_of(counts: Iterable[int]) -> str:
    """'10 working days'; several counts: '5 or 10 working days'."""
    found = sorted(set(counts))
    if len(found) == 1:
        return working_days(found[0])
    return f"{', '.join(map(str, found[:-1]))} or {found[-1]} working days"


def within_working_days(counts: Iterable[int]) -> str:
    """'within 10 working days', 'within 5 or 10 working days'; 0 alone: 'the same working day'."""
    days = working_days_of(counts)
    return days if days == working_days(0) else f"within {days}"


def review_period(timescales: Timescales) -> str:
    """2.3: 'the last 6 months'."""
    return f"the last {months(timescales.review_period_months)}"


def amendment_within(timescales: Timescales) -> str:
    """2.11: 'within 3 working days'."""
    return within_working_days([timescales.amendment_working_days])


def discussion_within(timescales: Timescales, grades: Iterable[Grade] = tuple(Grade)) -> str:
    """2.10: 'within 5 or 10 working days' over ``grades`` (all of them by default)."""
    return within_working_days(timescales.discussion_working_days[g] for g in grades)


def discussion_days(timescales: Timescales) -> str:
    """2.10: '5 or 10 working days', over every judgement."""
    return working_days_of(timescales.discussion_working_days.values())
