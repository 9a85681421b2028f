"""Service state that is not a list: change tokens and the keys of effects already made.

A small port: SQLite under the home folder for the embedded default; Azure Table storage in
Azure (:mod:`shared.adapters.state.azure_state`). Values are short strings.

:meth:`StateStore.claim` is the one conditional write: it stores a value only when the key is
absent, atomically, so two workers that race for the same effect cannot both win.
"""

from __future__ import annotations

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path

from shared.adapters.state.sqlite_transaction import immediate


class StateStore(ABC):
    @abstractmethod
    def get(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""

    @abstractmethod
    def put(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing what was there."""

    @abstractmethod
    def claim(self, key: str, value: str) -> bool:
        """Store ``value`` under ``key`` only if the key is absent; True when this call stored it."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is absent)."""

    def claim_many(self, keys: Iterable[str], value: str) -> set[str]:
        """Claim each key as :meth:`claim` does; returns the keys this call stored. Stores
        that can write many keys at once override it (one commit, not one per key)."""
        return {key for key in keys if self.claim(key, value)}

    def put_many(self, values: Mapping[str, str]) -> None:
        """Store every value, as :meth:`put` does, at once where the store can."""
        for key, value in values.items():
            self.put(key, value)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class MemoryStateStore(StateStore):
    """For unit tests of the engine: forgets everything when the process ends."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def put(self, key: str, value: str) -> None:
        self._values[key] = value

    def claim(self, key: str, value: str) -> bool:
        with self._lock:
            if key in self._values:
                return False
            self._values[key] = value
            return True

    def delete(self, key: str) -> None:
        self._values.pop(key, None)


class SqliteStateStore(StateStore):
    """``<home>/state.sqlite3``: safe to share between processes (WAL, one statement a call)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def claim(self, key: str, value: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value)
            )
        return cursor.rowcount == 1

    def delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM state WHERE key = ?", (key,))

    def claim_many(self, keys: Iterable[str], value: str) -> set[str]:
        claimed = set()
        with self._lock, immediate(self._db):
            for key in keys:
                cursor = self._db.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, value)
                )
                if cursor.rowcount == 1:
                    claimed.add(key)
        return claimed

    def put_many(self, values: Mapping[str, str]) -> None:
        with self._lock, immediate(self._db):
            self._db.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )
