"""SharePoint REST transport: one ``requests`` session, the app's bearer token, the form digest,
``Retry-After`` honoured, reads retried after a dropped connection, ``$batch`` parts retried alone
when throttled. Counts requests, retries and waits (never contents).

Used by :class:`shared.adapters.lists.sharepoint_store.SharePointListStore`; split out so the store reads as
what it does with lists, and this as how it talks to SharePoint.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from shared.adapters.lists.sp_batch import Operation, OperationResult, build_batch, parse_batch_response
from shared.config import ca_bundle
from shared.services.ports.lists import ListStoreError, StoreStats, WriteOutcomeUnknown

if TYPE_CHECKING:
    from office365.sharepoint.client_context import ClientContext

log = logging.getLogger("shared.adapters.lists.sharepoint_store")

VERBOSE = "application/json;odata=verbose"
MAX_BATCH_OPERATIONS = 100


def user_agent() -> str:
    """Microsoft asks callers to decorate traffic so throttling can tell apps apart."""
    try:
        from importlib.metadata import version

        app_version = version("auditdesk")
    except Exception:  # not installed as a package
        app_version = "0.1.0"
    return f"NONISV|HullCC|AuditDesk/{app_version}"


class Throttled(Exception):
    """429 or 503: SharePoint asks us to wait ``retry_after`` seconds."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"SharePoint answered {status}; retry after {retry_after} s")
        self.status = status
        self.retry_after = retry_after


class Unreachable(ListStoreError):
    """SharePoint could not be reached (DNS, TLS, refused connection) and nothing was sent."""


class SharePointError(ListStoreError):
    """SharePoint refused a request; the message is SharePoint's, with the status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"SharePoint answered {status}: {message}")
        self.status = status


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    max_wait_seconds: float = 120.0  # never sleep longer than this for one Retry-After
    fallback_wait_seconds: float = 2.0  # when SharePoint gives no Retry-After


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_message(response: requests.Response | OperationResult) -> str:
    """SharePoint's error text (verbose or light JSON) with its exception name."""
    try:
        data = response.json()
        error = data.get("error") or data.get("odata.error")
        code = str(error.get("code", "")).partition(", ")[2]
        return str(error["message"]["value"]) + (f" ({code})" if code else "")
    except Exception:
        return f"no details (HTTP {response.status_code if isinstance(response, requests.Response) else response.status})"


