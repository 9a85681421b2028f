"""`auditdesk report highlights|bulletin|quarterly --period 2026-11 [--send] [--resend]`, and
`auditdesk report bulletin --period 2026-11 --approve [--excerpts 1,3]` for the QA team."""

from __future__ import annotations

from typing import Annotated

import typer

from shared.entry.cli.context import context_of, services_of
from shared.entry.cli.render import console


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def _numbers(text: str) -> list[int] | None:
    """'1,3, 4' -> [1, 3, 4]; '' -> None (the decisions already in the list stand)."""
    if not text.strip():
        return None
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a list of excerpt numbers such as 1,3,4.") from None


def report(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="highlights, bulletin or quarterly.")],
    period: Annotated[
        str, typer.Option(help="A month (2026-11) or, for bulletin and quarterly, a quarter (2026-Q4).")
    ],
    send: Annotated[
        bool,
        typer.Option(
            "--send", help="Email it to the distribution list in Settings (a bulletin draft: to the QA team)."
        ),
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Email it again even if it was sent before.")
    ] = False,
    approve: Annotated[
        bool,
        typer.Option(
            "--approve",
            help="Bulletin only: the QA team approves it; it is published and sent to all staff.",
        ),
    ] = False,
    excerpts: Annotated[
        str,
        typer.Option(
            help="With --approve: the numbers of the excerpts to publish (1,3,4), as listed in the draft. "
            "Left out: the decisions already made in the Bulletin Excerpts list stand."
        ),
    ] = "",
    approver: Annotated[
        str, typer.Option(help="With --approve: who approves it (default: the QA team's mailbox).")
    ] = "",
) -> None:
    """Build a report and its data pack, file both in the Reports library, and email it with --send.

    A learning bulletin is first a draft for the QA team; it goes to all staff only with --approve."""
    from shared.services.reports.approval import BulletinNotApproved
    from shared.services.reports.publish import (
        PublishedReport,
        ReportRequestError,
        approve_bulletin,
        check_request,
        publish_report,
    )

    app_ctx = context_of(ctx)
    try:
        check_request(kind, period)
        if approve and kind != "bulletin":
            raise ReportRequestError(
                "Only the learning bulletin is approved: --approve goes with 'bulletin'."
            )
    except ValueError as error:  # ReportRequestError and a malformed period alike
        console.print(f"[red]✗[/red] {error}")
        raise typer.Exit(2) from error
    numbers = _numbers(excerpts)
    problems: list[str] = []
    try:
        with (
            services_of(ctx) as services,
            console.status(f"Reading the lists and building the {kind} report for {period}…"),
        ):
            published: PublishedReport
            if approve:
                who = approver or services.setting("qa_team_email")
                published, problems = approve_bulletin(services, period, numbers, who, resend=resend)
            else:
                published = publish_report(services, kind, period, send=send or resend, resend=resend)
    except (ReportRequestError, BulletinNotApproved) as error:
        console.print(f"[red]✗[/red] {error}")
        raise typer.Exit(2) from error
    console.print(
        f"[green]✓[/green] {published.report_type}, {published.period}: figures in "
        f"{published.aggregation_seconds:.1f} s, document and data pack in {published.rendering_seconds:.1f} s."
    )
    for problem in problems:
        console.print(f"  [yellow]![/yellow] {problem}")
    where = app_ctx.settings.home / "libraries" / published.library
    location = where if app_ctx.settings.sharepoint is None else f"the {published.library} library"
    console.print(f"  Filed in {location}:")
    console.print(f"    {published.docx_name}")
    console.print(f"    {published.data_pack_name}")
    if published.awaiting_approval:
        console.print(
            "  A draft for the QA team: it goes to all staff only once approved "
            f"(auditdesk report bulletin --period {published.period} --approve --excerpts 1,2)."
        )
    if published.sent:
        console.print(f"  Emailed to {len(published.recipients)} distribution list(s).")
    elif published.already_sent:
        console.print("  Already emailed for this period: not sent again (use --resend to send it again).")
    else:
        console.print("  Not emailed (add --send to email it).")
