"""A plainly fictional service for the demo and the tests: teams, staff, and a case management
export of a few thousand cases (references FIC-..., no names of children)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence

from shared.core.eligibility import StaffMember

TEAMS = tuple(f"Fictional Team {letter}" for letter in "ABCDEFGH")
CASE_TYPES = ("Child in Need", "Child Protection", "Looked After", "Care Leaver")
_TYPE_WEIGHTS = (45, 20, 25, 10)
EXPORT_HEADER = (
    "Case reference",
    "Child reference",
    "Team",
    "Worker",
    "Team Manager",
    "Case type",
    "Start date",
    "End date",
)


def _email(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.org"


def fictional_staff(teams: Sequence[str] = TEAMS, workers_per_team: int = 6) -> list[StaffMember]:
    """Auditors of every role in 1.4 and, per team, a Team Manager and social workers."""
    staff = []
    for role, count in (
        ("Senior Manager", 3),
        ("Group Manager", 2),
        ("ICRO", 2),
        ("IFRO", 1),
        ("Professional Practice Officer", 1),
        ("Practice Educator", 1),
    ):
        for number in range(1, count + 1):
            name = f"Fictional {role.replace(' ', '')} {number}"
            staff.append(StaffMember(_email(name), name, role, "Quality and Practice"))
    for team in teams:
        letter = team.rsplit(" ", 1)[-1]
        manager = f"Fictional Manager {letter}"
        staff.append(StaffMember(_email(manager), manager, "Team Manager", team))
        for number in range(1, workers_per_team + 1):
            worker = f"Fictional Worker {letter}{number}"
            staff.append(StaffMember(_email(worker), worker, "Social Worker", team, _email(manager)))
    return staff


def fictional_case_rows(count: int = 3000, seed: str = "fictional-cases") -> list[tuple[str, ...]]:
    """Rows of a Liquidlogic-like export: every team and case type, dates as dd/mm/yyyy, about
    one case in twelve closed in 2026."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable draw, not a secret
    staff = fictional_staff()
    workers = {team: [m for m in staff if m.team == team and m.role == "Social Worker"] for team in TEAMS}
    managers = {m.team: m for m in staff if m.role == "Team Manager"}
    rows: list[tuple[str, ...]] = []
    for number in range(1, count + 1):
        team = (
            TEAMS[(number - 1) % len(TEAMS)] if number <= len(TEAMS) * len(CASE_TYPES) else rng.choice(TEAMS)
        )
        case_type = (
            CASE_TYPES[((number - 1) // len(TEAMS)) % len(CASE_TYPES)]
            if number <= len(TEAMS) * len(CASE_TYPES)
            else rng.choices(CASE_TYPES, _TYPE_WEIGHTS)[0]
        )
        worker = rng.choice(workers[team])
        opened = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 4 * 365))
        closed = ""
        if rng.random() < 1 / 12:
            closed = (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))).strftime("%d/%m/%Y")
        rows.append(
            (
                f"FIC-{number:05d}",
                f"FC-{100000 + number}",
                team,
                worker.name,
                managers[team].email,
                case_type,
                opened.strftime("%d/%m/%Y"),
                closed,
            )
        )
    return rows


def export_csv(rows: Sequence[Sequence[str]], header: Sequence[str] = EXPORT_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
