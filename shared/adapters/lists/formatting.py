"""SharePoint JSON column and view formatting: what people see in the lists, as code.

Each formatter follows Microsoft's formatting syntax reference (column formatting
``$schema`` https://developer.microsoft.com/json-schemas/sp/v2/column-formatting.schema.json,
view formatting https://developer.microsoft.com/json-schemas/sp/v2/row-formatting.schema.json):
``elmType``, ``txtContent``, ``style``, ``attributes``, ``children``, ``customRowAction``, and
Excel-style expressions (``=if(...)``). Provisioning sets a column's ``CustomFormatter`` and a
view's ``CustomFormatter`` (docs/lists.md shows each one and what the person sees).

Colour never carries meaning alone: judgements keep their words and each has its own icon
shape, so they read the same printed in greyscale; due dates say "overdue" or "due soon" in
words beside the colour.
"""

from __future__ import annotations

import json
from typing import Any

from shared.core.grades import Grade

COLUMN_SCHEMA = "https://developer.microsoft.com/json-schemas/sp/v2/column-formatting.schema.json"
ROW_SCHEMA = "https://developer.microsoft.com/json-schemas/sp/v2/row-formatting.schema.json"
# Working days are not known to the browser: "due soon" is within the next 2 calendar days,
# as near as formatting can tell (the reminders use working days).
NEAR_DAYS = 2

# Fluent UI class names SharePoint documents for formatting (sp-field-severity--*).
_BLOCKED, _WARNING, _GOOD, _LOW = (
    "sp-field-severity--blocked",
    "sp-field-severity--warning",
    "sp-field-severity--good",
    "sp-field-severity--low",
)

# Each judgement: a distinct icon shape and a background class. Words stay.
JUDGEMENT_LOOK = {
    Grade.OUTSTANDING.value: ("FavoriteStarFill", _GOOD),
    Grade.GOOD.value: ("CheckMark", _GOOD),
    Grade.REQUIRES_IMPROVEMENT.value: ("Warning", _WARNING),
    Grade.INADEQUATE.value: ("ErrorBadge", _BLOCKED),
}


def as_json(formatter: dict[str, Any]) -> str:
    """The formatter as SharePoint stores it: compact JSON text, the same every time."""
    return json.dumps(formatter, ensure_ascii=False, separators=(",", ":"))


def _nested_if(field: str, cases: list[tuple[str, str]], otherwise: str) -> str:
    expression = f"'{otherwise}'"
    for value, result in reversed(cases):
        expression = f"if({field} == '{value}', '{result}', {expression})"
    return "=" + expression


def due_date(field: str, open_when: str = "") -> dict[str, Any]:
    """A due date: red with "overdue" once it has passed, amber with "due soon" within
    :data:`NEAR_DAYS` days. ``open_when`` is an expression that is true while the thing is
    still to do (a done task's date is plain)."""
    current = f"[${field}]"
    still = open_when or "true"
    overdue = f"(Number({current}) > 0 && {still} && {current} < addDays(@now, -1))"
    near = f"(Number({current}) > 0 && {still} && {current} <= addDays(@now, {NEAR_DAYS}))"
    return {
        "$schema": COLUMN_SCHEMA,
        "elmType": "div",
        "attributes": {"class": f"=if({overdue}, '{_BLOCKED}', if({near}, '{_WARNING}', ''))"},
        "style": {"padding": "0 4px"},
        "children": [
            {
                "elmType": "span",
                "attributes": {
                    "iconName": f"=if({overdue}, 'ErrorBadge', if({near}, 'Clock', ''))",
                },
                "style": {"padding-right": "4px"},
            },
            {"elmType": "span", "txtContent": "@currentField"},
            {
                "elmType": "span",
                "txtContent": f"=if({overdue}, ' overdue', if({near}, ' due soon', ''))",
                "style": {"font-weight": "600"},
            },
        ],
    }


def judgement() -> dict[str, Any]:
    """A judgement (Outstanding, Good, Requires improvement, Inadequate): the words, an icon
    whose shape differs per judgement, and a coloured background."""
    cases_icon = [(grade, icon) for grade, (icon, _) in JUDGEMENT_LOOK.items()]
    cases_class = [(grade, css) for grade, (_, css) in JUDGEMENT_LOOK.items()]
    return {
        "$schema": COLUMN_SCHEMA,
        "elmType": "div",
        "attributes": {"class": _nested_if("@currentField", cases_class, "")},
        "style": {"padding": "0 4px"},
        "children": [
            {
                "elmType": "span",
                "attributes": {"iconName": _nested_if("@currentField", cases_icon, "")},
                "style": {"padding-right": "6px"},
            },
            {
                "elmType": "span",
                "txtContent": "@currentField",
                "style": {"font-weight": f"=if(@currentField == '{Grade.INADEQUATE.value}', '700', '400')"},
            },
        ],
    }


def mark_done() -> dict[str, Any]:
    """The Tasks list's Status: the status in words, and on an open task a "Mark done" button
    that sets Status to Done (Audit Desk then acts on it as on any edit: 2.6, 2.10)."""
    return {
        "$schema": COLUMN_SCHEMA,
        "elmType": "div",
        "children": [
            {"elmType": "span", "txtContent": "@currentField", "style": {"padding-right": "8px"}},
            {
                "elmType": "button",
                "txtContent": "Mark done",
                "attributes": {"class": "ms-fontColor-themePrimary", "title": "Mark this task done"},
                "style": {
                    "display": "=if(@currentField == 'Open', 'inline-block', 'none')",
                    "cursor": "pointer",
                },
                "customRowAction": {
                    "action": "setValue",
                    "actionInput": {"status": "Done", "completed_on": "@now"},
                },
            },
        ],
    }


