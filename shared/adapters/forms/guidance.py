"""The Case Audit Grading Guidance quoted where it helps (7.1, Appendix 2, 7.2).

The self-check (``auditdesk validate``) quotes, for a judgement that is missing, what each
grade looks like in that domain, and for a grade-consistency flag, what the grades given look
like in the domains the flag names: the auditor checks the judgement against the guidance
instead of guessing. Nothing here changes a judgement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from shared.core.findings import Finding
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema, Domain

MISSING_JUDGEMENT = "domain-grade-missing"
CONSISTENCY_FLAGS = frozenset(
    {
        "weak-domain-without-action",
        "outstanding-with-weaker-domains",
        "good-overall-with-inadequate-domain",
        "inadequate-overall-with-good-domains",
    }
)
_DOMAIN_GRADE = re.compile(r"^(d\d+)_grade$")


@dataclass(frozen=True, slots=True)
class Quote:
    """What ``grade`` looks like in ``domain``, from the schema."""

    domain: Domain
    grade: str
    text: str

    def __str__(self) -> str:
        return f"{self.domain.title}, {self.grade}: {self.text}"


def grading_quotes(
    findings: Iterable[Finding], fields: Mapping[str, FieldValue], schema: AuditSchema
) -> list[Quote]:
    """The guidance to quote beside these findings, each once, in domain order."""
    wanted: dict[tuple[str, str], None] = {}
    for finding in findings:
        if finding.code == MISSING_JUDGEMENT:
            for domain in _domains_of(finding, schema):
                for grade, _ in domain.grading:
                    wanted[(domain.id, grade)] = None
        elif finding.code in CONSISTENCY_FLAGS:
            for domain in _domains_of(finding, schema):
                given = fields.get(f"{domain.id}_grade")
                if isinstance(given, str) and domain.grade_guidance(given):
                    wanted[(domain.id, given)] = None
    quotes = []
    for domain in schema.domains:
        for grade, text in domain.grading:
            if (domain.id, grade) in wanted:
                quotes.append(Quote(domain, grade, text))
    return quotes


def _domains_of(finding: Finding, schema: AuditSchema) -> list[Domain]:
    match = _DOMAIN_GRADE.match(finding.field)
    if match:
        return [schema.domain(match.group(1))]
    named = [d for d in schema.domains if d.title in finding.message]
    return named or list(schema.domains)


__all__ = ["Quote", "grading_quotes"]
