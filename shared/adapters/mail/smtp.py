"""SMTP: for councils whose mail relay is not Microsoft 365, and for local test servers.

STARTTLS and login are both optional (a relay inside the network may need neither). Transient
failures (connection lost or refused, a 4xx answer) are retried a few times with backoff;
permanent ones (5xx, bad login) fail at once with a message saying what to check.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage

from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from shared.adapters.mail.mime import build_email, build_mime
from shared.services.ports.mail import (
    MailConfigurationError,
    MailDeliveryFailed,
    Mailer,
    OutgoingMessage,
    SentLog,
    SentMessage,
    utc_now,
)

log = logging.getLogger(__name__)


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Every recipient refused: transient only if every refusal was a 4xx.
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(
        error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError
    )


class SmtpMailer(Mailer):
    transport = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        sent_log: SentLog,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        ssl_context: ssl.SSLContext | None = None,
        timeout_seconds: float = 30.0,
        attempts: int = 3,
        backoff_seconds: float = 1.0,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(sent_log, clock)
        if username and not password:
            raise MailConfigurationError("An SMTP username was given without a password.")
        if username and not starttls:
            raise MailConfigurationError(
                "AUDITDESK_SMTP_USERNAME is set but AUDITDESK_SMTP_STARTTLS is false: a password is never "
                "sent over an unencrypted connection. Turn STARTTLS on, or use a relay that needs no login."
            )
        self.host = host
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._ssl_context = ssl_context
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds

    def _deliver(self, message: OutgoingMessage) -> SentMessage:
        when = self._clock()
        recipients = [*message.to, *message.cc]
        email: EmailMessage | bytes
        if "".join([self.sender, *recipients]).isascii():
            message_id, email = build_mime(message, self.sender, when)
        else:  # an address outside ASCII: smtplib's send_message negotiates SMTPUTF8 for it
            built = build_email(message, self.sender, when)
            message_id, email = str(built["Message-ID"]), built
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=30 * self._backoff),
            retry=retry_if_exception(_is_transient),
            reraise=False,
        )
        try:
            refused = retrying(self._transmit, email, recipients)
        except RetryError as error:
            last = error.last_attempt.exception()
            raise MailDeliveryFailed(
                f"SMTP server {self.host}:{self.port} kept failing after {self._attempts} attempts "
                f"({_describe(last)}). The message was not sent; try again later."
            ) from last
        except smtplib.SMTPAuthenticationError as error:
            raise MailDeliveryFailed(
                f"SMTP server {self.host}:{self.port} refused the login ({error.smtp_code}). "
                "Check AUDITDESK_SMTP_USERNAME and the password variable."
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailDeliveryFailed(
                f"SMTP server {self.host}:{self.port} refused the message ({_describe(error)}). "
                "The message was not sent; check the sender and recipients are allowed on this relay."
            ) from error
        if refused:
            log.warning("smtp server refused %d of %d recipient(s)", len(refused), message.recipient_count)
        return SentMessage(
            idempotency_key=message.idempotency_key,
            transport=self.transport,
            message_id=message_id,
            location=f"{self.host}:{self.port}",
            sent_at=when,
            refused_recipients=tuple(refused),
        )

    def _transmit(self, email: EmailMessage | bytes, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
        with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as client:
            client.ehlo()
            if self._starttls:
                client.starttls(context=self._ssl_context or ssl.create_default_context())
                client.ehlo()
            if self._username and self._password:
                client.login(self._username, self._password)
            if isinstance(email, bytes):
                return client.sendmail(self.sender, recipients, email)
            return client.send_message(email, from_addr=self.sender, to_addrs=recipients)


def _describe(error: BaseException | None) -> str:
    """Codes and exception types only: server replies can echo addresses back."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"all recipients refused, codes {codes}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"reply {error.smtp_code}"
    return type(error).__name__ if error is not None else "unknown error"
