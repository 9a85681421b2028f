"""``auditdesk``: the command line. Each command parses its arguments and calls a service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from shared.cli.context import AppContext

app = typer.Typer(
    name="auditdesk",
    help="Audit Desk: the Hull audit framework's case audits, deadlines and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the embedded store (default .auditdesk, or AUDITDESK_HOME).", envvar=None
        ),
    ] = None,
    schema: Annotated[
        Path | None, typer.Option(help="Audit schema TOML to use instead of the shipped one.")
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="Act as if today were this date (YYYY-MM-DD): replays a month.")
    ] = None,
) -> None:
    ctx.obj = AppContext.create(home=home, schema_path=schema, today=_parse_today(today))


def _parse_today(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"'{text}' is not a date: write it as YYYY-MM-DD.", param_hint="--today"
        ) from None


def _register_commands() -> None:
    from shared.cli import foundation

    foundation.register(app)
    __import__("shared.cli.forms", fromlist=["register"]).register(app)
    __import__("shared.cli.lists", fromlist=["register"]).register(app)
    __import__("shared.cli.workflow", fromlist=["register"]).register(app)
    __import__("shared.cli.reports", fromlist=["register"]).register(app)
    __import__("shared.cli.programme", fromlist=["register"]).register(app)
    __import__("shared.cli.moderation", fromlist=["register"]).register(app)


_register_commands()


def main() -> None:
    """The console script. A store or mail problem (SharePoint unreachable, a refused change
    token, a missing setting, a mail server down) ends with its message, not a stack trace:
    each says what to do, and nothing was recorded as done."""
    from shared.cli.render import console
    from shared.lists.port import ListStoreError
    from shared.mail.port import MailError

    try:
        app()
    except (ListStoreError, MailError) as problem:
        console.print(f"[red]✗[/red] {problem}")
        raise SystemExit(1) from None
