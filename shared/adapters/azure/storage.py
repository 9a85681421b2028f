"""Azure Storage clients from settings: a connection string (Azurite, or a key-based account)
or the service URL with the managed identity (production: shared keys are disabled)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from shared.config import AzureStorageSettings

if TYPE_CHECKING:
    from azure.data.tables import TableClient
    from azure.storage.queue import QueueClient

CHANGES_QUEUE = "sharepoint-changes"
POISON_QUEUE = f"{CHANGES_QUEUE}-poison"


class StorageNotConfigured(RuntimeError):
    """Neither a connection string nor a service URL is set for the storage service asked for."""


def table_client(settings: AzureStorageSettings, table: str) -> TableClient:
    """The table, created if it is missing."""
    from azure.core.exceptions import ResourceExistsError
    from azure.data.tables import TableClient

    if settings.table_connection_string:
        client = TableClient.from_connection_string(settings.table_connection_string, table_name=table)
    elif settings.table_endpoint:
        from azure.identity import DefaultAzureCredential

        client = TableClient(settings.table_endpoint, table_name=table, credential=DefaultAzureCredential())
    else:
        raise StorageNotConfigured(
            "No Table storage configured: set AUDITDESK_STATE_CONNECTION or AzureWebJobsStorage "
            "(or AzureWebJobsStorage__tableServiceUri for the managed identity)."
        )
    with contextlib.suppress(ResourceExistsError):
        client.create_table()
    return client


def queue_client(settings: AzureStorageSettings, queue: str) -> QueueClient:
    """A queue whose messages the Functions host reads: base64 text, the host's default."""
    from azure.storage.queue import BinaryBase64DecodePolicy, QueueClient, TextBase64EncodePolicy

    if settings.queue_connection_string:
        return QueueClient.from_connection_string(
            settings.queue_connection_string,
            queue_name=queue,
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=BinaryBase64DecodePolicy(),
        )
    if settings.queue_endpoint:
        from azure.identity import DefaultAzureCredential

        return QueueClient(
            settings.queue_endpoint,
            queue_name=queue,
            credential=DefaultAzureCredential(),
            message_encode_policy=TextBase64EncodePolicy(),
            message_decode_policy=BinaryBase64DecodePolicy(),
        )
    raise StorageNotConfigured(
        "No Queue storage configured: set AzureWebJobsStorage (or AzureWebJobsStorage__queueServiceUri "
        "for the managed identity)."
    )


def ensure_queue(client: QueueClient) -> QueueClient:
    from azure.core.exceptions import ResourceExistsError

    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return client
