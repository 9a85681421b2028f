"""Compliance figures for the quarterly report (8.1): per team and activity, how many
observations, case discussions and supervision audits fell due, were done and are overdue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from shared.core.programme import ACTIVITIES
from shared.services.programme.schedule import SCHEDULES, entries_due_between
from shared.services.workflow.dependencies import Services


@dataclass(frozen=True, slots=True)
class Compliance:
    """One team's figures for one activity over a period. ``overdue`` counts items due before
    today and not done; an item due later in the period is neither done nor overdue yet."""

    team: str
    activity: str
    due: int
    done: int
    overdue: int

    @property
    def done_share(self) -> float:
        return self.done / self.due if self.due else 1.0


def compliance_by_team(services: Services, start: dt.date, end: dt.date) -> list[Compliance]:
    """Per team and activity: items due from ``start`` to ``end``, done, and overdue today."""
    today = services.clock.today()
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for activity in ACTIVITIES:
        for entry in entries_due_between(services, SCHEDULES[activity], start, end):
            figures = counts[(entry.team or "(no team)", activity)]
            figures[0] += 1
            if entry.done_on is not None:
                figures[1] += 1
            elif entry.due is not None and entry.due < today:
                figures[2] += 1
    return [
        Compliance(team, activity, *figures)
        for (team, activity), figures in sorted(
            counts.items(), key=lambda kv: (kv[0][0], ACTIVITIES.index(kv[0][1]))
        )
    ]
