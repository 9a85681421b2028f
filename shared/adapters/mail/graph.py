"""Microsoft Graph: mail sent from a Microsoft 365 mailbox with app-only (certificate) auth.

The shape follows Microsoft's documentation, not a client library (office365-rest-python-client
hard-codes Graph's host and corrupts small binary attachments):

1. ``POST /users/{sender}/messages`` creates a draft with the small attachments inline as
   ``#microsoft.graph.fileAttachment`` (https://learn.microsoft.com/graph/api/user-post-messages).
   The whole request must stay under 4 MB, so inline files are kept under 3 MB in total; a small
   file that does not fit is posted on its own to ``.../messages/{id}/attachments``
   (https://learn.microsoft.com/graph/api/message-post-attachments).
2. Files of 3-150 MB go through an upload session: ``POST .../attachments/createUploadSession``,
   then ``PUT`` byte ranges (< 4 MB each, no Authorization header: the URL is pre-authenticated)
   until the final ``201 Created`` (https://learn.microsoft.com/graph/outlook-large-attachments).
3. ``POST .../messages/{id}/send`` answers ``202 Accepted``
   (https://learn.microsoft.com/graph/api/message-send).

429 and 503 answers are retried after the ``Retry-After`` the service asks for
(https://learn.microsoft.com/graph/throttling); the User-Agent is decorated as Microsoft asks
(``NONISV|HullCC|AuditDesk/<version>``). If a step fails after the draft exists, the draft is
deleted so a retry does not leave stray drafts in the mailbox.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from shared import __version__
from shared.services.ports.mail import (
    Attachment,
    AttachmentTooLarge,
    MailConfigurationError,
    MailDeliveryFailed,
    Mailer,
    OutgoingMessage,
    SentLog,
    SentMessage,
    utc_now,
)

log = logging.getLogger(__name__)

MB = 1024 * 1024
INLINE_LIMIT_BYTES = 3 * MB
UPLOAD_SESSION_LIMIT_BYTES = 150 * MB
UPLOAD_CHUNK_BYTES = 3 * MB
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
USER_AGENT = f"NONISV|HullCC|AuditDesk/{__version__}"
RETRYABLE_STATUS = frozenset({429, 503, 504})

TokenProvider = Callable[[], str]


class GraphMailer(Mailer):
    transport = "graph"

    def __init__(
        self,
        sender: str,
        token_provider: TokenProvider,
        sent_log: SentLog,
        *,
        base_url: str = "https://graph.microsoft.com/v1.0",
        session: requests.Session | None = None,
        attempts: int = 5,
        max_wait_seconds: float = 120.0,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(sent_log, clock)
        self.sender = sender
        self.base_url = base_url.rstrip("/")
        self._token = token_provider
        self._session = session or requests.Session()
        self._attempts = attempts
        self._max_wait = max_wait_seconds
        self._timeout = timeout_seconds
        self._sleep = sleep

    # -- the three documented steps -------------------------------------------------------

    def _deliver(self, message: OutgoingMessage) -> SentMessage:
        for position, attachment in enumerate(message.attachments, start=1):
            if len(attachment.content) > UPLOAD_SESSION_LIMIT_BYTES:
                raise AttachmentTooLarge(
                    f"Attachment {position} is {len(attachment.content) / MB:.1f} MB; Microsoft Graph "
                    "accepts attachments up to 150 MB. Share a link to the file in SharePoint instead."
                )
        inline, posted, uploaded = _plan_attachments(message.attachments)
        mailbox = f"{self.base_url}/users/{quote(self.sender, safe='@')}"
        created = self._call(
            "POST",
            f"{mailbox}/messages",
            "create the message",
            json=_message_json(message, inline),
            expect=(201,),
        )
        message_id = _json(created, "create the message").get("id")
        if not isinstance(message_id, str) or not message_id:
            raise MailDeliveryFailed(
                "Microsoft Graph created the message but returned no id; nothing was sent."
            )
        draft = f"{mailbox}/messages/{quote(message_id, safe='')}"
        try:
            for attachment in posted:
                self._call(
                    "POST",
                    f"{draft}/attachments",
                    "add an attachment",
                    json=_file_attachment(attachment),
                    expect=(201,),
                )
            for attachment in uploaded:
                self._upload(draft, attachment)
            self._call("POST", f"{draft}/send", "send the message", expect=(202,))
        except Exception:
            self._discard_draft(draft)
            raise
        return SentMessage(
            idempotency_key=message.idempotency_key,
            transport=self.transport,
            message_id=message_id,
            location=self.sender,
            sent_at=self._clock(),
        )

    def _upload(self, draft: str, attachment: Attachment) -> None:
        size = len(attachment.content)
        created = self._call(
            "POST",
            f"{draft}/attachments/createUploadSession",
            "create an attachment upload session",
            json={
                "AttachmentItem": {
                    "attachmentType": "file",
                    "name": attachment.filename,
                    "size": size,
                    "contentType": attachment.content_type,
                }
            },
            expect=(201,),
        )
        session = _json(created, "create an attachment upload session")
        upload_url = session.get("uploadUrl")
        if not isinstance(upload_url, str):
            raise MailDeliveryFailed("Microsoft Graph opened an upload session without an uploadUrl.")
        start = _next_start(session)
        # Each PUT advances by at least one byte or fails, so this bound is never the limit in practice.
        for _ in range(size // UPLOAD_CHUNK_BYTES + 2 * self._attempts + 2):
            end = min(start + UPLOAD_CHUNK_BYTES, size) - 1
            response = self._call(
                "PUT",
                upload_url,
                "upload attachment bytes",
                data=attachment.content[start : end + 1],
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"bytes {start}-{end}/{size}",
                },
                authenticated=False,
                expect=(200, 201),
            )
            if response.status_code == 201:
                log.info("graph upload session finished: %d byte(s)", size)
                return
            start = _next_start(_json(response, "upload attachment bytes"))
            if start >= size:
                break
        raise MailDeliveryFailed(
            "Microsoft Graph's upload session did not confirm the attachment was complete; nothing was sent."
        )

    def _discard_draft(self, draft: str) -> None:
        try:
            self._session.delete(draft, headers=self._headers(authenticated=True), timeout=self._timeout)
        except (requests.RequestException, MailConfigurationError):
            log.warning("graph draft could not be deleted after a failed send")

    # -- one HTTP call with throttling honoured ---------------------------------------------

    def _headers(self, *, authenticated: bool) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if authenticated:
            headers["Authorization"] = f"Bearer {self._token()}"
        return headers

    def _call(
        self,
        method: str,
        url: str,
        step: str,
        *,
        json: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        expect: tuple[int, ...],
    ) -> requests.Response:
        for attempt in range(1, self._attempts + 1):
            request_headers = {**self._headers(authenticated=authenticated), **(headers or {})}
            try:
                response = self._session.request(
                    method, url, json=json, data=data, headers=request_headers, timeout=self._timeout
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt == self._attempts:
                    raise MailDeliveryFailed(
                        f"Could not reach Microsoft Graph to {step} after {attempt} attempts "
                        f"({type(error).__name__}); nothing was sent. Try again later."
                    ) from error
                self._sleep(_backoff(attempt))
                continue
            if response.status_code in expect:
                return response
            if response.status_code in RETRYABLE_STATUS and attempt < self._attempts:
                wait = _retry_after(response.headers.get("Retry-After")) or _backoff(attempt)
                if wait > self._max_wait:
                    raise MailDeliveryFailed(
                        f"Microsoft Graph is throttling this app and asks it to wait {wait:.0f} s before it "
                        f"tries to {step} again; nothing was sent. Try again later."
                    )
                log.warning("graph throttled (%d) on %s: waiting %.1f s", response.status_code, step, wait)
                self._sleep(wait)
                continue
            raise MailDeliveryFailed(_failure(response, step, attempt))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _plan_attachments(
    attachments: tuple[Attachment, ...],
) -> tuple[list[Attachment], list[Attachment], list[Attachment]]:
    """Split attachments into (inline in the create request, posted one by one, upload session)."""
    inline: list[Attachment] = []
    posted: list[Attachment] = []
    uploaded: list[Attachment] = []
    inline_bytes = 0
    for attachment in attachments:
        size = len(attachment.content)
        if size >= INLINE_LIMIT_BYTES:
            uploaded.append(attachment)
        elif inline_bytes + size < INLINE_LIMIT_BYTES:
            inline.append(attachment)
            inline_bytes += size
        else:
            posted.append(attachment)
    return inline, posted, uploaded


def _message_json(message: OutgoingMessage, inline: list[Attachment]) -> dict[str, Any]:
    # Graph holds one body: HTML when there is one (Outlook derives the text), else the text.
    if message.html_body is not None:
        body = {"contentType": "HTML", "content": message.html_body}
    else:
        body = {"contentType": "Text", "content": message.text_body}
    return {
        "subject": message.subject,
        "body": body,
        "toRecipients": [{"emailAddress": {"address": address}} for address in message.to],
        "ccRecipients": [{"emailAddress": {"address": address}} for address in message.cc],
        "attachments": [_file_attachment(attachment) for attachment in inline],
    }


def _file_attachment(attachment: Attachment) -> dict[str, str]:
    return {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": attachment.filename,
        "contentType": attachment.content_type,
        "contentBytes": base64.b64encode(attachment.content).decode("ascii"),
    }


def _json(response: requests.Response, step: str) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError as error:
        raise MailDeliveryFailed(f"Microsoft Graph's answer to '{step}' was not JSON.") from error
    if not isinstance(value, dict):
        raise MailDeliveryFailed(f"Microsoft Graph's answer to '{step}' was not a JSON object.")
    return value


def _next_start(session: Mapping[str, Any]) -> int:
    """Where to upload from next. Outlook answers a single ``"{start}"`` (or ``"0-"`` at first)."""
    ranges = session.get("nextExpectedRanges")
    if not isinstance(ranges, list) or not ranges or not isinstance(ranges[0], str):
        raise MailDeliveryFailed("Microsoft Graph's upload session did not say which bytes it expects next.")
    match = re.match(r"^(\d+)", ranges[0])
    if match is None:
        raise MailDeliveryFailed("Microsoft Graph's upload session gave an unreadable nextExpectedRanges.")
    return int(match.group(1))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait: Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _backoff(attempt: int) -> float:
    return float(min(2 ** (attempt - 1), 30))


def _failure(response: requests.Response, step: str, attempt: int) -> str:
    """Status and Graph's error code only: Graph's error messages can quote addresses."""
    try:
        code = response.json().get("error", {}).get("code", "")
    except (ValueError, AttributeError):
        code = ""
    status = response.status_code
    detail = f"{status} {code}".strip()
    hint = {
        401: "Check the app registration's certificate and tenant.",
        403: "Check the app has the Mail.Send and Mail.ReadWrite application permissions and that any "
        "application access policy includes the sender mailbox.",
        404: "Check AUDITDESK_MAIL_SENDER names an existing mailbox.",
        413: "The message is too large for Microsoft Graph.",
    }.get(status, "Nothing was sent; try again later.")
    if status in RETRYABLE_STATUS:
        hint = f"Still failing after {attempt} attempts; nothing was sent. Try again later."
    return f"Microsoft Graph answered {detail} when asked to {step}. {hint}"


# -- app-only auth ----------------------------------------------------------------------------

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.DOTALL)


def certificate_credential(certificate_path: Path, password: str | None = None) -> dict[str, Any]:
    """The msal ``client_credential`` for a certificate file: a .pfx/.p12, or a PEM holding the
    private key and the certificate (the thumbprint is computed from the certificate)."""
    if not certificate_path.is_file():
        raise MailConfigurationError(
            f"The Graph certificate file {certificate_path} does not exist; check AUDITDESK_GRAPH_CERTIFICATE_PATH."
        )
    if certificate_path.suffix.lower() in {".pfx", ".p12"}:
        credential: dict[str, Any] = {"private_key_pfx_path": str(certificate_path)}
    else:
        blocks = {
            match.group(1): match.group(0) for match in _PEM_BLOCK.finditer(certificate_path.read_text())
        }
        key = next((text for kind, text in blocks.items() if kind.endswith("PRIVATE KEY")), None)
        certificate = blocks.get("CERTIFICATE")
        if key is None or certificate is None:
            raise MailConfigurationError(
                f"The Graph certificate file {certificate_path} must hold both a PRIVATE KEY and a "
                "CERTIFICATE block (or be a .pfx file)."
            )
        credential = {"private_key": key, "public_certificate": certificate}
    if password:
        credential["passphrase"] = password
    return credential


def certificate_token_provider(
    tenant_id: str,
    client_id: str,
    certificate_path: Path,
    password: str | None = None,
    authority_host: str = "https://login.microsoftonline.com",
) -> TokenProvider:
    """A token function for Graph's app-only flow. msal caches the token until it expires; the
    msal application is only built (and the authority contacted) on the first call."""
    credential = certificate_credential(certificate_path, password)
    applications: list[Any] = []

    def token() -> str:
        import msal  # imported here: about 100 ms of cold start that outbox users never pay

        if not applications:
            applications.append(
                msal.ConfidentialClientApplication(
                    client_id, authority=f"{authority_host}/{tenant_id}", client_credential=credential
                )
            )
        result = applications[0].acquire_token_for_client(scopes=[GRAPH_SCOPE])
        access_token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(access_token, str):
            error = result.get("error", "unknown") if isinstance(result, dict) else "unknown"
            raise MailConfigurationError(
                f"Microsoft Entra ID gave no Graph token ({error}). Check AUDITDESK_GRAPH_TENANT_ID, "
                "AUDITDESK_GRAPH_CLIENT_ID and that the certificate is uploaded to the app registration."
            )
        return access_token

    return token
