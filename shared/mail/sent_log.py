"""The record of which idempotency keys have been sent, behind a tiny interface so that the
embedded SQLite file can later be swapped for an Azure Table without touching the mailers."""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from contextlib import closing
from datetime import datetime
from pathlib import Path

from shared.mail.port import SentMessage


class SentLog(ABC):
    """Remembers the last successful send for each idempotency key."""

    @abstractmethod
    def find(self, idempotency_key: str) -> SentMessage | None:
        """The recorded send for this key, or None if it was never sent."""

    @abstractmethod
    def record(self, sent: SentMessage) -> None:
        """Remember a successful send (a resend replaces the earlier record)."""


class MemorySentLog(SentLog):
    """For unit tests and one-off runs: forgets everything when the process ends."""

    def __init__(self) -> None:
        self._sent: dict[str, SentMessage] = {}

    def find(self, idempotency_key: str) -> SentMessage | None:
        return self._sent.get(idempotency_key)

    def record(self, sent: SentMessage) -> None:
        self._sent[sent.idempotency_key] = sent


class SqliteSentLog(SentLog):
    """The embedded default: one small SQLite file under the home folder.

    A connection is opened per call so the log can be shared by threads and processes; SQLite's
    own locking keeps concurrent writers safe.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS sent_mail ("
                " idempotency_key TEXT PRIMARY KEY,"
                " transport TEXT NOT NULL,"
                " message_id TEXT NOT NULL,"
                " location TEXT NOT NULL,"
                " sent_at TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def find(self, idempotency_key: str) -> SentMessage | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT transport, message_id, location, sent_at FROM sent_mail WHERE idempotency_key = ?",
                (idempotency_key,),
            ).fetchone()
        if row is None:
            return None
        transport, message_id, location, sent_at = row
        return SentMessage(
            idempotency_key=idempotency_key,
            transport=transport,
            message_id=message_id,
            location=location,
            sent_at=datetime.fromisoformat(sent_at),
        )

    def record(self, sent: SentMessage) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO sent_mail (idempotency_key, transport, message_id, location, sent_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    sent.idempotency_key,
                    sent.transport,
                    sent.message_id,
                    sent.location,
                    sent.sent_at.isoformat(),
                ),
            )
