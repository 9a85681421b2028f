"""Microsoft Graph specifics: upload sessions, throttling, headers, limits, draft clean-up."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from shared import __version__
from shared.adapters.mail.graph import UPLOAD_CHUNK_BYTES, GraphMailer, _retry_after
from shared.adapters.mail.sent_log import MemorySentLog, SqliteSentLog
from shared.services.ports.mail import Attachment, AttachmentTooLarge, MailDeliveryFailed, OutgoingMessage
from tests.graph_server import LoopbackGraph
from tests.mail.conftest import SENDER, SleepRecorder, make_graph_mailer
from tests.mail.test_mail_contract import DOCX, FOUR_MB, SMALL_DOCX, allocation_notice
from tests.sharepoint_server.server import app_token

MB = 1024 * 1024


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def mailer(graph_server: LoopbackGraph, tmp_path: Path, sleeps: SleepRecorder) -> GraphMailer:
    return make_graph_mailer(graph_server, SqliteSentLog(tmp_path / "sent.sqlite3"), sleeps)


def report_email(*attachments: Attachment) -> OutgoingMessage:
    return allocation_notice("highlights/2026-11/slt", attachments=attachments)


def test_a_4_mb_report_goes_through_an_upload_session_in_ranges_under_4_mb(
    graph_server: LoopbackGraph, mailer: GraphMailer
) -> None:
    mailer.send(report_email(Attachment("highlights.docx", DOCX, FOUR_MB)))

    [message] = graph_server.sent_messages
    [attachment] = message.attachments
    assert attachment.via == "upload-session"
    assert attachment.content == FOUR_MB
    puts = [r for r in graph_server.requests if r.method == "PUT"]
    assert [r.status for r in puts] == [200, 201]
    assert puts[0].headers["Content-Range"] == f"bytes 0-{UPLOAD_CHUNK_BYTES - 1}/{len(FOUR_MB)}"
    assert all(int(r.headers["Content-Length"]) < 4 * MB for r in puts)
    assert all("Authorization" not in r.headers for r in puts), "uploadUrl is pre-authenticated"


def test_small_attachments_go_inline_until_the_request_would_pass_3_mb(
    graph_server: LoopbackGraph, mailer: GraphMailer
) -> None:
    two_mb = bytes(2 * MB)
    mailer.send(
        report_email(
            Attachment("form.docx", DOCX, SMALL_DOCX),
            Attachment("data-pack.xlsx", "application/octet-stream", two_mb),
            Attachment("bulletin.docx", DOCX, two_mb + b"\x01"),
        )
    )

    [message] = graph_server.sent_messages
    assert [(a.name, a.via) for a in message.attachments] == [
        ("form.docx", "inline"),
        ("data-pack.xlsx", "inline"),
        ("bulletin.docx", "post"),
    ]
    assert message.attachments[2].content == two_mb + b"\x01"


def test_every_request_carries_the_decorated_user_agent_and_a_bearer_token_except_uploads(
    graph_server: LoopbackGraph, mailer: GraphMailer
) -> None:
    mailer.send(report_email(Attachment("highlights.docx", DOCX, FOUR_MB)))

    assert {r.headers["User-Agent"] for r in graph_server.requests} == {
        f"NONISV|HullCC|AuditDesk/{__version__}"
    }
    graph_calls = [r for r in graph_server.requests if r.path.startswith("/v1.0/")]
    assert {r.headers["Authorization"] for r in graph_calls} == {"Bearer test-token"}
    assert [r.path.rsplit("/", 1)[-1] for r in graph_calls] == ["messages", "createUploadSession", "send"]


@pytest.mark.parametrize(
    ("step", "status"),
    [("/messages", 429), ("/createUploadSession", 503), ("/send", 429)],
)
def test_throttling_is_honoured_by_waiting_the_retry_after_the_service_asks_for(
    graph_server: LoopbackGraph, mailer: GraphMailer, sleeps: SleepRecorder, step: str, status: int
) -> None:
    graph_server.inject(step, status, retry_after="7", times=2)

    mailer.send(report_email(Attachment("highlights.docx", DOCX, FOUR_MB)))

    assert sleeps.waits == [7.0, 7.0]
    assert len(graph_server.sent_messages) == 1
    assert len(graph_server.messages) == 1, "a throttled create is retried, not duplicated"


def test_a_throttled_upload_range_is_sent_again_from_the_same_byte(
    graph_server: LoopbackGraph, mailer: GraphMailer, sleeps: SleepRecorder
) -> None:
    graph_server.inject("/upload/", 503, retry_after="2")

    mailer.send(report_email(Attachment("highlights.docx", DOCX, FOUR_MB)))

    assert sleeps.waits == [2.0]
    [attachment] = graph_server.sent_messages[0].attachments
    assert attachment.content == FOUR_MB


def test_a_real_wait_is_taken_when_graph_says_retry_after_1(graph_server: LoopbackGraph) -> None:
    mailer = GraphMailer(SENDER, lambda: "test-token", MemorySentLog(), base_url=graph_server.base_url)
    graph_server.inject("/send", 429, retry_after="1")

    started = time.monotonic()
    mailer.send(report_email())

    assert time.monotonic() - started >= 1.0
    assert len(graph_server.sent_messages) == 1


def test_throttling_that_asks_for_too_long_a_wait_fails_now_so_the_queue_can_retry_later(
    graph_server: LoopbackGraph, mailer: GraphMailer, sleeps: SleepRecorder
) -> None:
    graph_server.inject("/send", 429, retry_after="3600")

    with pytest.raises(MailDeliveryFailed, match="wait 3600 s"):
        mailer.send(report_email())

    assert sleeps.waits == []
    assert mailer.send(report_email()).already_sent is False


def test_a_service_that_stays_unavailable_fails_clearly_deletes_the_draft_and_records_nothing(
    graph_server: LoopbackGraph, mailer: GraphMailer, sleeps: SleepRecorder
) -> None:
    graph_server.inject("/send", 503, times=5)

    with pytest.raises(MailDeliveryFailed, match=r"503 ServiceUnavailable.*after 5 attempts"):
        mailer.send(report_email())

    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0], "no Retry-After: exponential backoff"
    [draft] = graph_server.messages.values()
    assert draft.deleted
    assert not draft.sent
    assert not mailer.send(report_email()).already_sent


def test_a_forbidden_mailbox_names_the_permissions_to_check(
    graph_server: LoopbackGraph, mailer: GraphMailer
) -> None:
    graph_server.inject("/messages", 403)

    with pytest.raises(MailDeliveryFailed, match=r"403.*Mail\.Send"):
        mailer.send(report_email())


def test_an_attachment_over_150_mb_is_refused_before_anything_is_sent(
    graph_server: LoopbackGraph, mailer: GraphMailer
) -> None:
    huge = Attachment("everything.zip", "application/zip", bytes(150 * MB + 1))

    with pytest.raises(AttachmentTooLarge, match="150 MB"):
        mailer.send(report_email(huge))

    assert graph_server.requests == []


def test_retry_after_may_be_an_http_date() -> None:
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("12") == 12.0
    assert _retry_after("soon") is None
    assert _retry_after(None) is None


def _grant_mailer(graph_server: LoopbackGraph, tmp_path: Path, roles: tuple[str, ...]) -> GraphMailer:
    token = app_token("mail-app", roles)
    sent_log = SqliteSentLog(tmp_path / "sent.sqlite3")
    return GraphMailer(SENDER, lambda: token, sent_log, base_url=graph_server.base_url, sleep=SleepRecorder())


def test_mail_send_alone_cannot_create_the_message_a_report_needs(
    graph_server: LoopbackGraph, tmp_path: Path
) -> None:
    with pytest.raises(MailDeliveryFailed, match=r"Mail\.ReadWrite"):
        _grant_mailer(graph_server, tmp_path, ("Mail.Send",)).send(report_email())
    assert graph_server.sent_messages == []


def test_mail_readwrite_and_mail_send_are_what_sending_a_report_needs(
    graph_server: LoopbackGraph, tmp_path: Path
) -> None:
    _grant_mailer(graph_server, tmp_path, ("Mail.ReadWrite", "Mail.Send")).send(report_email())
    assert len(graph_server.sent_messages) == 1


def test_the_app_registration_grants_exactly_the_roles_the_calls_need() -> None:
    bicep = (Path(__file__).resolve().parents[2] / "infra" / "app-registration.bicep").read_text()
    granted = set(re.findall(r"appRoleId: (\w+)", bicep))
    assert granted == {"sharePointSitesSelected", "graphMailReadWrite", "graphMailSend"}
    assert "e2a3a72e-5f79-4c64-b1b1-878b674786c9" in bicep  # Graph Mail.ReadWrite (application)
    assert "b633e1c5-b582-4048-a93e-9f11b44c7e96" in bicep  # Graph Mail.Send (application)
