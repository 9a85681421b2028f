"""The list store port: what Audit Desk needs from SharePoint lists, and nothing more.

Two adapters implement it: :mod:`shared.adapters.lists.sqlite_store` (embedded, the default) and
:mod:`shared.adapters.lists.sharepoint_store` (SharePoint Online). The same contract tests run against
both. Values are plain Python: text, numbers, yes/no, ``datetime.date`` for date columns,
``datetime.datetime`` for date-and-time columns, an email address for a person column and an
item id for a lookup column. ``None`` clears a value.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, Self

if TYPE_CHECKING:
    from shared.services.ports.list_shapes import Provisioner

FieldValue = str | int | float | bool | dt.date | dt.datetime | None
Fields = Mapping[str, FieldValue]


class ListStoreError(Exception):
    """Something the list store refused or could not do; the message says what to do next."""


class UnknownList(ListStoreError):
    """The list or library is not defined in :mod:`shared.services.ports.list_definitions` or not provisioned."""


class ItemNotFound(ListStoreError):
    def __init__(self, list_name: str, item_id: int) -> None:
        super().__init__(f"'{list_name}' has no item {item_id}: it may have been deleted; reload the list.")
        self.list_name = list_name
        self.item_id = item_id


class FileNotFoundInLibrary(ListStoreError):
    def __init__(self, library: str, name: str) -> None:
        super().__init__(f"The library '{library}' has no file '{name}'.")
        self.library = library
        self.name = name


class FileTooLarge(ListStoreError):
    """A file bigger than the caller will read: refused from its size, before it is read."""

    def __init__(self, library: str, name: str, size: int, limit: int) -> None:
        super().__init__(
            f"The file '{name}' is {size / 1_048_576:.1f} MB, more than the {limit / 1_048_576:.0f} MB Audit "
            "Desk reads: a filled audit form is tens of kilobytes. Check the right file was uploaded "
            "(pictures pasted into a form can be made smaller), and upload the form again."
        )
        self.library = library
        self.name = name
        self.size = size
        self.limit = limit


class ConcurrencyConflict(ListStoreError):
    """Someone changed the item after it was read (stale ETag). Re-read it and apply the change again."""

    def __init__(self, list_name: str, item_id: int, sent_etag: str) -> None:
        super().__init__(
            f"Item {item_id} of '{list_name}' was changed by someone else since it was read "
            f"(ETag {sent_etag} is stale): read it again and redo the change."
        )
        self.list_name = list_name
        self.item_id = item_id
        self.sent_etag = sent_etag


class BatchConflict(ListStoreError):
    """Some updates of a batch met stale ETags; the others were written (``written``)."""

    def __init__(self, conflicts: Sequence[ConcurrencyConflict], written: Sequence[ListItem]) -> None:
        ids = ", ".join(str(c.item_id) for c in conflicts)
        super().__init__(
            f"{len(conflicts)} update(s) met a newer version (items {ids}); "
            f"{len(written)} were written. Re-read the conflicting items and redo them."
        )
        self.conflicts = tuple(conflicts)
        self.written = tuple(written)


class WriteOutcomeUnknown(ListStoreError):
    """The connection dropped while a write was in flight: it may or may not have been applied.

    Nothing is retried blindly (a repeated add would add twice). Re-read what the write was
    meant to change (by a key the caller chose, e.g. the submission's id), then redo it or not.
    """


class ChangeTokenExpired(ListStoreError):
    """The stored change token is older than the store's change log (SharePoint keeps about 60 days).

    Changes since then cannot be listed: call :meth:`ListStore.resync` for a new token and every
    item id, reconcile those items (idempotently), store the new token, and tell QA once.
    """

    def __init__(self, list_name: str) -> None:
        super().__init__(
            f"The change token for '{list_name}' is older than SharePoint's change log: the list is "
            "re-read in full once (resync) and processing carries on from a new token."
        )
        self.list_name = list_name


class InvalidQuery(ListStoreError):
    """A filter the store cannot run safely, e.g. on a column without an index."""


class AppendOnlyList(ListStoreError):
    """The Audit Trail is append-only: entries are added, never changed."""


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list or library. ``etag`` is the version the item was read at."""

    id: int
    etag: str
    fields: Mapping[str, FieldValue]

    def __getitem__(self, column: str) -> FieldValue:
        return self.fields.get(column)


class Op(Enum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"


@dataclass(frozen=True, slots=True)
class Filter:
    """``column op value``; for :attr:`Op.IN`, ``value`` is a tuple of values. Filters combine with *and*."""

    column: str
    op: Op
    value: FieldValue | tuple[FieldValue, ...]


def where(column: str, op: str, value: FieldValue | Sequence[FieldValue]) -> Filter:
    """``where("Status", "eq", "Submitted")``, ``where("Status", "in", ["A", "B"])``."""
    operator = Op(op)
    if isinstance(value, list | tuple):
        if operator is not Op.IN:
            raise InvalidQuery(f"'{op}' on '{column}' needs one value; use 'in' for a list.")
        return Filter(column, operator, tuple(value))
    if operator is Op.IN:
        raise InvalidQuery(f"'in' on '{column}' needs a list of values, not {value!r}.")
    if not isinstance(value, str | int | float | bool | dt.date | None):
        raise InvalidQuery(f"'{column}' cannot be compared with {type(value).__name__}.")
    return Filter(column, operator, value)


@dataclass(frozen=True, slots=True)
class OrderBy:
    column: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A page of a list. Filters must be on indexed columns (SharePoint's 5,000-item threshold).

    ``continuation`` is the opaque value of the previous :class:`Page`; ``None`` starts at
    the beginning.
    """

    list_name: str
    filters: tuple[Filter, ...] = ()
    order_by: tuple[OrderBy, ...] = ()
    page_size: int = 100
    continuation: str | None = None

    def next(self, page: Page) -> Query | None:
        if page.continuation is None:
            return None
        return Query(self.list_name, self.filters, self.order_by, self.page_size, page.continuation)


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[ListItem, ...]
    continuation: str | None = None


class ChangeKind(Enum):
    ADDED = "added"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Change:
    """One change to one item. Webhooks only say *that* something changed; this says *what*."""

    list_name: str
    item_id: int
    kind: ChangeKind


@dataclass(frozen=True, slots=True)
class ItemUpdate:
    """One update of a batch: ``etag=None`` overwrites whatever is there (use sparingly)."""

    item_id: int
    fields: Mapping[str, FieldValue]
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What a store did, for benchmarks and logs (counts only: never contents)."""

    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    extra: Mapping[str, int] = field(default_factory=dict)


class ListStore(abc.ABC):
    """The port. Every list name is a title from :mod:`shared.services.ports.list_definitions`."""

    # Reading ---------------------------------------------------------------------------
    @abc.abstractmethod
    def query(self, query: Query) -> Page:
        """One page of items matching ``query`` (filters on indexed columns only)."""

    @abc.abstractmethod
    def get(self, list_name: str, item_id: int) -> ListItem:
        """The item, or :class:`ItemNotFound`."""

    def query_all(self, query: Query, max_pages: int = 1000) -> Iterator[ListItem]:
        """Every item matching ``query``, following continuations (at most ``max_pages`` pages)."""
        current: Query | None = query
        for _ in range(max_pages):
            if current is None:
                return
            page = self.query(current)
            yield from page.items
            current = current.next(page)
        raise ListStoreError(
            f"'{query.list_name}' has more than {max_pages} pages of {query.page_size}: narrow the filter."
        )

    # Writing ---------------------------------------------------------------------------
    def add(self, list_name: str, fields: Fields) -> ListItem:
        """Add one item and return it with its id and ETag."""
        return self.add_many(list_name, [fields])[0]

    def update(self, list_name: str, item_id: int, fields: Fields, etag: str | None) -> ListItem:
        """Change ``fields`` of the item if it is still at ``etag``; else :class:`ConcurrencyConflict`.

        ``etag=None`` overwrites unconditionally. Lists defined append-only refuse updates.
        """
        try:
            return self.update_many(list_name, [ItemUpdate(item_id, fields, etag)])[0]
        except BatchConflict as error:
            raise error.conflicts[0] from None

    @abc.abstractmethod
    def add_many(self, list_name: str, rows: Sequence[Fields]) -> list[ListItem]:
        """Add several items in as few round trips as the store allows; results in input order."""

    @abc.abstractmethod
    def update_many(self, list_name: str, updates: Sequence[ItemUpdate]) -> list[ListItem]:
        """Apply several updates; stale ones raise one :class:`BatchConflict` after the rest are written."""

    # Changes ---------------------------------------------------------------------------
    @abc.abstractmethod
    def current_change_token(self, list_name: str) -> str:
        """A token meaning "now": changes after it are returned by :meth:`changes_since`."""

    @abc.abstractmethod
    def changes_since(self, list_name: str, token: str) -> tuple[list[Change], str]:
        """Changes after ``token``, oldest first, and the token to store for next time."""

    def resync(self, list_name: str) -> tuple[str, list[int]]:
        """A fresh change token and the id of every item, for when :class:`ChangeTokenExpired`.

        The token is taken first, so anything that changes while the ids are read is reported
        again by :meth:`changes_since` later: reconciling must be idempotent (it is, by design).
        """
        token = self.current_change_token(list_name)
        ids = [item.id for item in self.query_all(Query(list_name, page_size=5000), max_pages=10_000)]
        return token, ids

    # Document libraries ----------------------------------------------------------------
    @abc.abstractmethod
    def add_file(self, library: str, name: str, content: bytes, fields: Fields | None = None) -> ListItem:
        """Upload (or replace) a file and set its metadata; returns the file's list item."""

    @abc.abstractmethod
    def read_file(self, library: str, name: str, max_bytes: int | None = None) -> bytes:
        """The file's bytes, or :class:`FileNotFoundInLibrary`; :class:`FileTooLarge` when it is
        bigger than ``max_bytes``, known from its size before its content is read."""

    def earlier_version_link(self, library: str, name: str, version: str) -> str:
        """Where a person finds the version of the file that ``version`` (its item's ETag when it
        was replaced) held: SharePoint's version history; the kept copy on the embedded store."""
        return f"{self.item_url(library, file_name=name)} (version history, version {version.strip(chr(34))})"

    def item_url(self, list_name: str, item_id: int = 0, file_name: str = "") -> str:
        """Where a person opens the item, or the library's file ``file_name`` (then ``item_id``
        is not needed): a web address on SharePoint (a file opens in Word or Excel for the web,
        edited in place), a file path on the embedded store; '' when the store cannot say."""
        return ""

    # Capabilities some stores have ------------------------------------------------------
    def provisioner(self) -> Provisioner | None:
        """How the store's lists are created and kept to their definitions (None: it cannot)."""
        return None

    def webhooks(self) -> ListWebhooks | None:
        """The lists' change notifications, where the store sends them (a SharePoint site)."""
        return None

    def stats(self) -> StoreStats:
        return StoreStats()

    def close(self) -> None:  # noqa: B027 - optional hook, most stores hold nothing open
        """Release connections."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ListWebhooks(Protocol):
    """A list's webhooks: SharePoint calls ``notification_url`` when the list changes."""

    def subscribe(self, list_name: str, notification_url: str, client_state: str, days: int = 90) -> str:
        """Register a webhook lasting ``days``; returns its id."""
        ...

    def subscriptions(self, list_name: str) -> list[dict[str, Any]]:
        """The list's webhooks as the site describes them (id, notificationUrl, expirationDateTime)."""
        ...

    def renew_subscription(self, list_name: str, subscription_id: str, expires: dt.datetime) -> None: ...

    def delete_subscription(self, list_name: str, subscription_id: str) -> None: ...
