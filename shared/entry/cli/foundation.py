"""Commands on the framework's rules alone: deadlines, the schema, and the demo."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.entry.cli.context import context_of
from shared.entry.cli.render import console, table


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)
    app.command("schema")(schema_summary)
    app.command("demo")(demo)


def deadlines(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option(help="Allocation month, YYYY-MM (default: this month).")
    ] = None,
) -> None:
    """The framework's timescales for one allocation month, on Hull's working-day calendar."""
    app_ctx = context_of(ctx)
    try:
        audit_month = AuditMonth.parse(month) if month else AuditMonth.of(app_ctx.today)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--month") from None
    rules = app_ctx.deadlines
    audit_due = rules.audit_due_date(audit_month)
    rows = [
        ("2.1", "Allocation list sent to auditors by", _day(rules.allocation_list_due_date(audit_month))),
        ("2.2", "Audits and improvement plans due", _day(audit_due)),
        ("2.11", "Amendments due, if returned on the due date", _day(rules.amendment_due_date(audit_due))),
    ]
    for grade in Grade:
        rows.append(
            (
                "2.10",
                f"Discussion if {grade.value}, findings shared on the due date",
                _day(rules.discussion_due_date(audit_due, grade)),
            )
        )
    rows.append(("2.12", "Re-audit of an Inadequate case due", _day(rules.reaudit_due_date(audit_month))))
    console.print(
        table(f"Deadlines for audits allocated in {audit_month.label}", ("§", "What", "When"), rows)
    )


def schema_summary(ctx: typer.Context) -> None:
    """The audit schema in use: domains, forms and timescales."""
    schema = context_of(ctx).schema
    console.print(f"Audit schema [bold]{schema.id}[/bold] version {schema.version} ({schema.source})")
    console.print(table("Domains", ("id", "Domain"), ((d.id, d.name) for d in schema.domains)))
    console.print(
        table(
            "Forms",
            ("template id", "title", "§", "fields"),
            ((f.id, f.title, f.section, str(len(f.fields))) for f in schema.forms.values()),
        )
    )


def demo(ctx: typer.Context) -> None:
    """Run the demo on the embedded store and say where the results are."""
    from shared.entry.cli.demo import run_demo

    run_demo(context_of(ctx))


def _day(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y")
