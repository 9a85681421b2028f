"""Turn an :class:`OutgoingMessage` into an RFC 5322 message (for the outbox and for SMTP)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from shared.services.ports.mail import OutgoingMessage


def build_email(message: OutgoingMessage, sender: str, when: datetime, unique: bool = False) -> EmailMessage:
    """The message as MIME: plain text, with an HTML alternative when given, then attachments.

    The Message-ID's domain is the sender's, never the local host name. It is made from the
    idempotency key, so a redelivery after an interrupted send carries the same id; a deliberate
    resend (``unique``) gets a new one.
    """
    email = EmailMessage(policy=SMTP)
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    if message.cc:
        email["Cc"] = ", ".join(message.cc)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(when)
    domain = sender.rpartition("@")[2] or "auditdesk.invalid"
    email["Message-ID"] = make_msgid(domain=domain) if unique else message.message_id(domain)
    email.set_content(message.text_body)
    if message.html_body is not None:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email
