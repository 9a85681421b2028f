"""Azure Functions entry point. Azure requires this file at the root beside host.json.

It sets up logging and the app, then registers one blueprint per trigger from
``functions/``. It imports only what indexing needs: heavy modules load inside the function
that uses them (cold start).
"""

import azure.functions as func

from functions import process_changes, sharepoint_webhook, timers, validate_form
from shared.entry.functions.logs import configure_logging

configure_logging()

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
for blueprint in (sharepoint_webhook.bp, process_changes.bp, timers.bp, validate_form.bp):
    app.register_functions(blueprint)