class SharePointHttp:
    """How the store talks to one site: every request goes through :meth:`request` or :meth:`batch`."""

    def __init__(
        self,
        site_url: str,
        context: ClientContext,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.site_url = site_url.rstrip("/")
        self.context = context
        self.retry = retry or RetryPolicy()
        self.timeout = timeout_seconds
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": user_agent(), "Accept": VERBOSE})
        # The environment's proxy and CA bundle, read once for the site: left to requests, they
        # (and ~/.netrc) were looked up again on every request (issue 19). A ~/.netrc entry for
        # the site's host can no longer replace the app's bearer token.
        self._session.trust_env = False
        self._session.proxies = requests.utils.get_environ_proxies(self.site_url)
        self._session.verify = ca_bundle()
        self._digest: str | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self._retries = 0
        self._waited = 0.0

    def _authorization(self) -> str:
        from office365.runtime.http.request_options import RequestOptions

        request = RequestOptions(self.site_url)
        self.context.authentication_context.authenticate_request(request)
        return str(request.headers["Authorization"])

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Throttled) and error.retry_after is not None:
            seconds = min(error.retry_after, self.retry.max_wait_seconds)
        else:
            seconds = min(self.retry.fallback_wait_seconds * 2 ** (state.attempt_number - 1), 30.0)
        with self._lock:
            self._retries += 1
            self._waited += seconds
        log.info("SharePoint asked to wait: retry %d in %.1f s", state.attempt_number, seconds)
        return seconds

    def _retrying(self, retry_connection_errors: bool) -> Retrying:
        def should_retry(error: BaseException) -> bool:
            if isinstance(error, Throttled):
                return True
            return retry_connection_errors and isinstance(error, requests.ConnectionError)

        kwargs: dict[str, Any] = {}
        if self._sleep is not None:
            kwargs["sleep"] = self._sleep
        return Retrying(
            retry=retry_if_exception(should_retry),
            wait=self._wait,
            stop=stop_after_attempt(self.retry.max_attempts),
            reraise=True,
            **kwargs,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
        idempotent: bool | None = None,
        stream: bool = False,
    ) -> requests.Response:
        """One REST call, retried on 429/503 after Retry-After, and on dropped connections for reads.

        A write (``idempotent`` false) whose connection drops raises :class:`WriteOutcomeUnknown`:
        it may have been applied, so it is never repeated blindly.
        """
        full = url if url.startswith("http") else f"{self.site_url}/_api/{url}"
        safe = method == "GET" if idempotent is None else idempotent
        if method != "GET":
            self.form_digest()

        def attempt() -> requests.Response:
            sent = {"Authorization": self._authorization(), **(headers or {})}
            if method != "GET":
                sent.setdefault("X-RequestDigest", self.form_digest())
            if json_body is not None:
                sent["Content-Type"] = VERBOSE
            with self._lock:
                self._requests += 1
            response = self._session.request(
                method,
                full,
                data=json.dumps(json_body).encode("utf-8") if json_body is not None else data,
                headers=sent,
                timeout=self.timeout,
                stream=stream,
            )
            if response.status_code in (429, 503):
                raise Throttled(response.status_code, _retry_after(response))
            return response

        try:
            response = self._retrying(safe)(attempt)
        except Throttled as error:
            raise ListStoreError(
                f"SharePoint kept throttling ({error.status}) after {self.retry.max_attempts} attempts: "
                "try again later; nothing was lost."
            ) from error
        except requests.ConnectionError as error:
            if not safe:
                raise WriteOutcomeUnknown(
                    f"The connection to SharePoint dropped during a write ({type(error).__name__}): it may "
                    "or may not have been applied. Re-read the items before redoing it."
                ) from error
            raise Unreachable(
                f"Could not reach SharePoint at {self.site_url} ({type(error).__name__}). Check the site "
                "URL and the network; nothing was changed."
            ) from error
        if response.status_code not in ok:
            raise SharePointError(response.status_code, error_message(response))
        return response

    def sign_in(self) -> None:
        """Sign in and take a form digest now (``auditdesk doctor``'s first check)."""
        self._digest = None
        self.form_digest()

    def form_digest(self) -> str:
        # One contextinfo per store (the digest lasts 30 minutes; a store lives for one run).
        # Asking for a digest changes nothing, so a dropped connection is simply retried.
        if self._digest is None:

            def attempt() -> requests.Response:
                with self._lock:
                    self._requests += 1
                response = self._session.post(
                    f"{self.site_url}/_api/contextinfo",
                    headers={"Authorization": self._authorization(), "Content-Type": VERBOSE},
                    timeout=self.timeout,
                )
                if response.status_code in (429, 503):
                    raise Throttled(response.status_code, _retry_after(response))
                return response

            try:
                response = self._retrying(True)(attempt)
            except Throttled as error:
                raise ListStoreError(
                    f"SharePoint kept throttling ({error.status}): try again later; nothing was lost."
                ) from error
            except requests.ConnectionError as error:
                raise Unreachable(
                    f"Could not reach SharePoint at {self.site_url} ({type(error).__name__}). Check the "
                    "site URL and the network."
                ) from error
            if response.status_code != 200:
                raise SharePointError(response.status_code, error_message(response))
            self._digest = str(response.json()["d"]["GetContextWebInformation"]["FormDigestValue"])
        return self._digest

    def batch(self, operations: Sequence[Operation]) -> list[OperationResult]:
        """Run operations in ``$batch`` requests of at most 100; throttled parts are retried alone."""
        results: list[OperationResult | None] = [None] * len(operations)
        read_only = all(not op.is_write for op in operations)
        for start in range(0, len(operations), MAX_BATCH_OPERATIONS):
            chunk = list(range(start, min(start + MAX_BATCH_OPERATIONS, len(operations))))
            pending = {"indexes": chunk}

            def attempt(pending: dict[str, list[int]] = pending) -> None:
                indexes = pending["indexes"]
                content_type, body = build_batch([operations[i] for i in indexes])
                response = self.request(
                    "POST",
                    "$batch",
                    data=body,
                    headers={"Content-Type": content_type},
                    ok=(200,),
                    idempotent=read_only,
                )
                answers = parse_batch_response(response.headers.get("Content-Type", ""), response.content)
                if len(answers) != len(indexes):
                    raise ListStoreError(
                        f"SharePoint answered {len(answers)} of {len(indexes)} batched operations: retry the run."
                    )
                throttled = [(i, a) for i, a in zip(indexes, answers, strict=True) if a.status in (429, 503)]
                for i, answer in zip(indexes, answers, strict=True):
                    if answer.status not in (429, 503):
                        results[i] = answer
                if throttled:
                    pending["indexes"] = [i for i, _ in throttled]
                    waits = [_retry_after_text(a.headers.get("retry-after")) for _, a in throttled]
                    raise Throttled(
                        throttled[0][1].status, max((w for w in waits if w is not None), default=None)
                    )

            try:
                self._retrying(False)(attempt)
            except Throttled as error:
                raise ListStoreError(
                    f"SharePoint kept throttling parts of a batch ({error.status}): try again later."
                ) from error
        return [r for r in results if r is not None]

    def stats(self) -> StoreStats:
        with self._lock:
            return StoreStats(self._requests, self._retries, self._waited)

    def close(self) -> None:
        self._session.close()


def _retry_after_text(value: str | None) -> float | None:
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None


def list_url(site_url: str, title: str) -> str:
    """The REST address of a list or library by its title (apostrophes doubled, as OData wants)."""
    return f"{site_url}/_api/Web/lists/GetByTitle('{quote(title.replace(chr(39), chr(39) * 2))}')"
