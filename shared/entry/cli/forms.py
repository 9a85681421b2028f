"""``auditdesk validate`` and ``auditdesk templates build``: the Office forms on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shared.adapters.forms.guidance import grading_quotes
from shared.adapters.forms.reader import read_form_file
from shared.adapters.forms.templates import TEMPLATES_DIR, build_templates
from shared.core.deadlines import AuditMonth
from shared.core.record import text_of
from shared.core.schema import AuditSchema
from shared.entry.cli.context import context_of
from shared.entry.cli.render import console, print_findings
from shared.services.ports.forms import FormOutcome, FormStatus

EXIT_VALID, EXIT_INVALID, EXIT_REJECTED = 0, 1, 2

_VERDICT = {
    FormStatus.VALID: "[green]✓ valid[/green]",
    FormStatus.INVALID: "[red]✗ invalid[/red]",
    FormStatus.REJECTED: "[red bold]⛔ rejected[/red bold]",
}


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    templates = typer.Typer(
        help="The Word and Excel audit tools built from the schema.", no_args_is_help=True
    )
    templates.command("build")(build)
    app.add_typer(templates, name="templates")


def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Filled forms (.docx or .xlsx) to check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    show_fields: Annotated[bool, typer.Option("--fields", help="Also list the answers read.")] = False,
    month: Annotated[
        str | None, typer.Option(help="Allocation month, YYYY-MM (default: the audit date's month).")
    ] = None,
) -> None:
    """Check filled forms before they are sent: valid, invalid (with what to fix) or rejected.

    Exit status: 0 all valid, 1 any invalid, 2 any rejected.
    """
    app_ctx = context_of(ctx)
    try:
        allocation_month = AuditMonth.parse(month) if month else None
    except ValueError as problem:
        raise typer.BadParameter(str(problem), param_hint="--month") from None
    outcomes = [read_form_file(path, app_ctx.schema, app_ctx.deadlines, allocation_month) for path in files]
    if as_json:
        typer.echo(json.dumps([outcome.as_dict() for outcome in outcomes], indent=2))
    else:
        for outcome in outcomes:
            _print_outcome(outcome, show_fields, app_ctx.schema)
    raise typer.Exit(exit_status(outcomes))


def exit_status(outcomes: list[FormOutcome]) -> int:
    statuses = {outcome.status for outcome in outcomes}
    if FormStatus.REJECTED in statuses:
        return EXIT_REJECTED
    if FormStatus.INVALID in statuses:
        return EXIT_INVALID
    return EXIT_VALID


def _print_outcome(outcome: FormOutcome, show_fields: bool, schema: AuditSchema | None = None) -> None:
    if outcome.rejection is not None:
        console.print(f"{_VERDICT[outcome.status]} [bold]{outcome.source}[/bold]")
        console.print(f"    {outcome.rejection.message} [dim](form-rejected-{outcome.rejection.code})[/dim]")
        return
    console.print(
        f"{_VERDICT[outcome.status]} [bold]{outcome.source}[/bold]: {outcome.template_id} "
        f"v{outcome.template_version}, {len(outcome.errors)} errors, {len(outcome.warnings)} warnings"
    )
    if outcome.fields.get("safeguarding_concern") is True:
        console.print(
            "    [red bold]Immediate safeguarding concern recorded: the Team Manager must be told now (2.6).[/red bold]"
        )
    print_findings(outcome.findings, indent="    ")
    quotes = grading_quotes(outcome.findings, outcome.fields, schema) if schema else []
    if quotes:
        console.print("    [bold]Grading guidance (7.1, Hull's Case Audit Grading Guidance):[/bold]")
        for quote in quotes:
            console.print(f"      {quote}", highlight=False)
    if show_fields:
        for field_id, value in outcome.fields.items():
            if value not in (None, ""):
                console.print(f"    [dim]{field_id}[/dim] = {text_of(value)}")


def build(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder to write the templates to.")] = TEMPLATES_DIR,
) -> None:
    """Regenerate the Word and Excel templates from the audit schema (same schema, same bytes):
    the audit forms, the Staff register, the allocation sheet and the reports (in reports/)."""
    from shared.adapters.documents.word_reports import WordReports
    from shared.adapters.registers import write_register_templates
    from shared.services.reports.publish import report_layouts

    schema = context_of(ctx).schema
    reports = WordReports().build_templates(report_layouts(), out / "reports")
    for path in [*build_templates(schema, out), *write_register_templates(out, schema), *reports]:
        console.print(f"  {path}")
