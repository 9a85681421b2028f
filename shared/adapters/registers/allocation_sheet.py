"""The allocation sheet: QA's list of cases to audit this month, in bulk (2.1, 2.4).

``auditdesk allocate FILE.xlsx`` reads it with ``read_allocation_sheet``. Each bad row is
rejected on its own with a reason; a case allocated twice in one month keeps its first row.
Whether the auditor may audit the case (1.4) is the workflow's check, against the Staff
register, not this reader's.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.adapters.registers import workbook as common
from shared.adapters.registers.template import RegisterLayout, TemplateColumn, build_register_workbook
from shared.adapters.registers.workbook import CellProblem, Column, RegisterReading, RegisterRow, RowProblem
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth
from shared.core.schema import AuditSchema

SHEET = "Allocations"
WHAT = "allocation sheet"

CASE = Column("case_ref", "Case reference", required=True)
TEAM = Column("team", "Team")
WORKER = Column("allocated_worker_email", "Allocated worker email", required=True)
MANAGER = Column("team_manager_email", "Team Manager email", required=True)
AUDITOR = Column("auditor_email", "Auditor email", required=True)
MONTH = Column("month", "Audit month", required=True)
COLUMNS = (CASE, TEAM, WORKER, MANAGER, AUDITOR, MONTH)


def read_allocation_sheet(data: bytes, source: str) -> RegisterReading[AllocationRequest]:
    """The allocations in the sheet ``data`` (named ``source``) and every row problem.

    Raises ``RegisterRejected`` when the file cannot be read at all. Emails are lower-cased;
    an Excel date in the month column means that date's month.
    """
    reading: RegisterReading[AllocationRequest] = RegisterReading()
    first_row: dict[str, int] = {}
    for row in common.register_rows(data, source, SHEET, COLUMNS, WHAT):
        request, problems = _request(row)
        if request is not None and request.key in first_row:
            problems.append(
                row.problem(
                    CASE,
                    f"{request.case_ref} is already allocated for {request.month.label} on row "
                    f"{first_row[request.key]}. A case is audited once a month: delete this row.",
                )
            )
        reading.problems.extend(problems)
        if request is not None and not problems:
            first_row[request.key] = row.number
            reading.rows.append(request)
    return reading


def audit_month(value: object) -> AuditMonth | None:
    """YYYY-MM text, or any date (an Excel date, or text a date reader accepts): its month."""
    written = common.text(value)
    if not written:
        return None
    try:
        return AuditMonth.parse(written)
    except ValueError:
        pass
    try:
        day = common.date(value)
    except CellProblem:
        raise CellProblem(f"'{written}' is not a month. Write it as YYYY-MM, e.g. 2026-11.") from None
    return None if day is None else AuditMonth.of(day)


def _request(row: RegisterRow) -> tuple[AllocationRequest | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    case_ref = common.text(row.values.get(CASE.key))
    if not case_ref:
        problems.append(row.problem(CASE, "missing. Write the case's Liquidlogic ID."))
    emails: dict[str, str] = {}
    for column, who in (
        (WORKER, "the allocated worker"),
        (MANAGER, "the Team Manager"),
        (AUDITOR, "the auditor"),
    ):
        address = row.read(column, common.email, problems)
        if address == "":
            problems.append(row.problem(column, f"missing. Write {who}'s work email address."))
        emails[column.key] = address or ""
    month = row.read(MONTH, audit_month, problems)
    if month is None and not any(p.column == MONTH.title for p in problems):
        problems.append(row.problem(MONTH, "missing. Write the month of the audit as YYYY-MM, e.g. 2026-11."))
    if problems or month is None:
        return None, problems
    request = AllocationRequest(
        case_ref=case_ref,
        team=common.text(row.values.get(TEAM.key)),
        allocated_worker_email=emails[WORKER.key],
        team_manager_email=emails[MANAGER.key],
        auditor_email=emails[AUDITOR.key],
        month=month,
    )
    return request, problems


# --- the template ----------------------------------------------------------------------

TEMPLATE_ID = "allocation-sheet"
TEMPLATE_FILE = "allocation-sheet.xlsx"


def build_allocation_sheet_template(schema: AuditSchema) -> bytes:
    """The blank allocation sheet (templates/allocation-sheet.xlsx), reproducible byte for byte."""
    return build_allocation_sheet(schema, ())


def build_allocation_sheet(schema: AuditSchema, requests: Sequence[AllocationRequest]) -> bytes:
    """The allocation sheet template holding ``requests``, one row each, in order."""
    rows = [
        (
            request.case_ref,
            request.team,
            request.allocated_worker_email,
            request.team_manager_email,
            request.auditor_email,
            str(request.month),
        )
        for request in requests
    ]
    return build_register_workbook(_layout(schema), schema, rows)


def _layout(schema: AuditSchema) -> RegisterLayout:
    by_day = schema.timescales.allocation_list_by_day_of_month
    return RegisterLayout(
        template_id=TEMPLATE_ID,
        title="Allocation sheet",
        subject="Audit Framework section 2.1: cases allocated for audit",
        sheet_title=SHEET,
        table_name="Allocations",
        columns=(
            TemplateColumn(CASE.title, 18, "Required. The case's Liquidlogic ID."),
            TemplateColumn(TEAM.title, 22, "The team holding the case. May be blank."),
            TemplateColumn(
                WORKER.title,
                34,
                "Required. The allocated worker's work email (told of the audit, 2.4).",
                "email",
            ),
            TemplateColumn(
                MANAGER.title, 34, "Required. The case's Team Manager's work email (2.5, 2.6).", "email"
            ),
            TemplateColumn(
                AUDITOR.title,
                34,
                "Required. The auditor's work email. The auditor must not work on or manage the case (1.4).",
                "email",
            ),
            TemplateColumn(
                f"{MONTH.title} (YYYY-MM)",
                16,
                "Required. The month the audit is due in, as YYYY-MM, e.g. 2026-11. It is due by the last "
                "working day of that month (2.2).",
                "month",
            ),
        ),
        introduction=(
            "One row per case to audit on the Allocations sheet. Do not change the column titles.",
            f"Send the month's allocations in its first week, by day {by_day} (2.1): later ones are flagged.",
            "A case is audited once a month; an Inadequate case is re-audited next month by a Senior "
            "Manager (2.12), which Audit Desk allocates itself.",
            "Rows with a problem are not imported; every other row is. Import with: auditdesk allocate "
            "allocation-sheet.xlsx",
        ),
    )
