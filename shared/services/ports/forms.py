"""The forms port: reading a returned form, and filling a form for a person to complete.

What reading gives back is valid, invalid or rejected, with the reason.

A form is *valid* when the core finds no errors (warnings go with it to the QA check,
2.11), *invalid* when it was read but has errors the auditor must fix, and *rejected* when
it could not be read at all: the rejection says why and what to do.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum

from shared.core.deadlines import Deadlines
from shared.core.findings import Finding, Severity
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema

# The finding a reader gives when a form's answer boxes were lost (saved by a program that
# drops content controls or named cells); intake quotes it when it cannot match the file.
ANSWER_BOXES_LOST = "answer-boxes-lost"


class FormStatus(Enum):
    VALID = "valid"
    INVALID = "invalid"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a file was refused. ``code`` is stable; ``message`` names the file's problem and
    what the sender should do about it."""

    code: str
    message: str

    def as_finding(self) -> Finding:
        return Finding(f"form-rejected-{self.code}", "", Severity.ERROR, self.message)


class FormRejected(Exception):
    """Raised inside the readers and turned into a rejected outcome at the edge."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.rejection = Rejection(code, message)


@dataclass(frozen=True, slots=True)
class FormOutcome:
    """The result of reading one returned form file.

    ``fields`` holds what the form says, by field id, exactly as read (text, dates, ticks),
    with placeholder text counted as empty; ``findings`` are the core's checks (for a
    rejection, the one rejection finding).
    """

    source: str
    status: FormStatus
    template_id: str | None = None
    template_version: int | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    rejection: Rejection | None = None

    @property
    def is_valid(self) -> bool:
        return self.status is FormStatus.VALID

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: what ``auditdesk validate --json`` prints for one file."""
        return {
            "file": self.source,
            "status": self.status.value,
            "template_id": self.template_id,
            "template_version": self.template_version,
            "reason": None if self.rejection is None else self.rejection.message,
            "findings": [f.as_dict() for f in self.findings],
            "fields": {key: _json_value(value) for key, value in self.fields.items()},
        }


def rejected(source: str, rejection: Rejection) -> FormOutcome:
    return FormOutcome(source, FormStatus.REJECTED, findings=(rejection.as_finding(),), rejection=rejection)


def _json_value(value: FieldValue) -> str | bool | int | float | None:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class AuditForms(ABC):
    """The Word and Excel forms, as the services use them (:mod:`shared.adapters.forms` reads and
    fills them; bootstrap gives the one the service runs with)."""

    @property
    @abstractmethod
    def max_file_bytes(self) -> int:
        """The largest returned form accepted: a bigger file is refused from its size, unread."""

    @abstractmethod
    def read(
        self,
        content: bytes,
        source: str,
        schema: AuditSchema,
        deadlines: Deadlines,
        *,
        core_checks: bool = True,
    ) -> FormOutcome:
        """Read and check one returned form; ``source`` names it in messages. With ``core_checks``
        false a case file audit's findings are only the reader's own (intake runs the core's)."""

    @abstractmethod
    def fill(
        self, form_id: str, extension: str, values: Mapping[str, FieldValue], locked: Collection[str] = ()
    ) -> bytes | None:
        """A copy of the form's template (``docx`` or ``xlsx``) with ``values`` filled in and the
        ``locked`` fields locked; None when no template of that kind is shipped."""
