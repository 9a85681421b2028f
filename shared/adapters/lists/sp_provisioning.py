"""Provisioning on a SharePoint site: the lists, libraries, columns and views of the
definitions, created and kept to them (:func:`shared.adapters.lists.provision.provision` decides
what to change; this says how, in SharePoint REST)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from shared.adapters.lists.sp_batch import Operation
from shared.adapters.lists.sp_http import SharePointError, SharePointHttp, list_url
from shared.adapters.lists.sp_http import error_message as _message
from shared.services.ports.list_definitions import Column, ColumnKind, ListDefinition, View
from shared.services.ports.list_shapes import ColumnShape, ListShape, ViewShape

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


class SharePointProvisioning:
    """The provisioning port (:class:`shared.services.ports.list_shapes.Provisioner`) on one site."""

    def __init__(self, http: SharePointHttp, site_url: str, entity_types: dict[str, str]) -> None:
        self.site_url = site_url
        self._request = http.request
        self._batch = http.batch
        self._entity_types = entity_types  # the store's cache, forgotten for a list deleted here

    def _list_url(self, title: str) -> str:
        return list_url(self.site_url, title)

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
                raw["InternalName"], kind, choices, bool(raw["Indexed"]), raw.get("CustomFormatter") or ""
            )
        views = {
            raw["Title"]: ViewShape(
                raw["Title"],
                tuple(raw["ViewFields"]["Items"]["results"]),
                raw["ViewQuery"],
                raw.get("CustomFormatter") or "",
            )
            for raw in views_answer.json()["d"]["results"]
        }
        return ListShape(definition.title, found["BaseTemplate"] == 101, columns, views)

    def delete_list(self, title: str) -> None:
        """Remove a list or library (``auditdesk doctor`` removes its scratch lists with it)."""
        self._request("POST", self._list_url(title), headers={"X-HTTP-Method": "DELETE", "IF-MATCH": "*"})
        self._entity_types.pop(title, None)  # the store's cache of entity type names

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
        if column.formatter:  # set as the field's CustomFormatter property, as the list settings do
            self.update_column(definition, column)

    def update_column(self, definition: ListDefinition, column: Column) -> None:
        body: dict[str, Any] = {
            "__metadata": {"type": _FIELD_TYPES[column.kind][1]},
            "Indexed": column.indexed,
            "CustomFormatter": column.formatter,
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
            if view.formatter:  # not part of ViewCreationInformation: set on the view made
                self._request(
                    "POST",
                    f"{base}/GetByTitle('{quote(view.title.replace(chr(39), chr(39) * 2))}')",
                    json_body={"__metadata": {"type": "SP.View"}, "CustomFormatter": view.formatter},
                    headers={"X-HTTP-Method": "MERGE", "IF-MATCH": "*"},
                )
            return
        view_url = f"{base}/GetByTitle('{quote(view.title.replace(chr(39), chr(39) * 2))}')"
        operations = [
            Operation(
                "POST",
                view_url,
                {"__metadata": {"type": "SP.View"}, "ViewQuery": query, "CustomFormatter": view.formatter},
                {"X-HTTP-Method": "MERGE", "IF-MATCH": "*"},
            ),
            Operation("POST", f"{view_url}/ViewFields/RemoveAllViewFields"),
            *[Operation("POST", f"{view_url}/ViewFields/AddViewField('{c}')") for c in view.columns],
        ]
        for answer in self._batch(operations):
            if answer.status not in (200, 201, 204):
                raise SharePointError(answer.status, _message(answer))
