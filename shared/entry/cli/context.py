"""What every command gets: settings, the schema, the deadline rules, and today's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shared.config import Settings
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.core.schema_reader import SchemaError, load_schema

if TYPE_CHECKING:
    from shared.services.workflow.dependencies import Services


@dataclass
class AppContext:
    settings: Settings
    schema: AuditSchema
    deadlines: Deadlines
    today: dt.date
    # Set by --today: the day being replayed (the workflow's clock uses it too).
    replay_day: dt.date | None = None

    @classmethod
    def create(cls, home: Path | None, schema_path: Path | None, today: dt.date | None) -> AppContext:
        from shared.adapters.home import check_home_folder

        settings = Settings.from_environment(home=home, schema_path=schema_path)
        check_home_folder(settings.home)
        try:
            schema = load_schema(settings.schema_path)
        except SchemaError as error:
            typer.secho(str(error), fg="red", err=True)
            raise typer.Exit(2) from error
        # The one place the command line reads the clock; the core is always given the date.
        from shared.services.workflow.clock import Clock

        return cls(settings, schema, Deadlines.for_schema(schema), today or Clock().today(), today)


def context_of(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj


@contextmanager
def services_of(ctx: typer.Context, actor: str | None = None) -> Iterator[Services]:
    """The command's services (:func:`shared.bootstrap.bootstrap`), closed when the block ends."""
    from shared.bootstrap import opened
    from shared.services.workflow.clock import Clock

    app_ctx = context_of(ctx)
    with opened(
        app_ctx.settings, app_ctx.schema, app_ctx.deadlines, Clock(app_ctx.replay_day), actor
    ) as services:
        yield services
