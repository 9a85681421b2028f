"""The webhook's only work: one queue message per notification, for the change worker."""

from __future__ import annotations

from collections.abc import Sequence

from shared.entry.functions.notifications import Notification


def enqueue_notifications(notifications: Sequence[Notification]) -> None:
    from shared.adapters.azure.storage import CHANGES_QUEUE, ensure_queue, queue_client
    from shared.config import AzureStorageSettings

    client = ensure_queue(queue_client(AzureStorageSettings.from_environment(), CHANGES_QUEUE))
    with client:
        for notification in notifications:
            client.send_message(notification.to_message())
