"""Commands for the audit workflow on the embedded store (or SharePoint, when configured):
staff, allocate, allocation, submit, submissions, process, qa, sweep, tasks, settings, status.

Every action QA or a manager takes by editing a list item in SharePoint has a command here, with
the same checks; each is refused with a reason when the framework would not allow it."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import track

from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth
from shared.core.list_titles import SUBMISSIONS
from shared.core.stages import SubmissionOutcome
from shared.core.tasks import TaskStatus
from shared.entry.cli.context import context_of, services_of
from shared.entry.cli.render import console, table

if TYPE_CHECKING:
    from collections.abc import Callable

    from shared.services.workflow.dependencies import Services
    from shared.services.workflow.lists import Allocation
    from shared.services.workflow.workflow_run import Run

staff_app = typer.Typer(help="The Staff register.", no_args_is_help=True)
qa_app = typer.Typer(
    help="The QA check (2.9-2.11): accept, return, share findings, record the discussion.",
    no_args_is_help=True,
)


tasks_app = typer.Typer(
    help="Open tasks, soonest due first; mark one done or cancel it, as in the Tasks list.",
    invoke_without_command=True,
)
allocation_app = typer.Typer(
    help="Give an allocation to another auditor, or cancel it (2.1, 1.4).", no_args_is_help=True
)
settings_app = typer.Typer(
    help="The Settings list: QA mailbox, safeguarding contact, distribution lists, local closure days.",
    no_args_is_help=True,
)

# Exit codes: 0 everything done, 1 nothing done (refused), 3 some rows done and some refused.
PARTLY_DONE = 3


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")
    app.add_typer(qa_app, name="qa")
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(allocation_app, name="allocation")
    app.add_typer(settings_app, name="settings")
    app.command("allocate")(allocate)
    app.command("submit")(submit)
    app.command("submissions")(submissions)
    app.command("process")(process)
    app.command("sweep")(sweep)
    app.command("status")(status)


def _services(ctx: typer.Context, actor: str | None = None) -> AbstractContextManager[Services]:
    return services_of(ctx, actor)


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]✗[/red] {message}")
    return typer.Exit(code)


@staff_app.command("import")
def staff_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A filled copy of templates/staff-register.xlsx.")],
) -> None:
    """Load the Staff register from Excel; bad rows are refused with row-level reasons."""
    from shared.adapters.registers.staff_register import read_staff_register
    from shared.adapters.registers.workbook import RegisterRejected
    from shared.services.workflow.people import import_staff

    app_ctx = context_of(ctx)
    try:
        reading = read_staff_register(file.read_bytes(), file.name, app_ctx.schema)
    except OSError as error:
        raise _fail(f"{file}: cannot be read ({error.strerror}).", 2) from error
    except RegisterRejected as error:
        raise _fail(str(error), 2) from error
    for problem in reading.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"  [{colour}]{problem.severity}[/{colour}] {problem.message}")
    with _services(ctx) as services:
        result = import_staff(services, reading.rows)
    console.print(
        f"Staff register: {result.added} added, {result.updated} updated, {result.unchanged} unchanged; "
        f"{sum(p.severity == 'error' for p in reading.problems)} row(s) refused."
    )
    if any(p.severity == "error" for p in reading.problems):
        raise typer.Exit(1)


def allocate(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="An allocation sheet (templates/allocation-sheet.xlsx).")
    ] = None,
    case: Annotated[str | None, typer.Option(help="Case reference (Liquidlogic ID).")] = None,
    auditor: Annotated[str | None, typer.Option(help="Auditor's email.")] = None,
    month: Annotated[str | None, typer.Option(help="Audit month, YYYY-MM (default: this month).")] = None,
    worker: Annotated[str, typer.Option(help="Allocated worker's email.")] = "",
    manager: Annotated[str, typer.Option(help="Team Manager's email.")] = "",
    team: Annotated[str, typer.Option(help="Team holding the case.")] = "",
) -> None:
    """Allocate audits (2.1): one with --case/--auditor, or a whole allocation sheet."""
    from shared.services.workflow import allocations
    from shared.services.workflow.people import StaffDirectory
    from shared.services.workflow.unit_of_work import unit_of_work

    app_ctx = context_of(ctx)
    requests: list[AllocationRequest] = []
    sheet_refused = 0
    if file is not None:
        from shared.adapters.registers.allocation_sheet import read_allocation_sheet
        from shared.adapters.registers.workbook import RegisterRejected

        try:
            reading = read_allocation_sheet(file.read_bytes(), file.name)
        except OSError as error:
            raise _fail(f"{file}: cannot be read ({error.strerror}).", 2) from error
        except RegisterRejected as error:
            raise _fail(str(error), 2) from error
        for problem in reading.problems:
            console.print(f"[red]✗ ROW REFUSED[/red] {problem.message}")
        requests.extend(reading.rows)
        sheet_refused = len(reading.problems)
    elif case and auditor:
        try:
            audit_month = AuditMonth.parse(month) if month else AuditMonth.of(app_ctx.today)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--month") from None
        requests.append(AllocationRequest(case, team, worker, manager, auditor, audit_month))
    else:
        raise typer.BadParameter("Give an allocation sheet, or --case and --auditor.")

    refused: list[tuple[str, str, str, str]] = []
    done = 0
    with _services(ctx) as services, unit_of_work(services) as run:
        staff = StaffDirectory.load(services)
        rows = []
        for request in track(requests, description="Allocating", console=console, disable=len(requests) < 20):
            result = allocations.allocate(run, request, staff)
            if result.problems:
                refused.append(
                    (request.case_ref, str(request.month), request.auditor_email, " ".join(result.problems))
                )
                continue
            done += 1
            if result.created:
                flag = " (after the first week: flagged, 2.1)" if result.late else ""
                assert result.allocation is not None
                outcome = f"allocated, due {result.allocation.due_date:%d/%m/%Y}{flag}"
            else:
                outcome = "already allocated: nothing changed"
            rows.append((request.case_ref, str(request.month), request.auditor_email, outcome))
    if rows:
        console.print(table("Allocations", ("Case", "Month", "Auditor", "Result"), rows))
    # A refused row is shown on its own, one per paragraph, with the reason in full.
    for case_ref, refused_month, auditor, why in refused:
        console.print(f"[red]✗ NOT ALLOCATED[/red] {case_ref} ({refused_month}) to {auditor}:\n    {why}")
    total_refused = len(refused) + sheet_refused
    if total_refused:
        console.print(
            f"[red]{total_refused} row(s) refused[/red], {done} allocated or already allocated: "
            "correct the refused rows and allocate the sheet again (what was allocated stays)."
        )
        raise typer.Exit(PARTLY_DONE if done else 1)


def submit(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Filled audit forms (.docx or .xlsx).")],
) -> None:
    """Put filled forms in the Audit Submissions library, as an auditor's upload does, and process them."""
    from shared.services.ports.lists import FileTooLarge
    from shared.services.workflow.changes import process_changes
    from shared.services.workflow.intake import submit_file

    with _services(ctx) as services:
        for path in files:
            try:
                submit_file(services, path)
            except OSError as error:
                raise _fail(f"{path}: cannot be read ({error.strerror}).", 2) from error
            except FileTooLarge as error:
                raise _fail(str(error), 2) from error
        result = process_changes(services)
    _print_process(result)


