"""Findings: what validation and the grade checks say about a form, as values a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    """An error returns the form to the auditor; a warning goes to the QA check (2.11)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(slots=True)
class Finding:
    """One thing wrong with, or worth a second look in, a form.

    ``code`` is stable (scripts and SharePoint views filter on it); ``field`` is the field id
    the finding is about, or "" for the form as a whole; ``section`` is the framework
    section the rule comes from; ``message`` says what is wrong and what to do.

    Not frozen: thousands are made a second, and a frozen dataclass costs three times as
    much to build. Nothing changes a finding once made.
    """

    code: str
    field: str
    severity: Severity
    message: str
    section: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "severity": self.severity.value,
            "section": self.section,
            "message": self.message,
        }


def error(code: str, field: str, message: str, section: str = "") -> Finding:
    return Finding(code, field, Severity.ERROR, message, section)


def warning(code: str, field: str, message: str, section: str = "") -> Finding:
    return Finding(code, field, Severity.WARNING, message, section)


def has_errors(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    return any(f.is_error for f in findings)
