"""Fixtures: one harness per adapter, each with a real receiving end on 127.0.0.1 (or a folder),
so the same contract tests run against the outbox, SMTP (aiosmtpd) and Graph (loopback)."""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiosmtpd.controller import Controller

from shared.adapters.mail.graph import GraphMailer
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import SqliteSentLog
from shared.adapters.mail.smtp import SmtpMailer
from shared.services.ports.mail import Mailer
from tests.graph_server import LoopbackGraph

SENDER = "audit-desk@example.org"


@dataclass
class Received:
    """A message as the receiving end saw it, whatever the transport."""

    to: list[str]
    cc: list[str]
    subject: str
    text: str | None
    html: str | None
    attachments: list[tuple[str, str, bytes]]


def received_from_mime(raw: bytes) -> Received:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    return Received(
        to=[a.addr_spec for a in parsed["To"].addresses],
        cc=[a.addr_spec for a in parsed["Cc"].addresses] if parsed["Cc"] else [],
        subject=str(parsed["Subject"]),
        # RFC 5322 lines end in CRLF on the wire and in .eml files; compare text, not line ends.
        text=plain.get_content().replace("\r\n", "\n") if isinstance(plain, EmailMessage) else None,
        html=html.get_content().replace("\r\n", "\n") if isinstance(html, EmailMessage) else None,
        attachments=[
            (str(part.get_filename()), part.get_content_type(), part.get_content())
            for part in parsed.iter_attachments()
            if isinstance(part, EmailMessage)
        ],
    )


class Harness(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def mailer(self) -> Mailer: ...

    @property
    def carries_text_with_html(self) -> bool:
        """Graph keeps one body (HTML when given); MIME transports carry both alternatives."""
        ...

    def received(self) -> list[Received]: ...

    def break_transport(self) -> None:
        """Make the next send fail the way this transport fails for real."""

    def repair_transport(self) -> None:
        """Undo :meth:`break_transport` (faults injected into servers are one-shot)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# -- outbox ----------------------------------------------------------------------------------


@dataclass
class OutboxHarness:
    folder: Path
    mailer: OutboxMailer
    name: str = "outbox"
    carries_text_with_html: bool = True

    def received(self) -> list[Received]:
        return [received_from_mime(path.read_bytes()) for path in sorted(self.folder.glob("*.eml"))]

    def break_transport(self) -> None:
        # A file where the folder should be: writing fails like an unreachable share would.
        self.folder.write_text("not a folder")

    def repair_transport(self) -> None:
        self.folder.unlink()


# -- SMTP (aiosmtpd) -------------------------------------------------------------------------


@dataclass
class SmtpDelivery:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class RecordingSmtpHandler:
    """aiosmtpd handler: records each DATA, or answers with queued replies (e.g. 451, 554)."""

    deliveries: list[SmtpDelivery] = field(default_factory=list)
    replies: deque[str] = field(default_factory=deque)
    attempts: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.replies:
            return self.replies.popleft()
        self.deliveries.append(
            SmtpDelivery(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, RecordingSmtpHandler]]:
    handler = RecordingSmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@dataclass
class SmtpHarness:
    handler: RecordingSmtpHandler
    mailer: SmtpMailer
    name: str = "smtp"
    carries_text_with_html: bool = True

    def received(self) -> list[Received]:
        return [received_from_mime(delivery.content) for delivery in self.handler.deliveries]

    def break_transport(self) -> None:
        self.handler.replies.append("554 Transaction failed")

    def repair_transport(self) -> None:
        return None


# -- Graph (loopback) ------------------------------------------------------------------------


@pytest.fixture
def graph_server() -> Iterator[LoopbackGraph]:
    with LoopbackGraph() as graph:
        yield graph


@dataclass
class SleepRecorder:
    """Stands in for time.sleep so throttling tests are instant but still checked."""

    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class GraphHarness:
    server: LoopbackGraph
    mailer: GraphMailer
    sleeps: SleepRecorder
    name: str = "graph"
    carries_text_with_html: bool = False

    def received(self) -> list[Received]:
        return [
            Received(
                to=m.to,
                cc=m.cc,
                subject=m.subject,
                text=m.body if m.body_type == "Text" else None,
                html=m.body if m.body_type == "HTML" else None,
                attachments=[(a.name, a.content_type, a.content) for a in m.attachments],
            )
            for m in self.server.sent_messages
        ]

    def break_transport(self) -> None:
        self.server.inject("/messages", 403)

    def repair_transport(self) -> None:
        return None


def make_graph_mailer(server: LoopbackGraph, sent_log: SqliteSentLog, sleeps: SleepRecorder) -> GraphMailer:
    return GraphMailer(SENDER, lambda: "test-token", sent_log, base_url=server.base_url, sleep=sleeps)


@pytest.fixture(params=["outbox", "smtp", "graph"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    sent_log = SqliteSentLog(tmp_path / "mail-sent.sqlite3")
    if request.param == "outbox":
        folder = tmp_path / "outbox"
        return OutboxHarness(folder, OutboxMailer(folder, sent_log, sender=SENDER))
    if request.param == "smtp":
        controller, handler = request.getfixturevalue("smtp_server")
        mailer = SmtpMailer(
            controller.hostname,
            controller.port,
            SENDER,
            sent_log,
            starttls=False,
            attempts=2,
            backoff_seconds=0.01,
        )
        return SmtpHarness(handler, mailer)
    server = request.getfixturevalue("graph_server")
    sleeps = SleepRecorder()
    return GraphHarness(server, make_graph_mailer(server, sent_log, sleeps), sleeps)
