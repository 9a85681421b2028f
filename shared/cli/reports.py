"""`auditdesk report highlights|bulletin|quarterly --period 2026-11 [--send] [--resend]`."""

from __future__ import annotations

from typing import Annotated

import typer

from shared.cli.context import context_of, services_of
from shared.cli.render import console


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="highlights, bulletin or quarterly.")],
    period: Annotated[
        str, typer.Option(help="A month (2026-11) or, for bulletin and quarterly, a quarter (2026-Q4).")
    ],
    send: Annotated[
        bool, typer.Option("--send", help="Email it to the distribution list in Settings.")
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Email it again even if it was sent before.")
    ] = False,
) -> None:
    """Build a report and its data pack, file both in the Reports library, and email it with --send."""
    from shared.reports.publish import ReportRequestError, check_request, publish_report

    app_ctx = context_of(ctx)
    try:
        check_request(kind, period)
    except ValueError as error:  # ReportRequestError and a malformed period alike
        console.print(f"[red]✗[/red] {error}")
        raise typer.Exit(2) from error
    try:
        with (
            services_of(ctx) as services,
            console.status(f"Reading the lists and building the {kind} report for {period}…"),
        ):
            published = publish_report(services, kind, period, send=send or resend, resend=resend)
    except ReportRequestError as error:
        console.print(f"[red]✗[/red] {error}")
        raise typer.Exit(2) from error
    console.print(
        f"[green]✓[/green] {published.report_type}, {published.period}: figures in "
        f"{published.aggregation_seconds:.1f} s, document and data pack in {published.rendering_seconds:.1f} s."
    )
    where = app_ctx.settings.home / "libraries" / published.library
    location = where if app_ctx.settings.sharepoint is None else f"the {published.library} library"
    console.print(f"  Filed in {location}:")
    console.print(f"    {published.docx_name}")
    console.print(f"    {published.data_pack_name}")
    if published.sent:
        console.print(f"  Emailed to {len(published.recipients)} distribution list(s).")
    elif published.already_sent:
        console.print("  Already emailed for this period: not sent again (use --resend to send it again).")
    else:
        console.print("  Not emailed (add --send to email it).")