def submit_for_qa() -> dict[str, Any]:
    """The Audit Drafts library's "Submit for QA check" column: a button on a file not yet
    submitted, and the words "Submitted for the QA check" once it is."""
    return {
        "$schema": COLUMN_SCHEMA,
        "elmType": "div",
        "children": [
            {
                "elmType": "button",
                "txtContent": "Submit for QA check",
                "attributes": {
                    "class": "ms-fontColor-themePrimary",
                    "title": "Send this audit to the Quality Assurance Team for the QA check",
                },
                "style": {
                    "display": "=if(@currentField == true, 'none', 'inline-block')",
                    "cursor": "pointer",
                },
                "customRowAction": {"action": "setValue", "actionInput": {"submit_for_qa": "true"}},
            },
            {
                "elmType": "span",
                "txtContent": "=if(@currentField == true, 'Submitted for the QA check', '')",
            },
        ],
    }


def overdue_rows(due_field: str = "due_date") -> dict[str, Any]:
    """A view whose overdue rows are marked red and near ones amber, so the whole row shows it."""
    current = f"[${due_field}]"
    return {
        "$schema": ROW_SCHEMA,
        "additionalRowClass": (
            f"=if(Number({current}) > 0 && {current} < addDays(@now, -1), '{_BLOCKED}', "
            f"if(Number({current}) > 0 && {current} <= addDays(@now, {NEAR_DAYS}), '{_WARNING}', ''))"
        ),
    }


# -- the rules the reference documents, to check every formatter against ---------------------

ELEMENT_TYPES = frozenset({"div", "span", "a", "img", "svg", "path", "button", "p", "filepreview"})
ELEMENT_PROPERTIES = frozenset(
    {
        "$schema",
        "elmType",
        "txtContent",
        "style",
        "attributes",
        "children",
        "debugMode",
        "forEach",
        "customRowAction",
        "customCardProps",
        "defaultHoverField",
        "columnFormatterReference",
        "inlineEditField",
        "filePreviewProps",
    }
)
ATTRIBUTES = frozenset(
    {
        "href",
        "rel",
        "src",
        "class",
        "target",
        "title",
        "role",
        "iconName",
        "d",
        "aria",
        "data-interception",
        "viewBox",
        "preserveAspectRatio",
        "draggable",
    }
)
ROW_ACTIONS = frozenset(
    {"defaultClick", "share", "delete", "editProps", "openContextMenu", "setValue", "executeFlow", "embed"}
)
STYLES = frozenset(
    {
        "background-color",
        "border",
        "border-radius",
        "color",
        "cursor",
        "display",
        "font-size",
        "font-weight",
        "margin",
        "padding",
        "padding-left",
        "padding-right",
        "white-space",
        "width",
        "align-items",
        "justify-content",
    }
)
ROW_PROPERTIES = frozenset(
    {"$schema", "additionalRowClass", "rowFormatter", "hideSelection", "hideColumnHeader", "groupProps"}
)


def problems_of(formatter: dict[str, Any], column_names: frozenset[str] = frozenset()) -> list[str]:
    """What Microsoft's formatting syntax reference would refuse in ``formatter`` ([] when none).
    ``column_names``: the list's internal names, which ``setValue`` may set."""
    if formatter.get("$schema") == ROW_SCHEMA:
        unknown = set(formatter) - ROW_PROPERTIES
        return [f"view formatting has unknown properties {sorted(unknown)}"] if unknown else []
    if formatter.get("$schema") != COLUMN_SCHEMA:
        return [f"$schema is {formatter.get('$schema')!r}"]
    return _element_problems(formatter, column_names, "root")


def _element_problems(element: dict[str, Any], columns: frozenset[str], where: str) -> list[str]:
    problems = []
    unknown = set(element) - ELEMENT_PROPERTIES
    if unknown:
        problems.append(f"{where}: unknown properties {sorted(unknown)}")
    if element.get("elmType") not in ELEMENT_TYPES:
        problems.append(f"{where}: elmType {element.get('elmType')!r} is not one SharePoint renders")
    for name in element.get("attributes", {}):
        if name not in ATTRIBUTES:
            problems.append(f"{where}: attribute {name!r} is not allowed")
    for name in element.get("style", {}):
        if name not in STYLES:
            problems.append(f"{where}: style {name!r} is not in the allowed list used here")
    action = element.get("customRowAction")
    if element.get("elmType") == "button" and action is None:
        problems.append(f"{where}: a button needs a customRowAction")
    if action is not None:
        if action.get("action") not in ROW_ACTIONS:
            problems.append(f"{where}: customRowAction {action.get('action')!r} is not an action")
        if action.get("action") == "setValue":
            for name in action.get("actionInput", {}):
                if columns and name not in columns:
                    problems.append(f"{where}: setValue sets {name!r}, which is not a column of the list")
    for number, child in enumerate(element.get("children", [])):
        problems.extend(_element_problems(child, columns, f"{where}.children[{number}]"))
    return problems
