"""The sent-mail log on Azure Table storage, for the Functions app (SQLite stays the default).

Sent records live in one partition, claims in another; the RowKey is a hash of the idempotency
key (:func:`shared.adapters.azure.table_keys.row_key`) because keys can hold case references. The key
itself is never stored: callers always know it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.adapters.azure.table_keys import row_key
from shared.services.ports.mail import ClaimState, SentLog, SentMessage

if TYPE_CHECKING:
    from azure.data.tables import TableClient

PARTITION = "sent"
CLAIMS = "claim"


class AzureTableSentLog(SentLog):
    """One entity per idempotency key; a resend replaces the record of the earlier send. A claim
    is an insert Table storage refuses (409) when another caller claimed the key first."""

    def __init__(self, table: TableClient) -> None:
        self._table = table

    def find(self, idempotency_key: str) -> SentMessage | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            entity = self._table.get_entity(PARTITION, row_key(idempotency_key))
        except ResourceNotFoundError:
            return None
        return SentMessage(
            idempotency_key=idempotency_key,
            transport=str(entity["transport"]),
            message_id=str(entity["message_id"]),
            location=str(entity["location"]),
            # Kept as ISO text: the table's own DateTime type drops the time zone's name.
            sent_at=datetime.fromisoformat(str(entity["sent_at"])),
        )

    def claim(self, idempotency_key: str, when: datetime) -> tuple[ClaimState, SentMessage | None]:
        from azure.core.exceptions import ResourceExistsError

        earlier = self.find(idempotency_key)
        if earlier is not None:
            return ClaimState.SENT, earlier
        try:
            self._table.create_entity(
                {"PartitionKey": CLAIMS, "RowKey": row_key(idempotency_key), "claimed_at": when.isoformat()}
            )
        except ResourceExistsError:
            earlier = self.find(idempotency_key)
            return (ClaimState.SENT, earlier) if earlier is not None else (ClaimState.IN_FLIGHT, None)
        return ClaimState.NEW, None

    def release(self, idempotency_key: str) -> None:
        self._table.delete_entity(CLAIMS, row_key(idempotency_key))

    def record(self, sent: SentMessage) -> None:
        from azure.data.tables import UpdateMode

        entity = {
            "PartitionKey": PARTITION,
            "RowKey": row_key(sent.idempotency_key),
            "transport": sent.transport,
            "message_id": sent.message_id,
            "location": sent.location,
            "sent_at": sent.sent_at.isoformat(),
        }
        self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
        self._table.delete_entity(CLAIMS, row_key(sent.idempotency_key))
