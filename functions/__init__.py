"""Azure Functions blueprints: thin triggers that parse a message and call a service."""
