"""The audit record: a single case file audit, built from a mapping of field id to value.

Forms (Word content controls, Excel defined names) and lists (SharePoint columns) all hand
the core the same thing: ``{field_id: value}``. :func:`parse_audit_record` turns that into
a typed :class:`AuditRecord`, and reports every value it could not read as a finding
rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from shared.core.findings import Finding, error
from shared.core.grades import EXACT_GRADES, NOT_APPLICABLE, Grade, parse_grade
from shared.core.schema import AuditSchema, Domain, FieldSpec, FormSpec

FieldValue = str | dt.date | dt.datetime | bool | int | float | None


@dataclass(slots=True)
class DomainJudgement:
    """The auditor's judgement of one domain (2.3, 2.7)."""

    domain: Domain
    grade: Grade | None
    not_applicable: bool
    evidence: str
    good_practice: str


@dataclass(slots=True)
class ImprovementAction:
    """One row of the improvement plan (2.8): what, for which domain, who, by when, how measured."""

    row: int
    action: str
    domain: Domain | None
    # What the auditor chose or typed for the domain: a domain that could not be read is
    # reported once by the parser (domain-unreadable), not again as missing.
    domain_text: str
    owner: str
    due: dt.date | None
    measure: str


@dataclass(slots=True)
class AuditRecord:
    """A single case file audit as the auditor returned it. Never altered by the checks.

    Records (and their judgements and actions) are plain, not frozen, dataclasses: the
    service reads thousands a second and frozen dataclasses cost three times as much to build.
    """

    case_ref: str
    child_ref: str
    team: str
    allocated_worker: str
    team_manager: str
    auditor: str
    auditor_role: str
    audit_date: dt.date | None
    review_from: dt.date | None
    review_to: dt.date | None
    discussion_date: dt.date | None
    domains: tuple[DomainJudgement, ...]
    overall_grade: Grade | None
    overall_rationale: str
    safeguarding_concern: bool | None
    safeguarding_details: str
    good_practice_summary: str
    actions: tuple[ImprovementAction, ...]

    def judgement(self, domain_id: str) -> DomainJudgement:
        for judgement in self.domains:
            if judgement.domain.id == domain_id:
                return judgement
        raise KeyError(domain_id)


@dataclass(slots=True)
class ParsedAudit:
    record: AuditRecord
    findings: tuple[Finding, ...]


# --- reading values --------------------------------------------------------------------

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%A %d %B %Y", "%A, %d %B %Y", "%d %B, %Y")
_TRUE = frozenset({"true", "yes", "y", "1", "x", "☒", "✓", "✔", "ticked"})
_FALSE = frozenset({"false", "no", "n", "0", "☐", "", "unticked"})


def text_of(value: FieldValue) -> str:
    """A value as trimmed text; None and placeholders (already removed by readers) become ''."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def day_of(value: FieldValue) -> dt.date | None:
    """A stored date: a date, or a timestamp's day; None for anything else (text is not parsed)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def count_of(value: FieldValue) -> int:
    """A stored whole number (a list's Number column may hold 2.0); 0 when empty or not a number."""
    return int(value) if isinstance(value, int | float) else 0


def grade_of(value: FieldValue) -> Grade | None:
    """The grade a list or form holds, by its exact name; None for anything else."""
    return next((grade for grade in Grade if grade.value == value), None)


def read_date(value: FieldValue) -> dt.date | None:
    """A date as a form may hold it: a date, an ISO date or timestamp, or UK day-first text.

    Raises ValueError for text that is no date. Returns None for an empty value.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    if not text:
        return None
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return dt.date.fromisoformat(text[:10])
    match = _DAY_FIRST.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return dt.date(year, month, day)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date")


def read_checkbox(value: FieldValue) -> bool | None:
    """A tick box: True, False, or None when it was never answered."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    key = str(value).strip().casefold()
    if key in _TRUE:
        return True
    if key in _FALSE and key:
        return False
    if not key:
        return None
    raise ValueError(f"{value!r} is not yes or no")


