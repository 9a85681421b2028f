"""``auditdesk``: the command line. Each command parses its arguments and calls a service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shared.entry.cli.context import AppContext

if TYPE_CHECKING:
    from shared.adapters.home import HomeProblem

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
    global _last_home
    from shared.entry.functions.logs import cap_library_loggers

    cap_library_loggers()  # before any command talks to SharePoint, Graph or Azure Storage
    ctx.obj = AppContext.create(home=home, schema_path=schema, today=_parse_today(today))
    _last_home = ctx.obj.settings.home


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
    from shared.entry.cli import foundation

    foundation.register(app)
    __import__("shared.entry.cli.forms", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.lists", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.workflow", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.actions", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.reports", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.programme", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.doctor", fromlist=["register"]).register(app)
    __import__("shared.entry.cli.moderation", fromlist=["register"]).register(app)


_register_commands()


def main() -> None:
    """The console script. A store or mail problem (SharePoint unreachable, a refused change
    token, a missing setting, a mail server down) ends with its message, not a stack trace:
    each says what to do, and nothing was recorded as done. So does a home it cannot use (a
    damaged or truncated SQLite file, a read-only home, ``--home`` naming a file, a full disk):
    one line on stderr naming the file, and exit status 4."""
    import sqlite3

    from shared.adapters.home import EXIT_HOME_PROBLEM, HomeProblem, home_problem
    from shared.entry.cli.render import console
    from shared.services.ports.lists import ListStoreError
    from shared.services.ports.mail import MailError

    try:
        app()
    except (ListStoreError, MailError) as problem:
        # An outbox or library write that failed for want of space is the home's problem.
        underneath = _home_problem_under(problem)
        if underneath is not None:
            _say_on_stderr(f"✗ {underneath}")
            raise SystemExit(EXIT_HOME_PROBLEM) from None
        console.print(f"[red]✗[/red] {problem}")
        raise SystemExit(1) from None
    except HomeProblem as problem:
        _say_on_stderr(f"✗ {problem}")
        raise SystemExit(EXIT_HOME_PROBLEM) from None
    except (sqlite3.Error, OSError) as error:
        translated = home_problem(error, _last_home) if _last_home is not None else None
        if translated is None:
            raise
        _say_on_stderr(f"✗ {translated}")
        raise SystemExit(EXIT_HOME_PROBLEM) from None


# The home of the command being run, once its options are read: where a failure is looked for.
_last_home: Path | None = None


def _home_problem_under(problem: BaseException) -> HomeProblem | None:
    import sqlite3

    from shared.adapters.home import home_problem

    cause = problem.__cause__ or problem.__context__
    while cause is not None and _last_home is not None:
        if isinstance(cause, (sqlite3.Error, OSError)):
            return home_problem(cause, _last_home)
        cause = cause.__cause__ or cause.__context__
    return None


def _say_on_stderr(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
