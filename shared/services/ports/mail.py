"""The mail port: what Audit Desk asks of any way of sending mail.

Workflow notifications and reports build an :class:`OutgoingMessage` and hand it to a
:class:`Mailer`; which transport carries it (an outbox folder, SMTP, Microsoft Graph) is decided
once, in :func:`shared.adapters.mail.factory.open_mailer`.

Every message carries an idempotency key (for example ``highlights-report/2026-11/slt``): a
mailer that is asked twice for the same key sends once and answers the second time with the
record of the first, unless the caller says ``resend=True``.

Before delivering, the mailer *claims* the key in the sent log (a conditional insert), so two
workers racing for one message cannot both send it. What a crash between the claim and the
record of the send means depends on the message's :class:`Delivery`:

- ``AT_MOST_ONCE`` (every notice and report): the claimed key is never delivered again. A
  crash in the instant between handing the message over and recording it can lose that one
  message; it can never send it twice.
- ``AT_LEAST_ONCE`` (immediate safeguarding alerts, 2.6): a claimed key that was never recorded
  as sent is delivered again on the next run. It is never lost; a duplicate is suppressed where
  the transport allows (the outbox keeps one file per key; SMTP and Graph carry a Message-ID made
  from the key, which mail clients use to fold duplicates).

A delivery that fails releases the claim, so the same call can simply be repeated later.
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import NamedTuple

from shared.core.addresses import PLAIN_EMAIL

log = logging.getLogger(__name__)

# One home for what a plain address is (the core's; see shared/core/addresses.py).
_ADDRESS = PLAIN_EMAIL
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class MailError(Exception):
    """Something stopped a message going out. The text says what and what to do; it never
    contains an address, a name or the message text."""


class InvalidMessage(MailError, ValueError):
    """The message itself is wrong (no recipient, a header-breaking subject, a bad attachment)."""


class AttachmentTooLarge(InvalidMessage):
    """An attachment is bigger than the transport accepts."""


class MailConfigurationError(MailError):
    """The settings for a transport are missing or wrong."""


class MailDeliveryFailed(MailError):
    """The transport refused or failed; nothing was recorded as sent, so sending again is safe."""


class Delivery(enum.Enum):
    """What a crash between claiming a message and recording it as sent may cost."""

    AT_MOST_ONCE = "at most once"
    AT_LEAST_ONCE = "at least once"


class ClaimState(enum.Enum):
    """What the sent log says when a key is claimed."""

    NEW = "new"  # this caller owns the key now and must deliver (then record or release)
    SENT = "sent"  # recorded as sent before
    IN_FLIGHT = "in flight"  # claimed earlier and never recorded: that delivery was interrupted


class Attachment(NamedTuple):
    """A file sent with a message: its name as the recipient sees it, its MIME type, its bytes."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One email, independent of how it will travel.

    ``text_body`` is always required (it is what plain-text clients and screen readers get);
    ``html_body`` is optional. ``idempotency_key`` should be deterministic: the same notification
    for the same thing must produce the same key.
    """

    to: tuple[str, ...]
    subject: str
    text_body: str
    idempotency_key: str
    cc: tuple[str, ...] = ()
    html_body: str | None = None
    attachments: tuple[Attachment, ...] = ()
    delivery: Delivery = Delivery.AT_MOST_ONCE

    def __post_init__(self) -> None:
        # Accept lists from callers but keep the value immutable.
        object.__setattr__(self, "to", tuple(self.to))
        object.__setattr__(self, "cc", tuple(self.cc))
        object.__setattr__(self, "attachments", tuple(Attachment(*a) for a in self.attachments))
        if not self.to:
            raise InvalidMessage("A message needs at least one 'to' recipient.")
        for kind, addresses in (("to", self.to), ("cc", self.cc)):
            for position, address in enumerate(addresses, start=1):
                if not isinstance(address, str) or not _ADDRESS.match(address):
                    raise InvalidMessage(
                        f"Recipient {position} in '{kind}' is not a plain email address "
                        "(expected name@domain, with no spaces, commas or line breaks)."
                    )
        if "\r" in self.subject or "\n" in self.subject:
            raise InvalidMessage("The subject contains a line break; subjects must be one line.")
        if not self.idempotency_key.strip():
            raise InvalidMessage("The idempotency key is empty; give every message a deterministic key.")
        for position, attachment in enumerate(self.attachments, start=1):
            if not attachment.filename or _UNSAFE_FILENAME.search(attachment.filename):
                raise InvalidMessage(
                    f"Attachment {position} has an empty file name or one containing a path "
                    "separator or control character; use a plain name such as report.docx."
                )
            if not _CONTENT_TYPE.match(attachment.content_type):
                raise InvalidMessage(
                    f"Attachment {position} has content type {attachment.content_type!r}; "
                    "expected a MIME type such as application/pdf."
                )
            if not isinstance(attachment.content, bytes):
                raise InvalidMessage(f"Attachment {position} content must be bytes.")

    def message_id(self, domain: str) -> str:
        """A Message-ID made from the idempotency key: every delivery of one message carries the
        same id, so a mail client folds a redelivery into the first (RFC 5322 3.6.4)."""
        digest = hashlib.sha256(self.idempotency_key.encode("utf-8")).hexdigest()[:32]
        return f"<{digest}@{domain or 'auditdesk.invalid'}>"

    @property
    def recipient_count(self) -> int:
        return len(self.to) + len(self.cc)

    @property
    def attachment_bytes(self) -> int:
        return sum(len(a.content) for a in self.attachments)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What happened to a message: which transport took it, under which id, and where to.

    ``message_id`` is the transport's own id (outbox file name, SMTP Message-ID, Graph message
    id); ``location`` says where it went (outbox folder, SMTP host, Graph mailbox).
    ``already_sent`` is true when nothing was sent now because the key was sent before.
    """

    idempotency_key: str
    transport: str
    message_id: str
    location: str
    sent_at: datetime
    already_sent: bool = False
    refused_recipients: tuple[str, ...] = field(default=())


