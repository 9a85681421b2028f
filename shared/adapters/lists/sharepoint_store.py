"""The SharePoint Online list store: SharePoint REST through office365-rest-python-client.

The client's :class:`ClientContext` authenticates (msal certificate credentials in
production, ``with_access_token`` in tests). The requests themselves go through one
``requests`` session (:mod:`shared.adapters.lists.sp_http`, the transport) because the client leaves
out what this service needs:

- ``Retry-After`` on 429/503 is honoured (tenacity), and waits are counted;
- reads (GET and read-only ``$batch``) are retried after a dropped connection; a write whose
  connection dropped raises :class:`WriteOutcomeUnknown` (the caller re-reads);
- ``IF-MATCH`` carries the item's ETag, and 412 becomes :class:`ConcurrencyConflict`;
- writes go in ``$batch`` changesets with the verb on the request line (``MERGE``), as the
  client's own serializer sends them (it splits batches of writes on entity-type look-ups);
- GetChanges is sent with an ``SP.ChangeToken`` object, asks for Restore too, and pages until
  drained; a token older than the change log raises :class:`ChangeTokenExpired`;
- files go through the ResourcePath APIs (``GetFileByServerRelativePath(DecodedUrl=...)``,
  ``Files/AddUsingPath(DecodedUrl=...)``), so names with ``#``, ``%`` and ``'`` work;
- date-only columns are the site's local midnight in UTC (read from
  ``web/RegionalSettings/TimeZone`` once per store, riding along in the first read's ``$batch``);
- request URLs stay under 2,000 characters (id filters are split into batched parts);
- filters stay threshold-safe: indexed columns only, equality clauses first, person columns
  filtered by their ``{Name}Id`` (never the joined ``/EMail``);
- the User-Agent is decorated ``NONISV|HullCC|AuditDesk/<version>``.

Wire formats are checked against office365-rest-python-client 3.3.0 in
``tests/lists/test_wire_format.py``.

Nothing here logs item contents: only list titles, counts and status codes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from shared.adapters.lists.sp_batch import Operation, OperationResult

# The transport's public names stay importable from here, as before the split.
from shared.adapters.lists.sp_http import RetryPolicy as RetryPolicy
from shared.adapters.lists.sp_http import SharePointError as SharePointError
from shared.adapters.lists.sp_http import SharePointHttp, list_url
from shared.adapters.lists.sp_http import Throttled as Throttled
from shared.adapters.lists.sp_http import Unreachable as Unreachable
from shared.adapters.lists.sp_http import error_message as _message
from shared.adapters.lists.sp_http import user_agent as user_agent
from shared.adapters.lists.sp_provisioning import SharePointProvisioning
from shared.adapters.lists.sp_webhooks import SharePointWebhooks
from shared.adapters.lists.values import check_fields, check_filters, from_stored
from shared.services.ports.list_definitions import ColumnKind, ListDefinition, definition_of
from shared.services.ports.lists import (
    AppendOnlyList,
    BatchConflict,
    Change,
    ChangeKind,
    ChangeTokenExpired,
    ConcurrencyConflict,
    Fields,
    FieldValue,
    FileNotFoundInLibrary,
    FileTooLarge,
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

if TYPE_CHECKING:
    from office365.sharepoint.client_context import ClientContext

log = logging.getLogger(__name__)

# Request URLs past about 2,000 characters fail on SharePoint Online (sp-dev-docs issue 7848,
# pnpjs issue 2678); stay well under it, the host included.
MAX_URL_LENGTH = 1900
CHANGE_FETCH_LIMIT = 1000
# SharePoint keeps the change log about 60 days (sp-dev-docs issue 2361; SPChangeToken docs) and
# SharePoint Online may answer an older token with nothing rather than an error (sp-dev-docs
# issue 10389): a token this old is treated as expired without asking.
CHANGE_LOG_DAYS = 55
_TICKS_AT_EPOCH = 621355968000000000
# SP.ChangeType: Add 1, Update 2, DeleteObject 3, Restore 7 (restored from the recycle bin).
_CHANGE_KINDS = {1: ChangeKind.ADDED, 2: ChangeKind.UPDATED, 3: ChangeKind.DELETED, 7: ChangeKind.ADDED}
# SharePoint's own time zone ids (SP.TimeZone.Id) for the zones a UK council's site may use.
# Unknown ids fall back to the fixed offset SharePoint reports (Information.Bias), with a warning.
SHAREPOINT_TIME_ZONES = {2: "Europe/London"}
_ZONE_URL = "web/RegionalSettings/TimeZone"


class SharePointListStore(ListStore):
    """Lists and libraries of one SharePoint site, as defined in :mod:`shared.services.ports.list_definitions`."""

    def __init__(
        self,
        site_url: str,
        definitions: Mapping[str, ListDefinition],
        context: ClientContext,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:

        self.site_url = site_url.rstrip("/")
        self.site_path = urlsplit(self.site_url).path.rstrip("/")
        self.definitions = definitions
        self.context = context
        self._http = SharePointHttp(self.site_url, context, retry, timeout_seconds, sleep)
        self._request = self._http.request
        self._batch = self._http.batch
        self._entity_types: dict[str, str] = {}
        self._user_ids: dict[str, int] = {}
        self._filter_user_ids: dict[str, int] = {}  # from site users, for filters (-1: nobody)
        self._zone: dt.tzinfo | None = None
        self.change_fetch_limit = CHANGE_FETCH_LIMIT  # `auditdesk doctor` lowers it to prove paging
        self._provisioning = SharePointProvisioning(self._http, self.site_url, self._entity_types)
        self._webhooks = SharePointWebhooks(self._http, self.site_url, self._definition)

    # --- transport (shared.adapters.lists.sp_http) -----------------------------------------------
    @property
    def retry(self) -> RetryPolicy:
        return self._http.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._http.retry = policy

    def sign_in(self) -> None:
        """Sign in and take a form digest now (``auditdesk doctor``'s first check)."""
        self._http.sign_in()

    # --- the site's time zone -------------------------------------------------------------
    def _zone_operation(self) -> list[Operation]:
        """The time zone read, to ride along in a read's ``$batch`` until it is known."""
        return [] if self._zone is not None else [Operation("GET", f"{self.site_url}/_api/{_ZONE_URL}")]

    def _take_zone(self, answers: list[OperationResult]) -> list[OperationResult]:
        """Strip the time zone answer added by :meth:`_zone_operation` (it comes last)."""
        if self._zone is not None:
            return answers
        answer = answers[-1]
        if answer.status != 200:
            raise SharePointError(answer.status, _message(answer))
        self._set_zone(answer.json()["d"])
        return answers[:-1]

    def _set_zone(self, raw: Mapping[str, Any]) -> None:
        name = SHAREPOINT_TIME_ZONES.get(int(raw.get("Id", -1)))
        if name is not None:
            self._zone = ZoneInfo(name)
            return
        bias = int((raw.get("Information") or {}).get("Bias", 0))
        log.warning(
            "SharePoint site time zone id %s is not in SHAREPOINT_TIME_ZONES: using a fixed UTC offset "
            "of %d minutes (no daylight saving); add the zone to shared/adapters/lists/sharepoint_store.py",
            raw.get("Id"),
            -bias,
        )
        self._zone = dt.timezone(dt.timedelta(minutes=-bias))

    def site_time_zone(self) -> dt.tzinfo:
        """The site's time zone (``web/RegionalSettings/TimeZone``), read once per store."""
        if self._zone is None:
            self._set_zone(self._request("GET", _ZONE_URL).json()["d"])
        assert self._zone is not None
        return self._zone

    def _date_to_wire(self, day: dt.date) -> str:
        """A date-only value as the web UI stores it: the site's local midnight, in UTC
        (sp-dev-docs issue 6083; a UK date in summer is 23:00Z the day before)."""
        local = dt.datetime.combine(day, dt.time(0), self.site_time_zone())
        return local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _date_from_wire(self, raw: object) -> dt.date | None:
        if raw is None or raw == "":
            return None
        text = str(raw)
        if "T" not in text:
            return dt.date.fromisoformat(text[:10])
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.site_time_zone()).date()

    # --- lists and columns ----------------------------------------------------------------
    def _definition(self, title: str) -> ListDefinition:
        return definition_of(self.definitions, title)

    def _list_url(self, title: str) -> str:
        return list_url(self.site_url, title)

    def _entity_type(self, definition: ListDefinition) -> str:
        if definition.title not in self._entity_types:
            url = self._list_url(definition.title) + "?$select=ListItemEntityTypeFullName,Id"
            answer = self._read(url)
            if answer.status == 404:
                raise UnknownList(
                    f"The SharePoint site has no list '{definition.title}': run `auditdesk provision`."
                )
            if answer.status != 200:
                raise SharePointError(answer.status, _message(answer))
            self._entity_types[definition.title] = str(answer.json()["d"]["ListItemEntityTypeFullName"])
        return self._entity_types[definition.title]

    def _read(self, url: str) -> OperationResult:
        """One GET; while the site's time zone is unknown it rides along in a ``$batch`` (still
        one request)."""
        if self._zone is not None:
            response = self._request("GET", url, ok=tuple(range(200, 600)))
            return OperationResult(response.status_code, dict(response.headers), response.content)
        answers = self._take_zone(self._batch([Operation("GET", url), *self._zone_operation()]))
        return answers[0]

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
            elif column.kind is ColumnKind.DATE:
                fields[column.name] = self._date_from_wire(raw.get(column.name))
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
                body[name] = self._date_to_wire(value)
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
        """One page; an ``in`` filter too long for one URL is split into parts of one ``$batch``
        (then the page holds every match and has no continuation)."""
        definition = self._definition(query.list_name)
        check_filters(definition, query.filters)
        if not 1 <= query.page_size <= 5000:
            raise InvalidQuery("A page holds 1 to 5,000 items.")
        if query.continuation is not None:
            if not query.continuation.startswith(self.site_url):
                raise InvalidQuery("That continuation did not come from this site: start the query again.")
            urls = [query.continuation]
        else:
            urls = self._query_urls(definition, query)
        if len(urls) == 1:
            answers = [self._read(urls[0])]
        else:
            answers = self._take_zone(
                self._batch([*(Operation("GET", u) for u in urls), *self._zone_operation()])
            )
        pages = [self._page_of(definition, answer) for answer in answers]
        if len(pages) == 1:
            return pages[0]
        if any(page.continuation for page in pages):
            raise InvalidQuery(
                f"Too many items of '{definition.title}' match a long 'in' filter for one page: "
                "ask for fewer values at a time."
            )
        items = sorted((i for page in pages for i in page.items), key=lambda i: i.id)
        for order in reversed(query.order_by):
            column = order.column

            def key(item: ListItem, column: str = column) -> tuple[int, str]:
                return _sort_key(item[column])

            items.sort(key=key, reverse=order.descending)
        return Page(tuple(items), None)

    def _page_of(self, definition: ListDefinition, answer: OperationResult) -> Page:
        if answer.status == 404:
            raise UnknownList(
                f"The SharePoint site has no list '{definition.title}': run `auditdesk provision`."
            )
        if answer.status != 200:
            message = _message(answer)
            if "SPQueryThrottledException" in message:
                raise InvalidQuery(
                    f"'{definition.title}' has too many items for this filter: SharePoint runs the "
                    "first indexed condition first and it matched 5,000 items or more. Add an equality "
                    "condition on a more selective indexed column."
                )
            raise SharePointError(answer.status, message)
        data = answer.json()["d"]
        items = tuple(self._decode(definition, raw) for raw in data["results"])
        return Page(items, data.get("__next"))

    def _query_urls(self, definition: ListDefinition, query: Query) -> list[str]:
        """The query's URL, or several when one ``in`` filter would make it too long.

        Threshold-safe: equality clauses go first (SharePoint runs the first indexed clause
        first, and it must match under 5,000 items on a big list), ranges and ``ne`` last.
        """
        filters = sorted(query.filters, key=_selectivity)
        self._resolve_filter_people(definition, filters)
        base = f"{self._list_url(definition.title)}/items?{self._select(definition)}&$top={query.page_size}"
        order = ""
        if query.order_by:
            order = "&$orderby=" + quote(
                ",".join(
                    _path(definition, o.column) + (" desc" if o.descending else "") for o in query.order_by
                ),
                safe=",",
            )

        def url_for(clauses: Sequence[Filter]) -> str:
            if not clauses:
                return base + order
            text = " and ".join(self._odata_filter(definition, f) for f in clauses)
            return base + "&$filter=" + quote(text, safe="") + order

        whole = url_for(filters)
        if len(whole) <= MAX_URL_LENGTH:
            return [whole]
        longest = max(
            (f for f in filters if f.op is Op.IN and isinstance(f.value, tuple)),
            key=lambda f: len(f.value) if isinstance(f.value, tuple) else 0,
            default=None,
        )
        if longest is None or not isinstance(longest.value, tuple) or not longest.value:
            raise InvalidQuery(
                f"The filter on '{definition.title}' makes a URL SharePoint would refuse: shorten it."
            )
        rest = [f for f in filters if f is not longest]
        # As many values per URL as fit. Percent-encoding works character by character, so a
        # URL's length is the sum of its pieces' encoded lengths: each value is encoded once,
        # not the whole URL again for every value added (that was quadratic in the values).
        fixed = len(url_for([Filter(longest.column, Op.IN, (longest.value[0],)), *rest]))
        pieces = [
            len(quote(self._odata_filter(definition, Filter(longest.column, Op.IN, (v,)))[1:-1], safe=""))
            for v in longest.value
        ]
        separator = len(quote(" or ", safe=""))
        fixed -= pieces[0]
        urls: list[str] = []
        chunk: list[FieldValue] = []
        length = fixed
        for value, piece in zip(longest.value, pieces, strict=True):
            if chunk and length + separator + piece > MAX_URL_LENGTH:
                urls.append(url_for([Filter(longest.column, Op.IN, tuple(chunk)), *rest]))
                chunk, length = [], fixed
            length += (separator if chunk else 0) + piece
            chunk.append(value)
        if chunk:
            urls.append(url_for([Filter(longest.column, Op.IN, tuple(chunk)), *rest]))
        if any(len(url) > MAX_URL_LENGTH for url in urls):
            raise InvalidQuery(
                f"The filter on '{definition.title}' makes a URL SharePoint would refuse: shorten it."
            )
        return urls

    def _resolve_filter_people(self, definition: ListDefinition, filters: Sequence[Filter]) -> None:
        """Person filters compare site user ids ({Name}Id, indexed with the column): look up the
        addresses not seen yet in the site's users, all in one read-only ``$batch``."""
        people = {c.name for c in definition.columns if c.kind is ColumnKind.PERSON}
        wanted: set[str] = set()
        for item_filter in filters:
            if item_filter.column in people:
                values = item_filter.value if isinstance(item_filter.value, tuple) else (item_filter.value,)
                wanted |= {str(v).casefold() for v in values if v is not None}
        unknown = sorted(wanted - set(self._user_ids) - set(self._filter_user_ids))
        if not unknown:
            return
        operations = [
            Operation(
                "GET",
                f"{self.site_url}/_api/web/siteusers?$select=Id,Email&$filter="
                + quote(f"Email eq {_literal(email)}", safe=""),
            )
            for email in unknown
        ]
        for email, answer in zip(unknown, self._batch(operations), strict=True):
            if answer.status != 200:
                raise SharePointError(answer.status, _message(answer))
            found = answer.json()["d"]["results"]
            # Nobody with that address on the site: no item can name them (-1 matches nothing).
            self._filter_user_ids[email] = int(found[0]["Id"]) if found else -1

    def _odata_filter(self, definition: ListDefinition, item_filter: Filter) -> str:
        column = definition.column(item_filter.column)
        values = item_filter.value if isinstance(item_filter.value, tuple) else (item_filter.value,)
        if column is not None and column.kind is ColumnKind.PERSON:
            path = f"{column.name}Id"
            literals = [
                "null"
                if v is None
                else str(
                    self._user_ids.get(str(v).casefold(), self._filter_user_ids.get(str(v).casefold(), -1))
                )
                for v in values
            ]
        else:
            path = _path(definition, item_filter.column)
            literals = [self._literal(v) for v in values]
        if item_filter.op is Op.IN:
            return "(" + " or ".join(f"{path} eq {lit}" for lit in literals) + ")"
        return f"{path} {item_filter.op.value} {literals[0]}"

    def _literal(self, value: FieldValue) -> str:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return f"datetime'{self._date_to_wire(value)}'"
        return _literal(value)

    def get(self, list_name: str, item_id: int) -> ListItem:
        definition = self._definition(list_name)
        url = f"{self._list_url(definition.title)}/items({int(item_id)})?{self._select(definition)}"
        answer = self._read(url)
        if answer.status in (400, 404):
            raise ItemNotFound(list_name, item_id)
        if answer.status != 200:
            raise SharePointError(answer.status, _message(answer))
        return self._decode(definition, answer.json()["d"])

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
        """Items by id, read back in batched GETs (person columns need the expanded email).

        Each part's URL stays under :data:`MAX_URL_LENGTH`: as many ids as fit, per part.
        """
        base = f"{self._list_url(definition.title)}/items?{self._select(definition)}"

        def url_for(chunk: Sequence[int]) -> str:
            condition = quote(" or ".join(f"Id eq {i}" for i in chunk), safe="")
            return f"{base}&$filter={condition}&$top={len(chunk)}"

        operations = []
        chunk: list[int] = []
        for item_id in ids:
            if chunk and len(url_for([*chunk, item_id])) > MAX_URL_LENGTH:
                operations.append(Operation("GET", url_for(chunk)))
                chunk = []
            chunk.append(item_id)
        if chunk:
            operations.append(Operation("GET", url_for(chunk)))
        if not operations:
            return []
        by_id: dict[int, ListItem] = {}
        for answer in self._take_zone(self._batch([*operations, *self._zone_operation()])):
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
                "MERGE",
                # The client's address for one item (``lst.items.get_by_id(n)``).
                f"{self._list_url(definition.title)}/items/GetById({int(u.item_id)})",
                {"__metadata": {"type": entity_type}, **self._encode(definition, u.fields)},
                # Without IF-MATCH the client sends "*": last writer wins. The ETag makes it safe.
                {"IF-MATCH": u.etag or "*"},
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
        """Every change after ``token``: GetChanges is asked again until fewer than ``FetchLimit``
        come back (SharePoint returns at most that many per call).

        Raises :class:`ChangeTokenExpired` when SharePoint refuses the token as older than its
        change log (``SPInvalidChangeTokenException``), or when the token is older than
        :data:`CHANGE_LOG_DAYS` (SharePoint Online may answer such a token with nothing).
        """
        definition = self._definition(list_name)
        if _token_age_days(token) > CHANGE_LOG_DAYS:
            raise ChangeTokenExpired(definition.title)
        changes: list[Change] = []
        current = token
        while True:
            batch, current, full = self._changes_page(definition, current)
            changes += batch
            if not full:
                return changes, current

    def _changes_page(self, definition: ListDefinition, token: str) -> tuple[list[Change], str, bool]:
        query = {
            "query": {
                "__metadata": {"type": "SP.ChangeQuery"},
                "Item": True,
                "Add": True,
                "Update": True,
                "DeleteObject": True,
                "Restore": True,
                "FetchLimit": self.change_fetch_limit,
                # An SP.ChangeToken object: the client's bare string is what its own docs warn about.
                "ChangeTokenStart": {"__metadata": {"type": "SP.ChangeToken"}, "StringValue": token},
            }
        }
        try:
            # GetChanges changes nothing, so it is retried after a dropped connection.
            results = self._request(
                "POST", self._list_url(definition.title) + "/getchanges", json_body=query, idempotent=True
            )
        except SharePointError as error:
            if "SPInvalidChangeTokenException" in str(error) or "change log" in str(error):
                raise ChangeTokenExpired(definition.title) from None
            raise ListStoreError(
                f"SharePoint refused the change query for '{definition.title}' ({error})."
            ) from None
        raw_changes = results.json()["d"]["results"]
        changes = []
        new_token = token
        for raw in raw_changes:
            kind = _CHANGE_KINDS.get(int(raw["ChangeType"]))
            new_token = str(raw["ChangeToken"]["StringValue"])
            if kind is not None:
                changes.append(Change(definition.title, int(raw["ItemId"]), kind))
        return changes, new_token, len(raw_changes) >= self.change_fetch_limit

    # --- libraries ------------------------------------------------------------------------
    def _folder(self, definition: ListDefinition) -> str:
        if not definition.is_library:
            raise ListStoreError(f"'{definition.title}' is a list, not a document library.")
        return f"{self.site_path}/{definition.url_name}"

    def earlier_version_link(self, library: str, name: str, version: str) -> str:
        """SharePoint keeps every version of a library file: its version history page."""
        path = quote(f"{self._folder(self._definition(library))}/{name}", safe="")
        return f"{self.site_url}/_layouts/15/Versions.aspx?FileName={path} (version {version.strip(chr(34))})"

    def add_file(self, library: str, name: str, content: bytes, fields: Fields | None = None) -> ListItem:
        """Upload through ``Files/AddUsingPath(DecodedUrl=...)``: the ResourcePath API takes the
        decoded name, so ``#`` and ``%`` are plain characters (the string-based ``Files/add``
        would cut or decode them). Apostrophes are doubled inside the OData string literal."""
        definition = self._definition(library)
        folder = self._folder(definition)
        metadata = dict(fields or {})
        check_fields(definition, metadata)
        _check_file_name(name)
        url = (
            f"{self.site_url}/_api/web/GetFolderByServerRelativePath(DecodedUrl={_path_literal(folder)})"
            f"/Files/AddUsingPath(DecodedUrl={_path_literal(name)},Overwrite=true)?$expand=ListItemAllFields"
        )
        answer = self._request("POST", url, data=content)
        item_id = int(answer.json()["d"]["ListItemAllFields"]["Id"])
        if metadata:
            return self.update(library, item_id, metadata, None)
        return self._read_many(definition, [item_id])[0]

    def item_url(self, list_name: str, item_id: int = 0, file_name: str = "") -> str:
        """The item's display form, or the file itself in a library (as SharePoint links them:
        opening it opens Word or Excel for the web, edited in place)."""
        definition = self._definition(list_name)
        if definition.is_library:
            if file_name:
                _check_file_name(file_name)
                return _origin(self.site_url) + quote(f"{self._folder(definition)}/{file_name}")
            return f"{self.site_url}/{definition.url_name}/Forms/DispForm.aspx?ID={item_id}"
        return f"{self.site_url}/Lists/{definition.url_name}/DispForm.aspx?ID={item_id}"

    def read_file(self, library: str, name: str, max_bytes: int | None = None) -> bytes:
        """Download through ``GetFileByServerRelativePath(DecodedUrl=...)/$value``, as the client's
        ``web.get_file_by_server_relative_path`` does. With ``max_bytes`` the answer is streamed:
        its Content-Length refuses an oversized file before its body is read, and without one
        the body is read no further than the limit."""
        definition = self._definition(library)
        _check_file_name(name)
        path = f"{self._folder(definition)}/{name}"
        url = f"{self.site_url}/_api/web/GetFileByServerRelativePath(DecodedUrl={_path_literal(path)})/$value"
        try:
            if max_bytes is None:
                return self._request("GET", url).content
            with self._request("GET", url, stream=True) as answer:
                declared = answer.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FileTooLarge(library, name, int(declared), max_bytes)
                content = bytearray()
                for chunk in answer.iter_content(chunk_size=1 << 16):
                    content.extend(chunk)
                    if len(content) > max_bytes:
                        raise FileTooLarge(library, name, len(content), max_bytes)
                return bytes(content)
        except SharePointError as error:
            if error.status == 404:
                raise FileNotFoundInLibrary(library, name) from None
            raise

    def delete_file(self, library: str, name: str) -> None:
        """Remove a file (``auditdesk doctor`` cleans up after itself with it)."""
        definition = self._definition(library)
        path = f"{self._folder(definition)}/{name}"
        url = f"{self.site_url}/_api/web/GetFileByServerRelativePath(DecodedUrl={_path_literal(path)})"
        self._request("POST", url, headers={"X-HTTP-Method": "DELETE", "IF-MATCH": "*"})

    # --- capabilities: provisioning (sp_provisioning.py) and webhooks (sp_webhooks.py) -------
    def provisioner(self) -> SharePointProvisioning:
        return self._provisioning

    def webhooks(self) -> SharePointWebhooks:
        return self._webhooks

    # --- housekeeping ---------------------------------------------------------------------
    def stats(self) -> StoreStats:
        return self._http.stats()

    def close(self) -> None:
        self._http.close()


