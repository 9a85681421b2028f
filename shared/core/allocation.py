"""Allocation of case file audits to auditors (2.1, 2.4, 2.12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.core.addresses import is_case_reference, is_plain_email
from shared.core.deadlines import AuditMonth, Deadlines


@dataclass(frozen=True, slots=True)
class AllocationRequest:
    """QA's request that ``auditor_email`` audits case ``case_ref`` in ``month``.

    People are named by email address: the Staff register's key.
    """

    case_ref: str
    team: str
    allocated_worker_email: str
    team_manager_email: str
    auditor_email: str
    month: AuditMonth

    @property
    def key(self) -> str:
        """One allocation per case per month: the idempotency key of everything it causes."""
        return f"{self.case_ref.strip().upper()}/{self.month}"


def is_allocated_late(allocated_on: dt.date, month: AuditMonth, deadlines: Deadlines) -> bool:
    """2.1: the list of cases reaches auditors within the first week of the month. An
    allocation made after that (for its own month) is flagged for QA."""
    return AuditMonth.of(allocated_on) >= month and allocated_on > deadlines.allocation_list_due_date(month)


def reasons_request_is_incomplete(request: AllocationRequest) -> list[str]:
    """What stops an allocation being made at all, checked before anything is written: the case
    reference, and the three people the framework has the service write to: the auditor (2.4),
    the allocated worker (2.4, 2.5) and the Team Manager (2.5, 2.6)."""
    problems = []
    if not is_case_reference(request.case_ref.strip()):
        problems.append(
            f"The case reference {request.case_ref.strip()[:40]!r} is not one Audit Desk can use: give the "
            "case management system's ID (letters, digits and hyphens only)."
        )
    people = (
        ("auditor", request.auditor_email, "2.4"),
        ("allocated worker", request.allocated_worker_email, "2.4"),
        ("Team Manager", request.team_manager_email, "2.6"),
    )
    for role, address, section in people:
        if not address.strip():
            problems.append(f"No {role}'s email address: give it, Audit Desk writes to them ({section}).")
        elif not is_plain_email(address.strip()):
            problems.append(
                f"The {role}'s email address is not a plain address (name@domain, with no spaces, commas "
                f"or line breaks): correct it ({section})."
            )
    return problems
