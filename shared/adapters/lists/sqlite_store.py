"""The embedded list store: SQLite under the home folder, libraries as folders beside it.

No configuration: ``<home>/lists.sqlite3`` and ``<home>/libraries/<Library>/<file>``. Change
tokens are positions in a monotonic change log; ETags are item versions, as SharePoint's are
(``"1"``, ``"2"`` ...). Safe under two processes: WAL journal, and every write takes the write
lock up front (``BEGIN IMMEDIATE``) so a read-check-write cannot interleave with another.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from shared.adapters.lists.values import check_fields, check_filters, decode_fields, to_stored
from shared.services.ports.list_definitions import Column, ListDefinition, View, definition_of
from shared.services.ports.list_shapes import ColumnShape, ListShape, ViewShape
from shared.services.ports.lists import (
    AppendOnlyList,
    BatchConflict,
    Change,
    ChangeKind,
    ConcurrencyConflict,
    Fields,
    FileNotFoundInLibrary,
    FileTooLarge,
    InvalidQuery,
    ItemNotFound,
    ItemUpdate,
    ListItem,
    ListStore,
    ListStoreError,
    Op,
    Page,
    Query,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    list TEXT NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL, fields TEXT NOT NULL,
    PRIMARY KEY (list, id));
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, list TEXT NOT NULL, item_id INTEGER NOT NULL,
    kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_by_list ON changes (list, seq);
CREATE TABLE IF NOT EXISTS next_ids (list TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS provisioned (
    list TEXT PRIMARY KEY, is_library INTEGER NOT NULL, columns TEXT NOT NULL, views TEXT NOT NULL);
"""
_OPS = {Op.EQ: "=", Op.NE: "!=", Op.LT: "<", Op.LE: "<=", Op.GT: ">", Op.GE: ">="}
TOKEN_PREFIX = "sqlite;"  # noqa: S105 - a change-token prefix, not a secret


def _etag(version: int) -> str:
    return f'"{version}"'


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_path(column: str) -> str:
    return '$."' + column.replace('"', "") + '"'


def _open(home: Path, path: Path) -> sqlite3.Connection:
    """The lists' database, created if new. A home that cannot hold it (a file, read-only, full)
    or a damaged file is a :class:`~shared.adapters.home.HomeProblem` naming it, not SQLite's words."""
    from shared.adapters.home import check_home_folder, home_problem

    check_home_folder(home)
    db: sqlite3.Connection | None = None
    try:
        home.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
        db.executescript(_SCHEMA)
    except (sqlite3.Error, OSError) as error:
        if db is not None:
            db.close()
        problem = home_problem(error, home, path)
        if problem is None:
            raise
        raise problem from error
    return db


