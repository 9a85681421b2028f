"""Change worker (queue trigger): run the workflow on what changed since the stored tokens."""

from __future__ import annotations

import azure.functions as func

from shared.adapters.azure.storage import CHANGES_QUEUE

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions 1.x is partly untyped


@bp.function_name("process_changes")
@bp.queue_trigger(arg_name="message", queue_name=CHANGES_QUEUE, connection="AzureWebJobsStorage")
def process_changes(message: func.QueueMessage, context: func.Context) -> None:
    from shared.entry.functions.worker import handle_change_message

    handle_change_message(
        message.get_body(),
        message.dequeue_count or 1,
        context.invocation_id,
        queued_at=message.insertion_time,
    )
