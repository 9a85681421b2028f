"""The SharePoint Online list store: SharePoint REST through office365-rest-python-client.

The client's :class:`ClientContext` authenticates (msal certificate credentials in
production, ``with_access_token`` in tests). The requests themselves go through one
``requests`` session because the client leaves out what this service needs:

- ``Retry-After`` on 429/503 is honoured (tenacity), and waits are counted;
- ``IF-MATCH`` carries the item's ETag, and 412 becomes :class:`ConcurrencyConflict`;
- GetChanges is sent with an ``SP.ChangeToken`` object;
- pages past 100 items follow ``__next``; filters stay on indexed columns (5,000-item threshold);
- writes go in ``$batch`` changesets (the client splits them on entity-type look-ups);
- the User-Agent is decorated ``NONISV|HullCC|AuditDesk/<version>``.

Nothing here logs item contents: only list titles, counts and status codes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from shared.lists.definitions import Column, ColumnKind, ListDefinition, View, definition_of
from shared.lists.port import (
    AppendOnlyList,
    BatchConflict,
    Change,
    ChangeKind,
    ConcurrencyConflict,
    Fields,
    FieldValue,
    FileNotFoundInLibrary,
    Filter,
    InvalidQuery,
    ItemNotFound,
    ItemUpdate,
    ListItem,
    ListStore,
    ListStoreError,
    Op,
    Page,
    Query,
    StoreStats,
    UnknownList,
)
from shared.lists.shapes import ColumnShape, ListShape, ViewShape
from shared.lists.sp_batch import Operation, OperationResult, build_batch, parse_batch_response
from shared.lists.values import check_fields, check_filters, from_stored

if TYPE_CHECKING:
    from office365.sharepoint.client_context import ClientContext

log = logging.getLogger(__name__)

VERBOSE = "application/json;odata=verbose"
MAX_BATCH_OPERATIONS = 100
_CHANGE_KINDS = {1: ChangeKind.ADDED, 2: ChangeKind.UPDATED, 3: ChangeKind.DELETED}
_FIELD_TYPES = {
    ColumnKind.TEXT: ("Text", "SP.Field"),
    ColumnKind.NOTE: ("Note", "SP.FieldMultiLineText"),
    ColumnKind.NUMBER: ("Number", "SP.FieldNumber"),
    ColumnKind.BOOLEAN: ("Boolean", "SP.Field"),
    ColumnKind.DATE: ("DateTime", "SP.FieldDateTime"),
    ColumnKind.DATETIME: ("DateTime", "SP.FieldDateTime"),
    ColumnKind.CHOICE: ("Choice", "SP.FieldChoice"),
    ColumnKind.PERSON: ("User", "SP.FieldUser"),
    ColumnKind.LOOKUP: ("Lookup", "SP.FieldLookup"),
}


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


def _message(response: requests.Response | OperationResult) -> str:
    try:
        data = response.json()
        return str(data["error"]["message"]["value"])
    except Exception:
        return f"no details (HTTP {response.status_code if isinstance(response, requests.Response) else response.status})"


class SharePointListStore(ListStore):
    """Lists and libraries of one SharePoint site, as defined in :mod:`shared.lists.definitions`."""

    def __init__(
        self,
        site_url: str,
        definitions: Mapping[str, ListDefinition],
        context: ClientContext,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        from urllib.parse import urlsplit

        self.site_url = site_url.rstrip("/")
        self.site_path = urlsplit(self.site_url).path.rstrip("/")
        self.definitions = definitions
        self.context = context
        self.retry = retry or RetryPolicy()
        self.timeout = timeout_seconds
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": user_agent(), "Accept": VERBOSE})
        self._digest: str | None = None
        self._entity_types: dict[str, str] = {}
        self._user_ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._requests = 0
        self._retries = 0
        self._waited = 0.0

    # --- transport ------------------------------------------------------------------------
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

    def _request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> requests.Response:
        """One REST call, retried on 429/503 after Retry-After (and on dropped connections for reads)."""
        full = url if url.startswith("http") else f"{self.site_url}/_api/{url}"

        def attempt() -> requests.Response:
            sent = {"Authorization": self._authorization(), **(headers or {})}
            if method != "GET":
                sent.setdefault("X-RequestDigest", self._form_digest())
            if json_body is not None:
                sent["Content-Type"] = VERBOSE
            with self._lock:
                self._requests += 1
            response = self._session.request(
                method, full, json=json_body, data=data, headers=sent, timeout=self.timeout
            )
            if response.status_code in (429, 503):
                raise Throttled(response.status_code, _retry_after(response))
            return response

        try:
            response = self._retrying(method == "GET")(attempt)
        except Throttled as error:
            raise ListStoreError(
                f"SharePoint kept throttling ({error.status}) after {self.retry.max_attempts} attempts: "
                "try again later; nothing was lost."
            ) from error
        except requests.ConnectionError as error:
            raise ListStoreError(
                f"Could not reach SharePoint at {self.site_url} ({type(error).__name__}). Check the site "
                "URL and the network; a write may or may not have been applied: re-read before retrying."
            ) from error
        if response.status_code not in ok:
            raise SharePointError(response.status_code, _message(response))
        return response

    def _form_digest(self) -> str:
        # One contextinfo per store (the digest lasts 30 minutes; a store lives for one run).
        if self._digest is None:
            with self._lock:
                self._requests += 1
            response = self._session.post(
                f"{self.site_url}/_api/contextinfo",
                headers={"Authorization": self._authorization(), "Content-Type": VERBOSE},
                timeout=self.timeout,
            )
            if response.status_code in (429, 503):
                raise Throttled(response.status_code, _retry_after(response))
            if response.status_code != 200:
                raise SharePointError(response.status_code, _message(response))
            self._digest = str(response.json()["d"]["GetContextWebInformation"]["FormDigestValue"])
        return self._digest

    def _batch(self, operations: Sequence[Operation]) -> list[OperationResult]:
        """Run operations in ``$batch`` requests of at most 100; throttled parts are retried alone."""
        results: list[OperationResult | None] = [None] * len(operations)
        for start in range(0, len(operations), MAX_BATCH_OPERATIONS):
            chunk = list(range(start, min(start + MAX_BATCH_OPERATIONS, len(operations))))
            pending = {"indexes": chunk}

            def attempt(pending: dict[str, list[int]] = pending) -> None:
                indexes = pending["indexes"]
                content_type, body = build_batch([operations[i] for i in indexes])
                response = self._request(
                    "POST", "$batch", data=body, headers={"Content-Type": content_type}, ok=(200,)
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

    # --- lists and columns ----------------------------------------------------------------
    def _definition(self, title: str) -> ListDefinition:
        return definition_of(self.definitions, title)

    def _list_url(self, title: str) -> str:
        return f"{self.site_url}/_api/web/lists/GetByTitle('{quote(title.replace(chr(39), chr(39) * 2))}')"

    def _entity_type(self, definition: ListDefinition) -> str:
        if definition.title not in self._entity_types:
            try:
                response = self._request(
                    "GET", self._list_url(definition.title) + "?$select=ListItemEntityTypeFullName,Id"
                )
            except SharePointError as error:
                if error.status == 404:
                    raise UnknownList(
                        f"The SharePoint site has no list '{definition.title}': run `auditdesk provision`."
                    ) from None
                raise
            self._entity_types[definition.title] = str(response.json()["d"]["ListItemEntityTypeFullName"])
        return self._entity_types[definition.title]

    def _select(self, definition: ListDefinition) -> str:
        names = ["Id", "Title", "Created", "Modified"]
        if definition.is_library:
            names.append("FileLeafRef")
        expand = []
        for column in definition.columns:
            if column.kind is ColumnKind.PERSON:
                names += [f"{column.name}/EMail", f"{column.name}Id"]
                expand.append(column.name)
            elif column.kind is ColumnKind.LOOKUP:
                names.append(f"{column.name}Id")
            else:
                names.append(column.name)
        query = "$select=" + quote(",".join(names), safe=",/")
        return query + ("&$expand=" + ",".join(expand) if expand else "")

    def _decode(self, definition: ListDefinition, raw: Mapping[str, Any]) -> ListItem:
        fields: dict[str, FieldValue] = {}
        for name in ("Title", "FileLeafRef"):
            if name in raw:
                fields[name] = raw[name]
        for name in ("Created", "Modified"):
            if raw.get(name):
                fields[name] = dt.datetime.fromisoformat(str(raw[name]).replace("Z", "+00:00"))
        for column in definition.columns:
            if column.kind is ColumnKind.PERSON:
                person = raw.get(column.name)
                fields[column.name] = person.get("EMail") if isinstance(person, dict) else None
            elif column.kind is ColumnKind.LOOKUP:
                fields[column.name] = from_stored(column, raw.get(f"{column.name}Id"))
            else:
                fields[column.name] = from_stored(column, raw.get(column.name))
        item_id = int(raw["Id"])
        fields["Id"] = item_id
        return ListItem(item_id, str(raw["__metadata"]["etag"]), fields)

    def _encode(self, definition: ListDefinition, fields: Fields) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name, value in fields.items():
            column = definition.column(name)
            if column is not None and column.kind is ColumnKind.PERSON:
                body[f"{name}Id"] = None if value is None else self._user_ids[str(value).casefold()]
            elif column is not None and column.kind is ColumnKind.LOOKUP:
                body[f"{name}Id"] = value
            elif isinstance(value, dt.datetime):
                body[name] = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            elif isinstance(value, dt.date):
                body[name] = f"{value.isoformat()}T00:00:00Z"
            else:
                body[name] = value
        return body

    def _resolve_people(self, definition: ListDefinition, rows: Sequence[Fields]) -> None:
        """Person columns store site user ids: ensure each new email once, all in one batch."""
        people = {c.name for c in definition.columns if c.kind is ColumnKind.PERSON}
        emails = sorted(
            {
                str(value).casefold()
                for fields in rows
                for name, value in fields.items()
                if name in people and value is not None
            }
            - set(self._user_ids)
        )
        if not emails:
            return
        operations = [
            Operation(
                "POST", f"{self.site_url}/_api/web/ensureuser", {"logonName": f"i:0#.f|membership|{email}"}
            )
            for email in emails
        ]
        for email, answer in zip(emails, self._batch(operations), strict=True):
            if answer.status != 200:
                raise ListStoreError(
                    f"SharePoint does not know a person with the address in a person column of "
                    f"'{definition.title}' ({answer.status}): check the Staff register."
                )
            self._user_ids[email] = int(answer.json()["d"]["Id"])

    # --- reading --------------------------------------------------------------------------
    def query(self, query: Query) -> Page:
        definition = self._definition(query.list_name)
        check_filters(definition, query.filters)
        if not 1 <= query.page_size <= 5000:
            raise InvalidQuery("A page holds 1 to 5,000 items.")
        if query.continuation is not None:
            if not query.continuation.startswith(self.site_url):
                raise InvalidQuery("That continuation did not come from this site: start the query again.")
            url = query.continuation
        else:
            url = (
                f"{self._list_url(definition.title)}/items?{self._select(definition)}&$top={query.page_size}"
            )
            if query.filters:
                url += "&$filter=" + quote(
                    " and ".join(_odata_filter(definition, f) for f in query.filters), safe=""
                )
            if query.order_by:
                url += "&$orderby=" + quote(
                    ",".join(
                        _path(definition, o.column) + (" desc" if o.descending else "")
                        for o in query.order_by
                    ),
                    safe=",",
                )
        try:
            data = self._request("GET", url).json()["d"]
        except SharePointError as error:
            if error.status == 404:
                raise UnknownList(
                    f"The SharePoint site has no list '{definition.title}': run `auditdesk provision`."
                ) from None
            raise
        items = tuple(self._decode(definition, raw) for raw in data["results"])
        return Page(items, data.get("__next"))

    def get(self, list_name: str, item_id: int) -> ListItem:
        definition = self._definition(list_name)
        url = f"{self._list_url(definition.title)}/items({int(item_id)})?{self._select(definition)}"
        try:
            return self._decode(definition, self._request("GET", url).json()["d"])
        except SharePointError as error:
            if error.status in (400, 404):
                raise ItemNotFound(list_name, item_id) from None
            raise

    # --- writing --------------------------------------------------------------------------
    def add_many(self, list_name: str, rows: Sequence[Fields]) -> list[ListItem]:
        definition = self._definition(list_name)
        for fields in rows:
            check_fields(definition, fields)
        if not rows:
            return []
        entity_type = self._entity_type(definition)
        self._resolve_people(definition, rows)
        url = f"{self._list_url(definition.title)}/items"
        operations = [
            Operation("POST", url, {"__metadata": {"type": entity_type}, **self._encode(definition, fields)})
            for fields in rows
        ]
        answers = self._batch(operations)
        added_ids = []
        for answer in answers:
            if answer.status != 201:
                raise SharePointError(answer.status, _message(answer))
            added_ids.append(int(answer.json()["d"]["Id"]))
        return self._read_many(definition, added_ids)

    def _read_many(self, definition: ListDefinition, ids: Sequence[int]) -> list[ListItem]:
        """Items by id, read back in batched GETs (person columns need the expanded email)."""
        base = f"{self._list_url(definition.title)}/items?{self._select(definition)}"
        operations = []
        chunks = [list(ids[i : i + 40]) for i in range(0, len(ids), 40)]  # keeps URLs short
        for chunk in chunks:
            condition = quote(" or ".join(f"Id eq {i}" for i in chunk), safe="")
            operations.append(Operation("GET", f"{base}&$filter={condition}&$top={len(chunk)}"))
        by_id: dict[int, ListItem] = {}
        for answer in self._batch(operations):
            if answer.status != 200:
                raise SharePointError(answer.status, _message(answer))
            for raw in answer.json()["d"]["results"]:
                item = self._decode(definition, raw)
                by_id[item.id] = item
        return [by_id[i] for i in ids if i in by_id]

    def update_many(self, list_name: str, updates: Sequence[ItemUpdate]) -> list[ListItem]:
        definition = self._definition(list_name)
        if definition.append_only:
            raise AppendOnlyList(f"'{definition.title}' is append-only: add a new entry instead.")
        for update in updates:
            check_fields(definition, update.fields)
        if not updates:
            return []
        entity_type = self._entity_type(definition)
        self._resolve_people(definition, [u.fields for u in updates])
        operations = [
            Operation(
                "POST",
                f"{self._list_url(definition.title)}/items({int(u.item_id)})",
                {"__metadata": {"type": entity_type}, **self._encode(definition, u.fields)},
                # Without IF-MATCH the client sends "*": last writer wins. The ETag makes it safe.
                {"X-HTTP-Method": "MERGE", "IF-MATCH": u.etag or "*"},
            )
            for u in updates
        ]
        conflicts: list[ConcurrencyConflict] = []
        written: list[int] = []
        missing: ItemNotFound | None = None
        for update, answer in zip(updates, self._batch(operations), strict=True):
            if answer.status == 412:
                conflicts.append(ConcurrencyConflict(list_name, update.item_id, update.etag or "*"))
            elif answer.status == 404:
                missing = ItemNotFound(list_name, update.item_id)
            elif answer.status not in (200, 204):
                raise SharePointError(answer.status, _message(answer))
            else:
                written.append(update.item_id)
        items = self._read_many(definition, written)
        if conflicts:
            raise BatchConflict(conflicts, items)
        if missing is not None:
            raise missing
        return items

    # --- changes --------------------------------------------------------------------------
    def current_change_token(self, list_name: str) -> str:
        definition = self._definition(list_name)
        data = self._request("GET", self._list_url(definition.title) + "?$select=CurrentChangeToken").json()
        return str(data["d"]["CurrentChangeToken"]["StringValue"])

    def changes_since(self, list_name: str, token: str) -> tuple[list[Change], str]:
        definition = self._definition(list_name)
        query = {
            "query": {
                "__metadata": {"type": "SP.ChangeQuery"},
                "Item": True,
                "Add": True,
                "Update": True,
                "DeleteObject": True,
                "FetchLimit": 1000,
                # An SP.ChangeToken object, not a bare string.
                "ChangeTokenStart": {"__metadata": {"type": "SP.ChangeToken"}, "StringValue": token},
            }
        }
        try:
            results = self._request("POST", self._list_url(definition.title) + "/getchanges", json_body=query)
        except SharePointError as error:
            raise ListStoreError(
                f"SharePoint refused the change token for '{definition.title}' ({error}): take a new one "
                "with current_change_token and reconcile the list once."
            ) from None
        changes = []
        new_token = token
        for raw in results.json()["d"]["results"]:
            kind = _CHANGE_KINDS.get(int(raw["ChangeType"]))
            new_token = str(raw["ChangeToken"]["StringValue"])
            if kind is not None:
                changes.append(Change(definition.title, int(raw["ItemId"]), kind))
        return changes, new_token

    # --- libraries ------------------------------------------------------------------------
    def _folder(self, definition: ListDefinition) -> str:
        if not definition.is_library:
            raise ListStoreError(f"'{definition.title}' is a list, not a document library.")
        return f"{self.site_path}/{definition.url_name}"

    def add_file(self, library: str, name: str, content: bytes, fields: Fields | None = None) -> ListItem:
        definition = self._definition(library)
        folder = self._folder(definition)
        metadata = dict(fields or {})
        check_fields(definition, metadata)
        if not name or "/" in name or "'" in name:
            raise ListStoreError(f"'{name}' is not a file name a library accepts (no folders or quotes).")
        url = (
            f"{self.site_url}/_api/web/GetFolderByServerRelativeUrl('{quote(folder)}')/Files/"
            f"add(url='{quote(name)}',overwrite=true)?$expand=ListItemAllFields"
        )
        answer = self._request("POST", url, data=content)
        item_id = int(answer.json()["d"]["ListItemAllFields"]["Id"])
        if metadata:
            return self.update(library, item_id, metadata, None)
        return self._read_many(definition, [item_id])[0]

    def read_file(self, library: str, name: str) -> bytes:
        definition = self._definition(library)
        path = f"{self._folder(definition)}/{name}"
        url = f"{self.site_url}/_api/web/GetFileByServerRelativeUrl('{quote(path)}')/$value"
        try:
            return self._request("GET", url).content
        except SharePointError as error:
            if error.status == 404:
                raise FileNotFoundInLibrary(library, name) from None
            raise

    # --- webhooks -------------------------------------------------------------------------
    def subscribe(self, list_name: str, notification_url: str, client_state: str, days: int = 90) -> str:
        """Register a webhook (the client library cannot send ``clientState``). Returns its id."""
        definition = self._definition(list_name)
        if not 1 <= days <= 180:
            raise ListStoreError("A SharePoint webhook lasts 1 to 180 days.")
        list_id = self._request("GET", self._list_url(definition.title) + "?$select=Id").json()["d"]["Id"]
        expiry = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "resource": str(list_id),
            "notificationUrl": notification_url,
            "expirationDateTime": expiry,
            "clientState": client_state,
        }
        answer = self._request(
            "POST",
            self._list_url(definition.title) + "/subscriptions",
            data=_json_bytes(body),
            headers={"Content-Type": "application/json"},
        )
        return str(answer.json()["id"])

    def subscriptions(self, list_name: str) -> list[dict[str, Any]]:
        """The list's webhooks as SharePoint describes them (id, notificationUrl, expirationDateTime)."""
        url = self._list_url(self._definition(list_name).title) + "/subscriptions"
        payload = self._request("GET", url, headers={"Accept": "application/json"}).json()
        # SharePoint answers {"value": [...]} to application/json and {"d": {"results": [...]}} to verbose.
        found = payload.get("value") if "value" in payload else payload.get("d", {}).get("results", [])
        return list(found or [])

    def renew_subscription(self, list_name: str, subscription_id: str, expires: dt.datetime) -> None:
        """Move a webhook's expiry (at most 180 days ahead), as SharePoint's PATCH does."""
        url = self._list_url(self._definition(list_name).title) + f"/subscriptions('{subscription_id}')"
        self._request(
            "PATCH",
            url,
            data=_json_bytes({"expirationDateTime": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}),
            headers={"Content-Type": "application/json"},
        )

    # --- provisioning ---------------------------------------------------------------------
    def describe(self, definition: ListDefinition) -> ListShape | None:
        base = self._list_url(definition.title)
        lists = self._request("GET", "web/lists?$select=Title,BaseTemplate").json()["d"]["results"]
        found = next((x for x in lists if x["Title"] == definition.title), None)
        if found is None:
            return None
        operations = [
            Operation("GET", f"{base}/fields?$filter=Hidden eq false"),
            Operation("GET", f"{base}/views?$expand=ViewFields"),
        ]
        fields_answer, views_answer = self._batch(operations)
        columns = {}
        for raw in fields_answer.json()["d"]["results"]:
            kind = raw["TypeAsString"]
            if kind == "DateTime":
                kind = (
                    ColumnKind.DATE.value if raw.get("DisplayFormat", 0) == 0 else ColumnKind.DATETIME.value
                )
            choices = tuple((raw.get("Choices") or {}).get("results", ()))
            columns[raw["InternalName"]] = ColumnShape(
                raw["InternalName"], kind, choices, bool(raw["Indexed"])
            )
        views = {
            raw["Title"]: ViewShape(
                raw["Title"], tuple(raw["ViewFields"]["Items"]["results"]), raw["ViewQuery"]
            )
            for raw in views_answer.json()["d"]["results"]
        }
        return ListShape(definition.title, found["BaseTemplate"] == 101, columns, views)

    def create_list(self, definition: ListDefinition) -> None:
        # Created under its URL name, then titled: the URL stays free of spaces.
        body = {
            "__metadata": {"type": "SP.List"},
            "BaseTemplate": 101 if definition.is_library else 100,
            "Title": definition.url_name,
            "Description": definition.description,
        }
        self._request("POST", "web/lists", json_body=body)
        if definition.url_name != definition.title:
            self._request(
                "POST",
                self._list_url(definition.url_name),
                json_body={"__metadata": {"type": "SP.List"}, "Title": definition.title},
                headers={"X-HTTP-Method": "MERGE", "IF-MATCH": "*"},
            )

    def _field_xml(self, column: Column) -> str:
        type_name = _FIELD_TYPES[column.kind][0]
        attributes = {
            "Type": type_name,
            "Name": column.name,
            "StaticName": column.name,
            "DisplayName": column.title,
            "Required": "TRUE" if column.required else "FALSE",
            "Indexed": "TRUE" if column.indexed else "FALSE",
        }
        if column.kind is ColumnKind.DATE:
            attributes["Format"] = "DateOnly"
        if column.kind is ColumnKind.DATETIME:
            attributes["Format"] = "DateTime"
        if column.kind is ColumnKind.PERSON:
            attributes["UserSelectionMode"] = "PeopleOnly"
        if column.kind is ColumnKind.LOOKUP:
            assert column.lookup_list is not None
            target = self._request("GET", self._list_url(column.lookup_list) + "?$select=Id").json()["d"][
                "Id"
            ]
            attributes["List"] = "{" + str(target) + "}"
            attributes["ShowField"] = "ID"
        inner = ""
        if column.choices:
            inner = (
                "<CHOICES>" + "".join(f"<CHOICE>{escape(c)}</CHOICE>" for c in column.choices) + "</CHOICES>"
            )
        attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items())
        return f"<Field {attrs}>{inner}</Field>"

    def add_column(self, definition: ListDefinition, column: Column) -> None:
        body = {
            "parameters": {
                "__metadata": {"type": "SP.XmlSchemaFieldCreationInformation"},
                "SchemaXml": self._field_xml(column),
                "Options": 8,  # AddFieldInternalNameHint: keep the schema's field id as the name
            }
        }
        self._request("POST", self._list_url(definition.title) + "/fields/createfieldasxml", json_body=body)

    def update_column(self, definition: ListDefinition, column: Column) -> None:
        body: dict[str, Any] = {
            "__metadata": {"type": _FIELD_TYPES[column.kind][1]},
            "Indexed": column.indexed,
        }
        if column.kind is ColumnKind.CHOICE:
            body["Choices"] = {
                "__metadata": {"type": "Collection(Edm.String)"},
                "results": list(column.choices),
            }
        url = f"{self._list_url(definition.title)}/fields/getbyinternalnameortitle('{column.name}')"
        self._request("POST", url, json_body=body, headers={"X-HTTP-Method": "MERGE", "IF-MATCH": "*"})

    def put_view(self, definition: ListDefinition, view: View, query: str, exists: bool) -> None:
        base = self._list_url(definition.title) + "/views"
        if not exists:
            body = {
                "parameters": {
                    "__metadata": {"type": "SP.ViewCreationInformation"},
                    "Title": view.title,
                    "ViewFields": {
                        "__metadata": {"type": "Collection(Edm.String)"},
                        "results": list(view.columns),
                    },
                    "Query": query,
                    "PersonalView": False,
                    "RowLimit": 100,
                }
            }
            self._request("POST", f"{base}/add", json_body=body)
            return
        view_url = f"{base}/GetByTitle('{quote(view.title.replace(chr(39), chr(39) * 2))}')"
        operations = [
            Operation(
                "POST",
                view_url,
                {"__metadata": {"type": "SP.View"}, "ViewQuery": query},
                {"X-HTTP-Method": "MERGE", "IF-MATCH": "*"},
            ),
            Operation("POST", f"{view_url}/ViewFields/RemoveAllViewFields"),
            *[Operation("POST", f"{view_url}/ViewFields/AddViewField('{c}')") for c in view.columns],
        ]
        for answer in self._batch(operations):
            if answer.status not in (200, 201, 204):
                raise SharePointError(answer.status, _message(answer))

    # --- housekeeping ---------------------------------------------------------------------
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


def _json_bytes(body: Mapping[str, Any]) -> bytes:
    import json

    return json.dumps(body).encode("utf-8")


def _path(definition: ListDefinition, name: str) -> str:
    column = definition.column(name)
    if column is not None and column.kind is ColumnKind.PERSON:
        return f"{name}/EMail"
    if column is not None and column.kind is ColumnKind.LOOKUP:
        return f"{name}Id"
    return name


def _literal(value: FieldValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return "datetime'" + value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"
    if isinstance(value, dt.date):
        return f"datetime'{value.isoformat()}T00:00:00Z'"
    return "'" + value.replace("'", "''") + "'"


def _odata_filter(definition: ListDefinition, item_filter: Filter) -> str:
    path = _path(definition, item_filter.column)
    if item_filter.op is Op.IN:
        assert isinstance(item_filter.value, tuple)
        return "(" + " or ".join(f"{path} eq {_literal(v)}" for v in item_filter.value) + ")"
    assert not isinstance(item_filter.value, tuple)
    return f"{path} {item_filter.op.value} {_literal(item_filter.value)}"
