"""An auditor's self-check (HTTP POST, function key): the same JSON as `auditdesk validate --json`."""

from __future__ import annotations

import logging

import azure.functions as func

from shared.entry.functions.logs import log_event

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions 1.x is partly untyped


@bp.function_name("validate_form")
@bp.route(route="forms/validate", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def validate_form(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    from shared.entry.functions.forms import BadUpload, validate_upload

    try:
        body = validate_upload(req.get_body(), req.params.get("name"), req.params.get("month"))
    except BadUpload as problem:
        return func.HttpResponse(str(problem), status_code=400, mimetype="text/plain")
    log_event(logging.INFO, "form checked", size=len(req.get_body()), invocation_id=context.invocation_id)
    return func.HttpResponse(body, status_code=200, mimetype="application/json")
