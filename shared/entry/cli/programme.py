"""Commands for the rest of the programme: `schedule` (observations, case discussions,
supervision audits, compliance) and `themes` (thematic audit suggestions and the schedule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

import typer

from shared.core.deadlines import AuditMonth
from shared.entry.cli.context import context_of, services_of
from shared.entry.cli.render import console, table

if TYPE_CHECKING:
    from shared.services.programme.schedule import ScheduleResult
    from shared.services.workflow.dependencies import Services

schedule_app = typer.Typer(
    help="Plan a year of observations (6), case discussions (4.2) or supervision audits (5.3).",
    no_args_is_help=True,
)
themes_app = typer.Typer(help="Thematic audits (3.1): suggestions with their evidence, and the schedule.")

Year = Annotated[int, typer.Option("--year", help="The year to plan, e.g. 2027.", min=2000, max=2100)]


def register(app: typer.Typer) -> None:
    app.add_typer(schedule_app, name="schedule")
    app.add_typer(themes_app, name="themes")


def _services(ctx: typer.Context, actor: str | None = None) -> AbstractContextManager[Services]:
    return services_of(ctx, actor)


def _plan(ctx: typer.Context, year: int, make: Callable[[Services, int], ScheduleResult], what: str) -> None:
    with _services(ctx) as services:
        result = make(services, year)
    for problem in result.problems:
        console.print(f"  [yellow]![/yellow] {problem}")
    if result.nothing_new:
        console.print(
            f"{what} for {year}: already scheduled ({result.planned} item(s)); nothing new was created."
        )
        return
    console.print(
        f"{what} for {year}: {result.planned} planned, {result.created} new schedule item(s), "
        f"{result.tasks_created} new task(s) ({result.already_there} already there)."
    )


@schedule_app.command("observations")
def schedule_observations(ctx: typer.Context, year: Year) -> None:
    """Staff observations: ASYE (6.2), yearly (6.3), needing support (6.4), managers (6.6)."""
    from shared.services.programme.observations import schedule_observations as plan

    _plan(ctx, year, plan, "Observations")


@schedule_app.command("discussions")
def schedule_discussions(ctx: typer.Context, year: Year) -> None:
    """Case discussions, twice a year per practitioner, spread over managers' months (4.2)."""
    from shared.services.programme.case_discussions import schedule_case_discussions as plan

    _plan(ctx, year, plan, "Case discussions")


@schedule_app.command("supervision")
def schedule_supervision(ctx: typer.Context, year: Year) -> None:
    """Supervision audits, at least twice a year, shared between auditors (5.3)."""
    from shared.services.programme.supervision import schedule_supervision_audits as plan

    _plan(ctx, year, plan, "Supervision audits")


@schedule_app.command("notify")
def schedule_notify(ctx: typer.Context) -> None:
    """Tell practitioners whose observation is coming, with the Staff Observation Form (6.5)."""
    from shared.services.programme.observations import notify_coming_observations
    from shared.services.workflow.unit_of_work import unit_of_work

    with _services(ctx) as services, unit_of_work(services) as run:
        told = notify_coming_observations(run)
    console.print(f"{told} practitioner(s) told of a coming observation (6.5).")


@schedule_app.command("compliance")
def schedule_compliance(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
) -> None:
    """Due, done and overdue per team and activity (for the quarterly report, 8.1)."""
    from shared.services.programme.compliance import compliance_by_team

    first, last = _day(start, "--from"), _day(end, "--to")
    with _services(ctx) as services:
        figures = compliance_by_team(services, first, last)
    console.print(
        table(
            f"Compliance {first:%d/%m/%Y} to {last:%d/%m/%Y}",
            ("Team", "Activity", "Due", "Done", "Overdue"),
            ((f.team, f.activity, str(f.due), str(f.done), str(f.overdue)) for f in figures),
        )
    )


@themes_app.callback(invoke_without_command=True)
def themes(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option(help="Suggest from audits up to this month, YYYY-MM (default: this month).")
    ] = None,
    schedule_in: Annotated[
        str | None, typer.Option("--schedule-in", help="Put every suggestion on the schedule for this month.")
    ] = None,
) -> None:
    """Suggestions drawn from single case file audits, each with its evidence (3.1)."""
    if ctx.invoked_subcommand is not None:
        return
    from shared.services.programme.themes import schedule_suggestion, theme_suggestions

    app_ctx = context_of(ctx)
    through = _month(month) if month else AuditMonth.of(app_ctx.today)
    with _services(ctx) as services:
        suggestions = theme_suggestions(services, through)
        added = 0
        if schedule_in:
            target = _month(schedule_in)
            added = sum(schedule_suggestion(services, s, target) for s in suggestions)
    if not suggestions:
        console.print(f"No thematic audit suggestions from the audits up to {through.label}.")
    for number, suggestion in enumerate(suggestions, start=1):
        console.print(f"{number}. [bold]{suggestion.theme}[/bold]\n   {suggestion.evidence}")
    if schedule_in:
        console.print(
            f"{added} suggestion(s) put on the thematic audit schedule ({len(suggestions) - added} already there)."
        )


@themes_app.command("add")
def themes_add(
    ctx: typer.Context,
    theme: Annotated[str, typer.Argument(help="The theme, e.g. 'Neglect: recognising cumulative harm'.")],
    source: Annotated[str, typer.Option(help="'Serious Case Review' or 'Performance information'.")],
    month: Annotated[str, typer.Option(help="The month of the audit, YYYY-MM.")],
    lead: Annotated[str, typer.Option(help="Lead's email.")] = "",
    evidence: Annotated[str, typer.Option(help="The recommendation or figures behind it.")] = "",
) -> None:
    """Record a theme QA has chosen (3.1)."""
    from shared.services.programme.themes import add_theme

    with _services(ctx) as services:
        try:
            added = add_theme(services, theme, source, _month(month), lead, evidence)
        except ValueError as error:
            console.print(f"[red]✗[/red] {error}")
            raise typer.Exit(2) from error
    console.print(
        "Theme added to the schedule." if added else "That theme is already on the schedule for that month."
    )


@themes_app.command("list")
def themes_list(ctx: typer.Context) -> None:
    """The thematic audit schedule."""
    from shared.services.programme.themes import thematic_schedule

    with _services(ctx) as services:
        audits = thematic_schedule(services)
    console.print(
        table(
            "Thematic audit schedule (3.1)",
            ("Month", "Theme", "Arising from", "Lead", "Status"),
            ((a.month, a.theme, a.source, a.lead_email, a.status) for a in audits),
        )
    )


def _month(text: str) -> AuditMonth:
    try:
        return AuditMonth.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a date: write it as YYYY-MM-DD.", param_hint=option
        ) from None
