"""Turn an :class:`OutgoingMessage` into an RFC 5322 message (for the outbox and for SMTP).

Two builders, one result. :func:`build_mime` writes the bytes directly for the messages Audit Desk
sends every day (plain addresses, plain attachment names): about 50 times cheaper than the
standard library's header registry, which parsed every header it had just been given (0.86 s of
a 500-submission run went there, issue 19). Anything it does not handle plainly (an address or
attachment name outside plain ASCII) goes to :func:`build_email`, the standard library's
``EmailMessage``. Both are read back by the standard library's parser in the tests
(tests/mail/test_mime.py), which must find the same headers, bodies and attachments in each.

What the direct builder writes: CRLF line ends; 7-bit only (text that is not plain ASCII in
short lines is quoted-printable, a subject that is not plain is RFC 2047 encoded words, an
attachment is base64); lines of at most 78 characters; MIME boundaries that occur in no part.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from shared.services.ports.mail import Attachment, OutgoingMessage

_LINE = 78  # RFC 5322 2.1.1: lines SHOULD be at most 78 characters
# An address the direct builder writes as it is: a dot-atom local part and a dotted domain, ASCII.
_PLAIN_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
)
# A subject written as it is: printable ASCII, single spaces, nothing a reader would decode.
_PLAIN_SUBJECT = re.compile(r"^[!-~]+( [!-~]+)*$")
_PLAIN_FILENAME = re.compile(r"^[A-Za-z0-9 !#$%&'()*+,.:;<=>?@\[\]^_`{|}~-]{1,60}$")
_ENCODED_WORD_BYTES = 42  # base64 of 42 bytes is 56 characters: "Subject: =?utf-8?b?" + 56 + "?=" = 77


def build_mime(
    message: OutgoingMessage, sender: str, when: datetime, unique: bool = False
) -> tuple[str, bytes]:
    """The message as RFC 5322 bytes, and its Message-ID.

    The Message-ID's domain is the sender's, never the local host name. It is made from the
    idempotency key, so a redelivery after an interrupted send carries the same id; a deliberate
    resend (``unique``) gets a new one.
    """
    if not _plain(message, sender):
        email = build_email(message, sender, when, unique)
        return str(email["Message-ID"]), email.as_bytes()
    domain = sender.rpartition("@")[2]
    message_id = make_msgid(domain=domain) if unique else message.message_id(domain)
    headers = [
        f"From: {sender}",
        _address_header("To", message.to),
        *([_address_header("Cc", message.cc)] if message.cc else []),
        _subject_header(message.subject),
        f"Date: {format_datetime(when)}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
    ]
    parts = [_text_part("plain", message.text_body)]
    if message.html_body is not None:
        parts = [_multipart("alternative", [parts[0], _text_part("html", message.html_body)], message)]
    if message.attachments:
        parts = [_multipart("mixed", [parts[0], *map(_attachment_part, message.attachments)], message)]
    return message_id, ("\r\n".join(headers) + "\r\n" + parts[0]).encode("ascii")


def build_email(message: OutgoingMessage, sender: str, when: datetime, unique: bool = False) -> EmailMessage:
    """The message as the standard library's ``EmailMessage``: plain text, with an HTML
    alternative when given, then attachments (the same Message-ID as :func:`build_mime`)."""
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


def _plain(message: OutgoingMessage, sender: str) -> bool:
    """Whether the direct builder writes this message: plain addresses and attachment names."""
    if not all(_PLAIN_ADDRESS.match(a) for a in (sender, *message.to, *message.cc)):
        return False
    if not all(_PLAIN_FILENAME.match(a.filename) for a in message.attachments):
        return False
    texts = (message.subject, message.text_body, message.html_body or "")
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the standard library says what it makes of it
        return False
    return True


def _address_header(name: str, addresses: tuple[str, ...]) -> str:
    """``To: a@x, b@y``, folded after a comma before a line passes 78 characters."""
    lines = [f"{name}: {addresses[0]}"]
    for address in addresses[1:]:
        if len(lines[-1]) + 2 + len(address) > _LINE:
            lines[-1] += ","
            lines.append(f" {address}")
        else:
            lines[-1] += f", {address}"
    return "\r\n".join(lines)


def _subject_header(subject: str) -> str:
    """Plain ASCII folded at its spaces; anything else as RFC 2047 encoded words (UTF-8, base64),
    each a whole number of characters, one per line."""
    if not subject:
        return "Subject: "
    if (
        _PLAIN_SUBJECT.match(subject)
        and "=?" not in subject  # a reader would decode it as an encoded word
        and max(map(len, subject.split(" "))) <= _LINE - 10
    ):
        lines = ["Subject:"]
        for word in subject.split(" "):
            if len(lines[-1]) + 1 + len(word) > _LINE:
                lines.append("")
            lines[-1] += f" {word}"
        return "\r\n".join(lines)
    words: list[str] = []
    chunk = b""
    for character in subject:
        encoded = character.encode("utf-8")
        if len(chunk) + len(encoded) > _ENCODED_WORD_BYTES:
            words.append(_encoded_word(chunk))
            chunk = b""
        chunk += encoded
    words.append(_encoded_word(chunk))
    return "Subject: " + "\r\n ".join(words)


def _encoded_word(chunk: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(chunk).decode('ascii')}?="


def _text_part(subtype: str, text: str) -> str:
    """A text part, its lines ended with CRLF as the standard library's ``set_content`` does:
    7bit when every line is plain ASCII of at most 78 characters, else quoted-printable."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    body = "\r\n".join(lines) + "\r\n"
    if body.isascii() and all(len(line) <= _LINE and line.replace("\t", " ").isprintable() for line in lines):
        encoding = "7bit"
    else:
        encoding = "quoted-printable"
        body = binascii.b2a_qp(body.encode("utf-8"), quotetabs=False, istext=True).decode("ascii")
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n{body}"
    )


def _attachment_part(attachment: Attachment) -> str:
    encoded = base64.encodebytes(attachment.content).decode("ascii").replace("\n", "\r\n")
    return (
        f"Content-Type: {attachment.content_type}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment;\r\n filename="{attachment.filename}"\r\n\r\n{encoded}'
    )


def _multipart(subtype: str, parts: list[str], message: OutgoingMessage) -> str:
    """A multipart body whose boundary occurs in none of its parts (from the key: the same
    message gets the same bytes)."""
    seed = hashlib.sha256(f"{subtype}/{message.idempotency_key}".encode()).hexdigest()
    boundary = f"=_auditdesk_{seed[:24]}"
    counter = 0
    while any(boundary in part for part in parts):
        counter += 1
        boundary = f"=_auditdesk_{seed[:24]}_{counter}"
    body = "".join(f"--{boundary}\r\n{part}\r\n" for part in parts)
    return f'Content-Type: multipart/{subtype};\r\n boundary="{boundary}"\r\n\r\n{body}--{boundary}--\r\n'
