"""Allocation of case file audits to auditors (2.1, 2.4, 2.12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
