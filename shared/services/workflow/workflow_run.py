"""One run of the workflow: the services, the items it will add, and the steps it takes.

A step changes an allocation's stage through the core's state machine (an illegal step is
refused with the core's reason), writes it with the ETag it was read at (a concurrent
change is re-read and the step tried again, never overwritten), and records it in the
Audit Trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from shared.core.addresses import is_plain_email
from shared.core.list_titles import ALLOCATIONS, TASKS, TRAIL
from shared.core.stages import AuditEvent, AuditStage, IllegalTransition, next_stage
from shared.core.tasks import TaskStatus, TaskType
from shared.services.ports.lists import (
    BatchConflict,
    ConcurrencyConflict,
    FieldValue,
    FileNotFoundInLibrary,
    ItemNotFound,
    ItemUpdate,
    ListItem,
    ListStoreError,
    Query,
    UnknownList,
    where,
)
from shared.services.ports.mail import (
    InvalidMessage,
    MailConfigurationError,
    MailDeliveryFailed,
    OutgoingMessage,
    SentMessage,
)
from shared.services.ports.state import LeaseLost
from shared.services.workflow import notices
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.writes import PendingWrites

log = logging.getLogger(__name__)

_CONFLICT_RETRIES = 3

# Failures of the service, not of one record: the run stops and is tried again later (the
# change token has not moved, so nothing is lost). Everything else is the record's problem.
_SERVICE_FAILURES: tuple[type[BaseException], ...] = (
    MailDeliveryFailed,
    MailConfigurationError,
    ConcurrencyConflict,
    BatchConflict,
    UnknownList,
    LeaseLost,
)
# SharePoint answers that concern one request's content (a bad value, a missing item), not the
# service: the record is set aside, the others go on.
_RECORD_STATUSES = frozenset({400, 404, 413, 414, 422})


@dataclass(frozen=True, slots=True)
class SetAside:
    """A record the run could not act on: which list and item, and what QA can do about it."""

    list_name: str
    item_id: int
    message: str


def is_record_problem(error: Exception) -> bool:
    """Whether ``error`` concerns the record being handled (set it aside, go on with the rest)
    rather than the service (stop; the run is tried again)."""
    if isinstance(error, _SERVICE_FAILURES):
        return False
    if isinstance(error, ItemNotFound | FileNotFoundInLibrary | InvalidMessage):
        return True
    if isinstance(error, ListStoreError):
        status = getattr(error, "status", None)
        return isinstance(status, int) and status in _RECORD_STATUSES
    return True


class Run:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.pending = PendingWrites(services.store, services.effects)
        self.emails_sent = 0
        self.tasks_created = 0
        self.set_aside: list[SetAside] = []
        self._plans: dict[int, _Plan] = {}

    @property
    def today(self) -> dt.date:
        return self.services.clock.today()

    # -- one record at a time ------------------------------------------------------------

    @contextmanager
    def isolated(
        self, list_name: str, item_id: int, on_problem: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Handle one record: a problem of that record (an unusable address, an item gone, a bug
        met on its data) sets it aside with a reason QA can act on, and the run goes on with
        the others. A failure of the service (mail server down, SharePoint throttling) stops the
        run, to be tried again. Steps planned for the record before the problem are dropped."""
        planned = set(self._plans)
        try:
            yield
        except Exception as error:
            if not is_record_problem(error):
                raise
            for allocation_id in set(self._plans) - planned:
                del self._plans[allocation_id]
            reason = _reason(error)
            if isinstance(error, InvalidMessage) and list_name == ALLOCATIONS:
                reason = self._unusable_addresses(item_id) + reason
            if on_problem is None:
                self.set_record_aside(list_name, item_id, reason)
            else:
                log.error("%s item %d set aside (%s)", list_name, item_id, type(error).__name__)
                on_problem(reason)

    def _unusable_addresses(self, allocation_id: int) -> str:
        """Which address columns of the allocation are unusable, in QA's words, or ''."""
        try:
            allocation = Allocation.from_item(self.services.store.get(ALLOCATIONS, allocation_id))
        except ListStoreError:
            return ""
        columns = [
            title
            for title, address in (
                ("Auditor", allocation.auditor_email),
                ("Allocated worker", allocation.allocated_worker_email),
                ("Team Manager", allocation.team_manager_email),
            )
            if not is_plain_email(address)
        ]
        if not columns:
            return ""
        return f"The allocation of {allocation.label} has no usable address in: {', '.join(columns)}. "

    def set_record_aside(self, list_name: str, item_id: int, reason: str) -> None:
        """Record that ``item_id`` of ``list_name`` was set aside, and tell QA once per reason."""
        # The error's type and the item only: the reason can quote an address or the form.
        log.error("%s item %d set aside", list_name, item_id)
        message = f"{list_name}, item {item_id}: {reason}"
        self.set_aside.append(SetAside(list_name, item_id, message))
        digest = hashlib.sha256(message.encode("utf-8")).hexdigest()[:16]
        try:
            self.mail(
                notices.set_aside(self.services.setting("qa_team_email"), message, f"set-aside/{digest}")
            )
        except Exception as error:  # QA's own address is unusable: the CLI and logs still say it
            log.error("QA could not be told of a record set aside (%s)", type(error).__name__)

    # -- effects ------------------------------------------------------------------------

    def mail(self, message: OutgoingMessage) -> SentMessage:
        sent = self.services.mailer.send(message)
        if not sent.already_sent:
            self.emails_sent += 1
        return sent

    def task(
        self,
        key: str,
        task_type: TaskType,
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
            "task_type": task_type.value,
            "status": TaskStatus.OPEN.value,
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

    def complete_tasks(self, allocation_id: int, task_type: TaskType) -> int:
        """Mark the allocation's open tasks of ``task_type`` done; returns how many."""
        store = self.services.store
        query = Query(
            TASKS, (where("allocation", "eq", allocation_id), where("status", "eq", TaskStatus.OPEN.value))
        )
        done = 0
        for item in list(store.query_all(query)):
            task = Task.from_item(item)
            if task.task_type == task_type:
                store.update(
                    TASKS, task.id, {"status": TaskStatus.DONE.value, "completed_on": self.today}, task.etag
                )
                done += 1
        return done

    def finish(self) -> None:
        """Write every planned step, then every queued task and trail entry (one batched call per
        list). :func:`shared.services.workflow.unit_of_work.unit_of_work` calls it on a clean exit."""
        self.apply_plans()
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

        def change(current: Allocation) -> tuple[dict[str, FieldValue], list[StepEntry]]:
            after = next_stage(current.stage, event)
            written = {"status": after.value, **fields}
            entry = self._entry(
                current,
                0,
                f"{event.value}: {current.stage.value} → {after.value}",
                current.stage,
                written,
                who,
            )
            return written, [entry]

        before, item, entries = self._write(allocation, change)
        after = Allocation.from_item(item)
        self._queue_entries(before.id, entries)
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
        updates = []
        entries: dict[int, list[StepEntry]] = {}
        for plan in plans:
            original = plan.original
            entries[original.id] = [
                self._entry(
                    original,
                    number,
                    f"{event.value}: {before.value} → {after.value}",
                    before,
                    {"status": after.value, **fields},
                    plan.who,
                )
                for number, (event, before, after, fields) in enumerate(plan.events)
            ]
            fields = {**plan.fields(), **_step_fields(original, entries[original.id])}
            updates.append(ItemUpdate(original.id, fields, original.etag))
        try:
            written = {item.id for item in store.update_many(ALLOCATIONS, updates)}
        except BatchConflict as conflict:
            written = {item.id for item in conflict.written}
        for plan in plans:
            original = plan.original
            if original.id in written:
                self._queue_entries(original.id, entries[original.id])
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

        def change(current: Allocation) -> tuple[dict[str, FieldValue], list[StepEntry]]:
            return dict(fields), [self._entry(current, 0, what, None, fields, who)]

        before, item, entries = self._write(allocation, change)
        self._queue_entries(before.id, entries)
        return Allocation.from_item(item)

    def first_step_fields(
        self, key: str, what: str, fields: Mapping[str, FieldValue], who: str | None = None
    ) -> dict[str, FieldValue]:
        """The step columns of an allocation being added: its first trail entry goes with it."""
        entry: StepEntry = {
            "key": key,
            "what": what,
            "who": who or self.services.actor,
            "when": self.services.clock.now().isoformat(),
            "before": {},
            "after": {k: _plain(v) for k, v in fields.items()},
        }
        return {"steps_taken": 1, "recent_steps": json.dumps([entry], ensure_ascii=False, sort_keys=True)}

    def ensure_trail(self, allocation: Allocation) -> None:
        """Add the Audit Trail entries of the steps written with ``allocation`` that a crashed run
        did not get to add (each once: they carry their keys)."""
        self._queue_entries(allocation.id, _entries_of(allocation))

    def _entry(
        self,
        current: Allocation,
        number: int,
        what: str,
        before: AuditStage | None,
        after: Mapping[str, FieldValue],
        who: str | None,
    ) -> StepEntry:
        """The trail entry of the ``number``-th step written to ``current`` in one write. Its key
        is the allocation's step count, not its ETag: a re-run derives the same key."""
        return {
            "key": f"{current.id}#{current.steps_taken + number + 1}",
            "what": what,
            "who": who or self.services.actor,
            "when": self.services.clock.now().isoformat(),
            "before": {"status": before.value} if before is not None else {},
            "after": {k: _plain(v) for k, v in after.items()},
        }

    def _queue_entries(self, item_id: int, entries: list[StepEntry]) -> None:
        for entry in entries:
            self.pending.add(
                TRAIL,
                str(entry["key"]),
                {
                    "Title": entry["what"],
                    "who": entry["who"],
                    "what": entry["what"],
                    "when": dt.datetime.fromisoformat(str(entry["when"])),
                    "list_title": ALLOCATIONS,
                    "item_ref": item_id,
                    "before": _json(entry["before"]),
                    "after": _json(entry["after"]),
                },
            )

    def _write(
        self,
        allocation: Allocation,
        change: Callable[[Allocation], tuple[dict[str, FieldValue], list[StepEntry]]],
    ) -> tuple[Allocation, ListItem, list[StepEntry]]:
        """Write ``change(current)`` with the ETag ``current`` was read at. When someone changed
        the item meanwhile, re-read it and work the change out again: never overwrite."""
        store = self.services.store
        current = allocation
        for _ in range(_CONFLICT_RETRIES):
            fields, entries = change(current)
            try:
                written = {**fields, **_step_fields(current, entries)}
                return current, store.update(ALLOCATIONS, current.id, written, current.etag), entries
            except ConcurrencyConflict:
                log.info("allocation %d changed while being updated: re-reading", current.id)
                current = Allocation.from_item(store.get(ALLOCATIONS, current.id))
        raise ConcurrencyConflict(ALLOCATIONS, allocation.id, current.etag)


StepEntry = dict[str, Any]
_RECENT_STEPS = 8
_RECENT_STEPS_CHARACTERS = 30_000  # well inside a SharePoint multiple-lines column


def _entries_of(allocation: Allocation) -> list[StepEntry]:
    try:
        entries = json.loads(allocation.recent_steps) if allocation.recent_steps else []
    except ValueError:
        return []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("key"), str)]


def _step_fields(current: Allocation, entries: list[StepEntry]) -> dict[str, FieldValue]:
    """The columns that carry the steps with the item: the count and the latest entries."""
    kept = (_entries_of(current) + entries)[-_RECENT_STEPS:]
    text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    while len(kept) > len(entries) and len(text) > _RECENT_STEPS_CHARACTERS:
        kept = kept[1:]
        text = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    return {"steps_taken": current.steps_taken + len(entries), "recent_steps": text}


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


def _reason(error: Exception) -> str:
    if isinstance(error, InvalidMessage | ItemNotFound | FileNotFoundInLibrary | ListStoreError):
        return f"{error} Correct the item, and Audit Desk acts on it the next time it changes."
    return (
        f"Audit Desk met an internal error ({type(error).__name__}) on this item and set it aside; the "
        "other items were dealt with. Ask the Audit Desk support team to look at it."
    )


def _json(values: Mapping[str, Any]) -> str:
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


__all__ = ["AuditStage", "IllegalTransition", "Run"]
