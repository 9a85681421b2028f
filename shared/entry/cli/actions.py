"""``auditdesk actions``: the Improvement Actions list (2.8) on the command line. What an owner does
by editing an action's row in SharePoint (status Done or Not done, with a note), with the same
effect: the date done is recorded, the reminders stop, and the Audit Trail says who."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from shared.entry.cli.context import services_of
from shared.entry.cli.render import console, table

actions_app = typer.Typer(
    help="Improvement actions of accepted audits (2.8): list them, record one done or not done.",
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]✗[/red] {message}")
    return typer.Exit(code)


@actions_app.callback()
def actions(
    ctx: typer.Context,
    case: Annotated[str | None, typer.Option(help="Only this case's actions.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's actions (email).")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Done, not done and superseded too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Open improvement actions, soonest due first (``--all`` for every one)."""
    if ctx.invoked_subcommand is not None:
        return
    from shared.core.actions import ActionStatus
    from shared.services.workflow.actions import all_actions

    with services_of(ctx) as services:
        today = services.clock.today()
        found = all_actions(services)
    if case:
        found = [a for a in found if a.case_ref.upper() == case.strip().upper()]
    if owner:
        found = [a for a in found if a.owner_email == owner.strip().lower()]
    if not everything:
        found = [a for a in found if a.status is ActionStatus.OPEN]
    found.sort(key=lambda a: (a.due or dt.date.max, a.case_ref, a.row))
    rows = [
        {
            "id": a.id,
            "case_ref": a.case_ref,
            "audit_month": a.audit_month,
            "row": a.row,
            "domain": a.domain,
            "action": a.action,
            "owner": a.owner_email or a.owner,
            "due": a.due.isoformat() if a.due else None,
            "status": a.status.value,
            "overdue": a.status is ActionStatus.OPEN and a.due is not None and a.due < today,
            "done_on": a.done_on.isoformat() if a.done_on else None,
            "note": a.note,
            "carried_from": a.carried_from,
        }
        for a in found
    ]
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    console.print(
        table(
            f"Improvement actions ({len(rows)})",
            ("Id", "Case", "Month", "Domain", "Action", "Owner", "Due", "Status", ""),
            [
                (
                    str(r["id"]),
                    str(r["case_ref"]),
                    str(r["audit_month"]),
                    str(r["domain"]),
                    str(r["action"]),
                    str(r["owner"]),
                    _dmy(r["due"]),
                    str(r["status"]),
                    "[red]overdue[/red]" if r["overdue"] else "",
                )
                for r in rows
            ],
        )
    )


def _dmy(iso: object) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if isinstance(iso, str) and iso else ""


ActionIdArg = Annotated[int, typer.Argument(help="The action's id (the Id column; `auditdesk actions`).")]
ByOption = Annotated[str | None, typer.Option(help="Who is recording it (for the audit trail).")]


def _record(ctx: typer.Context, action_id: int, done: bool, note: str, by: str | None) -> None:
    from shared.core.actions import ActionStatus
    from shared.services.ports.lists import ItemNotFound
    from shared.services.workflow.actions import (
        IMPROVEMENT_ACTIONS,
        ActionItem,
        ActionRefused,
        reason_refused,
        record_outcome,
    )
    from shared.services.workflow.unit_of_work import unit_of_work

    status = ActionStatus.DONE if done else ActionStatus.NOT_DONE
    with services_of(ctx, by) as services:
        try:  # refused before the unit of work: nothing is started that is not finished
            refused = reason_refused(
                ActionItem.from_item(services.store.get(IMPROVEMENT_ACTIONS, action_id)), status, note
            )
        except ItemNotFound:
            raise _fail(f"There is no improvement action {action_id}: see `auditdesk actions`.", 2) from None
        if refused:
            raise _fail(refused, 2)
        try:
            with unit_of_work(services) as run:
                item = ActionItem.from_item(services.store.get(IMPROVEMENT_ACTIONS, action_id))
                action = record_outcome(run, item, status, note, by)
        except ActionRefused as changed:  # changed meanwhile by another writer
            raise _fail(str(changed), 2) from changed
    when = f" on {action.done_on:%d/%m/%Y}" if action.done_on else ""
    console.print(
        f"[green]✓[/green] action {action.id} ({action.case_ref}, row {action.row}): {action.status.value}{when}"
    )


@actions_app.command("done")
def actions_done(
    ctx: typer.Context,
    action_id: ActionIdArg,
    note: Annotated[str, typer.Option(help="What was done (kept on the action).")] = "",
    by: ByOption = None,
) -> None:
    """Record an action done today: its reminders stop."""
    _record(ctx, action_id, True, note, by)


@actions_app.command("not-done")
def actions_not_done(
    ctx: typer.Context,
    action_id: ActionIdArg,
    note: Annotated[str, typer.Option(help="Why it was not done (required).")] = "",
    by: ByOption = None,
) -> None:
    """Record that an action was not done, and why: the re-audit looks at it again (2.12)."""
    _record(ctx, action_id, False, note, by)
