"""The change worker: one queue message (a SharePoint notification) runs the workflow on
everything that changed since the stored change tokens.

The tokens move only after the work is done (:func:`shared.services.workflow.changes.process_changes`),
so a message that fails is simply delivered again. On its last delivery (``maxDequeueCount``
in host.json) a failing message is written to the poison queue with the reason, by us, so
QA's administrator can see why; if even that write fails, the exception goes back to the host,
which poisons the message itself. Nothing is lost either way.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.entry.functions.logs import log_event
from shared.entry.functions.notifications import MalformedNotification, Notification

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.services.workflow.changes import ProcessResult
    from shared.services.workflow.dependencies import Services

# Must match extensions.queues.maxDequeueCount in host.json (a test checks).
MAX_DEQUEUE_COUNT = 5


class WorkerOutcome(enum.Enum):
    PROCESSED = "processed"
    COALESCED = "coalesced"  # a run that started after this message was queued did its work
    POISONED = "poisoned"


# The state key of when the latest completed run started (UTC, ISO 8601).
LAST_RUN_STARTED = "changes:last-run-started"
# Queue insertion times come from Azure Storage's clock, run starts from the instance's: a
# message is covered by a run only if it was queued this long before the run started.
CLOCK_MARGIN = dt.timedelta(seconds=30)


def handle_change_message(
    body: bytes,
    dequeue_count: int,
    invocation_id: str,
    open_services: Callable[[], Services] | None = None,
    settings: Settings | None = None,
    queued_at: dt.datetime | None = None,
) -> WorkerOutcome:
    """Run the workflow on what changed. Many notifications for one site coalesce: a message
    queued before the latest completed run started is covered by that run and does nothing."""
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
        result = _process(open_services, queued_at)
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
    if result is None:
        log_event(logging.INFO, "changes already processed by a later run", **ids)
        return WorkerOutcome.COALESCED
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


def _process(
    open_services: Callable[[], Services] | None, queued_at: dt.datetime | None
) -> ProcessResult | None:
    """Process the changes under the writer lease; None when a run that started after the
    message was queued has already done it."""
    from shared.entry.functions.wiring import open_services as open_azure_services
    from shared.services.workflow.changes import process_changes

    services = (open_services or open_azure_services)()
    try:
        with services.lease.hold(services.lease_wait_seconds):
            last = services.state.get(LAST_RUN_STARTED)
            if (
                queued_at is not None
                and last is not None
                and queued_at.astimezone(dt.UTC) + CLOCK_MARGIN < dt.datetime.fromisoformat(last)
            ):
                return None
            started = dt.datetime.now(dt.UTC)
            result = process_changes(services)
            services.state.put(LAST_RUN_STARTED, started.isoformat())
            return result
    finally:
        services.close()


def poison(settings: Settings, body: bytes, reason: str, invocation_id: str) -> None:
    """Put the message on the poison queue with why it could not be processed."""
    from shared.adapters.azure.storage import POISON_QUEUE, ensure_queue, queue_client

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
