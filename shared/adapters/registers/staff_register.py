"""The Staff register workbook: who is who, for eligibility (1.4) and notifications.

``auditdesk staff import FILE.xlsx`` reads it with ``read_staff_register``. Each bad row is
rejected on its own with a reason (the good rows still load); a manager email that is not in
the register is only a warning, because the manager may be added later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.adapters.registers import workbook as common
from shared.adapters.registers.template import RegisterLayout, TemplateColumn, build_register_workbook
from shared.adapters.registers.workbook import Column, RegisterReading, RegisterRow, RowProblem
from shared.core.eligibility import StaffMember
from shared.core.schema import AuditSchema

SHEET = "Staff"
WHAT = "staff register"

NAME = Column("name", "Name", required=True)
EMAIL = Column("email", "Email", required=True)
ROLE = Column("role", "Role", required=True)
TEAM = Column("team", "Team")
MANAGER = Column("manager_email", "Manager email")
ASYE = Column("asye_start", "ASYE start date")
SUPPORT = Column("needs_support", "Needs support")
ACTIVE = Column("active", "Active")
PREFERRED_FORM = Column("form_preference", "Preferred form")
COLUMNS = (NAME, EMAIL, ROLE, TEAM, MANAGER, ASYE, SUPPORT, ACTIVE, PREFERRED_FORM)
FORM_CHOICES = ("Word", "Excel")

# An ASYE start date may be planned ahead, but not this far.
_ASYE_AHEAD = dt.timedelta(days=366)


def read_staff_register(
    data: bytes, source: str, schema: AuditSchema, *, today: dt.date | None = None
) -> RegisterReading[StaffMember]:
    """The staff in the register file ``data`` (named ``source``) and every row problem.

    Raises ``RegisterRejected`` when the file cannot be read at all (refused by the
    hostile-file gate, not a workbook, no header row). Emails are lower-cased. ``today``
    (default: the real date) bounds how far ahead an ASYE start date may be.
    """
    today = today or dt.date.today()
    reading: RegisterReading[StaffMember] = RegisterReading()
    roles = {role.casefold(): role for role in schema.roles.staff}
    first_row: dict[str, int] = {}
    managers: list[tuple[int, str]] = []
    for row in common.register_rows(data, source, SHEET, COLUMNS, WHAT):
        member, problems = _member(row, roles, today)
        if member is not None and member.email in first_row:
            problems.append(
                row.problem(
                    EMAIL,
                    f"'{member.email}' is already on row {first_row[member.email]}. Each person "
                    "appears once: delete this row or correct the address.",
                )
            )
        reading.problems.extend(problems)
        if member is None or problems:
            continue
        first_row[member.email] = row.number
        reading.rows.append(member)
        if member.manager_email:
            managers.append((row.number, member.manager_email))
    for number, manager in managers:
        if manager not in first_row:
            reading.problems.append(
                RowProblem(
                    number,
                    MANAGER.title,
                    f"'{manager}' is not the Email of anyone loaded from this register. The row was "
                    "loaded; add the manager's own row or correct the address.",
                    "warning",
                )
            )
    reading.problems.sort(key=lambda p: p.row)
    return reading


def _member(
    row: RegisterRow, roles: dict[str, str], today: dt.date
) -> tuple[StaffMember | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    name = common.text(row.values.get(NAME.key))
    if not name:
        problems.append(row.problem(NAME, "missing. Write the person's full name."))
    address = row.read(EMAIL, common.email, problems)
    if address == "":
        problems.append(row.problem(EMAIL, "missing. Write the person's work email address."))
    written_role = common.text(row.values.get(ROLE.key))
    role = roles.get(written_role.casefold())
    if not written_role:
        problems.append(row.problem(ROLE, "missing. Choose the person's role from the list."))
    elif role is None:
        problems.append(
            row.problem(ROLE, f"'{written_role}' is not a role in the register. Choose one from the list.")
        )
    manager = row.read(MANAGER, common.email, problems) or ""
    if manager and manager == address:
        problems.append(row.problem(MANAGER, "is the person's own email. Write their manager's email."))
    asye = row.read(ASYE, common.date, problems)
    if asye is not None and asye > today + _ASYE_AHEAD:
        problems.append(
            row.problem(
                ASYE,
                f"{asye:%d/%m/%Y} is more than a year from now. Check the year of the ASYE start date.",
            )
        )
    support = row.read(SUPPORT, lambda value: common.yes_no(value, False), problems)
    active = row.read(ACTIVE, lambda value: common.yes_no(value, True), problems)
    written_form = common.text(row.values.get(PREFERRED_FORM.key))
    form_preference = next((f for f in FORM_CHOICES if f.casefold() == written_form.casefold()), "")
    if written_form and not form_preference:
        problems.append(
            row.problem(
                PREFERRED_FORM,
                f"'{written_form}' is not Word or Excel. Choose one, or leave it blank (Word).",
            )
        )
    if problems or not address or role is None:
        return None, problems
    member = StaffMember(
        email=address,
        name=name,
        role=role,
        team=common.text(row.values.get(TEAM.key)),
        manager_email=manager,
        asye_start=asye,
        needs_support=support is True,
        active=active is not False,
        form_preference=form_preference,
    )
    return member, problems


# --- the template ----------------------------------------------------------------------

TEMPLATE_ID = "staff-register"
TEMPLATE_FILE = "staff-register.xlsx"


def build_staff_register_template(schema: AuditSchema) -> bytes:
    """The blank staff register (templates/staff-register.xlsx): the same schema gives the same bytes."""
    return build_staff_register(schema, ())


def build_staff_register(schema: AuditSchema, staff: Sequence[StaffMember]) -> bytes:
    """The staff register template holding ``staff``, one row each, in order."""
    rows = [
        (
            member.name,
            member.email,
            member.role,
            member.team,
            member.manager_email,
            member.asye_start,
            member.needs_support,
            member.active,
            member.form_preference or None,
        )
        for member in staff
    ]
    return build_register_workbook(_layout(schema), schema, rows)


def _layout(schema: AuditSchema) -> RegisterLayout:
    return RegisterLayout(
        template_id=TEMPLATE_ID,
        title="Staff register",
        subject="Audit Framework section 1.4: who is who",
        sheet_title=SHEET,
        table_name="StaffRegister",
        columns=(
            TemplateColumn(
                NAME.title, 30, "Required. The person's full name, as it should appear in emails."
            ),
            TemplateColumn(
                EMAIL.title,
                34,
                "Required. Their work email address. Each person appears once: the email is their key.",
                kind="email",
            ),
            TemplateColumn(
                ROLE.title,
                30,
                "Required. Choose from the list. Auditors are Senior Managers, Team Managers, ICROs, IFROs "
                "and the other roles in section 1.4 of the Audit Framework.",
                kind="choice",
                choices=schema.roles.staff,
            ),
            TemplateColumn(TEAM.title, 22, "The team they work in, e.g. Assessment Team East. May be blank."),
            TemplateColumn(
                MANAGER.title,
                34,
                "Their line manager's work email. The manager should have their own row. May be blank.",
                kind="email",
            ),
            TemplateColumn(
                ASYE.title,
                16,
                "For social workers in their Assessed and Supported Year in Employment: the date it began, "
                "as dd/mm/yyyy. Otherwise blank.",
                kind="date",
            ),
            TemplateColumn(
                SUPPORT.title,
                15,
                "Yes if the person needs extra support with audits (blank means No).",
                kind="yes-no",
            ),
            TemplateColumn(
                ACTIVE.title,
                11,
                "No once the person has left or no longer takes part (blank means Yes).",
                kind="yes-no",
            ),
            TemplateColumn(
                PREFERRED_FORM.title,
                14,
                "For auditors: the audit tool they are given pre-filled, Word or Excel (blank means Word).",
                kind="choice",
                choices=FORM_CHOICES,
            ),
        ),
        introduction=(
            "One row per member of staff on the Staff sheet. Do not change the column titles.",
            "Rows with a problem are not imported; every other row is. Audit Desk lists each problem with "
            "its row number.",
            "Import with: auditdesk staff import staff-register.xlsx",
        ),
    )
