"""The outbox's files, choosing a mailer from the settings, and what a valid message is."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.adapters.mail.factory import open_mailer
from shared.adapters.mail.graph import GraphMailer, certificate_credential
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import MemorySentLog, SqliteSentLog
from shared.adapters.mail.smtp import SmtpMailer
from shared.config import MailSettings, Settings
from shared.services.ports.mail import Attachment, InvalidMessage, MailConfigurationError, OutgoingMessage
from tests.mail.certificates import write_self_signed
from tests.mail.test_mail_contract import allocation_notice


class SteppingClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_outbox_file_names_sort_in_sending_order_and_reveal_nothing(tmp_path: Path) -> None:
    clock = SteppingClock(datetime(2026, 11, 30, 16, 59, 58, tzinfo=UTC))
    mailer = OutboxMailer(tmp_path / "outbox", MemorySentLog(), clock=clock)
    keys = ["z-last-key/CASE-REF-123", "a-first-key/Jane Example", "m/../../etc"]

    for key in keys:
        mailer.send(allocation_notice(key))

    names = sorted(path.name for path in (tmp_path / "outbox").iterdir())
    assert [name[:15] for name in names] == ["20261130T165959", "20261130T170000", "20261130T170001"]
    assert all(re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{12}\.eml", name) for name in names)


def test_resending_in_the_same_microsecond_does_not_overwrite_the_first_file(tmp_path: Path) -> None:
    frozen = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    mailer = OutboxMailer(tmp_path / "outbox", MemorySentLog(), clock=lambda: frozen)

    mailer.send(allocation_notice())
    mailer.send(allocation_notice(), resend=True)

    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_the_sent_log_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "mail-sent.sqlite3"
    OutboxMailer(tmp_path / "outbox", SqliteSentLog(path)).send(allocation_notice())

    again = OutboxMailer(tmp_path / "outbox", SqliteSentLog(path)).send(allocation_notice())

    assert again.already_sent
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def settings(tmp_path: Path, **mail: object) -> Settings:
    return Settings(home=tmp_path, mail=MailSettings(**mail))  # type: ignore[arg-type]


def test_with_nothing_configured_mail_goes_to_the_outbox_under_home(tmp_path: Path) -> None:
    mailer = open_mailer(settings(tmp_path))

    mailer.send(allocation_notice())

    assert isinstance(mailer, OutboxMailer)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert (tmp_path / "mail-sent.sqlite3").is_file()


def test_an_smtp_host_chooses_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITDESK_SMTP_PASSWORD", "fictional")
    mailer = open_mailer(
        settings(tmp_path, sender="audit-desk@example.org", smtp_host="127.0.0.1", smtp_username="u")
    )

    assert isinstance(mailer, SmtpMailer)


def test_smtp_without_a_sender_or_password_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDITDESK_SMTP_PASSWORD", raising=False)
    with pytest.raises(MailConfigurationError, match="AUDITDESK_MAIL_SENDER"):
        open_mailer(settings(tmp_path, smtp_host="127.0.0.1"))
    with pytest.raises(MailConfigurationError, match="AUDITDESK_SMTP_PASSWORD"):
        open_mailer(
            settings(tmp_path, sender="audit-desk@example.org", smtp_host="127.0.0.1", smtp_username="u")
        )


def test_graph_settings_choose_graph_over_smtp(tmp_path: Path) -> None:
    key, cert = write_self_signed(tmp_path)
    combined = tmp_path / "graph-app.pem"
    combined.write_text(key.read_text() + cert.read_text())

    mailer = open_mailer(
        settings(
            tmp_path,
            sender="audit-desk@example.org",
            smtp_host="127.0.0.1",
            graph_tenant_id="00000000-0000-0000-0000-000000000001",
            graph_client_id="00000000-0000-0000-0000-000000000002",
            graph_certificate_path=combined,
            graph_base_url="http://127.0.0.1:9/v1.0",
        )
    )

    assert isinstance(mailer, GraphMailer)
    assert mailer.base_url == "http://127.0.0.1:9/v1.0"


def test_half_configured_graph_is_an_error_not_a_silent_fallback(tmp_path: Path) -> None:
    with pytest.raises(MailConfigurationError, match="partly configured"):
        open_mailer(settings(tmp_path, graph_tenant_id="00000000-0000-0000-0000-000000000001"))


def test_a_pem_certificate_needs_both_the_key_and_the_certificate(tmp_path: Path) -> None:
    key, cert = write_self_signed(tmp_path)

    with pytest.raises(MailConfigurationError, match="PRIVATE KEY and a CERTIFICATE"):
        certificate_credential(cert)
    combined = tmp_path / "both.pem"
    combined.write_text(key.read_text() + cert.read_text())
    credential = certificate_credential(combined)
    assert credential["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert credential["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    pfx = tmp_path / "app.pfx"
    pfx.write_bytes(b"a pfx is passed to msal by path")
    assert certificate_credential(pfx, password="fictional") == {
        "private_key_pfx_path": str(pfx),
        "passphrase": "fictional",
    }
    with pytest.raises(MailConfigurationError, match="does not exist"):
        certificate_credential(tmp_path / "missing.pfx")


def test_mail_settings_come_from_auditdesk_environment_variables() -> None:
    mail = MailSettings.from_environment(
        {
            "AUDITDESK_MAIL_SENDER": "audit-desk@example.org",
            "AUDITDESK_SMTP_HOST": "relay.example.org",
            "AUDITDESK_SMTP_PORT": "25",
            "AUDITDESK_SMTP_STARTTLS": "false",
            "AUDITDESK_SMTP_USERNAME": "relay-user",
            "AUDITDESK_GRAPH_BASE_URL": "http://127.0.0.1:8080/v1.0/",
        }
    )

    assert mail.sender == "audit-desk@example.org"
    assert (mail.smtp_host, mail.smtp_port, mail.smtp_starttls, mail.smtp_username) == (
        "relay.example.org",
        25,
        False,
        "relay-user",
    )
    assert mail.graph_base_url == "http://127.0.0.1:8080/v1.0"
    assert not mail.graph_configured
    assert mail.smtp_configured


def test_a_mistyped_port_is_reported_with_the_variable_name() -> None:
    with pytest.raises(ValueError, match="AUDITDESK_SMTP_PORT"):
        MailSettings.from_environment({"AUDITDESK_SMTP_PORT": "five-eight-seven"})


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"to": ()}, "at least one"),
        ({"to": ("auditor@example.org\r\nBcc: x@example.org",)}, "Recipient 1 in 'to'"),
        ({"cc": ("Two People <a@example.org>, b@example.org",)}, "Recipient 1 in 'cc'"),
        ({"subject": "Audit due\r\nBcc: x@example.org"}, "one line"),
        ({"idempotency_key": "  "}, "idempotency key"),
        ({"attachments": (Attachment("../../form.docx", "application/pdf", b""),)}, "path separator"),
        ({"attachments": (Attachment("form.docx", "word document", b""),)}, "MIME type"),
    ],
)
def test_messages_that_could_go_wrong_are_refused_with_a_reason(
    changes: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(InvalidMessage, match=complaint) as refusal:
        allocation_notice(**changes)
    assert "example.org" not in str(refusal.value)


def test_lists_are_accepted_and_kept_immutable() -> None:
    message = OutgoingMessage(
        to=["auditor.one@example.org"],  # type: ignore[arg-type]
        subject="Reminder",
        text_body="Due tomorrow.",
        idempotency_key="reminder/A-0001/2026-11-27",
    )
    assert message.to == ("auditor.one@example.org",)
