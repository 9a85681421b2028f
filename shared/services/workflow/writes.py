"""New list items (tasks, trail entries) made at most once each, written in batches.

Each pending item carries a deterministic key, also stored in an indexed column of its list
(``task_key``, ``entry_key``). :meth:`PendingWrites.flush` skips keys already made, asks the
list only about keys a crashed run left "started", and adds the rest with one batched call
per list: SharePoint sees one request for many tasks, not one each.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from shared.core.list_titles import IMPROVEMENT_ACTIONS, TASKS, TRAIL
from shared.services.ports.lists import Fields, ListStore, Query, where
from shared.services.workflow.effects import DONE, STARTED, Effects

log = logging.getLogger(__name__)

KEY_COLUMNS = {TASKS: "task_key", TRAIL: "entry_key", IMPROVEMENT_ACTIONS: "action_key"}
_LOOKUP_CHUNK = 50  # keys per "in" filter: keeps SharePoint's URL well under its length limit


@dataclass(frozen=True, slots=True)
class PendingItem:
    list_name: str
    key: str
    fields: Fields


class PendingWrites:
    def __init__(self, store: ListStore, effects: Effects) -> None:
        self.store = store
        self.effects = effects
        self._pending: list[PendingItem] = []
        self._keys: set[tuple[str, str]] = set()

    def add(self, list_name: str, key: str, fields: Fields) -> bool:
        """Queue an item unless the same key is queued or was made before. True when queued."""
        if (list_name, key) in self._keys or self.effects.is_done(f"{list_name}:{key}"):
            return False
        self._keys.add((list_name, key))
        column = KEY_COLUMNS[list_name]
        self._pending.append(PendingItem(list_name, key, {**fields, column: key}))
        return True

    def __len__(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write everything queued; returns how many items were added."""
        by_list: dict[str, list[PendingItem]] = defaultdict(list)
        for item in self._pending:
            by_list[item.list_name].append(item)
        self._pending.clear()
        self._keys.clear()
        added = 0
        for list_name, items in by_list.items():
            added += self._flush_list(list_name, items)
        return added

    def _flush_list(self, list_name: str, items: list[PendingItem]) -> int:
        effect = {item.key: f"{list_name}:{item.key}" for item in items}
        interrupted = [i.key for i in items if self.effects.status(effect[i.key]) == STARTED]
        present = self._keys_present(list_name, interrupted) if interrupted else set()
        statuses = {item.key: self.effects.status(effect[item.key]) for item in items}
        done_already = [effect[i.key] for i in items if statuses[i.key] == DONE or i.key in present]
        taken_over = [i for i in items if statuses[i.key] == STARTED and i.key not in present]
        # A crashed run's claim on an item not in the list is ours now (we hold the lease);
        # new ones are claimed at once, one commit for all: another writer's claim wins.
        fresh = [i for i in items if statuses[i.key] is None]
        claimed = self.effects.claim_many([effect[i.key] for i in fresh]) if fresh else set()
        ours = {i.key for i in taken_over} | {i.key for i in fresh if effect[i.key] in claimed}
        todo = [item for item in items if item.key in ours]  # in the order they were queued
        if todo:
            self.store.add_many(list_name, [item.fields for item in todo])
        finished = done_already + [effect[item.key] for item in todo]
        if finished:
            self.effects.mark_many_done(finished)
        if todo:
            log.info("added %d item(s) to %s", len(todo), list_name)
        return len(todo)

    def _keys_present(self, list_name: str, keys: list[str]) -> set[str]:
        column = KEY_COLUMNS[list_name]
        present: set[str] = set()
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            query = Query(list_name, (where(column, "in", chunk),), page_size=len(chunk))
            for found in self.store.query_all(query):
                value = found.fields.get(column)
                if isinstance(value, str):
                    present.add(value)
        return present
