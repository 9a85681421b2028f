"""Checking and converting column values, the same way for every adapter.

A wrong value is refused before anything is sent, with the list, the column and what it
accepts, so the SQLite store and SharePoint refuse the same things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from shared.services.ports.list_definitions import BUILT_IN_COLUMNS, TODAY, Column, ColumnKind, ListDefinition
from shared.services.ports.lists import Fields, FieldValue, Filter, InvalidQuery, ListStoreError, Op

READ_ONLY = ("Id", "Created", "Modified")
# Columns a filter may always use: SharePoint indexes Id, and Modified/Created are indexable.
ALWAYS_FILTERABLE = ("Id", "Modified", "Created")


def check_fields(definition: ListDefinition, fields: Fields) -> None:
    """Refuse unknown columns, read-only columns and values of the wrong type."""
    for name, value in fields.items():
        if name in READ_ONLY:
            raise ListStoreError(
                f"'{name}' of '{definition.title}' is set by the store and cannot be written."
            )
        if name in BUILT_IN_COLUMNS:
            if value is not None and not isinstance(value, str):
                raise ListStoreError(f"'{name}' of '{definition.title}' takes text, not {value!r}.")
            continue
        column = definition.column(name)
        if column is None:
            raise ListStoreError(
                f"'{definition.title}' has no column '{name}'. Columns: "
                + ", ".join(c.name for c in definition.columns)
                + "."
            )
        if value is not None:
            _check_value(definition, column, value)


def _check_value(definition: ListDefinition, column: Column, value: FieldValue) -> None:
    where = f"'{column.name}' of '{definition.title}'"
    kind = column.kind
    ok: bool
    if kind in (ColumnKind.TEXT, ColumnKind.NOTE, ColumnKind.PERSON):
        ok = isinstance(value, str)
    elif kind is ColumnKind.CHOICE:
        if value not in column.choices:
            raise ListStoreError(f"{where} is one of: " + ", ".join(column.choices) + f"; not {value!r}.")
        ok = True
    elif kind is ColumnKind.BOOLEAN:
        ok = isinstance(value, bool)
    elif kind is ColumnKind.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind is ColumnKind.LOOKUP:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is ColumnKind.DATE:
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    else:
        ok = isinstance(value, dt.datetime) and value.tzinfo is not None
    if not ok:
        raise ListStoreError(f"{where} is a {kind.value} column: {value!r} does not fit.")


def check_filters(definition: ListDefinition, filters: Iterable[Filter]) -> None:
    """Filters only on indexed columns: SharePoint refuses others on lists over 5,000 items."""
    for item_filter in filters:
        name = item_filter.column
        if name in ALWAYS_FILTERABLE:
            continue
        column = definition.column(name)
        if column is None:
            raise InvalidQuery(f"'{definition.title}' has no column '{name}' to filter on.")
        if not column.indexed:
            indexed = ", ".join(definition.indexed_columns)
            raise InvalidQuery(
                f"'{name}' of '{definition.title}' is not indexed, so SharePoint refuses to filter "
                f"on it once the list passes 5,000 items. Filter on: {indexed}; or index it in "
                "shared/services/ports/list_definitions.py and run `auditdesk provision`."
            )
        if item_filter.op is Op.IN and not item_filter.value:
            raise InvalidQuery(f"'in' on '{name}' needs at least one value.")
        if item_filter.value == TODAY:
            raise InvalidQuery(f"'{TODAY}' is for views; pass today's date to a query.")


def to_stored(value: FieldValue) -> str | int | float | bool | None:
    """A value as JSON holds it: dates as ISO text (which sorts and compares correctly)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_stored(column: Column | None, raw: object) -> FieldValue:
    """A stored or wire value back as the port's type for the column."""
    if raw is None:
        return None
    if column is None:
        return raw if isinstance(raw, str | int | float | bool) else str(raw)
    kind = column.kind
    if kind is ColumnKind.DATE and isinstance(raw, str):
        return dt.date.fromisoformat(raw[:10])
    if kind is ColumnKind.DATETIME and isinstance(raw, str):
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if kind is ColumnKind.BOOLEAN:
        return bool(raw)
    if kind is ColumnKind.LOOKUP and isinstance(raw, int | str):
        return int(raw)
    if kind is ColumnKind.NUMBER and isinstance(raw, int | float | str):
        number = float(raw)
        return int(number) if number.is_integer() else number
    return raw if isinstance(raw, str | int | float | bool) else str(raw)


def decode_fields(definition: ListDefinition, raw: Mapping[str, object]) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    for name, value in raw.items():
        column = definition.column(name)
        if name == "Modified" or name == "Created":
            out[name] = from_stored(Column(name, name, ColumnKind.DATETIME), value)
        else:
            out[name] = from_stored(column, value)
    return out
