"""The embedded default: every message becomes an ``.eml`` file in ``<home>/outbox``.

Any mail client opens these files, so on a laptop or in ``make demo`` the outbox shows exactly
what would have been sent. File names start with the UTC time so they sort in sending order,
and end with a hash of the idempotency key: they never contain a name, address or case ref.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from shared.mail.mime import build_email
from shared.mail.port import MailDeliveryFailed, Mailer, OutgoingMessage, SentMessage, utc_now
from shared.mail.sent_log import SentLog

DEFAULT_OUTBOX_SENDER = "audit-desk@localhost.invalid"


class OutboxMailer(Mailer):
    transport = "outbox"

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

    def _deliver(self, message: OutgoingMessage) -> SentMessage:
        when = self._clock()
        email = build_email(message, self.sender, when)
        key_hash = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:12]
        stem = f"{when.strftime('%Y%m%dT%H%M%S%fZ')}-{key_hash}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = _unused_path(self.folder, stem)
            temporary = path.with_suffix(".eml.part")
            temporary.write_bytes(email.as_bytes())
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


def _unused_path(folder: Path, stem: str) -> Path:
    """``stem.eml``, or ``stem-2.eml`` ... when a resend lands in the same microsecond."""
    for suffix in range(1, 1000):
        candidate = folder / (f"{stem}.eml" if suffix == 1 else f"{stem}-{suffix}.eml")
        if not candidate.exists():
            return candidate
    raise MailDeliveryFailed(f"The outbox folder {folder} has 999 files named {stem}*; clear it out.")
