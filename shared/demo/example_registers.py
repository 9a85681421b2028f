"""A plainly fictional department for the demo and the tests.

Every name ends "(fictional)", every address is @example.org and every case reference starts
DEMO-. Two teams, each with a Team Manager and social workers (two in their ASYE, one who
needs support), a Group Manager over both, two Senior Managers, an ICRO and their manager,
and a Quality Assurance officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from shared.adapters.registers.allocation_sheet import build_allocation_sheet
from shared.adapters.registers.staff_register import build_staff_register
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth
from shared.core.eligibility import StaffMember
from shared.core.schema import AuditSchema
from shared.core.schema_reader import load_schema

EAST = "Demo Team East"
WEST = "Demo Team West"
QA_TEAM = "Quality Assurance"

# (name, email local part, role, team, manager's local part, ASYE start, needs support)
_PEOPLE: tuple[tuple[str, str, str, str, str, dt.date | None, bool], ...] = (
    ("Harper Example (fictional)", "harper.example", "Senior Manager", "", "", None, False),
    ("Jordan Sample (fictional)", "jordan.sample", "Senior Manager", "", "", None, False),
    ("Quinn Example (fictional)", "quinn.example", "Group Manager", "", "harper.example", None, False),
    ("Morgan Example (fictional)", "morgan.example", "Team Manager", EAST, "quinn.example", None, False),
    ("Riley Sample (fictional)", "riley.sample", "Team Manager", WEST, "quinn.example", None, False),
    ("Alex Example (fictional)", "alex.example", "Social Worker", EAST, "morgan.example", None, False),
    (
        "Avery Example (fictional)",
        "avery.example",
        "Social Worker",
        EAST,
        "morgan.example",
        dt.date(2026, 9, 7),
        False,
    ),
    ("Sam Sample (fictional)", "sam.sample", "Senior Practitioner", EAST, "morgan.example", None, False),
    ("Casey Example (fictional)", "casey.example", "Social Worker", WEST, "riley.sample", None, True),
    (
        "Drew Sample (fictional)",
        "drew.sample",
        "Social Worker",
        WEST,
        "riley.sample",
        dt.date(2026, 3, 2),
        False,
    ),
    ("Jamie Example (fictional)", "jamie.example", "Social Worker", WEST, "riley.sample", None, False),
    (
        "Rowan Sample (fictional)",
        "rowan.sample",
        "ICRO Manager",
        "Safeguarding",
        "jordan.sample",
        None,
        False,
    ),
    ("Skyler Example (fictional)", "skyler.example", "ICRO", "Safeguarding", "rowan.sample", None, False),
    (
        "Taylor Sample (fictional)",
        "taylor.sample",
        "Quality Assurance Officer",
        QA_TEAM,
        "jordan.sample",
        None,
        False,
    ),
)


def _address(local: str) -> str:
    return f"{local}@example.org" if local else ""


def example_staff(schema: AuditSchema) -> list[StaffMember]:
    """The fictional department's staff register, managers before the people they manage."""
    staff = [
        StaffMember(
            email=_address(local),
            name=name,
            role=role,
            team=team,
            manager_email=_address(manager),
            asye_start=asye,
            needs_support=support,
        )
        for name, local, role, team, manager, asye, support in _PEOPLE
    ]
    unknown = sorted({member.role for member in staff} - set(schema.roles.staff))
    if unknown:
        raise ValueError(f"the example staff hold roles the schema does not list: {unknown}")
    return staff


def example_allocations(staff: Sequence[StaffMember], month: AuditMonth) -> list[AllocationRequest]:
    """One fictional case per social worker, each audited by a manager from the other side
    of the department (never their own worker's manager, 1.4)."""
    by_email = {member.email: member for member in staff}
    auditors = [m for m in staff if m.role in ("Team Manager", "ICRO", "Senior Manager", "Group Manager")]
    requests = []
    workers = [m for m in staff if m.role in ("Social Worker", "Senior Practitioner")]
    for number, worker in enumerate(workers, start=1):
        manager = by_email.get(worker.manager_email)
        eligible = [a for a in auditors if a.email not in (worker.email, worker.manager_email)]
        auditor = eligible[number % len(eligible)]
        requests.append(
            AllocationRequest(
                case_ref=f"DEMO-{number:04d}",
                team=worker.team,
                allocated_worker_email=worker.email,
                team_manager_email=manager.email if manager else worker.manager_email,
                auditor_email=auditor.email,
                month=month,
            )
        )
    return requests


def write_example_staff_register(path: Path, schema: AuditSchema) -> Path:
    """The example staff, written into the staff register template at ``path``."""
    path.write_bytes(build_staff_register(schema, example_staff(schema)))
    return path


def write_example_allocation_sheet(
    path: Path, requests: Sequence[AllocationRequest], schema: AuditSchema | None = None
) -> Path:
    """``requests`` written into the allocation sheet template at ``path`` (the shipped schema
    unless ``schema`` is given: it only sets the guidance and the template's properties)."""
    path.write_bytes(build_allocation_sheet(schema or load_schema(), requests))
    return path