def utc_now() -> datetime:
    return datetime.now(UTC)


class SentLog(ABC):
    """The sent log, behind a tiny interface so that the embedded SQLite file and an Azure Table
    serve the mailers alike. It remembers the last successful send for each idempotency key, and the keys claimed by a
    delivery that has not finished (see :class:`shared.services.ports.mail.Delivery`)."""

    @abstractmethod
    def find(self, idempotency_key: str) -> SentMessage | None:
        """The recorded send for this key, or None if it was never sent."""

    @abstractmethod
    def record(self, sent: SentMessage) -> None:
        """Remember a successful send (a resend replaces the earlier record); ends any claim."""

    @abstractmethod
    def claim(self, idempotency_key: str, when: datetime) -> tuple[ClaimState, SentMessage | None]:
        """Claim the key for a delivery, atomically: NEW when this caller now owns it, SENT (with
        the record) when it was sent before, IN_FLIGHT when an earlier claim never finished."""

    @abstractmethod
    def release(self, idempotency_key: str) -> None:
        """Give up a claim whose delivery failed, so a later call may try again."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class Mailer(ABC):
    """Sends :class:`OutgoingMessage` values at most once per idempotency key.

    Adapters implement :meth:`_deliver`; :meth:`send` wraps it with the sent-log check so every
    transport keeps the same promise.
    """

    transport: str = "abstract"
    # True when the transport can tell whether a message was delivered (the outbox can: its
    # file is there or not), so an interrupted attempt is finished exactly once.
    knows_deliveries: bool = False

    def __init__(self, sent_log: SentLog, clock: Callable[[], datetime] = utc_now) -> None:
        self._sent_log = sent_log
        self._clock = clock

    def send(self, message: OutgoingMessage, *, resend: bool = False) -> SentMessage:
        """Send ``message`` unless its idempotency key was sent before (or ``resend`` is true).

        Raises :class:`MailDeliveryFailed` when the transport fails; the claim on the key is then
        released, so the same call can simply be repeated later.
        """
        if resend:
            sent = self._deliver(message)
            self._sent_log.record(sent)
            self._log_sent(message, sent)
            return sent
        state, earlier = self._sent_log.claim(message.idempotency_key, utc_now())
        if state is ClaimState.SENT and earlier is not None:
            log.info("mail not sent again: key already sent via %s", earlier.transport)
            return replace(earlier, already_sent=True)
        if state is ClaimState.IN_FLIGHT:
            # An earlier attempt was interrupted between its claim and its record.
            delivered = self._already_delivered(message)
            if delivered is not None:
                self._sent_log.record(delivered)
                return replace(delivered, already_sent=True)
            if self.knows_deliveries:
                log.info("mail sent now: an interrupted attempt had not delivered it")
            elif message.delivery is Delivery.AT_MOST_ONCE:
                log.warning("mail not sent again: an earlier attempt was interrupted (at most once)")
                return SentMessage(
                    message.idempotency_key, self.transport, "", "", utc_now(), already_sent=True
                )
            else:
                log.warning("mail sent again: an earlier attempt was interrupted (at least once)")
        try:
            sent = self._deliver(message)
        except BaseException:
            self._sent_log.release(message.idempotency_key)
            raise
        self._sent_log.record(sent)
        self._log_sent(message, sent)
        return sent

    def use_clock(self, clock: Callable[[], datetime]) -> None:
        """Date messages by ``clock``: the service's clock, so a replayed day (``--today``) is the
        day in the Date header, as the workflow saw it."""
        self._clock = clock

    def close(self) -> None:
        """Release the sent log's connections."""
        self._sent_log.close()

    def _log_sent(self, message: OutgoingMessage, sent: SentMessage) -> None:
        log.info(
            "mail sent via %s: %d recipient(s), %d attachment(s), %d attachment byte(s), id %s",
            sent.transport,
            message.recipient_count,
            len(message.attachments),
            message.attachment_bytes,
            sent.message_id,
        )

    def _already_delivered(self, message: OutgoingMessage) -> SentMessage | None:
        """Where the transport can tell (:attr:`knows_deliveries`), the delivery an interrupted
        attempt already made, or None when it made none."""
        return None

    @abstractmethod
    def _deliver(self, message: OutgoingMessage) -> SentMessage:
        """Hand the message to the transport and say what happened; raise on failure."""
