"""The report reaches its readers through a real SMTP server (aiosmtpd on loopback) and through
the loopback Microsoft Graph, attachment intact, once per key."""

from __future__ import annotations

from pathlib import Path

from aiosmtpd.controller import Controller

from shared.adapters.mail.sent_log import SqliteSentLog
from shared.adapters.mail.smtp import SmtpMailer
from shared.services.reports.publish import DOCX, XLSX, publish_report
from tests.graph_server import LoopbackGraph
from tests.mail.conftest import RecordingSmtpHandler, SleepRecorder, make_graph_mailer, received_from_mime
from tests.reports.conftest import make_services


def test_highlights_report_is_delivered_over_smtp_once(
    tmp_path: Path, smtp_server: tuple[Controller, RecordingSmtpHandler]
) -> None:
    controller, handler = smtp_server
    mailer = SmtpMailer(
        controller.hostname, controller.port, "audit-desk@example.org", SqliteSentLog(tmp_path / "sent.sqlite3"),
        starttls=False, attempts=1,
    )  # fmt: skip
    services = make_services(tmp_path / "home", mailer)
    try:
        report = publish_report(services, "highlights", "2026-11")
        publish_report(services, "highlights", "2026-11")
    finally:
        services.close()
    assert len(handler.deliveries) == 1
    # 8.1: the Senior Leadership Team's performance meeting and the Wider Leadership meeting.
    assert handler.deliveries[0].rcpt_tos == ["senior-leadership@example.org", "wider-leadership@example.org"]
    received = received_from_mime(handler.deliveries[0].content)
    # The data pack travels with the report, as the report says it does.
    assert received.attachments == [
        (report.docx_name, DOCX, report.docx),
        (report.data_pack_name, XLSX, report.data_pack),
    ]


def test_quarterly_report_is_delivered_through_graph(tmp_path: Path, graph_server: LoopbackGraph) -> None:
    mailer = make_graph_mailer(graph_server, SqliteSentLog(tmp_path / "sent.sqlite3"), SleepRecorder())
    services = make_services(tmp_path / "home", mailer)
    try:
        report = publish_report(services, "quarterly", "2026-Q4")
        assert publish_report(services, "quarterly", "2026-Q4").already_sent
    finally:
        services.close()
    (message,) = graph_server.sent_messages
    assert sorted(message.to) == ["senior-leadership@example.org", "wider-leadership@example.org"]
    assert [(a.name, a.content) for a in message.attachments] == [
        (report.docx_name, report.docx),
        (report.data_pack_name, report.data_pack),
    ]