# --- the case file audit ---------------------------------------------------------------


class _Fields:
    """Reads fields of one form, collecting a finding for each value that cannot be read."""

    def __init__(self, values: Mapping[str, FieldValue], form: FormSpec, schema: AuditSchema):
        self.values = values
        self.form = form
        self.schema = schema
        self.findings: list[Finding] = []

    def label(self, field_id: str) -> str:
        spec = _spec(self.form, field_id)
        if spec is None:
            return field_id
        if spec.group.startswith("d") and spec.group[1:].isdigit():
            return f"{self.schema.domain(spec.group).title}: {spec.label}"
        if spec.group == "plan":
            return f"Improvement plan row {field_id[1 : field_id.index('_')]}: {spec.label}"
        return spec.label

    def text(self, field_id: str) -> str:
        value = self.values.get(field_id)
        return value.strip() if type(value) is str else text_of(value)

    def date(self, field_id: str) -> dt.date | None:
        value = self.values.get(field_id)
        try:
            return read_date(value)
        except ValueError:
            self.findings.append(
                error(
                    "date-unreadable",
                    field_id,
                    f"{self.label(field_id)}: '{text_of(value)}' is not a date. "
                    "Enter a date such as 30/11/2026.",
                )
            )
            return None

    def checkbox(self, field_id: str) -> bool | None:
        value = self.values.get(field_id)
        try:
            return read_checkbox(value)
        except ValueError:
            self.findings.append(
                error(
                    "checkbox-unreadable",
                    field_id,
                    f"{self.label(field_id)}: '{text_of(value)}' is not a yes or no answer. "
                    "Tick the box, or leave it clear for no.",
                )
            )
            return None

    def grade(self, field_id: str, allow_not_applicable: bool) -> Grade | str | None:
        value = self.values.get(field_id)
        if value is None:
            return None
        exact = EXACT_GRADES.get(value) if type(value) is str else None
        if exact is not None and (allow_not_applicable or exact != NOT_APPLICABLE):
            return exact
        text = text_of(value)
        if not text:
            return None
        grade = parse_grade(text)
        if grade is None or (grade == NOT_APPLICABLE and not allow_not_applicable):
            allowed = ", ".join(g.value for g in Grade)
            if allow_not_applicable:
                allowed += f" or {NOT_APPLICABLE}"
            self.findings.append(
                error(
                    "grade-unreadable",
                    field_id,
                    f"{self.label(field_id)}: '{text}' is not a judgement. Choose {allowed} (2.7).",
                    "2.7",
                )
            )
            return None
        return grade

    def domain(self, field_id: str) -> Domain | None:
        text = self.text(field_id)
        if not text:
            return None
        domain = self.schema.domain_by_name(text)
        if domain is None:
            self.findings.append(
                error(
                    "domain-unreadable",
                    field_id,
                    f"{self.label(field_id)}: '{text}' is not one of the audit's domains. "
                    "Choose the domain from the list.",
                    "2.8",
                )
            )
        return domain


def _spec(form: FormSpec, field_id: str) -> FieldSpec | None:
    index = form.position.get(field_id)
    return None if index is None else form.fields[index]


def _row_has_content(values: Mapping[str, FieldValue], ids: tuple[str, ...]) -> bool:
    for field_id in ids:
        value = values.get(field_id)
        if value is None:
            continue
        if type(value) is str:
            if value and not value.isspace():
                return True
        elif text_of(value):
            return True
    return False


@lru_cache(maxsize=8)
def _domain_field_ids(domains: tuple[Domain, ...]) -> tuple[tuple[str, str, str], ...]:
    return tuple((f"{d.id}_grade", f"{d.id}_evidence", f"{d.id}_good_practice") for d in domains)


@lru_cache(maxsize=8)
def _plan_field_ids(rows: int) -> tuple[tuple[str, str, str, str, str], ...]:
    return tuple(
        (f"a{n}_action", f"a{n}_domain", f"a{n}_owner", f"a{n}_due", f"a{n}_measure")
        for n in range(1, rows + 1)
    )


