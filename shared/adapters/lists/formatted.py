"""The framework's lists as SharePoint shows them: the definitions
(:mod:`shared.services.ports.list_definitions`) with the JSON column and view formatting people
see (:mod:`shared.adapters.lists.formatting`, docs/lists.md). The list stores and provisioning
are given these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from shared.adapters.lists import formatting
from shared.core.list_titles import ALLOCATIONS, DRAFTS, SUBMISSIONS, TASKS
from shared.core.schema import AuditSchema
from shared.core.stages import AuditStage
from shared.services.ports.list_definitions import ColumnKind, ListDefinition, list_definitions


def formatted_definitions(schema: AuditSchema) -> tuple[ListDefinition, ...]:
    """Every list and library Audit Desk provisions, in the order they are created (lookups last),
    with the JSON formatting people see (shared/adapters/lists/formatting.py, docs/lists.md)."""
    return tuple(_formatted(d, schema) for d in list_definitions(schema))


def _formatted(definition: ListDefinition, schema: AuditSchema) -> ListDefinition:
    grades = {"overall_grade", "previous_grade", *(f"{d.id}_grade" for d in schema.domains)}
    due = {
        # Still to do: an open task; an allocation still with its auditor.
        "due_date": "[$status] == 'Open'"
        if definition.title == TASKS
        else f"[$status] == '{AuditStage.ALLOCATED.value}'",
        "amendment_due": f"[$status] == '{AuditStage.RETURNED_FOR_AMENDMENT.value}'",
        "discussion_due": f"[$status] == '{AuditStage.FINDINGS_SHARED.value}'",
    }
    formatted_lists = (ALLOCATIONS, SUBMISSIONS, DRAFTS, TASKS)
    if definition.title not in formatted_lists:
        return definition
    columns = []
    for column in definition.columns:
        formatter = ""
        if column.name in grades and column.kind is ColumnKind.CHOICE:
            formatter = formatting.as_json(formatting.judgement())
        elif column.name in due and column.kind is ColumnKind.DATE:
            formatter = formatting.as_json(formatting.due_date(column.name, due[column.name]))
        elif definition.title == TASKS and column.name == "status":
            formatter = formatting.as_json(formatting.mark_done())
        elif column.name == "submit_for_qa":
            formatter = formatting.as_json(formatting.submit_for_qa())
        columns.append(replace(column, formatter=formatter))
    views = tuple(
        replace(view, formatter=formatting.as_json(formatting.overdue_rows()))
        if "due_date" in view.columns and definition.title in (ALLOCATIONS, TASKS)
        else view
        for view in definition.views
    )
    return replace(definition, columns=tuple(columns), views=views)


def definitions_by_title(schema: AuditSchema) -> Mapping[str, ListDefinition]:
    return {definition.title: definition for definition in formatted_definitions(schema)}
