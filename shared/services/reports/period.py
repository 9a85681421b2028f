"""Report periods: a month ('2026-11') or a quarter ('2026-Q4'), and the months before them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """The months a report covers, in order, and how the period is written."""

    key: str  # '2026-11' or '2026-Q4': the period column and the email key
    months: tuple[AuditMonth, ...]

    @property
    def is_quarter(self) -> bool:
        return len(self.months) > 1

    @property
    def label(self) -> str:
        """'November 2026' or 'October to December 2026 (Q4)'."""
        if not self.is_quarter:
            return self.months[0].label
        first, last = self.months[0], self.months[-1]
        return f"{first.first_day:%B} to {last.label} (Q{(first.month - 1) // 3 + 1})"

    @property
    def first_day(self) -> dt.date:
        return self.months[0].first_day

    @property
    def last_day(self) -> dt.date:
        following = self.months[-1].following().first_day
        return following - dt.timedelta(days=1)

    @property
    def date_range(self) -> str:
        return f"{self.first_day:%-d %B %Y} to {self.last_day:%-d %B %Y}"

    def months_before(self, count: int) -> tuple[AuditMonth, ...]:
        """The ``count`` months before the period, oldest first (for trends)."""
        found: list[AuditMonth] = []
        month = self.months[0]
        for _ in range(count):
            month = month.preceding()
            found.append(month)
        return tuple(reversed(found))


def parse_period(text: str) -> ReportPeriod:
    """'2026-11' (a month) or '2026-Q4' (a quarter); anything else is refused with an example."""
    cleaned = text.strip()
    quarter = _QUARTER.match(cleaned)
    if quarter:
        year, number = int(quarter.group(1)), int(quarter.group(2))
        months = tuple(AuditMonth(year, 3 * (number - 1) + offset) for offset in (1, 2, 3))
        return ReportPeriod(f"{year}-Q{number}", months)
    try:
        month = AuditMonth.parse(cleaned)
    except ValueError:
        raise ValueError(
            f"'{text}' is not a report period: write a month as YYYY-MM (2026-11) "
            "or a quarter as YYYY-Qn (2026-Q4)."
        ) from None
    return ReportPeriod(str(month), (month,))