def parse_audit_record(values: Mapping[str, FieldValue], schema: AuditSchema) -> ParsedAudit:
    """Build the typed audit record from ``{field_id: value}`` (a case file audit form).

    Values the reader could not understand (a date that is no date, a grade that is not on
    the scale) are left empty in the record and reported as error findings.
    """
    form = schema.case_file_audit
    fields = _Fields(values, form, schema)
    domains = []
    for domain, (grade_id, evidence_id, good_practice_id) in zip(
        schema.domains, _domain_field_ids(schema.domains), strict=True
    ):
        grade = fields.grade(grade_id, allow_not_applicable=True)
        domains.append(
            DomainJudgement(
                domain=domain,
                grade=grade if isinstance(grade, Grade) else None,
                not_applicable=grade == NOT_APPLICABLE,
                evidence=fields.text(evidence_id),
                good_practice=fields.text(good_practice_id),
            )
        )
    overall = fields.grade("overall_grade", allow_not_applicable=False)
    actions = []
    for row, ids in enumerate(_plan_field_ids(form.plan_rows), start=1):
        if not _row_has_content(values, ids):
            continue
        action_id, domain_id, owner_id, due_id, measure_id = ids
        actions.append(
            ImprovementAction(
                row=row,
                action=fields.text(action_id),
                domain=fields.domain(domain_id),
                domain_text=fields.text(domain_id),
                owner=fields.text(owner_id),
                due=fields.date(due_id),
                measure=fields.text(measure_id),
            )
        )
    record = AuditRecord(
        case_ref=fields.text("case_ref"),
        child_ref=fields.text("child_ref"),
        team=fields.text("team"),
        allocated_worker=fields.text("allocated_worker"),
        team_manager=fields.text("team_manager"),
        auditor=fields.text("auditor"),
        auditor_role=fields.text("auditor_role"),
        audit_date=fields.date("audit_date"),
        review_from=fields.date("review_from"),
        review_to=fields.date("review_to"),
        discussion_date=fields.date("discussion_date"),
        domains=tuple(domains),
        overall_grade=overall if isinstance(overall, Grade) else None,
        overall_rationale=fields.text("overall_rationale"),
        safeguarding_concern=fields.checkbox("safeguarding_concern"),
        safeguarding_details=fields.text("safeguarding_details"),
        good_practice_summary=fields.text("good_practice_summary"),
        actions=tuple(actions),
    )
    return ParsedAudit(record, tuple(fields.findings))


def parse_form_fields(
    values: Mapping[str, FieldValue], form: FormSpec, schema: AuditSchema
) -> tuple[dict[str, FieldValue], tuple[Finding, ...]]:
    """Read any form generically by its field kinds (observation, supervision, case discussion).

    Returns the typed values and findings: unreadable values and missing required fields.
    """
    fields = _Fields(values, form, schema)
    typed: dict[str, FieldValue] = {}
    for spec in form.fields:
        value: FieldValue
        if spec.kind == "date":
            value = fields.date(spec.id)
        elif spec.kind == "checkbox":
            value = fields.checkbox(spec.id)
        elif spec.kind == "grade":
            grade = fields.grade(spec.id, spec.allow_not_applicable)
            value = grade.value if isinstance(grade, Grade) else grade
        else:
            value = fields.text(spec.id) or None
            if value and spec.kind == "choice" and value not in spec.options:
                fields.findings.append(
                    error(
                        "choice-unreadable",
                        spec.id,
                        f"{spec.label}: '{value}' is not one of the choices. Choose one of: "
                        + ", ".join(spec.options)
                        + ".",
                    )
                )
        typed[spec.id] = value
        if spec.required and value is None and not any(f.field == spec.id for f in fields.findings):
            fields.findings.append(
                error("field-missing", spec.id, f"{spec.label} is empty: fill it in. {spec.guidance}".strip())
            )
    return typed, tuple(fields.findings)
