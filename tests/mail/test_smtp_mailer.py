"""SMTP specifics: retries on transient failures only, STARTTLS and login against aiosmtpd."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from shared.adapters.mail.sent_log import MemorySentLog
from shared.adapters.mail.smtp import SmtpMailer
from shared.services.ports.mail import MailConfigurationError, MailDeliveryFailed
from tests.mail.certificates import write_self_signed
from tests.mail.conftest import SENDER, RecordingSmtpHandler, free_port, received_from_mime
from tests.mail.test_mail_contract import allocation_notice

USERNAME = "relay-user"
PASSWORD = "relay-password-for-tests"


def plain_mailer(controller: Controller, attempts: int = 3) -> SmtpMailer:
    return SmtpMailer(
        controller.hostname,
        controller.port,
        SENDER,
        MemorySentLog(),
        starttls=False,
        attempts=attempts,
        backoff_seconds=0.01,
    )


def test_a_temporary_refusal_is_retried_and_the_message_goes_through(
    smtp_server: tuple[Controller, RecordingSmtpHandler],
) -> None:
    controller, handler = smtp_server
    handler.replies.extend(["451 Try again later", "421 Too busy"])

    plain_mailer(controller).send(allocation_notice())

    assert handler.attempts == 3
    assert len(handler.deliveries) == 1


def test_the_envelope_includes_cc_recipients(smtp_server: tuple[Controller, RecordingSmtpHandler]) -> None:
    controller, handler = smtp_server

    plain_mailer(controller).send(allocation_notice())

    [delivery] = handler.deliveries
    assert delivery.mail_from == SENDER
    assert delivery.rcpt_tos == ["auditor.one@example.org", "team.manager@example.org", "qa.team@example.org"]


def test_a_permanent_refusal_is_not_retried(smtp_server: tuple[Controller, RecordingSmtpHandler]) -> None:
    controller, handler = smtp_server
    handler.replies.append("554 Transaction failed")

    with pytest.raises(MailDeliveryFailed, match="reply 554"):
        plain_mailer(controller).send(allocation_notice())

    assert handler.attempts == 1


def test_temporary_refusals_that_never_end_fail_clearly(
    smtp_server: tuple[Controller, RecordingSmtpHandler],
) -> None:
    controller, handler = smtp_server
    handler.replies.extend(["451 Try again later"] * 3)

    with pytest.raises(MailDeliveryFailed, match=r"kept failing after 3 attempts \(reply 451\)"):
        plain_mailer(controller).send(allocation_notice())


def test_a_server_that_is_not_there_fails_clearly() -> None:
    mailer = SmtpMailer(
        "127.0.0.1", free_port(), SENDER, MemorySentLog(), starttls=False, attempts=2, backoff_seconds=0.01
    )

    with pytest.raises(MailDeliveryFailed, match="kept failing after 2 attempts"):
        mailer.send(allocation_notice())


class _Authenticator:
    def __call__(
        self, server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == USERNAME.encode()
            and data.password == PASSWORD.encode()
        )
        # handled=False: aiosmtpd then answers 235 or 535 itself.
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_smtp_server(tmp_path: Path) -> Iterator[tuple[Controller, RecordingSmtpHandler, Path]]:
    key, cert = write_self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    handler = RecordingSmtpHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=_Authenticator(),
        auth_required=True,
    )
    controller.start()
    try:
        yield controller, handler, cert
    finally:
        controller.stop()


def test_starttls_and_login_deliver_to_a_relay_that_requires_both(
    tls_smtp_server: tuple[Controller, RecordingSmtpHandler, Path],
) -> None:
    controller, handler, cert = tls_smtp_server
    mailer = SmtpMailer(
        controller.hostname,
        controller.port,
        SENDER,
        MemorySentLog(),
        username=USERNAME,
        password=PASSWORD,
        starttls=True,
        ssl_context=ssl.create_default_context(cafile=str(cert)),
    )

    mailer.send(allocation_notice())

    [delivery] = handler.deliveries
    assert received_from_mime(delivery.content).subject == allocation_notice().subject


def test_a_wrong_password_says_which_settings_to_check(
    tls_smtp_server: tuple[Controller, RecordingSmtpHandler, Path],
) -> None:
    controller, handler, cert = tls_smtp_server
    mailer = SmtpMailer(
        controller.hostname,
        controller.port,
        SENDER,
        MemorySentLog(),
        username=USERNAME,
        password="wrong",
        starttls=True,
        ssl_context=ssl.create_default_context(cafile=str(cert)),
    )

    with pytest.raises(MailDeliveryFailed, match="AUDITDESK_SMTP_USERNAME"):
        mailer.send(allocation_notice())

    assert handler.deliveries == []


def test_a_password_is_never_sent_without_starttls() -> None:
    with pytest.raises(MailConfigurationError, match="never sent over an unencrypted connection"):
        SmtpMailer(
            "127.0.0.1", 25, SENDER, MemorySentLog(), username=USERNAME, password=PASSWORD, starttls=False
        )
