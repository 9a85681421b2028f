"""The embedded default: every message becomes an ``.eml`` file in ``<home>/outbox``.

Any mail client opens these files, so on a laptop or in ``make demo`` the outbox shows exactly
what would have been sent. File names start with the UTC time so they sort in sending order,
and end with a hash of the idempotency key: they never contain a name, address or case ref.

A message is written to ``.outbox-sending/`` beside the outbox first and moved into the outbox
whole; a file a crashed run left there is removed when the outbox is next used (at most once: a safeguarding
alert, sent at least once, is delivered again by the next run, see :class:`Delivery`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from shared.adapters.mail.mime import build_mime
from shared.services.ports.mail import (
    MailDeliveryFailed,
    Mailer,
    OutgoingMessage,
    SentLog,
    SentMessage,
    utc_now,
)

DEFAULT_OUTBOX_SENDER = "audit-desk@localhost.invalid"


class OutboxMailer(Mailer):
    transport = "outbox"
    knows_deliveries = True

    def __init__(
        self,
        folder: Path,
        sent_log: SentLog,
        sender: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(sent_log, clock)
        self.folder = folder
        self.sender = sender or DEFAULT_OUTBOX_SENDER
        self._cleared = False
        self._sending = folder.with_name(f".{folder.name}-sending")

    def _clear_interrupted(self) -> None:
        """Remove what a crashed run left half-delivered: nobody must read it as sent."""
        if self._cleared:
            return
        self._cleared = True
        for leftover in self._sending.glob("*.part"):
            if not _writer_alive(leftover):
                leftover.unlink(missing_ok=True)

    def _already_delivered(self, message: OutgoingMessage) -> SentMessage | None:
        key_hash = _key_hash(message)
        for path in sorted(self.folder.glob(f"*-{key_hash}*.eml")):
            return SentMessage(
                idempotency_key=message.idempotency_key,
                transport=self.transport,
                message_id=path.name,
                location=str(self.folder),
                sent_at=self._clock(),
            )
        return None

    def _deliver(self, message: OutgoingMessage) -> SentMessage:
        when = self._clock()
        _, raw = build_mime(message, self.sender, when)
        stem = f"{when.strftime('%Y%m%dT%H%M%S%fZ')}-{_key_hash(message)}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._sending.mkdir(parents=True, exist_ok=True)
            self._clear_interrupted()
            path = _unused_path(self.folder, stem)
            temporary = self._sending / f"{path.name}.{os.getpid()}.part"
            temporary.write_bytes(raw)
            # Readers (a demo, a test, a person) never see a half-written file.
            os.replace(temporary, path)
        except OSError as error:
            raise MailDeliveryFailed(
                f"Could not write to the outbox folder {self.folder}: {error.strerror}. "
                "Check the folder exists and is writable."
            ) from error
        return SentMessage(
            idempotency_key=message.idempotency_key,
            transport=self.transport,
            message_id=path.name,
            location=str(self.folder),
            sent_at=when,
        )


def _writer_alive(part: Path) -> bool:
    """Whether the process that is writing ``name.eml.<pid>.part`` still runs."""
    pid = part.suffixes[-2].lstrip(".") if len(part.suffixes) >= 2 else ""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != os.getpid()


def _key_hash(message: OutgoingMessage) -> str:
    return hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:12]


def _unused_path(folder: Path, stem: str) -> Path:
    """``stem.eml``, or ``stem-2.eml`` ... when a resend lands in the same microsecond."""
    for suffix in range(1, 1000):
        candidate = folder / (f"{stem}.eml" if suffix == 1 else f"{stem}-{suffix}.eml")
        if not candidate.exists():
            return candidate
    raise MailDeliveryFailed(f"The outbox folder {folder} has 999 files named {stem}*; clear it out.")
