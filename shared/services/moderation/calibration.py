"""Calibration of auditors (7.2): agreement with moderators per auditor and per domain, and each
auditor's grades against the service's, with the counts and a flag past the schema's
threshold. For the QA team's Excel sheet and the quarterly report; never the learning
bulletin (it names auditors).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.moderation import (
    OVERALL,
    Agreement,
    Calibration,
    ModeratedAudit,
    ModeratedJudgement,
    calibrate,
    share,
)
from shared.services.moderation.service import MODERATED, accepted_in, judgement_from, moderation_items
from shared.services.ports.lists import where
from shared.services.workflow.dependencies import Services
from shared.services.workflow.people import StaffDirectory

_FLAG_FILL = PatternFill("solid", fgColor="F8CBAD")
_HEAD_FILL = PatternFill("solid", fgColor="1F3864")
_HEAD_FONT = Font(bold=True, color="FFFFFF")


def calibration_for(services: Services, months: Sequence[AuditMonth]) -> Calibration:
    """The calibration table over ``months``: moderations drawn in them, and the overall
    judgements of every audit accepted in them."""
    schema = services.schema
    parts = [*(d.id for d in schema.domains), OVERALL]
    moderated: list[ModeratedAudit] = []
    accepted: list[tuple[str, Grade]] = []
    for month in months:
        for item in moderation_items(services, where("sample_month", "eq", str(month))):
            f = item.fields
            if f.get("status") != MODERATED:
                continue
            judgements = tuple(
                ModeratedJudgement(
                    part,
                    judgement_from(f.get(f"{part}_auditor_grade")),
                    judgement_from(f.get(f"{part}_moderated_grade")),
                    str(f.get(f"{part}_reason") or ""),
                )
                for part in parts
            )
            moderated.append(
                ModeratedAudit(
                    str(f.get("moderation_key") or ""),
                    str(f.get("auditor_email") or ""),
                    str(f.get("team") or ""),
                    judgements,
                )
            )
        for found in accepted_in(services, month):
            if found.audit.overall_grade is not None:
                accepted.append((found.audit.auditor_email, found.audit.overall_grade))
    return calibrate(moderated, accepted, schema.moderation, [d.id for d in schema.domains])


def _rate(agreement: Agreement) -> float | None:
    return None if agreement.rate is None else round(agreement.rate, 3)


def quarterly_calibration_section(services: Services, months: Sequence[AuditMonth]) -> dict[str, object]:
    """The quarterly report's calibration section (7.2, 8.1), as plain data:

    ``title``, ``section``, ``period`` (first and last month), ``moderated`` (audits moderated),
    ``overall`` ({agreed, compared, rate}), ``domains`` ([{domain, agreed, compared, rate}]),
    ``service_grades`` ({grade: count}), ``auditors`` ([{auditor, email, moderated, agreed,
    compared, rate, moderator_graded_lower, moderator_graded_higher, audits, grades {grade:
    count}, flag}]), ``flag_rule`` (the threshold in words) and ``flagged`` (auditor names).
    Rates are 0..1 or None when nothing was compared. For the Leadership Team: never for the
    learning bulletin."""
    calibration = calibration_for(services, months)
    staff = StaffDirectory.load(services)
    names = {email: (m.name or email) for email, m in staff.by_email.items()}
    schema = services.schema

    def agreement(a: Agreement) -> dict[str, object]:
        return {"agreed": a.agreed, "compared": a.compared, "rate": _rate(a)}

    return {
        "title": "Consistency of grading: moderation and calibration",
        "section": "7.2",
        "period": [str(months[0]), str(months[-1])] if months else [],
        "moderated": calibration.moderated,
        "overall": agreement(calibration.overall),
        "domains": [
            {"domain": schema.domain(d).title, **agreement(a)} for d, a in calibration.domains.items()
        ],
        "service_grades": {g.value: n for g, n in calibration.service_grades.items()},
        "auditors": [
            {
                "auditor": names.get(row.auditor_email, row.auditor_email),
                "email": row.auditor_email,
                "moderated": row.moderated,
                **agreement(row.overall),
                "moderator_graded_lower": row.overall.moderated_lower,
                "moderator_graded_higher": row.overall.moderated_higher,
                "audits": row.audits,
                "grades": {g.value: n for g, n in row.grades.items()},
                "flag": row.flag,
            }
            for row in calibration.auditors
        ],
        "flag_rule": (
            f"An auditor is flagged when their overall judgement differs from moderation in more than "
            f"{calibration.flag_above:.0%} of at least {calibration.min_moderated} moderated audits."
        ),
        "flagged": [names.get(e, e) for e in calibration.flagged],
    }


def build_calibration_workbook(
    calibration: Calibration, names: Mapping[str, str], domain_titles: Mapping[str, str], period: str
) -> bytes:
    """The QA team's calibration sheet, one table a sheet so each prints on a page's width:
    Auditors (agreement with moderation, its direction, the flag), Domains by auditor, Grades
    (each auditor's overall judgements against the service's), Domains (the service's)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Auditors"
    _title(
        sheet,
        f"Calibration of auditors (7.2): {period}",
        f"{calibration.moderated} audits moderated. Flagged when the overall judgement differs from "
        f"moderation in more than {calibration.flag_above:.0%} of at least {calibration.min_moderated} "
        "moderated audits. For the Quality Assurance Team: not for the learning bulletin.",
    )
    headers = [
        "Auditor",
        "Audits moderated",
        "Overall agreed",
        "Overall compared",
        "Agreement rate",
        "Moderator graded lower (auditor more lenient)",
        "Moderator graded higher",
        "Audits accepted",
        "Flag",
    ]
    _header_row(sheet, 4, headers, (40, 11, 11, 11, 11, 14, 12, 11, 70))
    for number, row in enumerate(calibration.auditors, start=5):
        values: list[str | int | float | None] = [
            names.get(row.auditor_email, row.auditor_email),
            row.moderated,
            row.overall.agreed,
            row.overall.compared,
            row.overall.rate,
            row.overall.moderated_lower,
            row.overall.moderated_higher,
            row.audits,
            row.flag,
        ]
        _data_row(sheet, number, values, flagged=bool(row.flag))

    by_domain = workbook.create_sheet("Domains by auditor")
    _title(by_domain, "Agreement with moderation by domain (agreed of compared)", period)
    _header_row(
        by_domain,
        4,
        ["Auditor", *(domain_titles[d] for d in calibration.domains)],
        (40, *([16] * len(calibration.domains))),
    )
    for number, row in enumerate(calibration.auditors, start=5):
        cells: list[str | int | float | None] = [names.get(row.auditor_email, row.auditor_email)]
        cells += [f"{a.agreed} of {a.compared}" for a in row.domains.values()]
        _data_row(by_domain, number, cells, flagged=bool(row.flag))

    grades_sheet = workbook.create_sheet("Grades")
    _title(grades_sheet, "Overall judgements on accepted audits: each auditor against the service", period)
    grades = list(Grade)
    _header_row(
        grades_sheet,
        4,
        ["Auditor", "Audits", *(g.value for g in grades), *(f"{g.value} %" for g in grades)],
        (40, 9, *([15] * (2 * len(grades)))),
    )
    total = sum(calibration.service_grades.values())
    rows = [
        (names.get(r.auditor_email, r.auditor_email), r.audits, r.grades, bool(r.flag))
        for r in calibration.auditors
    ]
    rows.append(("The service", total, calibration.service_grades, False))
    for number, (name, audits, counts, flagged) in enumerate(rows, start=5):
        line: list[str | int | float | None] = [name, audits, *(counts[g] for g in grades)]
        line += [share(counts[g], audits) for g in grades]
        _data_row(grades_sheet, number, line, flagged=flagged)
        if name == "The service":
            for column in range(1, len(line) + 1):
                grades_sheet.cell(number, column).font = Font(bold=True)

    domains = workbook.create_sheet("Domains")
    _title(domains, "Agreement with moderation across the service, by domain", period)
    _header_row(domains, 4, ["Domain", "Agreed", "Compared", "Agreement rate"], (60, 11, 11, 11))
    service_rows = [(domain_titles[d], a) for d, a in calibration.domains.items()]
    service_rows.append(("Overall judgement", calibration.overall))
    for number, (title, a) in enumerate(service_rows, start=5):
        _data_row(domains, number, [title, a.agreed, a.compared, a.rate], flagged=False)
    for each in workbook.worksheets:
        _fit_to_width(each)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title(sheet: Worksheet, title: str, note: str) -> None:
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = note
    sheet["A2"].alignment = Alignment(wrap_text=False)


def _data_row(
    sheet: Worksheet, number: int, values: Sequence[str | int | float | None], flagged: bool
) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(number, column, value)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, float):
            cell.number_format = "0%"
        if flagged:
            cell.fill = _FLAG_FILL


def _fit_to_width(sheet: Worksheet) -> None:
    """Printed landscape, one page wide, as a QA officer would print it for a meeting."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is not None:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "4:4"
    sheet.freeze_panes = "B5"


def _header_row(sheet: Worksheet, row: int, headers: Sequence[str], widths: Sequence[int]) -> None:
    for column, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row, column, title)
        cell.font = _HEAD_FONT
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[row].height = 48


def calibration_workbook(services: Services, months: Sequence[AuditMonth]) -> tuple[Calibration, bytes]:
    """The calibration over ``months`` and the QA team's Excel sheet of it."""
    calibration = calibration_for(services, months)
    staff = StaffDirectory.load(services)
    names = {email: (m.name or email) for email, m in staff.by_email.items()}
    titles = {d.id: d.title for d in services.schema.domains}
    period = months[0].label if len(months) == 1 else f"{months[0].label} to {months[-1].label}"
    return calibration, build_calibration_workbook(calibration, names, titles, period)
