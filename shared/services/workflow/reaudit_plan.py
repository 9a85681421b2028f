"""The re-audit checks the last plan (2.12).

- The re-audit's pre-filled form carries the last audit's judgements and each action of its plan
  with the status recorded for it (locked), and asks the Senior Manager, per action, whether it
  was done and whether it made a difference for the child.
- Until the Senior Manager first saves the form, the daily sweep refreshes those statuses as
  owners record them (a form they have started is theirs: never overwritten).
- Intake keeps those answers on the submission; QA's acceptance of the re-audit reads them and
  closes or carries forward each action of the last plan: an action found done is Done (with what
  the re-audit found); one not done, or still open and not answered, is carried forward as a new
  action of the re-audit, linked to it (``carried_from``), and the old one is Superseded, so
  nothing is lost and nothing is counted twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from shared.core.actions import ActionStatus, PlannedAction, reaudit_outcome
from shared.core.list_titles import ALLOCATIONS, DRAFTS, IMPROVEMENT_ACTIONS
from shared.core.record import FieldValue, text_of
from shared.core.stages import AuditStage
from shared.services.ports.lists import Query, where
from shared.services.workflow.actions import (
    ActionItem,
    accepted_plan,
    action_fields,
    actions_of,
    latest_submission,
    track_accepted_plan,
)
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation
from shared.services.workflow.workflow_run import Run

_ROW = re.compile(r"^\s*(\d+)\.\s")


def last_plan_values(services: Services, reaudit: Allocation) -> dict[str, FieldValue]:
    """The re-audit form's section on the last audit (2.12), by field id: '' when there is none."""
    form = services.schema.case_file_audit
    if not reaudit.is_reaudit or reaudit.previous_allocation is None or not form.previous_plan_rows:
        return {}
    values: dict[str, FieldValue] = {}
    previous = Allocation.from_item(services.store.get(ALLOCATIONS, reaudit.previous_allocation))
    judgements = _judgements(services, previous)
    if judgements and "previous_judgements" in form.position:
        values["previous_judgements"] = judgements
    today = services.clock.today()
    tracked = [a for a in actions_of(services, previous.id) if a.status is not ActionStatus.SUPERSEDED]
    rows: list[tuple[int, str, str]] = []
    if tracked:
        for a in tracked:
            when = f" on {a.done_on:%d/%m/%Y}" if a.done_on else ""
            note = f". {a.note}" if a.note else ""
            rows.append((a.row, _described(a.action, a.owner, a), f"{a.status.value}{when}{note}"))
    else:  # accepted in this very run: the plan as accepted, every action still open
        for p in accepted_plan(services, previous.id):
            rows.append((p.row, _described(p.action, p.owner, p), ActionStatus.OPEN.value))
    for number, (row, action, status) in enumerate(rows[: form.previous_plan_rows], start=1):
        values[f"p{number}_action"] = f"{row}. {action}"
        values[f"p{number}_status"] = f"{status} (as at {today:%d/%m/%Y})"
    return values


def _described(action: str, owner: str, item: ActionItem | PlannedAction) -> str:
    details = ", ".join(x for x in (owner, f"due {item.due:%d/%m/%Y}" if item.due else "") if x)
    return f"{action} ({details})" if details else action


def _judgements(services: Services, previous: Allocation) -> str:
    latest = latest_submission(services, previous.id)
    if latest is None:
        return ""
    overall = text_of(latest.fields.get("overall_grade"))
    parts = [f"Overall ({previous.month.label}): {overall or 'not given'}."]
    for domain in services.schema.domains:
        grade = text_of(latest.fields.get(f"{domain.id}_grade"))
        if grade:
            parts.append(f"{domain.name}: {grade}.")
    return " ".join(parts)


def reaudit_answers(values: Mapping[str, FieldValue], rows: int) -> str | None:
    """What the Senior Manager found for each action of the last plan, by its plan row, as kept
    on the submission: {"3": {"finding": ..., "note": ...}}."""
    found: dict[str, dict[str, str]] = {}
    for number in range(1, rows + 1):
        action = text_of(values.get(f"p{number}_action"))
        if not action:
            continue
        match = _ROW.match(action)
        row = match.group(1) if match else str(number)
        found[row] = {
            "finding": text_of(values.get(f"p{number}_finding")),
            "note": text_of(values.get(f"p{number}_note")),
        }
    return json.dumps(found, ensure_ascii=False, sort_keys=True) if found else None


