"""What a store says a provisioned list looks like, so provisioning can compare and change it,
and the provisioning port each list store offers (:meth:`shared.services.ports.lists.ListStore.provisioner`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from shared.services.ports.list_definitions import Column, ListDefinition, View


@dataclass(frozen=True, slots=True)
class ColumnShape:
    name: str
    kind: str
    choices: tuple[str, ...] = ()
    indexed: bool = False
    formatter: str = ""  # the field's CustomFormatter JSON ('' when none)

    @classmethod
    def of(cls, column: Column) -> ColumnShape:
        return cls(column.name, column.kind.value, column.choices, column.indexed, column.formatter)


@dataclass(frozen=True, slots=True)
class ViewShape:
    title: str
    columns: tuple[str, ...]
    query: str  # CAML <Where>/<OrderBy>, as SharePoint stores a view's ViewQuery
    formatter: str = ""  # the view's CustomFormatter JSON ('' when none)


@dataclass(frozen=True, slots=True)
class ListShape:
    title: str
    is_library: bool
    columns: Mapping[str, ColumnShape] = field(default_factory=dict)
    views: Mapping[str, ViewShape] = field(default_factory=dict)


class Provisioner(Protocol):
    """The changes provisioning asks of a store; each adapter implements them."""

    def describe(self, definition: ListDefinition) -> ListShape | None: ...

    def create_list(self, definition: ListDefinition) -> None: ...

    def add_column(self, definition: ListDefinition, column: Column) -> None: ...

    def update_column(self, definition: ListDefinition, column: Column) -> None: ...

    def put_view(self, definition: ListDefinition, view: View, query: str, exists: bool) -> None: ...


def same_formatter(have: str, want: str) -> bool:
    """Whether two CustomFormatter texts say the same (SharePoint may re-space the JSON)."""
    import json

    if not have.strip() or not want.strip():
        return not have.strip() and not want.strip()
    try:
        return bool(json.loads(have) == json.loads(want))
    except ValueError:
        return False
