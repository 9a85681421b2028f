"""A loopback SharePoint Online REST server: the behaviour the adapter relies on, and faults.

Test infrastructure, not a product. It keeps lists in memory and answers the requests the
adapter (and office365-rest-python-client 3.3.0, see /work/shared/notes/traces) send, in the
documented ``application/json;odata=verbose`` shapes. Each behaviour cites its Microsoft doc.

Docs cited below (all on learn.microsoft.com):
[BASIC]    /sharepoint/dev/sp-add-ins/complete-basic-operations-using-sharepoint-rest-endpoints
[ITEMS]    /sharepoint/dev/sp-add-ins/working-with-lists-and-list-items-with-rest
[ODATA]    /sharepoint/dev/sp-add-ins/use-odata-query-operations-in-sharepoint-rest-requests
[BATCH]    /sharepoint/dev/sp-add-ins/make-batch-requests-with-the-rest-apis
[FILES]    /sharepoint/dev/sp-add-ins/working-with-folders-and-files-with-rest
[THROTTLE] /sharepoint/dev/general-development/how-to-avoid-getting-throttled-or-blocked-in-sharepoint-online
[CHANGES]  /previous-versions/office/sharepoint-server/ee538238(v=office.15) (SPChangeQuery) and
           /previous-versions/office/developer/sharepoint-rest-reference/dn531433(v=office.15) (List.GetChanges)
[FIELDS]   /previous-versions/office/developer/sharepoint-rest-reference/dn600182(v=office.15) (Field, CreateFieldAsXml)
[VIEWS]    /previous-versions/office/developer/sharepoint-rest-reference/dn531433(v=office.15)#view-resource
[LARGE]    /troubleshoot/sharepoint/lists-and-libraries/items-exceeds-list-view-threshold
[HOOKS]    /sharepoint/dev/apis/webhooks/lists/create-subscription and .../overview-sharepoint-webhooks
[PATHS]    /sharepoint/dev/solution-guidance/supporting-and-in-file-and-folder-with-the-resourcepath-api
[JSONLIGHT] /sharepoint/dev/general-development/json-light-support-rest-sharepoint-api (Accept shapes)
[TZ]       /previous-versions/office/sharepoint-server/jj246418(v=office.15) (SP.TimeZone, RegionalSettings)
           and sp-dev-docs issue 6083 / pnpjs issue 1890 (date-only columns come back as local midnight in UTC)
[LOG]      /previous-versions/office/developer/sharepoint-2010/bb417456(v=office.14) (change log kept
           60 days) and /previous-versions/office/sharepoint-server/ee536137(v=office.15)
           (SPInvalidChangeTokenException for a token older than the log)
[URL]      sp-dev-docs issue 7848, pnpjs issue 2678: URLs past about 2,000 characters fail
[SELECTED] /graph/api/site-post-permissions (Sites.Selected: read, write, manage, fullcontrol per site)

Strictness switches and test hooks (all on :class:`LoopbackSharePoint`):

- ``time_zone`` (default ``"Europe/London"``, SharePoint's "GMT Standard Time", id 2) is what
  ``web/RegionalSettings/TimeZone`` answers; :meth:`type_date_in_ui` stores a date-only value the
  way the web UI does (local midnight, in UTC).
- ``list_view_threshold`` (5,000): on bigger lists the first indexed clause of a filter must match
  fewer items, and person-column projections (``X/EMail``) are refused.
- ``max_url_length`` (2,048): longer request URLs (and batch part URLs) get ``414``.
- ``change_log_days`` (60) and :meth:`age_change_log`: tokens older than the log are refused with
  SharePoint's ``SPInvalidChangeTokenException``.
- Permissions: a bearer token is an (unsigned) JWT from :func:`app_token` whose ``roles`` and
  ``appid`` are checked against ``site_grants`` (Sites.Selected: read < write < manage <
  fullcontrol), or one of ``opaque_tokens`` (the fictional fixture token, granted ``manage``).
  Reads need read, item and file writes need write, lists, fields, views and webhook
  subscriptions need manage.

Fault injection (for crash tests; :meth:`set_faults` with a :class:`FaultPlan`):

- ``FaultPlan(queued=[("status", 429), ("drop", 0), ("slow", 200)])``: the next requests, in order.
- ``FaultPlan(at_request={3: "drop-before", 5: "drop-after"})``: by request number, counted from
  1 since the last :meth:`reset_counts` / :meth:`set_faults`. ``drop-before`` closes the connection
  without doing anything; ``drop-after`` applies the request (a whole ``$batch`` included) and
  then closes the connection without answering, so the caller cannot know the outcome.
- ``FaultPlan(fail_paths={"/getchanges": 500})``: every request (or batch part) whose URL
  contains the fragment gets that status, for proving that a check reports the failure.
- ``FaultPlan(ignore_if_match=True)``: stale ETags are not refused (as behind a broken proxy).
- ``throttle_ratio`` / ``throttle_status`` / ``retry_after``: a share of requests throttled.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import re
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

import requests

from tests.sharepoint_server import odata_filter

VERBOSE = "application/json;odata=verbose"
DIGEST = "0xLOOPBACKDIGEST,01 Jan 2026 00:00:00 -0000"
FIELD_KINDS = {
    "Text": 2,
    "Note": 3,
    "DateTime": 4,
    "Choice": 6,
    "Lookup": 7,
    "Boolean": 8,
    "Number": 9,
    "User": 20,
}
BUILT_IN = ("Title", "FileLeafRef")
LEVELS = {"read": 1, "write": 2, "manage": 3, "fullcontrol": 4}
FIXTURE_TOKEN = "fictional-test-token"  # the fixtures' opaque token: an app granted "manage"
TICKS_AT_EPOCH = 621355968000000000  # .NET ticks of 1970-01-01T00:00:00Z


def app_token(appid: str = "auditdesk-test-app", roles: tuple[str, ...] = ("Sites.Selected",)) -> str:
    """An unsigned JWT shaped like Entra's app-only token (``appid``, ``roles``): tests only."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'appid': appid, 'roles': list(roles)})}.sig"


