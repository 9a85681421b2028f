"""The sent-mail log on Azure Table storage, for the Functions app (SQLite stays the default)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.mail.port import SentMessage
from shared.mail.sent_log import SentLog
from shared.workflow.state_azure import row_key

if TYPE_CHECKING:
    from azure.data.tables import TableClient

PARTITION = "sent"


class AzureTableSentLog(SentLog):
    """One entity per idempotency key; a resend replaces the record of the earlier send."""

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

    def record(self, sent: SentMessage) -> None:
        from azure.data.tables import UpdateMode

        entity = {
            "PartitionKey": PARTITION,
            "RowKey": row_key(sent.idempotency_key),
            "idempotency_key": sent.idempotency_key,
            "transport": sent.transport,
            "message_id": sent.message_id,
            "location": sent.location,
            "sent_at": sent.sent_at.isoformat(),
        }
        self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)
