"""Improvement actions in the lists (2.8, 2.10, 2.12): made when QA accepts an audit, recorded
done where people work, reminded by the daily sweep. The rules are in shared/core/actions.py.

- At submission the plan's owners are resolved against the Staff register (a finding for the
  auditor when one cannot be) and the plan as checked is kept on the submission's item.
- QA's acceptance turns that plan into one Improvement Actions item per row, each with a key
  (the allocation and the row): made once, whatever runs twice (docs/exactly-once.md).
- Done or not done: `auditdesk actions done|not-done`, or the owner edits the item's status in
  SharePoint; the change worker records the date done and the reminders stop.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.core.actions import (
    ActionStatus,
    Person,
    PlannedAction,
    TrackedAction,
    action_key,
    planned_actions,
    reconcile,
)
from shared.core.deadlines import AuditMonth
from shared.core.list_titles import IMPROVEMENT_ACTIONS, STAFF, SUBMISSIONS
from shared.core.record import AuditRecord, count_of, day_of, text_of
from shared.services.ports.lists import FieldValue, ListItem, Query, where
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

__all__ = ["IMPROVEMENT_ACTIONS"]


def staff_people(services: Services) -> list[Person]:
    """Everyone in the Staff register an action can be owned by: name and email."""
    return [
        Person(str(i.fields.get("email") or "").lower(), str(i.fields.get("Title") or ""))
        for i in services.store.query_all(Query(STAFF, page_size=500))
        if i.fields.get("email")
    ]


def plan_text(record: AuditRecord, people: Sequence[Person]) -> str | None:
    """The plan as checked, owners resolved: kept on the submission for QA's acceptance."""
    if not record.actions:
        return None
    rows = [p.as_json() for p in planned_actions(record.actions, people)]
    return json.dumps(rows, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, slots=True)
class ActionItem:
    """An item of the Improvement Actions list."""

    id: int
    etag: str
    key: str
    allocation: int | None
    case_ref: str
    audit_month: str
    team: str
    row: int
    domain: str
    action: str
    owner: str
    owner_email: str
    due: dt.date | None
    measure: str
    status: ActionStatus
    done_on: dt.date | None
    note: str
    carried_from: str
    reaudit_finding: str
    reaudit_note: str = ""

    @classmethod
    def from_item(cls, item: ListItem) -> ActionItem:
        f = item.fields
        allocation = f.get("allocation")
        return cls(
            id=item.id,
            etag=item.etag,
            key=text_of(f.get("action_key")),
            allocation=allocation if isinstance(allocation, int) else None,
            case_ref=text_of(f.get("case_ref")),
            audit_month=text_of(f.get("audit_month")),
            team=text_of(f.get("team")),
            row=count_of(f.get("plan_row")),
            domain=text_of(f.get("domain")),
            action=text_of(f.get("action")) or text_of(f.get("Title")),
            owner=text_of(f.get("owner")),
            owner_email=text_of(f.get("owner_email")).lower(),
            due=day_of(f.get("due_date")),
            measure=text_of(f.get("measure")),
            status=next((s for s in ActionStatus if s == f.get("status")), ActionStatus.OPEN),
            done_on=day_of(f.get("done_on")),
            note=text_of(f.get("note")),
            carried_from=text_of(f.get("carried_from")),
            reaudit_finding=text_of(f.get("reaudit_finding")),
            reaudit_note=text_of(f.get("reaudit_note")),
        )

    @property
    def month(self) -> AuditMonth | None:
        try:
            return AuditMonth.parse(self.audit_month)
        except ValueError:
            return None

    def tracked(self, domain_ids: dict[str, str]) -> TrackedAction:
        plan = PlannedAction(
            self.row,
            self.action,
            domain_ids.get(self.domain, ""),
            self.domain,
            self.owner,
            self.owner_email,
            self.due,
            self.measure,
        )
        return TrackedAction(self.key, self.row, self.status, plan)


def actions_of(services: Services, allocation_id: int) -> list[ActionItem]:
    query = Query(IMPROVEMENT_ACTIONS, (where("allocation", "eq", allocation_id),), page_size=100)
    return sorted(
        (ActionItem.from_item(i) for i in services.store.query_all(query)), key=lambda a: (a.row, a.id)
    )


def all_actions(services: Services) -> list[ActionItem]:
    return [
        ActionItem.from_item(i) for i in services.store.query_all(Query(IMPROVEMENT_ACTIONS, page_size=500))
    ]


def latest_submission(services: Services, allocation_id: int) -> ListItem | None:
    """The latest file returned for the allocation and checked (its metadata written)."""
    query = Query(SUBMISSIONS, (where("allocation", "eq", allocation_id),), page_size=100)
    items = [i for i in services.store.query_all(query) if i.fields.get("processed_hash")]
    return max(items, key=lambda i: i.id) if items else None


def accepted_plan(services: Services, allocation_id: int) -> list[PlannedAction]:
    """The plan of the latest file returned for the allocation, as it was checked."""
    latest = latest_submission(services, allocation_id)
    if latest is None:
        return []
    text = latest.fields.get("improvement_plan")
    if not isinstance(text, str) or not text:
        return []
    try:
        rows = json.loads(text)
    except ValueError:
        log.error("submission %d: its improvement plan column is not readable", latest.id)
        return []
    return [PlannedAction.from_json(r) for r in rows if isinstance(r, dict)]