def _path_literal(path: str) -> str:
    """A decoded path as an OData string literal in a URL, escaped exactly as the client escapes
    it (office365 ``runtime/paths/builder.py``, ``ODataPathBuilder._SPECIAL_CHARS``): ``%``, ``+``,
    ``?``, ``#``, ``&``, ``*`` percent-encoded, apostrophes doubled; ``requests`` encodes spaces."""
    for char, replacement in _SPECIAL_CHARS.items():
        path = path.replace(char, replacement)
    return f"'{path}'"


_SPECIAL_CHARS = {"%": "%25", "+": "%2B", "?": "%3F", "#": "%23", "&": "%26", "'": "''", "*": "%2A"}


def _check_file_name(name: str) -> None:
    # SharePoint Online refuses " * : < > ? / \ | in names and a leading space; folders are not
    # used by Audit Desk (a name is one file in the library's root).
    bad = [c for c in '"*:<>?/\\|' if c in name]
    if not name or bad or name.startswith(" ") or name.endswith("."):
        raise ListStoreError(
            f"'{name}' is not a file name a SharePoint library accepts"
            + (f" (no {' '.join(bad)})" if bad else "")
            + ": rename the file."
        )


def _token_age_days(token: str) -> float:
    """How old a change token is, from its ticks (``1;3;<list id>;<ticks>;<number>``); 0 if unreadable."""
    bits = token.split(";")
    try:
        moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            microseconds=(int(bits[3]) - _TICKS_AT_EPOCH) / 10
        )
    except (IndexError, ValueError, OverflowError):
        return 0.0
    return (dt.datetime.now(dt.UTC) - moment).total_seconds() / 86400


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


def _selectivity(item_filter: Filter) -> int:
    """Sort key putting the clauses SharePoint can run first cheaply first: Id, then equality."""
    if item_filter.column == "Id" and item_filter.op in (Op.EQ, Op.IN):
        return 0
    if item_filter.op in (Op.EQ, Op.IN):
        return 1
    return 2


def _sort_key(value: FieldValue) -> tuple[int, str]:
    if value is None:
        return (0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, f"{value:020.6f}")
    return (1, str(value))


def _origin(site_url: str) -> str:
    parts = urlsplit(site_url)
    return f"{parts.scheme}://{parts.netloc}"