def process(ctx: typer.Context) -> None:
    """Act on everything that changed in the lists since the last run."""
    from shared.services.workflow.changes import process_changes

    with _services(ctx) as services, console.status("Reading the lists' changes and acting on them…"):
        result = process_changes(services)
    _print_process(result)


def _print_process(result: object) -> None:
    from shared.services.workflow.changes import ProcessResult

    assert isinstance(result, ProcessResult)
    colours: dict[str, str] = {SubmissionOutcome.QUARANTINED: "red", SubmissionOutcome.RETURNED: "yellow"}
    for submission in result.submissions:
        colour = colours.get(submission.outcome, "green")
        console.print(
            f"  [{colour}]{submission.outcome}[/{colour}] {submission.file_name}: {submission.reason}"
        )
    for problem in result.problems:
        console.print(f"  [red]✗[/red] {problem}")
    console.print(
        f"Processed {len(result.submissions)} submission(s), {result.allocations_checked} new allocation(s), "
        f"{result.qa_decisions} QA decision(s); {result.tasks_created} task(s) created, {result.emails_sent} email(s) sent."
    )


def _qa(
    ctx: typer.Context,
    case: str,
    month: str | None,
    action: str,
    by: str | None,
    text: str = "",
    reaudit_by: str | None = None,
) -> None:
    from shared.services.workflow import qa
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx, by) as services:
        try:
            with unit_of_work(services) as run:
                allocation = qa.allocation_by_case(run, case, month)
                result = qa.take(run, allocation, action, text, reaudit_by=reaudit_by)
        except qa.QaRefused as refused:
            raise _fail(str(refused)) from refused
    allocation = result.allocation
    line = f"[green]✓[/green] {allocation.label}: {allocation.stage.value}"
    if allocation.stage.value == "Findings shared" and allocation.discussion_due:
        line += f"; discussion due {allocation.discussion_due:%a %d %b %Y} (2.10)"
    if allocation.stage.value == "Returned for amendment" and allocation.amendment_due:
        line += f"; amendments due {allocation.amendment_due:%a %d %b %Y} (2.11)"
    console.print(line)
    if result.reaudit and result.reaudit.allocation is not None:
        re = result.reaudit.allocation
        console.print(
            f"  → re-audit allocated to {re.auditor_email} for {re.month.label}, due {re.due_date:%a %d %b %Y} (2.12)"
        )


