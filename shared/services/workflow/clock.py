"""The service's clock: the one place that reads the time, and can be told a day to replay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# The service works in the council's day: a reminder at 00:30 on a British Summer Time morning
# belongs to that morning, not to the UTC day before (Azure's clocks run in UTC).
SERVICE_TIME_ZONE = ZoneInfo("Europe/London")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Clock:
    """Today (in UK time) and now (in UTC). With ``replay_day`` set (``--today``), today is that
    day and now is that day at the current time of day, so a whole month can be replayed in order."""

    replay_day: dt.date | None = None
    utc_now: Callable[[], dt.datetime] = field(default=_utc_now, repr=False, compare=False)

    def today(self) -> dt.date:
        return self.replay_day or self.utc_now().astimezone(SERVICE_TIME_ZONE).date()

    def now(self) -> dt.datetime:
        current = self.utc_now()
        if self.replay_day is None:
            return current
        return dt.datetime.combine(self.replay_day, current.timetz())
