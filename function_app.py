"""Azure Functions entry point. Azure requires this file at the root beside host.json.

It sets up logging and the app, then registers one blueprint per trigger from
``functions/``. It imports only what indexing needs: heavy modules load inside the function
that uses them (cold start).
"""

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
