"""Provisioning: make the site's lists, columns, indexes and views match the definitions.

Idempotent: it compares what the store has with what the definitions say and changes only
the difference, so a second run changes nothing and says so. It never deletes a column or a
view: a column someone added by hand stays; a column whose type differs is reported for a
person to decide, since changing a type can lose data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from shared.services.ports.list_definitions import TODAY, ColumnKind, ListDefinition, View
from shared.services.ports.list_shapes import ColumnShape, Provisioner, same_formatter
from shared.services.ports.lists import Filter, Op

_CAML_OPS = {Op.EQ: "Eq", Op.NE: "Neq", Op.LT: "Lt", Op.LE: "Leq", Op.GT: "Gt", Op.GE: "Geq"}
_VALUE_TYPES = {
    ColumnKind.TEXT: "Text",
    ColumnKind.NOTE: "Note",
    ColumnKind.NUMBER: "Number",
    ColumnKind.BOOLEAN: "Boolean",
    ColumnKind.DATE: "DateTime",
    ColumnKind.DATETIME: "DateTime",
    ColumnKind.CHOICE: "Choice",
    ColumnKind.PERSON: "User",
    ColumnKind.LOOKUP: "Lookup",
}


@dataclass
class ProvisionReport:
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def view_query(definition: ListDefinition, view: View) -> str:
    """The view's CAML ``<Where>`` and ``<OrderBy>``, as SharePoint stores ``ViewQuery``."""
    conditions = [_caml(definition, f) for f in view.filters]
    where = ""
    if conditions:
        combined = conditions[0]
        for condition in conditions[1:]:
            combined = f"<And>{combined}{condition}</And>"
        where = f"<Where>{combined}</Where>"
    order = ""
    if view.order_by:
        refs = "".join(
            f"<FieldRef Name='{o.column}'" + (" Ascending='FALSE'" if o.descending else "") + "/>"
            for o in view.order_by
        )
        order = f"<OrderBy>{refs}</OrderBy>"
    return where + order


def _caml(definition: ListDefinition, item_filter: Filter) -> str:
    column = definition.column(item_filter.column)
    value_type = _VALUE_TYPES[column.kind] if column else "Text"
    ref = f"<FieldRef Name='{item_filter.column}'/>"
    if item_filter.op is Op.IN:
        assert isinstance(item_filter.value, tuple)
        values = "".join(f"<Value Type='{value_type}'>{_text(v)}</Value>" for v in item_filter.value)
        return f"<In>{ref}<Values>{values}</Values></In>"
    if item_filter.value is None:
        return f"<{'IsNotNull' if item_filter.op is Op.NE else 'IsNull'}>{ref}</{'IsNotNull' if item_filter.op is Op.NE else 'IsNull'}>"
    tag = _CAML_OPS[item_filter.op]
    value = "<Today/>" if item_filter.value == TODAY else _text(item_filter.value)
    return f"<{tag}>{ref}<Value Type='{value_type}'>{value}</Value></{tag}>"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return escape(str(value))


def provision(store: Provisioner, definitions: Iterable[ListDefinition]) -> ProvisionReport:
    """Create or update every list, column, index and view; report what changed."""
    report = ProvisionReport()
    ordered: Sequence[ListDefinition] = list(definitions)
    for definition in ordered:
        shape = store.describe(definition)
        if shape is None:
            store.create_list(definition)
            report.changes.append(
                f"Created {'library' if definition.is_library else 'list'} '{definition.title}'."
            )
            shape = store.describe(definition)
            assert shape is not None
        for column in definition.columns:
            have = shape.columns.get(column.name)
            want = ColumnShape.of(column)
            if have is None:
                store.add_column(definition, column)
                report.changes.append(
                    f"'{definition.title}': added column '{column.name}' ({column.kind.value})."
                )
            elif have.kind != want.kind:
                report.warnings.append(
                    f"'{definition.title}': column '{column.name}' is {have.kind} on the site but "
                    f"{want.kind} in the definitions; change it by hand (changing a type can lose data)."
                )
            elif (
                have.indexed != want.indexed
                or (column.kind is ColumnKind.CHOICE and have.choices != want.choices)
                or not same_formatter(have.formatter, want.formatter)
            ):
                store.update_column(definition, column)
                what = []
                if have.indexed != want.indexed:
                    what.append("indexed" if want.indexed else "index removed")
                if column.kind is ColumnKind.CHOICE and have.choices != want.choices:
                    what.append("choices updated")
                if not same_formatter(have.formatter, want.formatter):
                    what.append("formatting updated")
                report.changes.append(
                    f"'{definition.title}': column '{column.name}' " + ", ".join(what) + "."
                )
        for view in definition.views:
            query = view_query(definition, view)
            existing = shape.views.get(view.title)
            if (
                existing is None
                or existing.query != query
                or existing.columns != view.columns
                or not same_formatter(existing.formatter, view.formatter)
            ):
                store.put_view(definition, view, query, exists=existing is not None)
                verb = "updated" if existing else "added"
                report.changes.append(f"'{definition.title}': {verb} view '{view.title}'.")
    return report