def follow_up_last_plan(run: Run, reaudit: Allocation, who: str | None = None) -> int:
    """2.12: QA accepted a re-audit: each action of the last plan is closed or carried forward,
    as the Senior Manager found. Returns how many were carried forward. Safe to run again."""
    services = run.services
    if not reaudit.is_reaudit or reaudit.previous_allocation is None:
        return 0
    answers = _answers(services, reaudit.id)
    carried = 0
    for old in actions_of(services, reaudit.previous_allocation):
        if old.status is ActionStatus.SUPERSEDED:
            continue
        answer = answers.get(str(old.row), {})
        finding, note = answer.get("finding", ""), answer.get("note", "")
        outcome = reaudit_outcome(finding, old.status)
        fields: dict[str, FieldValue] = {"reaudit_finding": finding or None, "reaudit_note": note or None}
        if outcome.carried_forward:
            key = f"action/{reaudit.key}/carried/{old.row}"
            due = services.deadlines.audit_due_date(services.deadlines.reaudit_month(reaudit.month))
            planned = PlannedAction(
                old.row, old.action, "", old.domain, old.owner, old.owner_email, due, old.measure
            )
            new = {
                **action_fields(reaudit, planned, carried_from=old.key),
                "plan_row": None,
                "note": f"Carried forward from the audit of {old.audit_month} (2.12).",
            }
            if run.pending.add(IMPROVEMENT_ACTIONS, key, new):
                carried += 1
            fields["status"] = ActionStatus.SUPERSEDED.value
            fields["note"] = _joined(old.note, f"Carried forward to the re-audit of {reaudit.month.label}.")
        elif outcome.status is not old.status:
            fields["status"] = outcome.status.value
            if old.done_on is None:
                fields["done_on"] = run.today
                fields["note"] = _joined(old.note, "Recorded done by the re-audit (2.12).")
        if any(fields.get(k) != v for k, v in _current(old).items() if k in fields):
            services.store.update(IMPROVEMENT_ACTIONS, old.id, fields, None)
            run.trail(
                f"action-reaudit/{old.key}/{reaudit.key}",
                f"Improvement action looked at again by the re-audit: {finding or 'not answered'} (2.12)",
                IMPROVEMENT_ACTIONS,
                old.id,
                {"status": old.status.value},
                {"status": fields.get("status", old.status.value), "reaudit_finding": finding},
                who,
            )
    return carried


def _current(action: ActionItem) -> dict[str, FieldValue]:
    return {
        "status": action.status.value,
        "reaudit_finding": action.reaudit_finding or None,
        "reaudit_note": action.reaudit_note or None,
        "done_on": action.done_on,
        "note": action.note,
    }


def _joined(note: str, more: str) -> str:
    return f"{note} {more}".strip() if more not in note else note


def _answers(services: Services, allocation_id: int) -> dict[str, dict[str, str]]:
    latest = latest_submission(services, allocation_id)
    text = latest.fields.get("reaudit_findings") if latest is not None else None
    if not isinstance(text, str) or not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def ensure_actions(run: Run, accepted: Allocation) -> None:
    """What QA's acceptance does to the Improvement Actions list, again: nothing when it was done."""
    track_accepted_plan(run, accepted)
    follow_up_last_plan(run, accepted)


_AS_AT = re.compile(r"\s*\(as at \d{2}/\d{2}/\d{4}\)$")


def refresh_reaudit_drafts(run: Run) -> int:
    """2.12: each re-audit form still as Audit Desk placed it (its Senior Manager has not saved it)
    is made again when the last plan's recorded statuses changed. Returns how many were refreshed."""
    from shared.services.workflow.drafts import draft_item, make_draft, placed_key
    from shared.services.workflow.people import StaffDirectory

    services = run.services
    query = Query(
        ALLOCATIONS,
        (where("is_reaudit", "eq", True), where("status", "eq", AuditStage.ALLOCATED.value)),
        page_size=500,
    )
    refreshed = 0
    staff: StaffDirectory | None = None
    for item in list(services.store.query_all(query)):
        with run.isolated(ALLOCATIONS, item.id):
            allocation = Allocation.from_item(item)
            draft = draft_item(services, allocation)
            if draft is None or services.state.get(placed_key(draft.id)) != draft.etag:
                continue  # not placed by Audit Desk as it is now: the Senior Manager's form
            name = str(draft.fields.get("FileLeafRef") or "")
            current = services.forms.read(
                services.store.read_file(DRAFTS, name),
                name,
                services.schema,
                services.deadlines,
                core_checks=False,
            )
            wanted = last_plan_values(services, allocation)
            if _plan_as_shown(current.fields) == _plan_as_shown(wanted):
                continue
            staff = staff or StaffDirectory.load(services)
            child_ref = text_of(current.fields.get("child_ref"))
            new_name, content, _, _ = make_draft(services, allocation, staff, child_ref)
            if new_name != name:
                continue  # the preferred form changed since: the draft stays as it is
            placed = services.store.add_file(DRAFTS, name, content)
            services.state.put(placed_key(placed.id), placed.etag)
            refreshed += 1
    return refreshed


def _plan_as_shown(values: Mapping[str, FieldValue]) -> dict[str, str]:
    """The last plan's actions and statuses on a form, without the day they were as at."""
    return {
        key: _AS_AT.sub("", text)
        for key, value in values.items()
        if key.startswith("p") and key.endswith(("_action", "_status")) and (text := text_of(value))
    }
