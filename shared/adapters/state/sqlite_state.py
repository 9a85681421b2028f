"""Service state in SQLite under the home folder (the embedded default) and in memory (unit
tests); the port is :class:`shared.services.ports.state.StateStore`, and Azure Table storage
implements it in Azure (:mod:`shared.adapters.state.azure_state`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from shared.adapters.state.sqlite_transaction import immediate
from shared.services.ports.state import StateStore


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