CaseArg = Annotated[str, typer.Argument(help="Case reference.")]
MonthOpt = Annotated[str | None, typer.Option(help="Audit month, YYYY-MM (default: the latest).")]
ByOpt = Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")]


@qa_app.command("accept")
def qa_accept(
    ctx: typer.Context,
    case: CaseArg,
    month: MonthOpt = None,
    by: ByOpt = None,
    reaudit_by: Annotated[
        str | None,
        typer.Option(help="Senior Manager to re-audit an Inadequate case (default: least loaded)."),
    ] = None,
) -> None:
    """Accept the audit (2.11); an Inadequate one is re-audited next month by a Senior Manager (2.12)."""
    _qa(ctx, case, month, "accept", by, reaudit_by=reaudit_by)


@qa_app.command("return")
def qa_return(
    ctx: typer.Context,
    case: CaseArg,
    reasons: Annotated[str, typer.Option(help="What the auditor must amend.")],
    month: MonthOpt = None,
    by: ByOpt = None,
) -> None:
    """Return the audit for amendment: back within 3 working days (2.11)."""
    _qa(ctx, case, month, "return", by, reasons)


@qa_app.command("share")
def qa_share(ctx: typer.Context, case: CaseArg, month: MonthOpt = None, by: ByOpt = None) -> None:
    """Mark the findings shared: the Team Manager's discussion is due in 5 or 10 working days (2.10)."""
    _qa(ctx, case, month, "share", by)


@qa_app.command("discussed")
def qa_discussed(ctx: typer.Context, case: CaseArg, month: MonthOpt = None, by: ByOpt = None) -> None:
    """Record that the discussion was held and actions recorded on Liquidlogic; closes the audit (2.10)."""
    _qa(ctx, case, month, "discussed", by)


@qa_app.command("disagree")
def qa_disagree(
    ctx: typer.Context,
    case: CaseArg,
    text: Annotated[str, typer.Option(help="The area of disagreement.")],
    month: MonthOpt = None,
    by: ByOpt = None,
) -> None:
    """Record a disagreement about the findings; it must be resolved before closing (2.9)."""
    _qa(ctx, case, month, "disagree", by, text)


@qa_app.command("resolve")
def qa_resolve(ctx: typer.Context, case: CaseArg, month: MonthOpt = None, by: ByOpt = None) -> None:
    """Record that the disagreement is resolved (2.9)."""
    _qa(ctx, case, month, "resolve", by)


@qa_app.command("reaudit")
def qa_reaudit(
    ctx: typer.Context,
    case: CaseArg,
    to: Annotated[str, typer.Option("--to", help="The Senior Manager who re-audits the case.")],
    month: MonthOpt = None,
    by: ByOpt = None,
) -> None:
    """Choose who re-audits an accepted Inadequate audit next month, when Audit Desk could not (2.12)."""
    from shared.services.workflow import qa
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx, by) as services:
        try:
            with unit_of_work(services) as run:
                result = qa.reallocate_reaudit(run, qa.allocation_by_case(run, case, month), to)
        except qa.QaRefused as refused:
            raise _fail(str(refused)) from refused
    assert result.reaudit is not None
    assert result.reaudit.allocation is not None
    re = result.reaudit.allocation
    console.print(
        f"[green]✓[/green] re-audit of {re.case_ref} allocated to {re.auditor_email} for {re.month.label}, "
        f"due {re.due_date:%a %d %b %Y} (2.12)"
    )


