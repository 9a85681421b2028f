"""One run of the workflow: the services, the items it will add, and the steps it takes.

A step changes an allocation's stage through the core's state machine (an illegal step is
refused with the core's reason), writes it with the ETag it was read at (a concurrent
change is re-read and the step tried again, never overwritten), and records it in the
Audit Trail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace

from shared.core.workflow import AuditEvent, AuditStage, IllegalTransition, next_stage
from shared.lists.port import (
    BatchConflict,
    ConcurrencyConflict,
    FieldValue,
    ItemUpdate,
    ListItem,
    Query,
    where,
)
from shared.mail.port import OutgoingMessage, SentMessage
from shared.workflow.lists import ALLOCATIONS, TASKS, TRAIL, Allocation, Task
from shared.workflow.services import Services
from shared.workflow.writes import PendingWrites

log = logging.getLogger(__name__)

_CONFLICT_RETRIES = 3


class Run:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.pending = PendingWrites(services.store, services.effects)
        self.emails_sent = 0
        self.tasks_created = 0
        self._plans: dict[int, _Plan] = {}

    @property
    def today(self) -> dt.date:
        return self.services.clock.today()

    # -- effects ------------------------------------------------------------------------

    def mail(self, message: OutgoingMessage) -> SentMessage:
        sent = self.services.mailer.send(message)
        if not sent.already_sent:
            self.emails_sent += 1
        return sent

    def task(
        self,
        key: str,
        task_type: str,
        title: str,
        assigned_to: str,
        due: dt.date,
        section: str,
        allocation_id: int | None = None,
        details: str = "",
        team: str = "",
    ) -> None:
        fields: dict[str, FieldValue] = {
            "Title": title,
            "task_type": task_type,
            "status": "Open",
            "assigned_to": assigned_to,
            "due_date": due,
            "section": section,
            "details": details,
            "team": team or None,
        }
        if allocation_id is not None:
            fields["allocation"] = allocation_id
        if self.pending.add(TASKS, key, fields):
            self.tasks_created += 1

    def trail(
        self,
        key: str,
        what: str,
        list_title: str,
        item_id: int,
        before: Mapping[str, FieldValue],
        after: Mapping[str, FieldValue],
        who: str | None = None,
    ) -> None:
        self.pending.add(
            TRAIL,
            key,
            {
                "Title": what,
                "who": who or self.services.actor,
                "what": what,
                "when": self.services.clock.now(),
                "list_title": list_title,
                "item_ref": item_id,
                "before": _json(before),
                "after": _json(after),
            },
        )

    def complete_tasks(self, allocation_id: int, task_type: str) -> int:
        """Mark the allocation's open tasks of ``task_type`` done; returns how many."""
        store = self.services.store
        query = Query(TASKS, (where("allocation", "eq", allocation_id), where("status", "eq", "Open")))
        done = 0
        for item in list(store.query_all(query)):
            task = Task.from_item(item)
            if task.task_type == task_type:
                store.update(TASKS, task.id, {"status": "Done", "completed_on": self.today}, task.etag)
                done += 1
        return done

    def finish(self) -> None:
        """Write every queued task and trail entry (one batched call per list)."""
        self.pending.flush()

    # -- steps --------------------------------------------------------------------------

    def step(
        self,
        allocation: Allocation,
        event: AuditEvent,
        fields: Mapping[str, FieldValue],
        who: str | None = None,
    ) -> Allocation:
        """Move ``allocation`` on by ``event`` and set ``fields`` with it; returns the new state."""

        def change(current: Allocation) -> dict[str, FieldValue]:
            return {"status": next_stage(current.stage, event).value, **fields}

        before, item = self._write(allocation, change)
        after = Allocation.from_item(item)
        self.trail(
            f"{before.id}@{before.etag}:{event.name}",
            f"{event.value}: {before.stage.value} → {after.stage.value}",
            ALLOCATIONS,
            before.id,
            {"status": before.stage.value},
            change(before),
            who,
        )
        log.info("allocation %d: %s -> %s", before.id, before.stage.name, after.stage.name)
        return after

    def plan_step(
        self,
        allocation: Allocation,
        event: AuditEvent,
        fields: Mapping[str, FieldValue],
        who: str | None = None,
    ) -> Allocation:
        """Like :meth:`step`, but written later by :meth:`apply_plans` together with every other
        planned step, in one batched request: how a batch of submissions moves its allocations."""
        target = next_stage(allocation.stage, event)
        plan = self._plans.get(allocation.id)
        if plan is None:
            plan = self._plans[allocation.id] = _Plan(allocation, who)
        plan.events.append((event, allocation.stage, target, dict(fields)))
        return replace(allocation, stage=target)

    def apply_plans(self) -> None:
        """Write every planned step with the ETag each allocation was read at. One that changed
        meanwhile is re-read and its steps taken one by one (each checked again)."""
        plans = list(self._plans.values())
        self._plans.clear()
        if not plans:
            return
        store = self.services.store
        updates = [ItemUpdate(p.original.id, p.fields(), p.original.etag) for p in plans]
        try:
            written = {item.id for item in store.update_many(ALLOCATIONS, updates)}
        except BatchConflict as conflict:
            written = {item.id for item in conflict.written}
        for plan in plans:
            original = plan.original
            if original.id in written:
                for event, before, after, fields in plan.events:
                    self.trail(
                        f"{original.id}@{original.etag}:{event.name}",
                        f"{event.value}: {before.value} → {after.value}",
                        ALLOCATIONS,
                        original.id,
                        {"status": before.value},
                        {"status": after.value, **fields},
                        plan.who,
                    )
                continue
            log.info("allocation %d changed while being updated: re-reading", original.id)
            current = Allocation.from_item(store.get(ALLOCATIONS, original.id))
            for event, _, _, fields in plan.events:
                try:
                    current = self.step(current, event, fields, plan.who)
                except IllegalTransition:
                    # Someone else took the step meanwhile: nothing left to do for it.
                    log.warning(
                        "allocation %d: planned step refused after a conflict (%s)", original.id, event.name
                    )

    def update_allocation(
        self, allocation: Allocation, fields: Mapping[str, FieldValue], what: str, who: str | None = None
    ) -> Allocation:
        """Change fields of an allocation without a change of stage, with the same safety."""
        before, item = self._write(allocation, lambda _: fields)
        self.trail(f"{before.id}@{before.etag}:{what}", what, ALLOCATIONS, before.id, {}, fields, who)
        return Allocation.from_item(item)

    def _write(
        self, allocation: Allocation, change: Callable[[Allocation], Mapping[str, FieldValue]]
    ) -> tuple[Allocation, ListItem]:
        """Write ``change(current)`` with the ETag ``current`` was read at. When someone changed
        the item meanwhile, re-read it and work the change out again: never overwrite."""
        store = self.services.store
        current = allocation
        for _ in range(_CONFLICT_RETRIES):
            fields = change(current)
            try:
                return current, store.update(ALLOCATIONS, current.id, fields, current.etag)
            except ConcurrencyConflict:
                log.info("allocation %d changed while being updated: re-reading", current.id)
                current = Allocation.from_item(store.get(ALLOCATIONS, current.id))
        raise ConcurrencyConflict(ALLOCATIONS, allocation.id, current.etag)


class _Plan:
    def __init__(self, original: Allocation, who: str | None) -> None:
        self.original = original
        self.who = who
        self.events: list[tuple[AuditEvent, AuditStage, AuditStage, dict[str, FieldValue]]] = []

    def fields(self) -> dict[str, FieldValue]:
        merged: dict[str, FieldValue] = {}
        for _, _, after, fields in self.events:
            merged.update(fields)
            merged["status"] = after.value
        return merged


def _json(values: Mapping[str, FieldValue]) -> str:
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def _plain(value: FieldValue) -> str | int | float | bool | None:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


__all__ = ["AuditStage", "IllegalTransition", "Run"]
