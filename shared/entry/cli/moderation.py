"""Commands for a fair sample and consistent grading: `sample` (the month's cases from the case
management export, 2.1) and `moderation draw|record|calibration` (7.2)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shared.core.deadlines import AuditMonth
from shared.entry.cli.context import services_of
from shared.entry.cli.render import console, table

if TYPE_CHECKING:
    from shared.services.workflow.dependencies import Services

moderation_app = typer.Typer(
    help="Moderation of accepted audits and the calibration of auditors (7.2).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)
    app.add_typer(moderation_app, name="moderation")


def _month(text: str) -> AuditMonth:
    try:
        return AuditMonth.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None


def _services(ctx: typer.Context, actor: str | None = None) -> AbstractContextManager[Services]:
    return services_of(ctx, actor)


MonthOpt = Annotated[str, typer.Option("--month", help="The month, as YYYY-MM, e.g. 2026-12.")]


def sample(
    ctx: typer.Context,
    month: MonthOpt,
    cases: Annotated[
        Path,
        typer.Option(
            "--cases", help="The case list exported from the case management system (.csv or .xlsx)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Where to write the allocation sheet (default: allocation-sheet-YYYY-MM.xlsx)."
        ),
    ] = None,
) -> None:
    """Propose the month's allocation (2.1): a seeded sample stratified by team and case type,
    no case audited in the last 12 months, open re-audits included, auditors balanced (1.4).
    Writes the allocation sheet: edit it, then load it with `auditdesk allocate`."""
    from shared.services.moderation.selection import select_cases

    when = _month(month)
    try:
        data = cases.read_bytes()
    except OSError as error:
        console.print(f"[red]✗[/red] {cases} cannot be read ({error.strerror}).")
        raise typer.Exit(1) from None
    with _services(ctx) as services:
        selection = select_cases(services, data, cases.name, when)
    if selection.problems or selection.proposal is None:
        console.print(
            f"[red]✗[/red] {cases.name} was not loaded: nothing was sampled. Fix these and run again:"
        )
        for problem in selection.problems[:200]:
            console.print(f"  {problem}", markup=False)
        if len(selection.problems) > 200:
            console.print(f"  … and {len(selection.problems) - 200} more")
        raise typer.Exit(1)
    proposal = selection.proposal
    target = out or Path(f"allocation-sheet-{when}.xlsx")
    target.write_bytes(selection.sheet)
    console.print(
        table(
            f"Sample for {when.label} from {selection.cases_read} cases (seed '{proposal.seed}')",
            ("Team", "Case type", "Cases", "Could be audited", "Drawn"),
            ((s.team, s.case_type, str(s.cases), str(s.eligible), str(s.drawn)) for s in proposal.strata),
        )
    )
    reaudits = sum(1 for c in proposal.chosen if c.is_reaudit)
    load = proposal.load()
    console.print(
        f"{len(proposal.chosen)} cases proposed ({reaudits} open re-audit(s)); "
        f"{len(load)} auditors, {min(load.values(), default=0)} to {max(load.values(), default=0)} cases each."
    )
    for note in proposal.problems:
        console.print(f"  ! {note}", markup=False)
    console.print(
        f"Allocation sheet: {target} (the 'Why chosen' sheet explains each case). Load it with: auditdesk allocate {target}"
    )


@moderation_app.command("draw")
def draw(ctx: typer.Context, month: MonthOpt) -> None:
    """Draw the month's moderation sample from the audits accepted in it (7.2). Again adds nothing."""
    from shared.services.moderation.service import draw_moderation_sample
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx) as services, unit_of_work(services) as run:
        result = draw_moderation_sample(run, _month(month))
    console.print(
        f"Moderation for {result.month.label} (seed '{result.seed}'): {result.accepted} accepted, "
        f"{result.drawn} drawn, {result.added} new."
    )
    for problem in result.problems:
        console.print(f"  ! {problem}", markup=False)


@moderation_app.command("record")
def record(ctx: typer.Context) -> None:
    """Record the moderations typed into the Moderation list, and tell each auditor (7.2)."""
    from shared.services.moderation.service import record_from_list
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx) as services, unit_of_work(services) as run:
        results = record_from_list(run)
    for result in results:
        mark = "[green]✓[/green]" if result.recorded else "[yellow]![/yellow]"
        console.print(f"{mark} {result.reason}")
    if not results:
        console.print("No moderation is waiting to be recorded.")


@moderation_app.command("calibration")
def calibration(
    ctx: typer.Context,
    month: Annotated[list[str], typer.Option("--month", help="A month to include (repeat for a quarter).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the QA team's Excel sheet.")
    ] = None,
) -> None:
    """Agreement with moderators per auditor and per domain, and each auditor's grades against
    the service's, with the flag (7.2). For the QA team: never the learning bulletin."""
    from shared.services.moderation.calibration import calibration_workbook

    months = sorted(_month(m) for m in month)
    with _services(ctx) as services:
        result, data = calibration_workbook(services, months)
    target = out or Path(f"calibration-{months[0]}-to-{months[-1]}.xlsx")
    target.write_bytes(data)
    console.print(
        table(
            f"Calibration, {months[0].label} to {months[-1].label}: {result.moderated} moderated",
            ("Auditor", "Moderated", "Overall agreed", "Moderator lower", "Flag"),
            (
                (
                    row.auditor_email,
                    str(row.moderated),
                    f"{row.overall.agreed} of {row.overall.compared}",
                    str(row.overall.moderated_lower),
                    row.flag,
                )
                for row in result.auditors
            ),
        )
    )
    console.print(f"Excel sheet for the QA team: {target}")