def sweep(ctx: typer.Context) -> None:
    """The daily sweep: reminders, overdue escalation, the allocation-week check."""
    from shared.services.workflow.sweep import sweep as run_sweep
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx) as services, unit_of_work(services) as run:
        result = run_sweep(run)
    console.print(
        f"Sweep: {result.reminders} reminder(s), {result.escalations} escalation(s)"
        + (
            f"; {result.observation_notices} practitioner(s) told of a coming observation (6.5)"
            if result.observation_notices
            else ""
        )
        + ("; QA alerted: nothing allocated this month (2.1)" if result.allocation_week_alert else "")
    )


@tasks_app.callback()
def tasks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Open tasks, soonest due first."""
    if ctx.invoked_subcommand is not None:
        return
    from shared.services.workflow.status import open_tasks, task_rows

    with _services(ctx) as services:
        found = task_rows(services, open_tasks(services))
    if as_json:
        print(json.dumps(found, indent=2))
        return
    rows = [
        (
            str(t["id"]),
            str(t["type"]),
            str(t["title"]),
            str(t["case_ref"] or ""),
            str(t["assigned_to"]),
            _dmy(t["due"]),
            "[red]overdue[/red]" if t["overdue"] else "",
            str(t["section"]),
        )
        for t in found
    ]
    console.print(
        table(
            f"Open tasks ({len(rows)})",
            ("Id", "Type", "Task", "Case", "Assigned to", "Due", "", "§"),
            rows,
        )
    )


def _dmy(iso: object) -> str:
    if not isinstance(iso, str) or not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


TaskIdArg = Annotated[int, typer.Argument(help="The task's id (the Id column; `auditdesk tasks`).")]


def _close_task(ctx: typer.Context, task_id: int, status_: str, by: str | None, note: str) -> None:
    from shared.services.workflow import manage
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx, by) as services:
        try:
            with unit_of_work(services) as run:
                task = manage.close_task(run, manage.task_by_id(services, task_id), status_, note=note)
        except manage.Refused as refused:
            raise _fail(str(refused)) from refused
    console.print(f"[green]✓[/green] task {task.id} ({task.task_type}): {task.status}")


@tasks_app.command("done")
def tasks_done(
    ctx: typer.Context,
    task_id: TaskIdArg,
    by: Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")] = None,
    note: Annotated[str, typer.Option(help="What was done (kept in the audit trail).")] = "",
) -> None:
    """Mark a task done; a Discussion task records the discussion and closes the audit (2.10)."""
    _close_task(ctx, task_id, TaskStatus.DONE.value, by, note)


@tasks_app.command("cancel")
def tasks_cancel(
    ctx: typer.Context,
    task_id: TaskIdArg,
    reason: Annotated[str, typer.Option(help="Why it is no longer needed (kept in the audit trail).")],
    by: Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")] = None,
) -> None:
    """Cancel a task that is no longer needed (never a safeguarding action or a discussion)."""
    if not reason.strip():
        raise _fail("Say why the task is cancelled (--reason).")
    _close_task(ctx, task_id, TaskStatus.CANCELLED.value, by, reason)


def _manage_allocation(
    ctx: typer.Context,
    case: str,
    month: str | None,
    by: str | None,
    step: Callable[[Run, Allocation], Allocation],
) -> Allocation:
    """Take one of QA's steps on the allocation a case reference names, in a unit of work; a
    refusal is the framework's reason, exit 1."""
    from shared.services.workflow import manage
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx, by) as services:
        try:
            with unit_of_work(services) as run:
                return step(run, manage.allocation_by_case(run, case, month))
        except manage.Refused as refused:
            raise _fail(str(refused)) from refused


@allocation_app.command("reassign")
def allocation_reassign(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case reference.")],
    to: Annotated[str, typer.Option("--to", help="The new auditor's email.")],
    month: Annotated[str | None, typer.Option(help="Audit month, YYYY-MM (default: the latest).")] = None,
    by: Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")] = None,
) -> None:
    """Give an audit still with its auditor to another eligible auditor (2.1, 1.4)."""
    from shared.services.workflow import manage

    allocation = _manage_allocation(ctx, case, month, by, lambda run, a: manage.reassign(run, a, to))
    console.print(f"[green]✓[/green] {allocation.label}: allocated to {allocation.auditor_email}")


