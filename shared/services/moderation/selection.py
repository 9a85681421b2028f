"""`auditdesk sample`: the month's proposed allocation from the case management export (2.1).

Reads the export (refused row by row, nothing half-loaded), the Audit Allocations list (cases
audited in the last 12 months, the month's open re-audits, each auditor's load) and the Staff
register (who may audit, 1.4), draws the seeded, stratified sample in the core, and writes
the allocation sheet QA already uses (templates/allocation-sheet.xlsx) with a second sheet,
"Why chosen", that explains every case and every team and case type. QA edits the
Allocations sheet and loads it as today: `auditdesk allocate allocation-sheet.xlsx`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.list_titles import ALLOCATIONS
from shared.core.sampling import OpenReaudit, SampleProposal, draw_case_sample
from shared.core.stages import AuditStage
from shared.services.ports.lists import Query
from shared.services.ports.registers import ExportProblem
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation
from shared.services.workflow.people import StaffDirectory


@dataclass
class CaseSelection:
    """Either the proposal and its sheet, or (``problems``) why the export was refused."""

    month: AuditMonth
    proposal: SampleProposal | None = None
    sheet: bytes = b""
    problems: list[ExportProblem] = field(default_factory=list)
    cases_read: int = 0


def select_cases(services: Services, data: bytes, source: str, month: AuditMonth) -> CaseSelection:
    """Propose ``month``'s allocation from the export ``data`` (named ``source``)."""
    schema = services.schema
    staff = StaffDirectory.load(services)
    reading = services.registers.read_case_export(data, source, schema.sampling, staff.by_email.values())
    if reading.refused:
        return CaseSelection(month, problems=reading.problems)
    allocations = [
        Allocation.from_item(i) for i in services.store.query_all(Query(ALLOCATIONS, page_size=500))
    ]
    audited: dict[str, AuditMonth] = {}
    for allocation in allocations:
        ref = allocation.case_ref.upper()
        if ref not in audited or allocation.month > audited[ref]:
            audited[ref] = allocation.month
    reaudits = _open_reaudits(allocations, month, services)
    load = Counter(a.auditor_email for a in allocations if a.month == month)
    auditors = sorted(
        (m for m in staff.by_email.values() if m.active and m.role in schema.roles.auditors),
        key=lambda m: m.email,
    )
    proposal = draw_case_sample(reading.cases, month, audited, reaudits, auditors, load, schema)
    sheet = services.registers.selection_sheet(schema, proposal)
    return CaseSelection(month, proposal, sheet, cases_read=len(reading.cases))


def _open_reaudits(allocations: list[Allocation], month: AuditMonth, services: Services) -> list[OpenReaudit]:
    """Re-audits of Inadequate cases due in ``month`` (2.12): those already allocated (with their
    Senior Manager), and Inadequate audits of the month before with no re-audit yet."""
    found: dict[str, OpenReaudit] = {}
    this_month = {a.case_ref.upper() for a in allocations if a.month == month}
    for allocation in allocations:
        ref = allocation.case_ref.upper()
        if allocation.is_reaudit and allocation.month == month and allocation.stage is not AuditStage.CLOSED:
            found[ref] = OpenReaudit(
                allocation.case_ref,
                allocation.team,
                allocation.allocated_worker_email,
                allocation.team_manager_email,
                allocation.auditor_email,
                allocation.month.preceding(),
            )
        elif (
            allocation.overall_grade is Grade.INADEQUATE
            and allocation.accepted_on is not None
            and services.deadlines.reaudit_month(allocation.month) == month
            and ref not in this_month
        ):
            found.setdefault(
                ref,
                OpenReaudit(
                    allocation.case_ref,
                    allocation.team,
                    allocation.allocated_worker_email,
                    allocation.team_manager_email,
                    "",
                    allocation.month,
                ),
            )
    return list(found.values())
