"""Structured logs for the Functions app: one JSON object a line, carrying correlation ids.

What may be logged is counts, ids (invocation, subscription, message, list item) and outcomes;
never names, email addresses, case references or form text. Callers pass the fields they want
kept through ``extra={"fields": {...}}``; :class:`JsonFormatter` writes them beside the message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

LOGGER_NAME = "auditdesk.functions"


class JsonFormatter(logging.Formatter):
    """``{"level", "logger", "message", ...fields}`` on one line (App Insights parses it)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update({str(k): v for k, v in fields.items()})
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type only: its text may quote a form or a person.
            entry["error_type"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str, sort_keys=True)


def function_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


def log_event(level: int, message: str, **fields: object) -> None:
    """One structured event: ``message`` is fixed text, ``fields`` ids and counts."""
    function_logger().log(level, message, extra={"fields": fields})


def configure_logging() -> None:
    """Give the app's logger the JSON formatter, once (the Functions host owns the root logger)."""
    logger = function_logger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
