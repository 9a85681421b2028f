"""``auditdesk provision``: create or update the lists, columns, indexes and views."""

from __future__ import annotations

from typing import Annotated

import typer

from shared.entry.cli.context import context_of
from shared.entry.cli.render import console


def register(app: typer.Typer) -> None:
    app.command("provision")(provision_lists)


def provision_lists(
    ctx: typer.Context,
    site: Annotated[
        str | None,
        typer.Option(help="SharePoint site URL (default AUDITDESK_SP_SITE_URL; none: the embedded store)."),
    ] = None,
) -> None:
    """Create or update every list, column, index and view. Safe to run again: it changes only what differs."""
    from shared.adapters.lists.factory import open_list_store, provisioner_of
    from shared.adapters.lists.formatted import formatted_definitions
    from shared.adapters.lists.provision import provision
    from shared.services.ports.lists import ListStoreError

    app_ctx = context_of(ctx)
    try:
        store = open_list_store(app_ctx.settings, app_ctx.schema, site_url=site)
        with store:
            where = site or (app_ctx.settings.sharepoint.site_url if app_ctx.settings.sharepoint else None)
            console.print(
                f"Provisioning lists on {where or f'the embedded store in {app_ctx.settings.home}'}"
            )
            report = provision(provisioner_of(store), formatted_definitions(app_ctx.schema))
    except ListStoreError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from error
    for change in report.changes:
        console.print(f"  • {change}")
    for warning in report.warnings:
        typer.secho(f"  ! {warning}", fg="yellow")
    if report.changed:
        console.print(f"{len(report.changes)} change(s) made.")
    else:
        console.print("Everything is already provisioned: nothing changed.")
