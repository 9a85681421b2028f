"""The change worker: one queue message (a SharePoint notification) runs the workflow on
everything that changed since the stored change tokens.

The tokens move only after the work is done (:func:`shared.workflow.changes.process_changes`),
so a message that fails is simply delivered again. On its last delivery (``maxDequeueCount``
in host.json) a failing message is written to the poison queue with the reason, by us, so
QA's administrator can see why; if even that write fails, the exception goes back to the host,
which poisons the message itself. Nothing is lost either way.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.azure.logs import log_event
from shared.azure.notifications import MalformedNotification, Notification

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.workflow.changes import ProcessResult
    from shared.workflow.services import Services

# Must match extensions.queues.maxDequeueCount in host.json (a test checks).
MAX_DEQUEUE_COUNT = 5


class WorkerOutcome(enum.Enum):
    PROCESSED = "processed"
    POISONED = "poisoned"


def handle_change_message(
    body: bytes,
    dequeue_count: int,
    invocation_id: str,
    open_services: Callable[[], Services] | None = None,
    settings: Settings | None = None,
) -> WorkerOutcome:
    from shared.config import Settings

    settings = settings or Settings.from_environment()
    try:
        notification = Notification.from_message(body)
    except MalformedNotification as problem:
        # Never succeeds however often it is tried: straight to the poison queue.
        poison(settings, body, f"malformed message: {problem}", invocation_id)
        return WorkerOutcome.POISONED
    ids = {"invocation_id": invocation_id, "subscription_id": notification.subscription_id}
    try:
        result = _process(open_services)
    except Exception as error:
        if dequeue_count < MAX_DEQUEUE_COUNT:
            log_event(
                logging.WARNING,
                "change processing failed; the queue will deliver the message again",
                error_type=type(error).__name__,
                dequeue_count=dequeue_count,
                **ids,
            )
            raise
        poison(settings, body, f"{type(error).__name__}: {error}", invocation_id)
        return WorkerOutcome.POISONED
    log_event(
        logging.INFO,
        "changes processed",
        submissions=len(result.submissions),
        allocations_checked=result.allocations_checked,
        qa_decisions=result.qa_decisions,
        tasks_created=result.tasks_created,
        emails_sent=result.emails_sent,
        problems=len(result.problems),
        dequeue_count=dequeue_count,
        **ids,
    )
    return WorkerOutcome.PROCESSED


def _process(open_services: Callable[[], Services] | None) -> ProcessResult:
    from shared.azure.services import open_services as open_azure_services
    from shared.workflow.changes import process_changes

    services = (open_services or open_azure_services)()
    try:
        return process_changes(services)
    finally:
        services.close()


def poison(settings: Settings, body: bytes, reason: str, invocation_id: str) -> None:
    """Put the message on the poison queue with why it could not be processed."""
    from shared.azure.storage import POISON_QUEUE, ensure_queue, queue_client

    client = ensure_queue(queue_client(settings.azure, POISON_QUEUE))
    with client:
        client.send_message(
            json.dumps(
                {
                    "message": body.decode("utf-8", errors="replace"),
                    "reason": reason,
                    "invocation_id": invocation_id,
                }
            )
        )
    log_event(logging.ERROR, "change message sent to the poison queue", invocation_id=invocation_id)
