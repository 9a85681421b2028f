"""Structured logs for the Functions app: each event is one JSON object carrying correlation ids.

The Functions host forwards Python log records to Application Insights as traces; writing the
record's message as JSON keeps the fields queryable there (``parse_json(message)``) without a
handler of our own, which would duplicate every line.

What may be logged is counts, ids (invocation, subscription, message) and outcomes; never
names, email addresses, case references or form text.
"""

from __future__ import annotations

import json
import logging
from typing import Any

LOGGER_NAME = "auditdesk.functions"


def function_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def log_event(level: int, event: str, **fields: object) -> None:
    """One structured event: ``event`` is fixed text, ``fields`` ids and counts."""
    entry: dict[str, Any] = {"event": event, **fields}
    function_logger().log(
        level, json.dumps(entry, default=str, sort_keys=True), extra={"event": event, "fields": fields}
    )


def configure_logging() -> None:
    """Our events at INFO whatever the root level (host.json filters what is kept)."""
    function_logger().setLevel(logging.INFO)
