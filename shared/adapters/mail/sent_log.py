"""The record of which idempotency keys have been sent: in memory and in SQLite (the port,
:class:`shared.services.ports.mail.SentLog`, is the mailers'; the Azure Table one is in
:mod:`shared.adapters.mail.sent_log_azure`)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from shared.adapters.state.sqlite_transaction import immediate
from shared.services.ports.mail import ClaimState, SentLog, SentMessage


class MemorySentLog(SentLog):
    """For unit tests and one-off runs: forgets everything when the process ends."""

    def __init__(self) -> None:
        self._sent: dict[str, SentMessage] = {}
        self._claims: set[str] = set()
        self._lock = threading.Lock()

    def find(self, idempotency_key: str) -> SentMessage | None:
        return self._sent.get(idempotency_key)

    def record(self, sent: SentMessage) -> None:
        with self._lock:
            self._sent[sent.idempotency_key] = sent
            self._claims.discard(sent.idempotency_key)

    def claim(self, idempotency_key: str, when: datetime) -> tuple[ClaimState, SentMessage | None]:
        with self._lock:
            earlier = self._sent.get(idempotency_key)
            if earlier is not None:
                return ClaimState.SENT, earlier
            if idempotency_key in self._claims:
                return ClaimState.IN_FLIGHT, None
            self._claims.add(idempotency_key)
            return ClaimState.NEW, None

    def release(self, idempotency_key: str) -> None:
        with self._lock:
            self._claims.discard(idempotency_key)


class SqliteSentLog(SentLog):
    """The embedded default: one small SQLite file under the home folder.

    One connection per log, in WAL mode (a commit is one write of the log; each send commits
    twice, the claim and then the record), shared by threads under a lock; SQLite's own locking
    keeps several processes safe.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sent_mail ("
            " idempotency_key TEXT PRIMARY KEY,"
            " transport TEXT NOT NULL,"
            " message_id TEXT NOT NULL,"
            " location TEXT NOT NULL,"
            " sent_at TEXT NOT NULL)"
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS mail_claims (idempotency_key TEXT PRIMARY KEY, claimed_at TEXT NOT NULL)"
        )

    def find(self, idempotency_key: str) -> SentMessage | None:
        with self._lock:
            row = self._db.execute(
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

    def claim(self, idempotency_key: str, when: datetime) -> tuple[ClaimState, SentMessage | None]:
        earlier = self.find(idempotency_key)
        if earlier is not None:
            return ClaimState.SENT, earlier
        with self._lock:
            inserted = self._db.execute(
                "INSERT INTO mail_claims (idempotency_key, claimed_at) VALUES (?, ?)"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                (idempotency_key, when.isoformat()),
            ).rowcount
        if inserted == 1:
            return ClaimState.NEW, None
        # Claimed before: sent meanwhile by the claimant, or interrupted.
        earlier = self.find(idempotency_key)
        return (ClaimState.SENT, earlier) if earlier is not None else (ClaimState.IN_FLIGHT, None)

    def release(self, idempotency_key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM mail_claims WHERE idempotency_key = ?", (idempotency_key,))

    def record(self, sent: SentMessage) -> None:
        with self._lock, immediate(self._db):
            self._db.execute("DELETE FROM mail_claims WHERE idempotency_key = ?", (sent.idempotency_key,))
            self._db.execute(
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

    def close(self) -> None:
        with self._lock:
            self._db.close()