def track_accepted_plan(run: Run, allocation: Allocation, who: str | None = None) -> int:
    """2.8: each row of the accepted audit's plan becomes an action, once. A plan that changed
    since (QA accepting a later version) updates the open rows and supersedes those it dropped.
    Returns how many actions were added."""
    services = run.services
    plan = accepted_plan(services, allocation.id)
    domain_ids = {d.name: d.id for d in services.schema.domains}
    # Actions carried forward from the last plan (2.12) are not rows of this plan: left alone.
    existing = [a for a in actions_of(services, allocation.id) if not a.carried_from]
    changes = reconcile(allocation.key, (a.tracked(domain_ids) for a in existing), plan)
    added = 0
    for planned in changes.add:
        key = action_key(allocation.key, planned.row)
        if run.pending.add(IMPROVEMENT_ACTIONS, key, action_fields(allocation, planned)):
            added += 1
    by_key = {a.key: a for a in existing}
    for tracked, planned in changes.update:
        item = by_key[tracked.key]
        services.store.update(IMPROVEMENT_ACTIONS, item.id, _plan_fields(planned), None)
    for tracked in changes.supersede:
        item = by_key[tracked.key]
        services.store.update(
            IMPROVEMENT_ACTIONS,
            item.id,
            {"status": ActionStatus.SUPERSEDED.value, "note": "No longer in the accepted plan."},
            None,
        )
    if changes.add or changes.update or changes.supersede:
        run.trail(
            f"actions/{allocation.key}/{len(existing)}",
            f"Improvement plan tracked: {len(changes.add)} action(s) added, {len(changes.update)} "
            f"updated, {len(changes.supersede)} superseded (2.8)",
            IMPROVEMENT_ACTIONS,
            allocation.id,
            {},
            {"actions": len(plan)},
            who,
        )
    return added


def _plan_fields(planned: PlannedAction) -> dict[str, FieldValue]:
    return {
        "Title": _title(planned.action),
        "plan_row": planned.row,
        "domain": planned.domain_name or None,
        "action": planned.action,
        "owner": planned.owner,
        "owner_email": planned.owner_email or None,
        "due_date": planned.due,
        "measure": planned.measure,
    }


def action_fields(
    allocation: Allocation, planned: PlannedAction, carried_from: str = ""
) -> dict[str, FieldValue]:
    return {
        **_plan_fields(planned),
        "allocation": allocation.id,
        "case_ref": allocation.case_ref,
        "audit_month": str(allocation.month),
        "team": allocation.team or None,
        "status": ActionStatus.OPEN.value,
        "carried_from": carried_from or None,
    }


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 120 else line[:119] + "…"


# --- done is recorded where people work ---------------------------------------------------------


class ActionRefused(ValueError):
    """A change to an action that cannot be made; the message says why and what to do."""


def reason_refused(action: ActionItem, status: ActionStatus, note: str) -> str:
    """Why ``action`` cannot be recorded ``status`` (checked before anything is written), or ''."""
    if status not in (ActionStatus.DONE, ActionStatus.NOT_DONE):
        return "An action is recorded Done or Not done."
    if action.status is ActionStatus.SUPERSEDED:
        return (
            f"Action {action.id} was superseded (carried forward or dropped from the plan): record "
            "the action that replaced it."
        )
    if status is ActionStatus.NOT_DONE and not note.strip():
        return "Say why it was not done (--note): the re-audit looks at it again (2.12)."
    return ""


def record_outcome(
    run: Run, action: ActionItem, status: ActionStatus, note: str = "", who: str | None = None
) -> ActionItem:
    """The owner (or their manager, or QA) records the action done or not done, with a note."""
    refused = reason_refused(action, status, note)
    if refused:
        raise ActionRefused(refused)
    if action.status is status and action.done_on is not None:
        return action
    fields: dict[str, FieldValue] = {"status": status.value, "done_on": run.today}
    if note.strip():
        fields["note"] = note.strip()
    item = run.services.store.update(IMPROVEMENT_ACTIONS, action.id, fields, action.etag)
    _trail(run, action, {"status": action.status.value}, fields, who)
    return ActionItem.from_item(item)


def on_action_changed(run: Run, item: ListItem) -> None:
    """Someone edited an action's row in SharePoint: a status of Done or Not done gets its date
    done (so reminders stop), and an action set back to Open loses it. Our own write comes back
    as a change too, and then there is nothing to do."""
    action = ActionItem.from_item(item)
    settled = action.status in (ActionStatus.DONE, ActionStatus.NOT_DONE)
    if settled and action.done_on is None:
        fields: dict[str, FieldValue] = {"done_on": run.today}
    elif action.status is ActionStatus.OPEN and action.done_on is not None:
        fields = {"done_on": None}
    else:
        return
    run.services.store.update(IMPROVEMENT_ACTIONS, action.id, fields, action.etag)
    _trail(run, action, {"status": action.status.value}, {"status": action.status.value, **fields}, None)


def _trail(
    run: Run,
    action: ActionItem,
    before: dict[str, FieldValue],
    after: dict[str, FieldValue],
    who: str | None,
) -> None:
    when = after.get("done_on")
    run.trail(
        f"action-outcome/{action.key}/{after.get('status')}/{when}",
        f"Improvement action {after.get('status', action.status.value)}",
        IMPROVEMENT_ACTIONS,
        action.id,
        before,
        after,
        who,
    )


def action_lines(actions: Iterable[ActionItem]) -> str:
    """The actions as a Team Manager reads them in the discussion task and email (2.10)."""
    lines = []
    for a in actions:
        if a.status is ActionStatus.SUPERSEDED:
            continue
        due = f"by {a.due:%d/%m/%Y}" if a.due else "no date"
        owner = a.owner or a.owner_email
        lines.append(f"{a.row}. {a.action} ({a.domain}; {owner}, {due}; {a.status.value})")
    return "\n".join(lines)
