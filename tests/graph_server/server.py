"""A loopback Microsoft Graph for tests: the mail endpoints Audit Desk uses, answering in the
shapes Microsoft documents, on 127.0.0.1 only.

It records what it received (messages, recipients, attachment bytes, request headers) so tests
can assert that everything arrived intact, and it can inject faults (429 with Retry-After, 503)
to show that callers honour throttling.

Behaviours reproduced, each from Microsoft's documentation:

- Create message: ``POST /v1.0/users/{id}/messages`` -> ``201 Created`` with the message (its
  ``id``); inline attachments are ``#microsoft.graph.fileAttachment`` with base64
  ``contentBytes``. https://learn.microsoft.com/graph/api/user-post-messages
- Requests over 4 MB are refused (Graph's REST request size limit, the reason large files need
  an upload session). https://learn.microsoft.com/graph/api/resources/fileattachment and
  https://learn.microsoft.com/graph/outlook-large-attachments
- Add a small attachment: ``POST .../messages/{id}/attachments`` -> ``201 Created``.
  https://learn.microsoft.com/graph/api/message-post-attachments
- Upload session: ``POST .../messages/{id}/attachments/createUploadSession`` with
  ``AttachmentItem`` -> ``201 Created`` with ``uploadUrl``, ``expirationDateTime`` and
  ``nextExpectedRanges: ["0-"]``. https://learn.microsoft.com/graph/api/attachment-createuploadsession
- ``PUT {uploadUrl}`` with ``Content-Range: bytes {start}-{end}/{total}`` and no Authorization
  header (the URL is pre-authenticated); ranges in order, each under 4 MB -> ``200 OK`` with
  ``nextExpectedRanges: ["{next}"]``, and the last one ``201 Created`` with a ``Location``
  header. https://learn.microsoft.com/graph/outlook-large-attachments and
  https://learn.microsoft.com/graph/api/resources/uploadsession
- Send: ``POST .../messages/{id}/send`` with an empty body -> ``202 Accepted``, no body.
  https://learn.microsoft.com/graph/api/message-send
- Delete a draft: ``DELETE .../messages/{id}`` -> ``204 No Content``.
  https://learn.microsoft.com/graph/api/message-delete
- Throttling: ``429 Too Many Requests`` (or ``503``) with a ``Retry-After`` header in seconds and
  an ``{"error": {"code", "message"}}`` body. https://learn.microsoft.com/graph/throttling and
  https://learn.microsoft.com/graph/errors
- Missing bearer token -> ``401`` with an error body. https://learn.microsoft.com/graph/errors
- Permissions: an app-only token (a JWT from ``tests.sharepoint_server.server.app_token``) carries
  ``roles``. Creating a message, adding attachments, upload sessions and deleting a draft need
  ``Mail.ReadWrite`` (https://learn.microsoft.com/graph/api/user-post-messages,
  .../message-post-attachments, .../attachment-createuploadsession, .../message-delete);
  sending a message needs ``Mail.Send`` (https://learn.microsoft.com/graph/api/message-send).
  A missing role is ``403 ErrorAccessDenied``. Opaque fixture tokens (not JWTs) carry
  ``opaque_roles`` (both, by default), so older tests keep their fictional tokens.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.sharepoint_server.server import token_claims

MB = 1024 * 1024
REQUEST_LIMIT_BYTES = 4 * MB


@dataclass
class RecordedAttachment:
    name: str
    content_type: str
    content: bytes
    via: str  # "inline", "post" or "upload-session"


@dataclass
class RecordedMessage:
    id: str
    mailbox: str
    subject: str
    body_type: str
    body: str
    to: list[str]
    cc: list[str]
    attachments: list[RecordedAttachment] = field(default_factory=list)
    sent: bool = False
    deleted: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class Fault:
    """Answer the next ``times`` requests whose path starts or ends with ``path`` with ``status``."""

    path: str
    status: int
    retry_after: str | None
    times: int


@dataclass
class _UploadSession:
    message_id: str
    name: str
    content_type: str
    size: int
    received: bytearray = field(default_factory=bytearray)


class LoopbackGraph:
    """Start with ``with LoopbackGraph() as graph:``; ``graph.base_url`` is the ``/v1.0`` root."""

    def __init__(self) -> None:
        self.messages: dict[str, RecordedMessage] = {}
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._sessions: dict[str, _UploadSession] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.opaque_roles = {"Mail.ReadWrite", "Mail.Send"}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval so shutdown() at the end of each test returns quickly.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="loopback-graph",
            daemon=True,
        )

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1.0"

    def __enter__(self) -> LoopbackGraph:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def inject(self, path: str, status: int, retry_after: str | None = None, times: int = 1) -> None:
        """Fail the next ``times`` requests whose path ends with ``path`` (``/send``) or starts
        with it (``/upload/``) with ``status``."""
        with self._lock:
            self._faults.append(Fault(path, status, retry_after, times))

    @property
    def sent_messages(self) -> list[RecordedMessage]:
        return [m for m in self.messages.values() if m.sent]

    # -- called by the handler, under the lock ------------------------------------------

    def _take_fault(self, path: str) -> Fault | None:
        for fault in self._faults:
            if (path.endswith(fault.path) or path.startswith(fault.path)) and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _next_id(self, prefix: str) -> str:
        # Graph ids are opaque base64-like strings; the "=" checks callers escape them in paths.
        return f"{prefix}{next(self._ids):04d}AAA="


_USER_MESSAGES = re.compile(r"^/v1\.0/users/(?P<mailbox>[^/]+)/messages(?:/(?P<id>[^/]+)(?P<rest>/.*)?)?$")
_UPLOAD = re.compile(r"^/upload/(?P<session>[^/?]+)$")
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _handler_for(graph: LoopbackGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def do_POST(self) -> None:
            self._dispatch()

        def do_PUT(self) -> None:
            self._dispatch()

        def do_DELETE(self) -> None:
            self._dispatch()

        # -- plumbing ------------------------------------------------------------------

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = unquote(urlsplit(self.path).path)
            with graph._lock:
                try:
                    status, headers, payload = self._route(path, body)
                except (ValueError, KeyError, TypeError):
                    # Malformed JSON or a missing property: Graph answers 400 BadRequest.
                    status, headers, payload = 400, {}, _error("BadRequest", "Malformed request body.")
                graph.requests.append(RecordedRequest(self.command, path, dict(self.headers.items()), status))
            self._answer(status, headers, payload)

        def _answer(self, status: int, headers: dict[str, str], payload: dict[str, Any] | None) -> None:
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, path: str, body: bytes) -> tuple[int, dict[str, str], dict[str, Any] | None]:
            fault = graph._take_fault(path)
            if fault is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                code = "TooManyRequests" if fault.status == 429 else "ServiceUnavailable"
                return fault.status, headers, _error(code, "Injected fault.")
            upload = _UPLOAD.match(path)
            if upload and self.command == "PUT":
                return self._upload(upload.group("session"), body)
            match = _USER_MESSAGES.match(path)
            if match is None:
                return 404, {}, _error("ResourceNotFound", "Unsupported path on the loopback Graph.")
            authorization = self.headers.get("Authorization") or ""
            if not authorization.startswith("Bearer "):
                return 401, {}, _error("InvalidAuthenticationToken", "Access token is empty.")
            claims = token_claims(authorization[len("Bearer ") :])
            roles = set(claims.get("roles") or []) if claims is not None else graph.opaque_roles
            needed = "Mail.Send" if self.command == "POST" and path.endswith("/send") else "Mail.ReadWrite"
            if needed not in roles:
                return (
                    403,
                    {},
                    _error("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
                )
            if len(body) > REQUEST_LIMIT_BYTES:
                return 413, {}, _error("RequestEntityTooLarge", "The request exceeds the 4 MB limit.")
            mailbox, message_id, rest = match.group("mailbox"), match.group("id"), match.group("rest") or ""
            if message_id is None and self.command == "POST":
                return self._create_message(mailbox, body)
            message = graph.messages.get(message_id or "")
            if message is None or message.deleted or message.mailbox != mailbox:
                return (
                    404,
                    {},
                    _error("ErrorItemNotFound", "The specified object was not found in the store."),
                )
            if self.command == "DELETE" and rest == "":
                message.deleted = True
                return 204, {}, None
            if self.command == "POST" and rest == "/send":
                if body:
                    return 400, {}, _error("BadRequest", "Send takes no request body (Content-Length: 0).")
                message.sent = True
                return 202, {}, None
            if self.command == "POST" and rest == "/attachments":
                attachment = _attachment(json.loads(body), via="post")
                message.attachments.append(attachment)
                return 201, {}, {"id": graph._next_id("ATT"), "name": attachment.name}
            if self.command == "POST" and rest == "/attachments/createUploadSession":
                return self._create_upload_session(message, json.loads(body))
            return 405, {}, _error("MethodNotAllowed", "Not supported on the loopback Graph.")

        def _create_message(
            self, mailbox: str, body: bytes
        ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
            data = json.loads(body)
            message = RecordedMessage(
                id=graph._next_id("MSG"),
                mailbox=mailbox,
                subject=data.get("subject", ""),
                body_type=data.get("body", {}).get("contentType", ""),
                body=data.get("body", {}).get("content", ""),
                to=[r["emailAddress"]["address"] for r in data.get("toRecipients", [])],
                cc=[r["emailAddress"]["address"] for r in data.get("ccRecipients", [])],
                attachments=[_attachment(a, via="inline") for a in data.get("attachments", [])],
            )
            graph.messages[message.id] = message
            return 201, {}, {"id": message.id, "subject": message.subject, "isDraft": True}

        def _create_upload_session(
            self, message: RecordedMessage, data: dict[str, Any]
        ) -> tuple[int, dict[str, str], dict[str, Any] | None]:
            item = data.get("AttachmentItem", {})
            if item.get("attachmentType") != "file" or not isinstance(item.get("size"), int):
                return 400, {}, _error("BadRequest", "AttachmentItem needs attachmentType 'file' and a size.")
            if item["size"] > 150 * MB:
                return 400, {}, _error("BadRequest", "Attachments are limited to 150 MB.")
            session_id = graph._next_id("SES").rstrip("=")
            graph._sessions[session_id] = _UploadSession(
                message.id,
                item.get("name", ""),
                item.get("contentType", "application/octet-stream"),
                item["size"],
            )
            return (
                201,
                {},
                {
                    "uploadUrl": f"{graph.origin}/upload/{session_id}",
                    "expirationDateTime": "2030-01-01T00:00:00Z",
                    "nextExpectedRanges": ["0-"],
                },
            )

        def _upload(self, session_id: str, body: bytes) -> tuple[int, dict[str, str], dict[str, Any] | None]:
            session = graph._sessions.get(session_id)
            if session is None:
                return 404, {}, _error("ItemNotFound", "Unknown upload session.")
            if self.headers.get("Authorization"):
                # The uploadUrl is pre-authenticated; the docs say not to send Authorization.
                return (
                    401,
                    {},
                    _error("InvalidAuthenticationToken", "Do not send Authorization to uploadUrl."),
                )
            content_range = _CONTENT_RANGE.match(self.headers.get("Content-Range") or "")
            if content_range is None:
                return 400, {}, _error("InvalidContentRange", "Content-Range is required.")
            start, end, total = (int(group) for group in content_range.groups())
            if total != session.size or start != len(session.received) or end - start + 1 != len(body):
                return (
                    416,
                    {},
                    _error("InvalidRange", "Bytes must be uploaded in order and match Content-Range."),
                )
            if len(body) > REQUEST_LIMIT_BYTES:
                return 413, {}, _error("RequestEntityTooLarge", "Keep each range under 4 MB.")
            session.received.extend(body)
            if len(session.received) < session.size:
                return (
                    200,
                    {},
                    {"expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": [str(end + 1)]},
                )
            message = graph.messages[session.message_id]
            message.attachments.append(
                RecordedAttachment(
                    session.name, session.content_type, bytes(session.received), via="upload-session"
                )
            )
            del graph._sessions[session_id]
            location = f"{graph.base_url}/users/{message.mailbox}/messages/{message.id}/attachments/{graph._next_id('ATT')}"
            return 201, {"Location": location}, None

    return Handler


def _attachment(data: dict[str, Any], via: str) -> RecordedAttachment:
    if data.get("@odata.type") != "#microsoft.graph.fileAttachment":
        raise ValueError("Only #microsoft.graph.fileAttachment is supported on the loopback Graph.")
    return RecordedAttachment(
        name=data["name"],
        content_type=data.get("contentType", ""),
        content=base64.b64decode(data["contentBytes"], validate=True),
        via=via,
    )


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