class SqliteListStore(ListStore):
    def __init__(self, home: Path, definitions: Mapping[str, ListDefinition]) -> None:
        self.path = home / "lists.sqlite3"
        self.libraries = home / "libraries"
        self.definitions = definitions
        self._lock = threading.Lock()
        self._db = _open(home, self.path)

    # --- plumbing -------------------------------------------------------------------------
    def _definition(self, title: str) -> ListDefinition:
        return definition_of(self.definitions, title)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _item(self, definition: ListDefinition, item_id: int, version: int, raw: str) -> ListItem:
        fields = decode_fields(definition, json.loads(raw))
        fields["Id"] = item_id
        return ListItem(item_id, _etag(version), fields)

    # --- reading --------------------------------------------------------------------------
    def query(self, query: Query) -> Page:
        definition = self._definition(query.list_name)
        check_filters(definition, query.filters)
        if not 1 <= query.page_size <= 5000:
            raise InvalidQuery("A page holds 1 to 5,000 items.")
        sql = ["SELECT id, version, fields FROM items WHERE list = ?"]
        params: list[object] = [definition.title]
        for item_filter in query.filters:
            target = "id" if item_filter.column == "Id" else "json_extract(fields, ?)"
            if item_filter.column != "Id":
                params.append(_json_path(item_filter.column))
            if item_filter.op is Op.IN:
                assert isinstance(item_filter.value, tuple)
                sql.append(f"AND {target} IN ({','.join('?' * len(item_filter.value))})")
                params.extend(to_stored(v) for v in item_filter.value)
            elif item_filter.value is None:
                sql.append(f"AND {target} IS {'NOT ' if item_filter.op is Op.NE else ''}NULL")
            else:
                assert not isinstance(item_filter.value, tuple)
                sql.append(f"AND {target} {_OPS[item_filter.op]} ?")
                params.append(to_stored(item_filter.value))
        order = []
        for order_by in query.order_by:
            if order_by.column == "Id":
                order.append("id" + (" DESC" if order_by.descending else ""))
            else:
                order.append("json_extract(fields, ?)" + (" DESC" if order_by.descending else ""))
                params.append(_json_path(order_by.column))
        order.append("id")
        offset = self._offset(query.continuation)
        sql.append("ORDER BY " + ", ".join(order) + " LIMIT ? OFFSET ?")
        params += [query.page_size + 1, offset]
        with self._lock:
            rows = self._db.execute(" ".join(sql), params).fetchall()
        items = tuple(self._item(definition, *row) for row in rows[: query.page_size])
        more = len(rows) > query.page_size
        return Page(items, f"offset:{offset + query.page_size}" if more else None)

    @staticmethod
    def _offset(continuation: str | None) -> int:
        if continuation is None:
            return 0
        match = re.fullmatch(r"offset:(\d+)", continuation)
        if not match:
            raise InvalidQuery("That continuation did not come from this store: start the query again.")
        return int(match.group(1))

    def get(self, list_name: str, item_id: int) -> ListItem:
        definition = self._definition(list_name)
        with self._lock:
            row = self._db.execute(
                "SELECT id, version, fields FROM items WHERE list = ? AND id = ?", (definition.title, item_id)
            ).fetchone()
        if row is None:
            raise ItemNotFound(list_name, item_id)
        return self._item(definition, *row)

    # --- writing --------------------------------------------------------------------------
    def add_many(self, list_name: str, rows: Sequence[Fields]) -> list[ListItem]:
        definition = self._definition(list_name)
        for fields in rows:
            check_fields(definition, fields)
        added: list[ListItem] = []
        with self._write() as db:
            for fields in rows:
                item_id = self._next_id(db, definition.title)
                stored = {k: to_stored(v) for k, v in fields.items()}
                stored["Created"] = stored["Modified"] = _now()
                raw = json.dumps(stored)
                db.execute("INSERT INTO items VALUES (?, ?, 1, ?)", (definition.title, item_id, raw))
                self._log(db, definition.title, item_id, ChangeKind.ADDED)
                added.append(self._item(definition, item_id, 1, raw))
        return added

    @staticmethod
    def _next_id(db: sqlite3.Connection, title: str) -> int:
        # Ids are never reused, as in SharePoint.
        row = db.execute("SELECT next_id FROM next_ids WHERE list = ?", (title,)).fetchone()
        item_id = row[0] if row else 1
        db.execute("INSERT OR REPLACE INTO next_ids VALUES (?, ?)", (title, item_id + 1))
        return int(item_id)

    @staticmethod
    def _log(db: sqlite3.Connection, title: str, item_id: int, kind: ChangeKind) -> None:
        db.execute("INSERT INTO changes (list, item_id, kind) VALUES (?, ?, ?)", (title, item_id, kind.value))

    def update_many(self, list_name: str, updates: Sequence[ItemUpdate]) -> list[ListItem]:
        definition = self._definition(list_name)
        if definition.append_only:
            raise AppendOnlyList(f"'{definition.title}' is append-only: add a new entry instead.")
        for update in updates:
            check_fields(definition, update.fields)
        written: list[ListItem] = []
        conflicts: list[ConcurrencyConflict] = []
        missing: ItemNotFound | None = None
        with self._write() as db:
            for update in updates:
                row = db.execute(
                    "SELECT version, fields FROM items WHERE list = ? AND id = ?",
                    (definition.title, update.item_id),
                ).fetchone()
                if row is None:
                    missing = ItemNotFound(list_name, update.item_id)
                    continue
                version, raw = row
                if update.etag is not None and update.etag not in (_etag(version), "*"):
                    conflicts.append(ConcurrencyConflict(list_name, update.item_id, update.etag))
                    continue
                stored = json.loads(raw)
                stored.update({k: to_stored(v) for k, v in update.fields.items()})
                stored["Modified"] = _now()
                new_raw = json.dumps(stored)
                db.execute(
                    "UPDATE items SET version = ?, fields = ? WHERE list = ? AND id = ?",
                    (version + 1, new_raw, definition.title, update.item_id),
                )
                self._log(db, definition.title, update.item_id, ChangeKind.UPDATED)
                written.append(self._item(definition, update.item_id, version + 1, new_raw))
        if conflicts:
            raise BatchConflict(conflicts, written)
        if missing is not None:
            raise missing
        return written

    # --- changes --------------------------------------------------------------------------
    def current_change_token(self, list_name: str) -> str:
        self._definition(list_name)
        with self._lock:
            (seq,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()
        return f"{TOKEN_PREFIX}{seq}"

    def changes_since(self, list_name: str, token: str) -> tuple[list[Change], str]:
        definition = self._definition(list_name)
        if not token.startswith(TOKEN_PREFIX) or not token[len(TOKEN_PREFIX) :].isdigit():
            raise ListStoreError(
                f"'{token}' is not a change token of the embedded store: take a new one with current_change_token."
            )
        start = int(token[len(TOKEN_PREFIX) :])
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, item_id, kind FROM changes WHERE list = ? AND seq > ? ORDER BY seq LIMIT 1000",
                (definition.title, start),
            ).fetchall()
        if not rows:
            return [], token
        changes = [Change(definition.title, item_id, ChangeKind(kind)) for _, item_id, kind in rows]
        return changes, f"{TOKEN_PREFIX}{rows[-1][0]}"

    # --- libraries ------------------------------------------------------------------------
    def _library_folder(self, library: str) -> tuple[ListDefinition, Path]:
        definition = self._definition(library)
        if not definition.is_library:
            raise ListStoreError(f"'{library}' is a list, not a document library.")
        return definition, self.libraries / definition.url_name

    @staticmethod
    def _safe_name(name: str) -> str:
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ListStoreError(f"'{name}' is not a file name a library accepts (no folders, no slashes).")
        return name

    def add_file(self, library: str, name: str, content: bytes, fields: Fields | None = None) -> ListItem:
        definition, folder = self._library_folder(library)
        self._safe_name(name)
        metadata = dict(fields or {})
        check_fields(definition, metadata)
        folder.mkdir(parents=True, exist_ok=True)
        # The item of the same name, asked of SQLite: not the whole library read for every file
        # (a month's 500 drafts each read every earlier one, issue 19).
        with self._lock:
            row = self._db.execute(
                "SELECT id, version, fields FROM items WHERE list = ? AND json_extract(fields, ?) = ? "
                "ORDER BY id LIMIT 1",
                (definition.title, _json_path("FileLeafRef"), name),
            ).fetchone()
        item = None if row is None else self._item(definition, *row)
        if item is not None and (folder / name).is_file():
            # Saving over a file is a new version, as in SharePoint: the earlier one is kept.
            kept = self.version_path(library, name, int(item.etag.strip('"')))
            kept.parent.mkdir(parents=True, exist_ok=True)
            if not kept.exists():
                (folder / name).replace(kept)
        temporary = folder / f".{name}.partial"
        temporary.write_bytes(content)
        temporary.replace(folder / name)
        if item is not None:
            # A new version of the item (a new ETag and a change), as SharePoint makes.
            return self.update(definition.title, item.id, metadata, None)
        return self.add(definition.title, {"FileLeafRef": name, **metadata})

    def earlier_version_link(self, library: str, name: str, version: str) -> str:
        kept = self.version_path(library, name, int(version.strip('"') or 0))
        return kept.relative_to(self.libraries.parent).as_posix()

    def version_path(self, library: str, name: str, version: int) -> Path:
        """Where an earlier version of a library file is kept (its item's version when replaced)."""
        _, folder = self._library_folder(library)
        return folder / ".versions" / self._safe_name(name) / f"{version}{Path(name).suffix}"

    def item_url(self, list_name: str, item_id: int = 0, file_name: str = "") -> str:
        """A path from the Audit Desk home, the same in every copy of a home (so an email says
        the same whichever folder the home is in): the file, or the lists' database and the item."""
        definition = self._definition(list_name)
        home = self.libraries.parent
        if definition.is_library and file_name:
            _, folder = self._library_folder(list_name)
            return (folder / self._safe_name(file_name)).relative_to(home).as_posix()
        return f"{self.path.relative_to(home).as_posix()} ({definition.title}, item {item_id})"

    def read_file(self, library: str, name: str, max_bytes: int | None = None) -> bytes:
        _, folder = self._library_folder(library)
        path = folder / self._safe_name(name)
        if not path.is_file():
            raise FileNotFoundInLibrary(library, name)
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise FileTooLarge(library, name, size, max_bytes)
        return path.read_bytes()

    # --- provisioning ---------------------------------------------------------------------
    def provisioner(self) -> SqliteListStore:
        """The store provisions its own tables (it implements the provisioning port itself)."""
        return self

    def describe(self, definition: ListDefinition) -> ListShape | None:
        with self._lock:
            row = self._db.execute(
                "SELECT is_library, columns, views FROM provisioned WHERE list = ?", (definition.title,)
            ).fetchone()
        if row is None:
            return None
        columns = {
            c["name"]: ColumnShape(
                c["name"], c["kind"], tuple(c["choices"]), c["indexed"], c.get("formatter", "")
            )
            for c in json.loads(row[1])
        }
        views = {
            v["title"]: ViewShape(v["title"], tuple(v["columns"]), v["query"], v.get("formatter", ""))
            for v in json.loads(row[2])
        }
        return ListShape(definition.title, bool(row[0]), columns, views)

    def _save_shape(self, shape: ListShape) -> None:
        columns = [
            {
                "name": c.name,
                "kind": c.kind,
                "choices": list(c.choices),
                "indexed": c.indexed,
                "formatter": c.formatter,
            }
            for c in shape.columns.values()
        ]
        views = [
            {"title": v.title, "columns": list(v.columns), "query": v.query, "formatter": v.formatter}
            for v in shape.views.values()
        ]
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO provisioned VALUES (?, ?, ?, ?)",
                (shape.title, int(shape.is_library), json.dumps(columns), json.dumps(views)),
            )
            for column in shape.columns.values():
                if column.indexed:
                    # A partial expression index per indexed column: what SharePoint's column index does.
                    name = re.sub(r"\W", "_", f"ix_{shape.title}_{column.name}")
                    db.execute(
                        f"CREATE INDEX IF NOT EXISTS {name} ON items (json_extract(fields, '{_json_path(column.name)}')) "
                        f"WHERE list = '{shape.title}'"
                    )

    def create_list(self, definition: ListDefinition) -> None:
        self._save_shape(ListShape(definition.title, definition.is_library))

    def add_column(self, definition: ListDefinition, column: Column) -> None:
        self.update_column(definition, column)

    def update_column(self, definition: ListDefinition, column: Column) -> None:
        shape = self.describe(definition)
        assert shape is not None
        columns = {**shape.columns, column.name: ColumnShape.of(column)}
        self._save_shape(ListShape(shape.title, shape.is_library, columns, shape.views))

    def put_view(self, definition: ListDefinition, view: View, query: str, exists: bool) -> None:
        shape = self.describe(definition)
        assert shape is not None
        views = {**shape.views, view.title: ViewShape(view.title, view.columns, query, view.formatter)}
        self._save_shape(ListShape(shape.title, shape.is_library, shape.columns, views))

    def close(self) -> None:
        with self._lock:
            self._db.close()