def token_claims(token: str) -> dict[str, Any] | None:
    bits = token.split(".")
    if len(bits) != 3:
        return None
    try:
        padded = bits[1] + "=" * (-len(bits[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def ticks(when: dt.datetime) -> int:
    return TICKS_AT_EPOCH + int(when.timestamp() * 10_000_000)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(payload).encode(), {"Content-Type": VERBOSE, **(headers or {})})

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        code: str = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
    ) -> Response:
        # [BASIC] errors come back as {"error": {"code", "message": {"lang", "value"}}}.
        return cls.json({"error": {"code": code, "message": {"lang": "en-US", "value": message}}}, status)


@dataclass
class SPField:
    internal_name: str
    type: str
    title: str
    choices: list[str] = field(default_factory=list)
    indexed: bool = False
    lookup_list: str | None = None
    display_format: int = 1
    custom_formatter: str = ""


@dataclass
class SPView:
    title: str
    query: str
    fields: list[str]
    custom_formatter: str = ""


@dataclass
class SPItem:
    id: int
    version: int
    values: dict[str, Any]


@dataclass
class SPList:
    id: str
    title: str
    url_name: str
    base_template: int  # 100 list, 101 document library
    fields: dict[str, SPField] = field(default_factory=dict)
    views: dict[str, SPView] = field(default_factory=dict)
    items: dict[int, SPItem] = field(default_factory=dict)
    next_id: int = 1
    changes: list[tuple[int, int, int, str]] = field(default_factory=list)  # (number, item, type, time)
    recycle_bin: dict[int, SPItem] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def entity_type(self) -> str:
        # [ITEMS] ListItemEntityTypeFullName is SP.Data.<ListUrlName>ListItem (libraries: ...Item).
        suffix = "Item" if self.base_template == 101 else "ListItem"
        return f"SP.Data.{self.url_name.replace(' ', '_x0020_')}{suffix}"


@dataclass
class FaultPlan:
    """Faults to inject: a share of requests throttled, slow answers, dropped connections."""

    throttle_ratio: float = 0.0
    throttle_status: int = 429
    retry_after: int = 1
    delay_seconds: float = 0.0
    seed: int = 7
    queued: list[tuple[str, int]] = field(
        default_factory=list
    )  # ("status", 429) / ("drop", 0) / ("slow", ms)
    at_request: dict[int, str] = field(default_factory=dict)  # n -> "drop-before" | "drop-after"
    fail_paths: dict[str, int] = field(default_factory=dict)  # URL fragment (lower case) -> status
    ignore_if_match: bool = False  # a broken proxy that drops IF-MATCH: stale writes succeed


@dataclass
class Recorded:
    """One request as received (batch parts too): for comparing with what Microsoft's clients send."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class LoopbackSharePoint:
    """One site collection at ``http://127.0.0.1:<port>/sites/qa``."""

    def __init__(
        self, site_path: str = "/sites/qa", list_view_threshold: int = 5000, default_page_size: int = 100
    ) -> None:
        self.site_path = site_path
        self.time_zone = "Europe/London"  # "GMT Standard Time" ([TZ]); SharePoint's id 2
        self.max_url_length = 2048  # [URL]
        self.change_log_days = 60  # [LOG]
        self.change_log_start = 0  # changes numbered at or below this have left the log
        self.site_grants: dict[str, str] = {"auditdesk-test-app": "manage"}  # [SELECTED]
        self.opaque_tokens: dict[str, str] = {FIXTURE_TOKEN: "manage"}
        self.request_number = 0
        self.recorded: list[Recorded] = []
        self.recorded_parts: list[Recorded] = []
        self.folders: set[str] = set()  # extra folders inside libraries (server-relative, lower case)
        self.list_view_threshold = list_view_threshold
        self.default_page_size = default_page_size
        self.lists: dict[str, SPList] = {}
        self.files: dict[str, bytes] = {}  # server-relative url -> bytes
        self.users: dict[str, int] = {}
        self.change_number = 0
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self._random = random.Random(self.faults.seed)
        self.requests: list[tuple[str, str]] = []  # (method, path) of every HTTP request received
        self.batch_parts = 0
        self.waits_announced: list[float] = []
        self.user_agents: Counter[str] = Counter()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------
    def start(self) -> LoopbackSharePoint:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # header and body go out as separate writes

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action, response = server.handle_http(
                    self.command, self.path, dict(self.headers.items()), body
                )
                if action in ("drop", "drop-before", "drop-after"):
                    self.close_connection = True
                    self.connection.close()
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                try:
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    # A client may hang up mid-body (the adapter refuses an oversized file from
                    # its Content-Length): as SharePoint does, stop sending.
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_MERGE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{self.site_path}"

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackSharePoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self.lock:
            self.request_number = 0
            self.recorded.clear()
            self.recorded_parts.clear()
            self.requests.clear()
            self.batch_parts = 0
            self.waits_announced.clear()

    def clear_items(self) -> None:
        """Empty every list and library but keep lists, columns and views (between tests)."""
        with self.lock:
            for sp_list in self.lists.values():
                sp_list.items.clear()
                sp_list.changes.clear()
                sp_list.subscriptions.clear()
                sp_list.recycle_bin.clear()
            self.files.clear()
            self.folders.clear()
            self.change_log_start = 0
            self.site_grants = {"auditdesk-test-app": "manage"}
            self.opaque_tokens = {FIXTURE_TOKEN: "manage"}
            self.set_faults(FaultPlan())

    def set_faults(self, plan: FaultPlan) -> None:
        with self.lock:
            self.faults = plan
            self.request_number = 0
            self._random = random.Random(plan.seed)

    def age_change_log(self) -> None:
        """Let every change so far leave the change log, as after 60 quiet days ([LOG])."""
        with self.lock:
            self.change_log_start = self.change_number

    def type_date_in_ui(self, title: str, item_id: int, column: str, day: dt.date) -> None:
        """Set a date-only column as the web UI does: the site's local midnight, stored in UTC ([TZ])."""
        local = dt.datetime.combine(day, dt.time(0), ZoneInfo(self.time_zone))
        with self.lock:
            sp_list = self.lists[title]
            item = sp_list.items[item_id]
            item.values[column] = local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            item.version += 1
            self._record_change(sp_list, item_id, 2)

    # --- HTTP entry -------------------------------------------------------------------------
    def handle_http(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[str, Response]:
        with self.lock:
            self.requests.append((method, raw_path))
            self.recorded.append(Recorded(method, raw_path, dict(headers), body))
            self.request_number += 1
            planned = self.faults.at_request.get(self.request_number)
            self.user_agents[headers.get("User-Agent", "")] += 1
            fault = self._next_fault()
        if planned == "drop-before":
            return "drop-before", Response(0)
        if planned == "drop-after":
            self._answer(method, raw_path, headers, body)
            return "drop-after", Response(0)
        if fault is not None:
            kind, value = fault
            if kind == "drop":
                return "drop", Response(0)
            if kind == "slow":
                time.sleep(value / 1000)
            else:
                # [THROTTLE] 429 (or 503 when the farm is busy) with Retry-After in seconds.
                with self.lock:
                    self.waits_announced.append(float(self.faults.retry_after))
                throttled = Response.error(
                    value,
                    "The request has been throttled: retry after the time in Retry-After.",
                    "-2147024860, Microsoft.SharePoint.SPRequestThrottledException",
                )
                throttled.headers["Retry-After"] = str(self.faults.retry_after)
                return "send", throttled
        if self.faults.delay_seconds:
            time.sleep(self.faults.delay_seconds)
        return "send", self._answer(method, raw_path, headers, body)

    def _answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        lower = {k.lower(): v for k, v in headers.items()}
        accept = lower.get("accept", VERBOSE)
        try:
            if len(raw_path) + len(self.url) - len(self.site_path) > self.max_url_length:
                # [URL] SharePoint Online refuses request URLs past its limit.
                raise _HttpError(414, "Request-URI Too Long", "-1, System.UriFormatException")
            level = self._grant(lower.get("authorization", ""))
            with self.lock:
                response = self.dispatch(method, raw_path, lower, body, level)
        except _HttpError as error:
            response = Response.error(error.status, error.message, error.code)
        return _shape(response, accept)

    def _grant(self, authorization: str) -> int:
        """The site permission the bearer token carries ([SELECTED]); 401 without a valid token."""
        if not authorization.startswith("Bearer "):
            # App-only calls carry an OAuth bearer token (certificate-based in production).
            raise _HttpError(
                401, "Unauthorized: no bearer token.", "-2147024891, System.UnauthorizedAccessException"
            )
        token = authorization[len("Bearer ") :]
        if token in self.opaque_tokens:
            return LEVELS[self.opaque_tokens[token]]
        claims = token_claims(token)
        if claims is None:
            raise _HttpError(401, "Invalid JWT token.", "-2147024891, System.UnauthorizedAccessException")
        roles = set(claims.get("roles") or [])
        if roles & {"Sites.FullControl.All"}:
            return LEVELS["fullcontrol"]
        if "Sites.Selected" not in roles:
            raise _HttpError(
                401,
                "Unsupported app only token: no SharePoint role.",
                "-2147024891, System.UnauthorizedAccessException",
            )
        # Sites.Selected grants nothing until a site permission is granted to the app.
        return LEVELS.get(self.site_grants.get(str(claims.get("appid")), ""), 0)

    def _next_fault(self) -> tuple[str, int] | None:
        plan = self.faults
        if plan.queued:
            return plan.queued.pop(0)
        if plan.throttle_ratio and self._random.random() < plan.throttle_ratio:
            return ("status", plan.throttle_status)
        return None

    # --- routing ----------------------------------------------------------------------------
    def dispatch(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, level: int = 4
    ) -> Response:
        for fragment, status in self.faults.fail_paths.items():
            if fragment in raw_path.lower():
                raise _HttpError(status, "Injected failure.", "-2147024809, System.ArgumentException")
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        prefix = self.site_path + "/_api/"
        if not path.lower().startswith(prefix.lower()):
            raise _HttpError(404, f"No such endpoint: {path}")
        route = path[len(prefix) :]
        verb = headers.get("x-http-method", method).upper()
        digest = headers.get("x-requestdigest")
        if method == "POST" and route.lower() != "contextinfo" and digest and digest != DIGEST:
            # [BASIC] without OAuth a POST needs the form digest from /_api/contextinfo; with a
            # bearer token none is needed, but a wrong one is still refused.
            raise _HttpError(
                403,
                "The security validation for this page is invalid. Refresh the form digest.",
                "-2130575251, Microsoft.SharePoint.SPException",
            )
        low = route.lower()
        needed = _level_needed(verb, low)
        if level < needed:
            raise _HttpError(
                403,
                "Access denied. You do not have permission to perform this action or access this resource.",
                "-2147024891, System.UnauthorizedAccessException",
            )
        if low == "contextinfo":
            return self._contextinfo()
        if low == "$batch":
            return self._batch(headers, body, level)
        if low == "web/regionalsettings/timezone":
            return self._time_zone_json()
        if low == "web/siteusers":
            return self._site_users(query)
        if low == "web/ensureuser":
            return self._ensure_user(json.loads(body or b"{}"))
        m = re.match(r"web/ensureuser\('(.+)'\)$", route, re.I)
        if m:  # the client library's form: the logon name as a function argument
            return self._ensure_user({"logonName": m.group(1)})
        if low == "web/lists":
            return self._lists(verb, body, query)
        m = re.match(
            r"web/(?:getfolderbyserverrelativeurl\('((?:[^']|'')*)'\)"
            r"|getfolderbyserverrelativepath\(decodedurl='((?:[^']|'')*)'\))"
            r"/files/(add|addusingpath)\((.*)\)$",
            route,
            re.I,
        )
        if m:
            # [PATHS] the string-based APIs (GetFolderByServerRelativeUrl, Files/add(url=...)) take
            # % and # as signs of an encoded URL: such a name is decoded again and cut at the '#'.
            # The ResourcePath APIs (GetFolderByServerRelativePath, Files/AddUsingPath) take the
            # decoded path: '#' and '%' are plain characters.
            folder = _legacy(_undouble(m.group(1))) if m.group(1) is not None else _undouble(m.group(2))
            args = _args(m.group(4))
            legacy = m.group(3).lower() == "add"
            name = _legacy(args.get("url", "")) if legacy else args.get("decodedurl", "")
            return self._file_add(folder, name, args, body, query)
        m = re.match(
            r"web/(?:getfilebyserverrelativeurl\('((?:[^']|'')*)'\)"
            r"|getfilebyserverrelativepath\(decodedurl='((?:[^']|'')*)'\))"
            r"(/\$value|/listitemallfields|)$",
            route,
            re.I,
        )
        if m:
            url = _legacy(_undouble(m.group(1))) if m.group(1) is not None else _undouble(m.group(2))
            return self._file_get(url, m.group(3).lower().lstrip("/"), query, verb)
        m = re.match(
            r"web/lists(?:/getbytitle\('((?:[^']|'')+)'\)|\(guid'([0-9a-f-]+)'\)|\('([0-9a-f-]+)'\))(.*)$",
            route,
            re.I,
        )
        if m:
            sp_list = self._find_list(m.group(1), m.group(2) or m.group(3))
            return self._list_route(sp_list, verb, m.group(4), query, headers, body)
        raise _HttpError(404, f"The loopback server does not implement {route}")

    def _find_list(self, title: str | None, list_id: str | None) -> SPList:
        if title is not None:
            title = title.replace("''", "'")
            for sp_list in self.lists.values():
                if sp_list.title.lower() == title.lower():
                    return sp_list
            raise _HttpError(
                404,
                f"List '{title}' does not exist at site with URL '{self.site_path}'.",
                "-1, System.ArgumentException",
            )
        for sp_list in self.lists.values():
            if sp_list.id == list_id:
                return sp_list
        raise _HttpError(404, "List does not exist.", "-1, System.ArgumentException")

    def _list_route(
        self,
        sp_list: SPList,
        verb: str,
        rest: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        low = rest.lower()
        if low == "":
            if verb == "DELETE":
                # [BASIC] DELETE on a list removes it (to the recycle bin).
                del self.lists[sp_list.title]
                for url in [
                    u
                    for u in self.files
                    if u.lower().startswith(f"{self.site_path}/{sp_list.url_name}/".lower())
                ]:
                    del self.files[url]
                return Response(200, b"", {"Content-Type": VERBOSE})
            if verb == "MERGE":
                data = json.loads(body)
                if "Title" in data:
                    del self.lists[sp_list.title]
                    sp_list.title = data["Title"]
                    self.lists[sp_list.title] = sp_list
                return Response(204)
            return Response.json({"d": _select(self._list_json(sp_list), query)})
        if low == "/items" and verb == "GET":
            return self._query_items(sp_list, query)
        if low == "/items" and verb == "POST":
            return self._add_item(sp_list, json.loads(body or b"{}"), _verbose_body(headers))
        m = re.match(
            r"/(?:items\((\d+)\)|getitembyid\((\d+)\)|items/getbyid\((\d+)\))(/parentlist|/recycle)?$",
            rest,
            re.I,
        )
        if m:
            # [ITEMS] items(n), getItemById(n) and items/GetById(n) all address one item.
            item_id = int(m.group(1) or m.group(2) or m.group(3))
            suffix = (m.group(4) or "").lower()
            if suffix == "/parentlist":
                return Response.json({"d": _select(self._list_json(sp_list), query)})
            if verb == "DELETE" or (suffix == "/recycle" and verb == "POST"):
                # [ITEMS] DELETE (or recycle) removes the item; GetChanges reports DeleteObject (3).
                item = self._item_or_404(sp_list, item_id)
                del sp_list.items[item_id]
                sp_list.recycle_bin[item_id] = item
                self._record_change(sp_list, item_id, 3)
                return Response(200, b"", {"Content-Type": VERBOSE})
            if verb == "MERGE":
                return self._merge_item(
                    sp_list, item_id, headers, json.loads(body or b"{}"), _verbose_body(headers)
                )
            item = self._item_or_404(sp_list, item_id)
            return Response.json(
                {"d": self._item_json(sp_list, item, query)}, headers={"ETag": f'"{item.version}"'}
            )
        if low == "/getchanges":
            return self._get_changes(sp_list, json.loads(body or b"{}"))
        if low == "/fields" and verb == "GET":
            return Response.json({"d": {"results": [self._field_json(f) for f in self._all_fields(sp_list)]}})
        if low == "/fields/createfieldasxml":
            return self._create_field(sp_list, json.loads(body))
        m = re.match(r"/fields/getbyinternalnameortitle\('(.+?)'\)$", rest, re.I)
        if m:
            return self._update_field(sp_list, m.group(1), verb, json.loads(body or b"{}"))
        if low == "/views" and verb == "GET":
            return Response.json({"d": {"results": [self._view_json(v) for v in sp_list.views.values()]}})
        if low == "/views/add":
            return self._add_view(sp_list, json.loads(body)["parameters"])
        m = re.match(
            r"/views/getbytitle\('((?:[^']|'')+)'\)(/viewfields/(removeallviewfields|addviewfield\('(.+?)'\)))?$",
            rest,
            re.I,
        )
        if m:
            return self._view_route(
                sp_list, m.group(1).replace("''", "'"), verb, m.group(3), m.group(4), body
            )
        if low == "/subscriptions":
            return self._subscriptions(sp_list, verb, body)
        m = re.match(r"/subscriptions\('([0-9a-f-]+)'\)$", rest, re.I)
        if m:
            if verb == "DELETE":
                # [HOOKS] DELETE .../subscriptions('id') -> 204.
                if sp_list.subscriptions.pop(m.group(1), None) is None:
                    raise _HttpError(404, "Subscription not found.")
                return Response(204)
            return self._renew_subscription(sp_list, m.group(1), json.loads(body or b"{}"))
        raise _HttpError(404, f"The loopback server does not implement lists{rest}")

    # --- context, users, lists --------------------------------------------------------------
    def _contextinfo(self) -> Response:
        # [BASIC] POST /_api/contextinfo returns the form digest for later POSTs.
        info = {
            "FormDigestValue": DIGEST,
            "FormDigestTimeoutSeconds": 1800,
            "WebFullUrl": self.site_path,
            "SiteFullUrl": self.site_path,
            "LibraryVersion": "16.0.0.0",
        }
        return Response.json(
            {"d": {"GetContextWebInformation": {"__metadata": {"type": "SP.ContextWebInformation"}, **info}}}
        )

    def restore_item(self, title: str, item_id: int) -> None:
        """Bring an item back from the recycle bin, as a user can ([CHANGES] ChangeType.Restore = 7)."""
        with self.lock:
            sp_list = self.lists[title]
            sp_list.items[item_id] = sp_list.recycle_bin.pop(item_id)
            self._record_change(sp_list, item_id, 7)

    def _time_zone_json(self) -> Response:
        # [TZ] SP.TimeZone: Id 2 is "(UTC+00:00) Dublin, Edinburgh, Lisbon, London" (GMT Standard Time).
        assert self.time_zone == "Europe/London", "the loopback server knows the UK zone only"
        return Response.json(
            {
                "d": {
                    "__metadata": {"type": "SP.TimeZone"},
                    "Description": "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
                    "Id": 2,
                    "Information": {
                        "__metadata": {"type": "SP.TimeZoneInformation"},
                        "Bias": 0,
                        "DaylightBias": -60,
                        "StandardBias": 0,
                    },
                }
            }
        )

    def _site_users(self, query: dict[str, str]) -> Response:
        # [BASIC] web/siteusers is the site's user collection; $filter=Email eq '...' finds one.
        users = [{"Id": i, "Email": e} for e, i in self.users.items()]
        if "$filter" in query:
            tree = odata_filter.parse(query["$filter"])

            def matches(user: dict[str, Any]) -> bool:
                # String comparisons in SharePoint's $filter ignore case.
                return odata_filter.evaluate(
                    tree, lambda path: str(user.get(path, "")).lower() if path == "Email" else user.get(path)
                )

            users = [u for u in users if matches(u)]
        return Response.json(
            {
                "d": {
                    "results": [
                        {"__metadata": {"type": "SP.User"}, "Id": u["Id"], "Email": u["Email"]} for u in users
                    ]
                }
            }
        )

    def _ensure_user(self, data: dict[str, Any]) -> Response:
        # [BASIC] web/ensureuser returns the site user (its Id is what person columns store).
        logon = str(data.get("logonName", ""))
        email = logon.split("|")[-1].lower()
        user_id = self.users.setdefault(email, 100 + len(self.users))
        return Response.json(
            {"d": {"__metadata": {"type": "SP.User"}, "Id": user_id, "Email": email, "LoginName": logon}}
        )

    def _lists(self, verb: str, body: bytes, query: dict[str, str]) -> Response:
        if verb == "POST":
            data = json.loads(body)
            title = data["Title"]
            if title.lower() in (t.lower() for t in self.lists):
                raise _HttpError(
                    500,
                    f"A list, survey, discussion board, or document library with the specified title already exists in this Web site. Title: {title}",
                    "-2130575342, Microsoft.SharePoint.SPException",
                )
            sp_list = SPList(str(uuid.uuid4()), title, title, int(data.get("BaseTemplate", 100)))
            self.lists[title] = sp_list
            return Response.json({"d": self._list_json(sp_list)}, 201)
        return Response.json(
            {"d": {"results": [_select(self._list_json(sp), query) for sp in self.lists.values()]}}
        )

    def _list_json(self, sp_list: SPList) -> dict[str, Any]:
        folder = (
            f"{self.site_path}/{sp_list.url_name}"
            if sp_list.base_template == 101
            else f"{self.site_path}/Lists/{sp_list.url_name}"
        )
        return {
            "__metadata": {"type": "SP.List", "uri": f"{self.site_path}/_api/Web/Lists(guid'{sp_list.id}')"},
            "Id": sp_list.id,
            "Title": sp_list.title,
            "BaseTemplate": sp_list.base_template,
            "ItemCount": len(sp_list.items),
            "ListItemEntityTypeFullName": sp_list.entity_type,
            "CurrentChangeToken": {
                "__metadata": {"type": "SP.ChangeToken"},
                "StringValue": self._token(sp_list, self.change_number),
            },
            "RootFolder": {"__deferred": {}},
            "ParentWebUrl": self.site_path,
            "EntityTypeName": sp_list.url_name,
            "DefaultViewUrl": folder,
        }

    # --- fields and views -------------------------------------------------------------------
    def _all_fields(self, sp_list: SPList) -> list[SPField]:
        built_in = [SPField("Title", "Text", "Title"), SPField("ID", "Counter", "ID", indexed=True)]
        if sp_list.base_template == 101:
            built_in.append(SPField("FileLeafRef", "File", "Name"))
        return built_in + list(sp_list.fields.values())

    def _field_json(self, f: SPField) -> dict[str, Any]:
        return {
            "__metadata": {"type": "SP.Field" + (f.type if f.type in FIELD_KINDS else "")},
            "InternalName": f.internal_name,
            "StaticName": f.internal_name,
            "Title": f.title,
            "TypeAsString": f.type,
            "FieldTypeKind": FIELD_KINDS.get(f.type, 0),
            "Indexed": f.indexed,
            "DisplayFormat": f.display_format,
            "CustomFormatter": f.custom_formatter or None,
            "Hidden": False,
            "Choices": {"__metadata": {"type": "Collection(Edm.String)"}, "results": f.choices}
            if f.type == "Choice"
            else None,
        }

    def _create_field(self, sp_list: SPList, data: dict[str, Any]) -> Response:
        # [FIELDS] CreateFieldAsXml: the SchemaXml's Name becomes the internal name.
        schema_xml = data["parameters"]["SchemaXml"]
        element = ET.fromstring(schema_xml)
        name = element.get("Name") or ""
        if not name or name in sp_list.fields or name in BUILT_IN:
            raise _HttpError(
                500,
                f'A duplicate field name "{name}" was found.',
                "-2130575340, Microsoft.SharePoint.SPException",
            )
        field_type = element.get("Type") or "Text"
        if field_type not in FIELD_KINDS:
            raise _HttpError(400, f"Field type {field_type} is not installed properly.")
        choices = [c.text or "" for c in element.iter("CHOICE")]
        lookup = element.get("List")
        sp_field = SPField(
            name,
            field_type,
            element.get("DisplayName") or name,
            choices,
            element.get("Indexed", "").upper() == "TRUE",
            lookup,
        )
        sp_field.display_format = 0 if element.get("Format") == "DateOnly" else 1
        sp_list.fields[name] = sp_field
        return Response.json({"d": self._field_json(sp_field)}, 201)

    def _update_field(self, sp_list: SPList, name: str, verb: str, data: dict[str, Any]) -> Response:
        sp_field = sp_list.fields.get(name)
        if sp_field is None:
            raise _HttpError(
                400,
                f"Column '{name}' does not exist. It may have been deleted by another user.",
                "-2147024809, System.ArgumentException",
            )
        if verb != "MERGE":
            return Response.json({"d": self._field_json(sp_field)})
        if "Indexed" in data:
            sp_field.indexed = bool(data["Indexed"])
        if "Choices" in data:
            sp_field.choices = list(data["Choices"]["results"])
        if "Title" in data:
            sp_field.title = data["Title"]
        if "CustomFormatter" in data:
            sp_field.custom_formatter = _formatter(data["CustomFormatter"])
        return Response(204)

    def _view_json(self, view: SPView) -> dict[str, Any]:
        # [VIEWS] ViewFields is an SP.ViewFieldCollection whose Items are the field names.
        return {
            "__metadata": {"type": "SP.View"},
            "Title": view.title,
            "ViewQuery": view.query,
            "CustomFormatter": view.custom_formatter or None,
            "PersonalView": False,
            "ViewFields": {
                "__metadata": {"type": "SP.ViewFieldCollection"},
                "Items": {"__metadata": {"type": "Collection(Edm.String)"}, "results": view.fields},
            },
        }

    def _add_view(self, sp_list: SPList, params: dict[str, Any]) -> Response:
        # [VIEWS] views/add takes an SP.ViewCreationInformation.
        title = params["Title"]
        if title in sp_list.views:
            raise _HttpError(
                500,
                f"A view named '{title}' already exists.",
                "-2130575214, Microsoft.SharePoint.SPException",
            )
        fields = list((params.get("ViewFields") or {}).get("results", []))
        self._check_fields_exist(sp_list, fields)
        sp_list.views[title] = SPView(title, params.get("Query", ""), fields)
        return Response.json({"d": self._view_json(sp_list.views[title])}, 201)

    def _check_fields_exist(self, sp_list: SPList, names: list[str]) -> None:
        known = {f.internal_name for f in self._all_fields(sp_list)}
        for name in names:
            if name not in known:
                raise _HttpError(
                    400,
                    f"Column '{name}' does not exist. It may have been deleted by another user.",
                    "-2147024809, System.ArgumentException",
                )

    def _view_route(
        self, sp_list: SPList, title: str, verb: str, action: str | None, field_name: str | None, body: bytes
    ) -> Response:
        view = sp_list.views.get(title)
        if view is None:
            raise _HttpError(
                404, f"The view '{title}' does not exist.", "-2147024809, System.ArgumentException"
            )
        if action is None:
            if verb == "MERGE":
                data = json.loads(body or b"{}")
                view.query = data.get("ViewQuery", view.query)
                if "CustomFormatter" in data:
                    view.custom_formatter = _formatter(data["CustomFormatter"])
                return Response(204)
            return Response.json({"d": self._view_json(view)})
        if action.lower() == "removeallviewfields":
            view.fields = []
        else:
            assert field_name is not None
            self._check_fields_exist(sp_list, [field_name])
            view.fields.append(field_name)
        return Response(200, b"", {"Content-Type": VERBOSE})

    # --- items ------------------------------------------------------------------------------
    def _item_or_404(self, sp_list: SPList, item_id: int) -> SPItem:
        item = sp_list.items.get(item_id)
        if item is None:
            raise _HttpError(
                404,
                "Item does not exist. It may have been deleted by another user.",
                "-2130575338, System.ArgumentException",
            )
        return item

    def _value_of(self, sp_list: SPList, item: SPItem, path: str) -> Any:
        if path in ("Id", "ID"):
            return item.id
        if "/" in path:
            name, prop = path.split("/", 1)
            user_id = item.values.get(name + "Id")
            if prop.lower() == "email":
                return next((e for e, i in self.users.items() if i == user_id), None)
            return None
        return item.values.get(path)

    def _lookup(self, sp_list: SPList, item: SPItem) -> Callable[[str], Any]:
        return lambda path: self._value_of(sp_list, item, path)

    def _sorter(self, sp_list: SPList, name: str) -> Callable[[SPItem], tuple[int, Any]]:
        return lambda item: _sort_key(self._value_of(sp_list, item, name))

    def _item_json(self, sp_list: SPList, item: SPItem, query: dict[str, str]) -> dict[str, Any]:
        uri = f"{self.site_path}/_api/Web/Lists(guid'{sp_list.id}')/Items({item.id})"
        out: dict[str, Any] = {
            "__metadata": {"id": uri, "uri": uri, "etag": f'"{item.version}"', "type": sp_list.entity_type}
        }
        expand = [e for e in query.get("$expand", "").split(",") if e]
        select = [s for s in query.get("$select", "").split(",") if s]
        values = {"Id": item.id, "ID": item.id, **item.values}
        if not select:
            out.update(values)
        else:
            for name in select:
                if "/" in name:
                    continue
                if (
                    name in ("Id", "ID")
                    or name in values
                    or name.endswith("Id")
                    or name in sp_list.fields
                    or name in BUILT_IN
                ):
                    out[name] = values.get(name)
                else:
                    raise _HttpError(
                        400, f"The field or property '{name}' does not exist.", "-1, System.ArgumentException"
                    )
        for name in expand:
            # [ODATA] person columns: $select=X/EMail,XId&$expand=X.
            email = self._value_of(sp_list, item, f"{name}/EMail")
            out[name] = (
                {"__metadata": {"type": "SP.Data.UserInfoItem"}, "EMail": email}
                if email
                else {"__deferred": {}}
            )
        return out

    def _indexed(self, sp_list: SPList, path: str) -> bool:
        base = path[:-2] if path.endswith("Id") and path[:-2] in sp_list.fields else path
        f = sp_list.fields.get(base)
        return base in ("Id", "ID") or (f is not None and f.indexed)

    def _check_threshold(self, sp_list: SPList, tree: Any) -> None:
        """[LARGE] Over the list view threshold SharePoint runs the first indexed clause of the
        filter first: it must itself match fewer items than the threshold. A filter without one,
        or on a projected field of a person column (``X/EMail``, a join), is refused."""
        refused = _HttpError(
            500,
            "The attempted operation is prohibited because it exceeds the list view threshold.",
            "-2147024860, Microsoft.SharePoint.SPQueryThrottledException",
        )
        if any("/" in name for name in odata_filter.fields_used(tree)):
            raise refused
        clauses = tree.parts if isinstance(tree, odata_filter.BoolOp) and tree.op == "and" else [tree]
        first = next(
            (c for c in clauses if all(self._indexed(sp_list, n) for n in odata_filter.fields_used(c))), None
        )
        if first is None:
            raise refused
        matched = sum(
            1 for i in sp_list.items.values() if odata_filter.evaluate(first, self._lookup(sp_list, i))
        )
        if matched >= self.list_view_threshold:
            raise refused

    def _query_items(self, sp_list: SPList, query: dict[str, str]) -> Response:
        # [ODATA] without $top SharePoint answers 100 items and a __next link; $top up to 5000.
        top = int(query.get("$top", self.default_page_size))
        if top > 5000:
            raise _HttpError(400, "The $top value must be 5000 or less.")
        items = list(sp_list.items.values())
        if "$filter" in query:
            try:
                tree = odata_filter.parse(query["$filter"])
            except odata_filter.FilterSyntaxError as error:
                raise _HttpError(400, f'The expression "{query["$filter"]}" is not valid: {error}.') from None
            if len(sp_list.items) > self.list_view_threshold:
                self._check_threshold(sp_list, tree)
            items = [i for i in items if odata_filter.evaluate(tree, self._lookup(sp_list, i))]
        for clause in reversed([c.strip() for c in query.get("$orderby", "").split(",") if c.strip()]):
            name, _, direction = clause.partition(" ")
            items.sort(key=self._sorter(sp_list, name), reverse=direction.lower() == "desc")
        skip = query.get("$skiptoken")
        if skip:
            after = int(dict(parse_qsl(skip)).get("p_ID", "0"))
            ids = [i.id for i in items]
            items = items[ids.index(after) + 1 :] if after in ids else []
        page = items[:top]
        result: dict[str, Any] = {"results": [self._item_json(sp_list, i, query) for i in page]}
        if len(items) > top:
            rest = {k: v for k, v in query.items() if k != "$skiptoken"}
            rest["$top"] = str(top)
            token = f"Paged=TRUE&p_ID={page[-1].id}"
            qs = "&".join(f"{quote(k)}={quote(v)}" for k, v in rest.items())
            result["__next"] = (
                f"{self.url}/_api/Web/Lists(guid'{sp_list.id}')/items?%24skiptoken={quote(token)}&{qs}"
            )
        return Response.json({"d": result})

    def _check_body(self, sp_list: SPList, data: dict[str, Any], verbose: bool = True) -> dict[str, Any]:
        meta = data.pop("__metadata", None)
        data.pop("odata.type", None)
        # [ITEMS] a verbose body's __metadata.type must be the list's ListItemEntityTypeFullName;
        # [JSONLIGHT] a light JSON body (PnPjs) carries no type: the list's is implied.
        if verbose and (not meta or meta.get("type") != sp_list.entity_type):
            raise _HttpError(
                400,
                f"A type named '{(meta or {}).get('type')}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.",
            )
        for name, value in data.items():
            base = name[:-2] if name.endswith("Id") and name[:-2] in sp_list.fields else name
            f = sp_list.fields.get(base)
            if f is None and name not in BUILT_IN:
                raise _HttpError(
                    400,
                    f"The property '{name}' does not exist on type '{sp_list.entity_type}'. Make sure to only use property names that are defined by the type.",
                )
            if f is not None and f.type in ("User", "Lookup") and base == name:
                raise _HttpError(
                    400,
                    f"A node of type 'StartObject' was read from the JSON reader when trying to read a value of a property; write {name}Id.",
                )
            if f is not None and f.type == "Choice" and value is not None and value not in f.choices:
                pass  # SharePoint accepts values outside the choices ("fill-in"); the adapter checks first.
        return data

    def _record_change(self, sp_list: SPList, item_id: int, change_type: int) -> None:
        self.change_number += 1
        sp_list.changes.append((self.change_number, item_id, change_type, _now()))

    def _add_item(self, sp_list: SPList, data: dict[str, Any], verbose: bool = True) -> Response:
        values = self._check_body(sp_list, data, verbose)
        item = SPItem(sp_list.next_id, 1, {"Title": None, **values, "Created": _now(), "Modified": _now()})
        sp_list.next_id += 1
        sp_list.items[item.id] = item
        self._record_change(sp_list, item.id, 1)  # [CHANGES] ChangeType.Add = 1
        return Response.json({"d": self._item_json(sp_list, item, {})}, 201, {"ETag": '"1"'})

    def _merge_item(
        self,
        sp_list: SPList,
        item_id: int,
        headers: dict[str, str],
        data: dict[str, Any],
        verbose: bool = True,
    ) -> Response:
        item = self._item_or_404(sp_list, item_id)
        if_match = headers.get("if-match")
        if if_match is None:
            raise _HttpError(400, "The If-Match header is required for MERGE.")
        if if_match != "*" and if_match != f'"{item.version}"' and not self.faults.ignore_if_match:
            # [ITEMS] a stale ETag in IF-MATCH is refused with 412 Precondition Failed.
            raise _HttpError(
                412,
                f"The request ETag value '{if_match}' does not match the object's ETag value '\"{item.version}\"'.",
                "-1, Microsoft.SharePoint.Client.ClientServiceException",
            )
        values = self._check_body(sp_list, data, verbose)
        item.values.update(values)
        item.values["Modified"] = _now()
        item.version += 1
        self._record_change(sp_list, item.id, 2)  # ChangeType.Update = 2
        return Response(204, b"", {"ETag": f'"{item.version}"'})

    # --- changes ----------------------------------------------------------------------------
    def _token(self, sp_list: SPList, number: int, when: str | None = None) -> str:
        # [CHANGES] a change token string: version;scope(3 = list);list id;ticks (UTC);change number.
        moment = dt.datetime.fromisoformat(when.replace("Z", "+00:00")) if when else dt.datetime.now(dt.UTC)
        return f"1;3;{sp_list.id};{ticks(moment)};{number}"

    def _get_changes(self, sp_list: SPList, data: dict[str, Any]) -> Response:
        q = data.get("query", {})
        start = q.get("ChangeTokenStart")
        text = start.get("StringValue") if isinstance(start, dict) else start
        start_number = 0
        if text:
            bits = str(text).split(";")
            if len(bits) != 5 or bits[2] != sp_list.id:
                raise _HttpError(
                    400,
                    "The change token is not valid for this list.",
                    "-2146232832, Microsoft.SharePoint.SPInvalidChangeTokenException",
                )
            start_number = int(bits[4])
            token_time = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
                microseconds=(int(bits[3]) - TICKS_AT_EPOCH) / 10
            )
            too_old = dt.datetime.now(dt.UTC) - token_time > dt.timedelta(days=self.change_log_days)
            if start_number < self.change_log_start or too_old:
                # [LOG] the change log keeps about 60 days; an older token is refused like this.
                raise _HttpError(
                    500,
                    "The changeToken refers to a time before the start of the current change log.",
                    "-2146232832, Microsoft.SharePoint.SPInvalidChangeTokenException",
                )
        wanted = {
            1: q.get("Add", False),
            2: q.get("Update", False),
            3: q.get("DeleteObject", False),
            7: q.get("Restore", False),
        }
        limit = int(q.get("FetchLimit") or 1000)
        results = []
        for number, item_id, change_type, when in sp_list.changes:
            if number > start_number and wanted.get(change_type) and q.get("Item", False):
                results.append(
                    {
                        "__metadata": {"type": "SP.ChangeItem"},
                        "ChangeToken": {
                            "__metadata": {"type": "SP.ChangeToken"},
                            "StringValue": self._token(sp_list, number, when),
                        },
                        "ChangeType": change_type,
                        "ItemId": item_id,
                        "ListId": sp_list.id,
                        "Time": when,
                    }
                )
                if len(results) >= limit:
                    break
        return Response.json({"d": {"results": results}})

    # --- files ------------------------------------------------------------------------------
    def _library_of(self, folder: str) -> SPList:
        wanted = folder.rstrip("/").lower()
        for sp_list in self.lists.values():
            root = f"{self.site_path}/{sp_list.url_name}".lower()
            if sp_list.base_template == 101 and (
                wanted == root or (wanted in self.folders and wanted.startswith(root + "/"))
            ):
                return sp_list
        raise _HttpError(
            404, f"File Not Found: folder {folder}", "-2147024894, System.IO.FileNotFoundException"
        )

    def add_folder(self, path: str) -> None:
        """A folder inside a library (server-relative), as a user creates one."""
        with self.lock:
            self.folders.add(path.rstrip("/").lower())

    def _file_add(
        self, folder: str, name: str, args: dict[str, str], body: bytes, query: dict[str, str]
    ) -> Response:
        # [FILES] POST .../GetFolderByServerRelativeUrl(folder)/Files/add(url=..., overwrite=true);
        # [PATHS] .../GetFolderByServerRelativePath(decodedurl=...)/Files/AddUsingPath(decodedurl=...).
        if "/" in name:  # a name with a folder: the folder must exist
            sub, _, name = name.rpartition("/")
            folder = f"{folder.rstrip('/')}/{sub}"
        library = self._library_of(folder)
        if not name or any(c in name for c in '"*:<>?\\|') or name.startswith(" "):
            # [FILES] characters SharePoint Online never allows in file names.
            raise _HttpError(
                400, f"The file name '{name}' is invalid.", "-2130575245, Microsoft.SharePoint.SPException"
            )
        url = f"{folder.rstrip('/')}/{name}"
        if url in self.files and args.get("overwrite", "false").lower() != "true":
            raise _HttpError(
                400,
                f"A file with the name {url} already exists.",
                "-2130575257, Microsoft.SharePoint.SPException",
            )
        self.files[url] = body
        item = next((i for i in library.items.values() if i.values.get("FileLeafRef") == name), None)
        if item is None:
            item = SPItem(
                library.next_id,
                1,
                {"FileLeafRef": name, "Title": None, "Created": _now(), "Modified": _now()},
            )
            library.next_id += 1
            library.items[item.id] = item
            self._record_change(library, item.id, 1)
        else:
            item.version += 1
            self._record_change(library, item.id, 2)
        payload: dict[str, Any] = {
            "__metadata": {"type": "SP.File"},
            "Name": name,
            "ServerRelativeUrl": url,
            "Length": str(len(body)),
        }
        if "ListItemAllFields" in query.get("$expand", ""):
            payload["ListItemAllFields"] = self._item_json(library, item, {})
        return Response.json({"d": payload})

    def _file_get(self, url: str, what: str, query: dict[str, str], verb: str = "GET") -> Response:
        if url not in self.files:
            raise _HttpError(404, f"File Not Found: {url}", "-2147024894, System.IO.FileNotFoundException")
        folder, _, name = url.rpartition("/")
        if what == "" and verb == "DELETE":
            # [FILES] DELETE on a file (X-HTTP-Method: DELETE) removes it and its list item.
            library = self._library_of(folder)
            del self.files[url]
            for item in [i for i in library.items.values() if i.values.get("FileLeafRef") == name]:
                del library.items[item.id]
                self._record_change(library, item.id, 3)
            return Response(200, b"", {"Content-Type": VERBOSE})
        if what == "$value":
            # [FILES] .../$value returns the file's bytes.
            return Response(200, self.files[url], {"Content-Type": "application/octet-stream"})
        library = self._library_of(folder)
        item = next(i for i in library.items.values() if i.values.get("FileLeafRef") == name)
        return Response.json({"d": self._item_json(library, item, query)})

    # --- subscriptions ----------------------------------------------------------------------
    def _subscriptions(self, sp_list: SPList, verb: str, body: bytes) -> Response:
        if verb == "GET":
            return Response.json({"d": {"results": list(sp_list.subscriptions.values())}})
        if verb != "POST":
            raise _HttpError(405, f"{verb} is not allowed on the subscriptions collection.")
        data = json.loads(body)
        expiry = dt.datetime.fromisoformat(data["expirationDateTime"].replace("Z", "+00:00"))
        if expiry > dt.datetime.now(dt.UTC) + dt.timedelta(days=180):
            # [HOOKS] expirationDateTime at most 180 days ahead.
            raise _HttpError(400, "The expiration date must be within 180 days.")
        token = str(uuid.uuid4())
        try:
            # [HOOKS] SharePoint validates the endpoint: it must echo validationtoken within 5 s.
            answer = requests.post(data["notificationUrl"], params={"validationtoken": token}, timeout=5)
            valid = answer.status_code == 200 and answer.text == token
        except requests.RequestException:
            valid = False
        if not valid:
            raise _HttpError(400, "Failed to validate the notification URL.")
        sub = {
            "id": str(uuid.uuid4()),
            "clientState": data.get("clientState"),
            "expirationDateTime": data["expirationDateTime"],
            "notificationUrl": data["notificationUrl"],
            "resource": sp_list.id,
        }
        sp_list.subscriptions[sub["id"]] = sub
        # [HOOKS] 201 with the subscription; [JSONLIGHT] verbose callers get it wrapped in "d".
        return Response.json(
            {"d": {"__metadata": {"type": "Microsoft.SharePoint.Webhooks.Subscription"}, **sub}}, 201
        )

    def _renew_subscription(self, sp_list: SPList, sub_id: str, data: dict[str, Any]) -> Response:
        sub = sp_list.subscriptions.get(sub_id)
        if sub is None:
            raise _HttpError(404, "Subscription not found.")
        sub["expirationDateTime"] = data.get("expirationDateTime", sub["expirationDateTime"])
        return Response(204)

    def notifications_for(self, title: str) -> list[dict[str, Any]]:
        """What SharePoint would POST to each subscriber: no change details ([HOOKS])."""
        sp_list = self.lists[title]
        return [
            {
                "value": [
                    {
                        "subscriptionId": s["id"],
                        "clientState": s["clientState"],
                        "expirationDateTime": s["expirationDateTime"],
                        "resource": sp_list.id,
                        "tenantId": "00000000-0000-0000-0000-000000000000",
                        "siteUrl": self.site_path,
                        "webId": "00000000-0000-0000-0000-000000000001",
                    }
                ]
            }
            for s in sp_list.subscriptions.values()
        ]

    # --- $batch -----------------------------------------------------------------------------
    def _batch(self, headers: dict[str, str], body: bytes, level: int = 4) -> Response:
        # [BATCH] multipart/mixed parts: reads, or changesets of writes. Not transactional: a
        # failed operation does not roll back the others. The response lists one application/http
        # part per operation, in order.
        boundary = _boundary(headers.get("content-type", ""))
        operations = _parse_multipart(body, boundary)
        out_boundary = f"batchresponse_{uuid.uuid4()}"
        chunks = []
        for method, url, op_headers, op_body in operations:
            self.batch_parts += 1
            path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
            self.recorded_parts.append(Recorded(method, url, dict(op_headers), op_body))
            lower = {k.lower(): v for k, v in op_headers.items()}
            if headers.get("x-requestdigest"):
                lower.setdefault("x-requestdigest", headers["x-requestdigest"])
            try:
                if len(url) > self.max_url_length:
                    raise _HttpError(414, "Request-URI Too Long", "-1, System.UriFormatException")
                result = self.dispatch(method, path, lower, op_body, level)
            except _HttpError as error:
                result = Response.error(error.status, error.message, error.code)
            result = _shape(result, lower.get("accept", VERBOSE))
            head = "".join(f"{k}: {v}\r\n" for k, v in result.headers.items())
            chunks.append(
                f"--{out_boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                f"HTTP/1.1 {result.status} {_reason(result.status)}\r\n{head}\r\n".encode()
                + result.body
                + b"\r\n"
            )
        chunks.append(f"--{out_boundary}--\r\n".encode())
        return Response(200, b"".join(chunks), {"Content-Type": f"multipart/mixed; boundary={out_boundary}"})


class _HttpError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


def _select(payload: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    select = [s for s in query.get("$select", "").split(",") if s]
    if not select:
        return payload
    return {"__metadata": payload["__metadata"], **{k: payload.get(k) for k in select}}


def _args(text: str) -> dict[str, str]:
    out = {}
    for match in re.finditer(r"(\w+)=('(?:[^']|'')*'|[^,]*)", text):
        value = match.group(2)
        out[match.group(1).lower()] = value[1:-1].replace("''", "'") if value.startswith("'") else value
    return out


def _undouble(literal: str) -> str:
    """An OData string literal's text: apostrophes are doubled inside ('O''Brien')."""
    return literal.replace("''", "'")


def _legacy(url: str) -> str:
    """What the string-based file APIs make of a decoded URL ([PATHS]): '#' starts a fragment and
    '%' an escape, because they assume a URL with them is still encoded."""
    return unquote(url.split("#", 1)[0])


def _level_needed(verb: str, route: str) -> int:
    """The Sites.Selected level a call needs ([SELECTED]; [HOOKS] for subscriptions)."""
    if route.endswith("/subscriptions") and verb == "GET":
        return LEVELS["manage"]  # [HOOKS] "Get all subscriptions": manage list permissions
    if verb == "GET" or route in ("contextinfo", "$batch") or route.endswith("/getchanges"):
        return LEVELS["read"]
    if "/subscriptions" in route:
        return LEVELS["write"]  # [HOOKS] create, renew, delete: edit permissions on the list
    if (
        route.startswith("web/ensureuser")
        or "/items" in route
        or "getitembyid" in route
        or "/files/" in route
        or route.startswith("web/getfile")
    ):
        return LEVELS["write"]
    return LEVELS["manage"]  # lists, fields, views


def _verbose_body(headers: dict[str, str]) -> bool:
    """Whether a request body is verbose JSON (it then names its type in ``__metadata``)."""
    return "odata=verbose" in headers.get("content-type", "application/json;odata=verbose").lower()


def _light(value: Any, minimal: bool = False) -> Any:
    """A verbose value in light JSON: no ``__metadata`` (nometadata), or its type, id and ETag as
    ``odata.type``, ``odata.id``, ``odata.etag`` (minimalmetadata, what ``application/json`` gets)."""
    if isinstance(value, dict):
        if "__deferred" in value:
            return None
        if set(value) <= {"__metadata", "results"} and "results" in value:
            return [_light(v, minimal) for v in value["results"]]
        out = {k: _light(v, minimal) for k, v in value.items() if k != "__metadata"}
        meta = value.get("__metadata")
        if minimal and isinstance(meta, dict):
            for key in ("type", "id", "etag"):
                if key in meta:
                    out[f"odata.{key}"] = meta[key]
        return out
    if isinstance(value, list):
        return [_light(v, minimal) for v in value]
    return value


def _shape(response: Response, accept: str) -> Response:
    """[JSONLIGHT] verbose answers are {"d": ...}; application/json (minimal metadata) and
    nometadata answers are the object itself, collections under "value", errors under "odata.error"."""
    if "odata=verbose" in accept.lower() or response.headers.get("Content-Type") != VERBOSE:
        return response
    if not response.body:
        return response
    payload = json.loads(response.body)
    kind = "nometadata" if "nometadata" in accept.lower() else "minimalmetadata"
    minimal = kind == "minimalmetadata"
    if "error" in payload:
        shaped: Any = {"odata.error": payload["error"]}
    else:
        inner = payload.get("d", payload)
        if isinstance(inner, dict) and "GetContextWebInformation" in inner:
            inner = inner["GetContextWebInformation"]  # light JSON does not wrap function results
        if isinstance(inner, dict) and "results" in inner and isinstance(inner["results"], list):
            shaped = {"value": [_light(v, minimal) for v in inner["results"]]}
            if inner.get("__next"):
                shaped["odata.nextLink"] = inner["__next"]
        else:
            shaped = _light(inner, minimal)
    return Response(
        response.status,
        json.dumps(shaped).encode(),
        {**response.headers, "Content-Type": f"application/json;odata={kind};streaming=true;charset=utf-8"},
    )


def _boundary(content_type: str) -> str:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise _HttpError(400, "A multipart/mixed batch needs a boundary.")
    return match.group(1)


def _parse_multipart(body: bytes, boundary: str) -> list[tuple[str, str, dict[str, str], bytes]]:
    """Operations of a batch, flattening changesets. Accepts CRLF or bare LF (the client sends LF)."""
    text = body.replace(b"\r\n", b"\n")
    operations: list[tuple[str, str, dict[str, str], bytes]] = []
    for part in text.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, rest = part.lstrip(b"\n").partition(b"\n\n")
        part_headers = _headers(head)
        content_type = part_headers.get("content-type", "")
        if content_type.startswith("multipart/mixed"):
            operations += _parse_multipart(rest, _boundary(content_type))
            continue
        request_line, _, after = rest.partition(b"\n")
        op_head, _, op_body = after.partition(b"\n\n")
        method, url, _ = request_line.decode().split(" ", 2)
        operations.append(
            (method, url, {k: v for k, v in _headers(op_head, keep_case=True).items()}, op_body.rstrip(b"\n"))
        )
    return operations


def _headers(block: bytes, keep_case: bool = False) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8", "replace").split("\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            out[name.strip() if keep_case else name.strip().lower()] = value.strip()
    return out


def _reason(status: int) -> str:
    return {
        200: "OK",
        201: "Created",
        204: "No Content",
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        414: "Request-URI Too Long",
        412: "Precondition Failed",
        500: "Internal Server Error",
    }.get(status, "Status")


def _formatter(value: Any) -> str:
    """A CustomFormatter as SharePoint takes it: JSON text (or empty to remove it); anything else
    is refused as SharePoint refuses it."""
    text = value or ""
    if not isinstance(text, str):
        raise _HttpError(
            400, "An unexpected 'PrimitiveValue' node was found when reading from the JSON reader."
        )
    if text.strip():
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise _HttpError(400, f"The formatter is not valid JSON: {error}") from error
        if not isinstance(parsed, dict):
            raise _HttpError(400, "The formatter must be a JSON object.")
    return text
