"""The state port on Azure Table storage: change tokens and effect keys for the Functions app.

One entity per key in a single partition. Table keys may not hold ``/ \\ # ?`` or control
characters, so the state key is percent-encoded into the RowKey (and kept readable in ``key``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import quote

from shared.workflow.state import StateStore

if TYPE_CHECKING:
    from azure.data.tables import TableClient

PARTITION = "state"
_MAX_ROW_KEY = 512  # Table storage allows 1 KiB; long keys are shortened with a hash


def row_key(key: str) -> str:
    """A RowKey Table storage accepts for any state key, distinct keys staying distinct."""
    encoded = quote(key, safe="-_.~:@=+,;!*'()")
    if len(encoded) <= _MAX_ROW_KEY:
        return encoded
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{encoded[: _MAX_ROW_KEY - 65]}~{digest}"


class AzureTableStateStore(StateStore):
    """State in an Azure table (Azurite in tests). Each get/put is one request, so several
    function instances share it safely; a put replaces the value whole."""

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

        entity = {"PartitionKey": PARTITION, "RowKey": row_key(key), "key": key, "value": value}
        self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def close(self) -> None:
        self._table.close()
