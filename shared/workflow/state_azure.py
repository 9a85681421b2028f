"""The state port on Azure Table storage: change tokens and effect keys for the Functions app.

One entity per key in a single partition. The RowKey is a hash of the state key
(:func:`shared.azure.table_keys.row_key`): keys can hold case references and Table keys appear
in request URLs, so neither the key nor anything readable from it is stored or sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.azure.table_keys import row_key
from shared.workflow.state import StateStore

if TYPE_CHECKING:
    from azure.data.tables import TableClient

PARTITION = "state"

__all__ = ["PARTITION", "AzureTableStateStore", "row_key"]


class AzureTableStateStore(StateStore):
    """State in an Azure table (Azurite in tests). Each call is one request, so several function
    instances share it safely; a put replaces the value whole, a claim is an insert that Table
    storage refuses (409) when the entity exists."""

    def __init__(self, table: TableClient) -> None:
        self._table = table

    def get(self, key: str) -> str | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            entity = self._table.get_entity(PARTITION, row_key(key), select=["value"])
        except ResourceNotFoundError:
            return None
        return str(entity["value"])

    def put(self, key: str, value: str) -> None:
        from azure.data.tables import UpdateMode

        entity = {"PartitionKey": PARTITION, "RowKey": row_key(key), "value": value}
        self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def claim(self, key: str, value: str) -> bool:
        from azure.core.exceptions import ResourceExistsError

        try:
            self._table.create_entity({"PartitionKey": PARTITION, "RowKey": row_key(key), "value": value})
        except ResourceExistsError:
            return False
        return True

    def delete(self, key: str) -> None:
        self._table.delete_entity(PARTITION, row_key(key))

    def close(self) -> None:
        self._table.close()
