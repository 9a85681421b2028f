"""SharePoint webhook (HTTP POST): answer the validation handshake, check clientState and that
each notification's subscription is one the service created, enqueue one message per
notification and answer at once (SharePoint waits 5 seconds at most). Nothing from the body is
logged or answered back: refusals give our own fixed reason, and only ids that passed the checks
(GUIDs of our subscriptions) are logged."""

from __future__ import annotations

import logging

import azure.functions as func

from shared.config import CLIENT_STATE_VARIABLE, secret
from shared.entry.functions.logs import log_event
from shared.entry.functions.notifications import MAX_BODY_BYTES

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

    from shared.config import Settings
    from shared.entry.functions.enqueue import enqueue_notifications
    from shared.entry.functions.notifications import BodyTooLarge, MalformedNotification, check_notifications
    from shared.entry.functions.subscriptions import read_our_subscriptions

    ids = {"invocation_id": context.invocation_id}
    # Refused unread when it says it is larger than any batch of notifications.
    if _declared_length(req) > MAX_BODY_BYTES:
        log_event(logging.WARNING, "webhook body refused", reason="the body is too large", **ids)
        return func.HttpResponse("Body too large.", status_code=413, mimetype="text/plain")
    try:
        checked = check_notifications(
            req.get_body(),
            secret(CLIENT_STATE_VARIABLE),
            lambda: read_our_subscriptions(Settings.from_environment()),
        )
    except BodyTooLarge:
        log_event(logging.WARNING, "webhook body refused", reason="the body is too large", **ids)
        return func.HttpResponse("Body too large.", status_code=413, mimetype="text/plain")
    except MalformedNotification as problem:
        # The reason is our own fixed text: nothing of the body is logged or answered back.
        log_event(logging.WARNING, "webhook body refused", reason=str(problem), **ids)
        return func.HttpResponse(
            f"Malformed notification: {problem}.", status_code=400, mimetype="text/plain"
        )
    if checked.refused or checked.unknown:
        log_event(
            logging.WARNING,
            "notifications refused",
            wrong_client_state=checked.refused,
            unknown_subscription=checked.unknown,
            **ids,
        )
    if not checked.accepted:
        return func.HttpResponse(
            "Unknown clientState or subscription.", status_code=403, mimetype="text/plain"
        )
    enqueue_notifications(checked.accepted)
    log_event(
        logging.INFO,
        "notifications queued",
        queued=len(checked.accepted),
        subscription_ids=sorted({n.subscription_id for n in checked.accepted}),
        **ids,
    )
    return func.HttpResponse(status_code=202)


def _declared_length(req: func.HttpRequest) -> int:
    declared = req.headers.get("content-length") or ""
    return int(declared) if declared.isdigit() and len(declared) < 16 else 0
