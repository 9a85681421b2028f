"""Who may audit a case (1.4, 2.12).

Auditors are Senior Managers (the Director and City Safeguarding Manager among them), Team
Managers, ICROs, IFROs, the Professional Practice Officer, the Practice Educator and the
LADO. An auditor does not audit a case they work on or manage. Re-audits of Inadequate
cases are done by a Senior Manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shared.core.schema import AuditSchema


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person in the Staff register. ``email`` is the stable key."""

    email: str
    name: str
    role: str
    team: str = ""
    manager_email: str = ""
    asye_start: dt.date | None = None
    needs_support: bool = False
    active: bool = True
    # The audit tool they are given pre-filled: "Word" (the default) or "Excel" (issue 13).
    form_preference: str = ""

    def is_senior_manager(self, schema: AuditSchema) -> bool:
        return self.role in schema.roles.senior_managers


@dataclass(frozen=True, slots=True)
class CaseHolders:
    """Who works on and manages the case being audited."""

    allocated_worker_email: str
    team_manager_email: str


def reasons_auditor_is_not_eligible(
    auditor: StaffMember,
    case: CaseHolders,
    schema: AuditSchema,
    is_reaudit: bool = False,
) -> list[str]:
    """Empty when ``auditor`` may audit the case; otherwise each reason, in plain words."""
    reasons = []
    if not auditor.active:
        reasons.append(f"{auditor.name} is no longer active in the Staff register.")
    if auditor.role not in schema.roles.auditors:
        reasons.append(
            f"{auditor.name} is a {auditor.role}; case audits are done by: "
            + ", ".join(schema.roles.auditor_order)
            + " (1.4)."
        )
    own = auditor.email.casefold()
    if own == case.allocated_worker_email.casefold():
        reasons.append(f"{auditor.name} is the case's allocated worker and cannot audit it (1.4).")
    if own == case.team_manager_email.casefold():
        reasons.append(f"{auditor.name} manages the case and cannot audit it (1.4).")
    if is_reaudit and not auditor.is_senior_manager(schema):
        reasons.append(
            f"{auditor.name} is a {auditor.role}; an Inadequate case is re-audited by a Senior "
            "Manager (2.12)."
        )
    return reasons
