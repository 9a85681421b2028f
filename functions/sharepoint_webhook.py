"""SharePoint webhook (HTTP POST): answer the validation handshake, check clientState, enqueue
one message per notification and answer at once (SharePoint waits 5 seconds at most)."""

from __future__ import annotations

import logging
import os

import azure.functions as func

from shared.azure.logs import log_event
from shared.azure.notifications import CLIENT_STATE_VARIABLE

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions 1.x is partly untyped

MAX_VALIDATION_TOKEN = 1024


# Anonymous: SharePoint cannot send a function key header; the shared clientState is the check.
@bp.function_name("sharepoint_webhook")
@bp.route(route="sharepoint/webhook", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def sharepoint_webhook(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    token = req.params.get("validationtoken")
    if token is not None:
        if not token or len(token) > MAX_VALIDATION_TOKEN:
            return func.HttpResponse("Bad validation token.", status_code=400, mimetype="text/plain")
        return func.HttpResponse(token, status_code=200, mimetype="text/plain")

    from shared.azure.enqueue import enqueue_notifications
    from shared.azure.notifications import MalformedNotification, check_notifications

    ids = {"invocation_id": context.invocation_id}
    try:
        checked = check_notifications(req.get_body(), os.environ.get(CLIENT_STATE_VARIABLE, ""))
    except MalformedNotification as problem:
        log_event(logging.WARNING, "webhook body refused", reason=str(problem), **ids)
        return func.HttpResponse(f"Malformed notification: {problem}.", status_code=400)
    if checked.refused:
        log_event(
            logging.WARNING, "notifications with a wrong clientState refused", refused=checked.refused, **ids
        )
    if not checked.accepted:
        return func.HttpResponse("Unknown clientState.", status_code=403)
    enqueue_notifications(checked.accepted)
    log_event(
        logging.INFO,
        "notifications queued",
        queued=len(checked.accepted),
        subscription_ids=sorted({n.subscription_id for n in checked.accepted}),
        **ids,
    )
    return func.HttpResponse(status_code=202)
