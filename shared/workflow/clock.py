"""The service's clock: the one place that reads the time, and can be told a day to replay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Clock:
    """Today and now. With ``replay_day`` set (``--today``), today is that day and now is that
    day at the current time of day, so a whole month can be replayed in order."""

    replay_day: dt.date | None = None

    def today(self) -> dt.date:
        return self.replay_day or dt.datetime.now(dt.UTC).date()

    def now(self) -> dt.datetime:
        current = dt.datetime.now(dt.UTC)
        if self.replay_day is None:
            return current
        return dt.datetime.combine(self.replay_day, current.timetz())
