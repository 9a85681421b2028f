"""Structured logs for the Functions app: each event is one JSON object carrying correlation ids.

The Functions host forwards Python log records to Application Insights as traces; writing the
record's message as JSON keeps the fields queryable there (``parse_json(message)``) without a
handler of our own, which would duplicate every line.

What may be logged is counts, ids (invocation, subscription, message) and outcomes; never
names, email addresses, case references or form text.

The libraries we call log what they send: azure-core's HTTP logging policy prints each request
URL at INFO (a Table entity's URL holds its keys), urllib3 and requests print every URL at DEBUG
(SharePoint file URLs hold the form's file name), msal and office365 their requests. Their loggers
are capped at WARNING by :func:`cap_library_loggers`, which the Functions app and the command line
both call, whatever level the root logger is set to.
"""

from __future__ import annotations

import json
import logging
from typing import Any

LOGGER_NAME = "auditdesk.functions"
# The loggers of the libraries that talk HTTP for us; their children inherit the cap.
LIBRARY_LOGGERS = ("azure", "urllib3", "requests", "msal", "office365", "requests_oauthlib", "oauthlib")
LIBRARY_LEVEL = logging.WARNING


def function_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def log_event(level: int, event: str, **fields: object) -> None:
    """One structured event: ``event`` is fixed text, ``fields`` ids and counts."""
    entry: dict[str, Any] = {"event": event, **fields}
    function_logger().log(
        level, json.dumps(entry, default=str, sort_keys=True), extra={"event": event, "fields": fields}
    )


def cap_library_loggers() -> None:
    """The HTTP libraries log warnings and errors only, never the URLs of what they send."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.getLogger(name).level, LIBRARY_LEVEL))
    # A child given a level of its own (DEBUG, say) would not inherit the cap.
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if (
            isinstance(logger, logging.Logger)
            and name.startswith(tuple(f"{n}." for n in LIBRARY_LOGGERS))
            and logger.level != logging.NOTSET
            and logger.level < LIBRARY_LEVEL
        ):
            logger.setLevel(LIBRARY_LEVEL)


def configure_logging() -> None:
    """Our events at INFO whatever the root level (host.json filters what is kept); the HTTP
    libraries capped (:func:`cap_library_loggers`)."""
    function_logger().setLevel(logging.INFO)
    cap_library_loggers()
