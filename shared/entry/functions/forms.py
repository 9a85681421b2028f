"""The auditor's self-check over HTTP: the same JSON as ``auditdesk validate --json``."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from shared.core.deadlines import AuditMonth


class BadUpload(ValueError):
    """The request itself is wrong (no file, a bad month); the text says what to send."""


def validate_upload(data: bytes, name: str | None, month: str | None) -> str:
    """JSON for one uploaded form: a list with one outcome, as the CLI prints for one file."""
    from shared.adapters.forms.reader import read_form
    from shared.core.deadlines import Deadlines
    from shared.core.schema_reader import load_schema

    if not data:
        raise BadUpload("Send the filled form (.docx or .xlsx) as the request body.")
    try:
        allocation_month = AuditMonth.parse(month) if month else None
    except ValueError as problem:
        raise BadUpload(f"month: {problem}") from None
    from shared.config import Settings

    schema = load_schema(Settings.from_environment().schema_path)
    # The file's own name, as the command line shows it; never a client's folder path.
    source = PurePosixPath((name or "").replace("\\", "/")).name.strip()[:200] or "form"
    outcome = read_form(data, source, schema, Deadlines.for_schema(schema), allocation_month)
    return json.dumps([outcome.as_dict()], indent=2)
