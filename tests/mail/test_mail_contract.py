"""The promise every mailer keeps, checked against all three: the outbox folder, a real SMTP
server (aiosmtpd) and the loopback Microsoft Graph."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest

from shared.services.ports.mail import Attachment, MailDeliveryFailed, OutgoingMessage
from tests.mail.conftest import SENDER, Harness

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A .docx is a zip: binary from its first bytes, with every byte value and invalid UTF-8 in it.
SMALL_DOCX = b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) + b"\xff\xfe\x00\x80word/document.xml"
FOUR_MB = os.urandom(4 * 1024 * 1024)


def allocation_notice(key: str = "allocation/2026-11/A-0001/auditor", **changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = {
        "to": ("auditor.one@example.org",),
        "cc": ("team.manager@example.org", "qa.team@example.org"),
        "subject": "Case file audit allocated: due 30 November 2026",
        "text_body": "You have been allocated a case file audit.\nThe blank form is attached.",
        "idempotency_key": key,
        "attachments": (Attachment("case-file-audit-form.docx", DOCX, SMALL_DOCX),),
    }
    values.update(changes)
    return OutgoingMessage(**values)


def test_a_notification_arrives_with_its_recipients_subject_body_and_attachment_intact(
    harness: Harness,
) -> None:
    message = allocation_notice()

    sent = harness.mailer.send(message)

    [received] = harness.received()
    assert received.to == ["auditor.one@example.org"]
    assert received.cc == ["team.manager@example.org", "qa.team@example.org"]
    assert received.subject == message.subject
    assert received.text is not None
    assert received.text.strip() == message.text_body.strip()
    assert received.attachments == [("case-file-audit-form.docx", DOCX, SMALL_DOCX)]
    assert sent.transport == harness.name
    assert sent.message_id
    assert not sent.already_sent


def test_an_html_report_email_arrives_with_its_html_body(harness: Harness) -> None:
    html = "<h1>Audit Highlights Report</h1><p>November 2026: 42 audits completed.</p>"
    message = allocation_notice("highlights/2026-11/slt", html_body=html, attachments=())

    harness.mailer.send(message)

    [received] = harness.received()
    assert received.html is not None
    assert received.html.strip() == html
    if harness.carries_text_with_html:
        assert received.text is not None
        assert received.text.strip() == message.text_body.strip()


def test_a_4_mb_report_arrives_byte_for_byte(harness: Harness) -> None:
    report = Attachment("quarterly-audit-report.docx", DOCX, FOUR_MB)
    message = allocation_notice(
        "quarterly/2026-Q3/leadership", attachments=(report, *allocation_notice().attachments)
    )

    harness.mailer.send(message)

    [received] = harness.received()
    # Graph attaches small files with the draft and large ones after it: order is not promised.
    assert sorted(received.attachments) == [
        ("case-file-audit-form.docx", DOCX, SMALL_DOCX),
        ("quarterly-audit-report.docx", DOCX, FOUR_MB),
    ]


def test_the_same_idempotency_key_twice_sends_once(harness: Harness) -> None:
    first = harness.mailer.send(allocation_notice())
    second = harness.mailer.send(allocation_notice())

    assert len(harness.received()) == 1
    assert second.already_sent
    assert second.message_id == first.message_id


def test_resend_sends_the_same_key_again(harness: Harness) -> None:
    harness.mailer.send(allocation_notice())
    again = harness.mailer.send(allocation_notice(), resend=True)

    assert len(harness.received()) == 2
    assert not again.already_sent


def test_different_keys_are_different_messages(harness: Harness) -> None:
    harness.mailer.send(allocation_notice("allocation/2026-11/A-0001/auditor"))
    harness.mailer.send(allocation_notice("allocation/2026-11/A-0002/auditor"))

    assert len(harness.received()) == 2


def test_a_failing_transport_raises_a_clear_error_and_the_message_is_not_recorded_as_sent(
    harness: Harness,
) -> None:
    harness.break_transport()

    with pytest.raises(MailDeliveryFailed) as failure:
        harness.mailer.send(allocation_notice())

    assert "not sent" in str(failure.value) or "Check" in str(failure.value)
    assert "example.org" not in str(failure.value)
    harness.repair_transport()
    retried = harness.mailer.send(allocation_notice())
    assert not retried.already_sent
    assert len(harness.received()) == 1


def test_logs_hold_counts_and_ids_but_no_addresses_subjects_or_text(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="shared")
    message = allocation_notice()

    harness.mailer.send(message)
    harness.mailer.send(message)

    assert "mail sent" in caplog.text
    # The organisation's domain may appear in an SMTP Message-ID; people and content may not.
    for secret in (
        *message.to,
        *message.cc,
        SENDER,
        "auditor.one",
        message.subject,
        "allocated",
        "case-file-audit",
    ):
        assert secret not in caplog.text