@allocation_app.command("cancel")
def allocation_cancel(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case reference.")],
    reason: Annotated[str, typer.Option(help="Why (the auditor is told).")],
    month: Annotated[str | None, typer.Option(help="Audit month, YYYY-MM (default: the latest).")] = None,
    by: Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")] = None,
) -> None:
    """Cancel an allocation before the audit is returned; its open tasks are cancelled (2.1)."""
    from shared.services.workflow import manage

    allocation = _manage_allocation(ctx, case, month, by, lambda run, a: manage.cancel(run, a, reason))
    console.print(f"[green]✓[/green] {allocation.label}: {allocation.stage.value}")


@settings_app.command("get")
def settings_get(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="One setting (default: all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Show the settings Audit Desk uses, as in the Settings list."""
    from shared.services.workflow import manage

    with _services(ctx) as services:
        values = manage.current_settings(services)
    if key is not None:
        if key not in values:
            raise _fail(f"'{key}' is not a setting Audit Desk uses: choose one of {', '.join(values)}.")
        values = {key: values[key]}
    if as_json:
        print(json.dumps(values, indent=2))
        return
    console.print(table("Settings", ("Setting", "Value"), [(k, v or "(not set)") for k, v in values.items()]))


@settings_app.command("set")
def settings_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The setting, e.g. qa_team_email.")],
    value: Annotated[str, typer.Argument(help="Its new value (closure days: ISO dates, comma-separated).")],
    by: Annotated[str | None, typer.Option(help="Who is acting (for the audit trail).")] = None,
) -> None:
    """Change a setting, as QA does in the Settings list; recorded in the audit trail."""
    from shared.services.workflow import manage
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx, by) as services:
        try:
            with unit_of_work(services) as run:
                written = manage.set_setting(run, key, value)
        except manage.Refused as refused:
            raise _fail(str(refused)) from refused
    console.print(f"[green]✓[/green] {key} = {written}")


def submissions(
    ctx: typer.Context,
    quarantined: Annotated[bool, typer.Option("--quarantined", help="Only files set aside.")] = False,
    waiting: Annotated[bool, typer.Option("--waiting", help="Only audits waiting for the QA check.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """The Audit Submissions library: every returned file, its audit's stage, and why."""
    from shared.services.workflow.manage import submissions as list_submissions

    with _services(ctx) as services:
        found = list_submissions(services, quarantined, waiting)
    if as_json:
        print(json.dumps([r.as_dict() for r in found], indent=2))
        return
    rows = [
        (str(r.id), r.file_name, r.case_ref, r.audit_month, r.status, r.outcome, r.reason[:80], r.location)
        for r in found
    ]
    what: str = SUBMISSIONS
    if quarantined or waiting:
        what = SubmissionOutcome.QUARANTINED if quarantined else SubmissionOutcome.WAITING_FOR_QA
    console.print(
        table(
            f"{what} ({len(rows)})", ("Id", "File", "Case", "Month", "Stage", "Outcome", "Why", "Where"), rows
        )
    )


def status(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option(help="Only this audit month, YYYY-MM.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """One line per allocation: stage, judgement, what is next and by when, overdue."""
    from shared.services.workflow.status import allocation_statuses

    try:
        audit_month = AuditMonth.parse(month) if month else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    with _services(ctx) as services:
        rows = allocation_statuses(services, audit_month)
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], indent=2))
        return
    shown = [
        (
            r.case_ref,
            r.month,
            r.team,
            r.auditor,
            r.stage,
            r.overall_grade,
            f"{r.next_step}" + (f" by {r.next_due:%d/%m/%Y}" if r.next_due else ""),
            "[red]OVERDUE[/red]" if r.overdue else "",
            (f"re-audit month {r.reaudit_month}" if r.reaudit_month else "")
            + (" late allocation" if r.late_allocation else ""),
        )
        for r in rows
    ]
    console.print(
        table(
            f"Audits ({len(rows)})",
            ("Case", "Month", "Team", "Auditor", "Stage", "Judgement", "Next", "", "Flags"),
            shown,
        )
    )
