"""The allocation sheet holding the month's proposed sample (2.1), with a "Why chosen" sheet
that explains every case and every team and case type. QA edits the Allocations sheet and loads
it as today: `auditdesk allocate allocation-sheet.xlsx`."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shared.adapters.registers.allocation_sheet import build_allocation_sheet
from shared.core.allocation import AllocationRequest
from shared.core.sampling import SampleProposal
from shared.core.schema import AuditSchema

WHY_SHEET = "Why chosen"


def selection_sheet(schema: AuditSchema, proposal: SampleProposal) -> bytes:
    """The allocation sheet holding the proposal, and a 'Why chosen' sheet beside it."""
    requests = [
        AllocationRequest(
            c.case_ref, c.team, c.worker_email, c.manager_email, c.auditor_email, proposal.month
        )
        for c in proposal.chosen
    ]
    base = build_allocation_sheet(schema, requests)
    workbook = load_workbook(io.BytesIO(base))
    why = workbook.create_sheet(WHY_SHEET)
    why["A1"] = f"Why these cases: the sample for {proposal.month.label} (2.1)"
    why["A1"].font = Font(bold=True, size=14)
    why["A2"] = (
        f"Seed '{proposal.seed}': the same export, lists and seed give the same sample. Edit the Allocations "
        "sheet as usual (change an auditor, remove a case) and load it with auditdesk allocate."
    )
    head = PatternFill("solid", fgColor="1F3864")
    row = 4
    for column, heading in enumerate(
        ("Case reference", "Team", "Case type", "Auditor email", "Why chosen"), 1
    ):
        cell = why.cell(row, column, heading)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), head
    for case in proposal.chosen:
        row += 1
        texts = (case.case_ref, case.team, case.case_type or "Re-audit", case.auditor_email, case.reason)
        for column, text in enumerate(texts, 1):
            why.cell(row, column, text).alignment = Alignment(wrap_text=True, vertical="top")
    row += 2
    for column, heading in enumerate(("Team", "Case type", "Cases", "Could be audited", "Drawn"), 1):
        cell = why.cell(row, column, heading)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), head
    for stratum in proposal.strata:
        row += 1
        for column, value in enumerate(
            (stratum.team, stratum.case_type, stratum.cases, stratum.eligible, stratum.drawn), 1
        ):
            why.cell(row, column, value)
    if proposal.problems:
        row += 2
        why.cell(row, 1, "For QA to look at").font = Font(bold=True)
        for problem in proposal.problems:
            row += 1
            why.cell(row, 1, problem)
    for letter, width in zip("ABCDE", (18, 26, 18, 34, 90), strict=True):
        why.column_dimensions[letter].width = width
    why.page_setup.orientation = "landscape"
    why.page_setup.fitToWidth = 1
    why.page_setup.fitToHeight = 0
    if why.sheet_properties.pageSetUpPr is not None:
        why.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
