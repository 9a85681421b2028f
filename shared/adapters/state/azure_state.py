"""The state port on Azure Table storage: change tokens and effect keys for the Functions app.

One entity per key in a single partition. The RowKey is a hash of the state key
(:func:`shared.adapters.azure.table_keys.row_key`): keys can hold case references and Table keys appear
in request URLs, so neither the key nor anything readable from it is stored or sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from shared.adapters.azure.table_keys import row_key
from shared.services.ports.state import StateStore

if TYPE_CHECKING:
    from azure.data.tables import TableClient

PARTITION = "state"
_TRANSACTION = 100  # Table storage takes at most 100 operations in one transaction

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

    def claim_many(self, keys: Iterable[str], value: str) -> set[str]:
        """A transaction of inserts per 100 keys (one request); a chunk where any key exists is
        refused whole by Table storage, and is then claimed key by key."""
        from azure.data.tables import TableTransactionError

        claimed: set[str] = set()
        ordered = list(dict.fromkeys(keys))
        for start in range(0, len(ordered), _TRANSACTION):
            chunk = ordered[start : start + _TRANSACTION]
            operations = [
                ("create", {"PartitionKey": PARTITION, "RowKey": row_key(key), "value": value})
                for key in chunk
            ]
            try:
                self._table.submit_transaction(operations)
                claimed.update(chunk)
            except TableTransactionError:
                claimed.update(key for key in chunk if self.claim(key, value))
        return claimed

    def put_many(self, values: Mapping[str, str]) -> None:
        items = list(values.items())
        for start in range(0, len(items), _TRANSACTION):
            operations = [
                (
                    "upsert",
                    {"PartitionKey": PARTITION, "RowKey": row_key(key), "value": value},
                    {"mode": "replace"},
                )
                for key, value in items[start : start + _TRANSACTION]
            ]
            self._table.submit_transaction(operations)

    def close(self) -> None:
        self._table.close()
