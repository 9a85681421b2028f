"""The audit schema's types: audit forms, domains, grades, rules and timescales.

Hull edits ``audit-schema.toml``; :mod:`shared.core.schema_reader` reads it into these types
(:func:`~shared.core.schema_reader.load_schema`), refusing a file with a mistake in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from shared.core.findings import Severity
from shared.core.grades import Grade

CASE_FILE_AUDIT = "case-file-audit"
# The moderation form (7.2): built from [moderation], the domains and the grades.
MODERATION_FORM = "moderation"
# What a moderator chooses for a judgement they agree with.
AGREE = "Agree"
FIELD_KINDS = frozenset(
    {"text", "richtext", "date", "grade", "domain", "checkbox", "choice", "role", "staff_role"}
)


@dataclass(frozen=True, slots=True)
class Domain:
    id: str
    name: str
    guidance: str
    number: int
    # What each grade looks like in this domain (7.1, Appendix 2): (grade, description) pairs.
    grading: tuple[tuple[str, str], ...] = ()

    def grade_guidance(self, grade: str) -> str:
        """What ``grade`` looks like in this domain, or '' when the schema does not say."""
        return next((text for name, text in self.grading if name == grade), "")

    @property
    def title(self) -> str:
        """'Domain 3 (Planning)', the way findings name a domain."""
        return f"Domain {self.number} ({self.name})"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a form. ``id`` is the content-control tag, defined name and column name."""

    id: str
    label: str
    kind: str
    required: bool = False
    guidance: str = ""
    options: tuple[str, ...] = ()
    allow_not_applicable: bool = False
    # Which part of the form it belongs to: "details", a domain id, "overall", "plan", or
    # "previous" (on a re-audit, the last audit's judgements and plan: 2.12).
    group: str = "details"


@dataclass(frozen=True, slots=True)
class FormSpec:
    """An audit form (template id, version and fields), e.g. the single case file audit."""

    id: str
    title: str
    section: str
    version: int
    guidance: str
    fields: tuple[FieldSpec, ...]
    plan_rows: int = 0
    # 2.12: rows for the last audit's actions, looked at again on a re-audit (0: none).
    previous_plan_rows: int = 0
    # Field id -> its place on the form, so findings can be listed in form order.
    position: Mapping[str, int] = dataclass_field(default_factory=dict, compare=False)

    def field(self, field_id: str) -> FieldSpec:
        return self.fields[self.position[field_id]]

    @property
    def field_ids(self) -> tuple[str, ...]:
        return tuple(spec.id for spec in self.fields)


@dataclass(frozen=True, slots=True)
class ConsistencyRule:
    enabled: bool
    severity: Severity
    at_least: Grade | None = None


@dataclass(frozen=True, slots=True)
class SmartRules:
    horizon_days: int
    due_before_reaudit_when_inadequate: bool
    vague_phrases: tuple[str, ...]
    min_action_words: int
    min_measure_words: int


@dataclass(frozen=True, slots=True)
class Timescales:
    allocation_list_by_day_of_month: int
    review_period_months: int
    review_period_tolerance_days: int
    amendment_working_days: int
    safeguarding_action_working_days: int
    discussion_working_days: Mapping[Grade, int]


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who runs the framework, and the protective marking its documents carry: every form,
    register, report and email takes these words from here."""

    name: str = "Hull Children, Young People and Family Services"
    short_name: str = "Hull Children's Services"
    council: str = "Hull City Council"
    # Government Security Classifications: audits and reports name cases and staff.
    protective_marking: str = "OFFICIAL-SENSITIVE"
    # The learning bulletin is anonymised for the wider workforce.
    bulletin_marking: str = "OFFICIAL"


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    country: str
    subdivision: str
    local_closure_days: tuple[dt.date, ...]


@dataclass(frozen=True, slots=True)
class Roles:
    auditors: frozenset[str]
    senior_managers: frozenset[str]
    staff: tuple[str, ...]
    auditor_order: tuple[str, ...] = ()


SUPERVISION_INTERVALS = ("week", "fortnight", "month")


@dataclass(frozen=True, slots=True)
class SupervisionStage:
    """A newly qualified worker is supervised at least ``every`` until ``until_weeks`` after
    their ASYE start (LGA Standards for Employers)."""

    until_weeks: int
    every: str


@dataclass(frozen=True, slots=True)
class ThemeSettings:
    """How thematic audit suggestions are drawn from single case file audits (3.1)."""

    lookback_months: int = 3
    min_audits: int = 3
    min_teams: int = 2


@dataclass(frozen=True, slots=True)
class ProgrammeSettings:
    """Observations (6), case discussions (4.2), supervision audits (5.3) and thematic audits (3.1)."""

    practitioner_roles: tuple[str, ...] = (
        "Social Worker",
        "Newly Qualified Social Worker",
        "Senior Practitioner",
    )
    newly_qualified_role: str = "Newly Qualified Social Worker"
    asye_months: tuple[int, ...] = (3, 6, 10)
    asye_year_months: int = 12
    experienced_interval_months: int = 12
    needs_support_interval_months: int = 6
    manager_interval_months: int = 12
    notice_working_days: int = 10
    observed_by: Mapping[str, str] = dataclass_field(
        default_factory=lambda: {"Team Manager": "Group Manager", "ICRO": "ICRO Manager"}
    )
    case_discussions_per_year: int = 2
    supervision_audits_per_year: int = 2
    supervision_auditor_roles: tuple[str, ...] = ("Team Manager", "Group Manager")
    experienced_supervision_every: str = "month"
    newly_qualified_supervision: tuple[SupervisionStage, ...] = (
        SupervisionStage(6, "week"),
        SupervisionStage(26, "fortnight"),
    )
    themes: ThemeSettings = dataclass_field(default_factory=ThemeSettings)


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    """[moderation]: who moderates, which accepted audits are drawn, and the calibration flag (7.2)."""

    moderator_roles: tuple[str, ...] = (
        "Senior Manager",
        "Group Manager",
        "City Safeguarding Manager",
        "Professional Practice Officer",
    )
    always_moderate: tuple[Grade, ...] = (Grade.OUTSTANDING, Grade.INADEQUATE)
    random_share: float = 0.25
    seed: str = "hull-moderation"
    working_days: int = 10
    # An auditor is flagged when their overall judgement differs from moderation in more than
    # this share of their moderated audits, once at least min_moderated have been moderated.
    flag_above: float = 0.34
    min_moderated: int = 3


@dataclass(frozen=True, slots=True)
class SamplingSettings:
    """[sampling]: the month's case selection from the case management export (2.1)."""

    cases_per_month: int = 40
    min_per_stratum: int = 1
    exclude_audited_within_months: int = 12
    seed: str = "hull-case-sample"
    case_types: tuple[str, ...] = ("Child in Need", "Child Protection", "Looked After", "Care Leaver")
    # Empty: the teams in the Staff register.
    teams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditSchema:
    id: str
    version: int
    grade_descriptions: Mapping[Grade, str]
    domains: tuple[Domain, ...]
    roles: Roles
    timescales: Timescales
    calendar: CalendarSettings
    consistency: Mapping[str, ConsistencyRule]
    smart: SmartRules
    forms: Mapping[str, FormSpec]
    programme: ProgrammeSettings = dataclass_field(default_factory=ProgrammeSettings)
    moderation: ModerationSettings = dataclass_field(default_factory=ModerationSettings)
    sampling: SamplingSettings = dataclass_field(default_factory=SamplingSettings)
    organisation: Organisation = dataclass_field(default_factory=Organisation)
    source: str = dataclass_field(default="", compare=False)
    # Every way a form may name a domain (id, name, 'Domain 3', '3. Planning'), folded.
    domain_lookup: Mapping[str, Domain] = dataclass_field(default_factory=dict, compare=False)

    def domain(self, domain_id: str) -> Domain:
        for domain in self.domains:
            if domain.id == domain_id:
                return domain
        raise KeyError(domain_id)

    def domain_by_name(self, text: str) -> Domain | None:
        """Find a domain from what a form's domain picker holds: its id, name or 'Domain 3'."""
        return self.domain_lookup.get(" ".join(text.split()).casefold())

    @property
    def case_file_audit(self) -> FormSpec:
        return self.forms[CASE_FILE_AUDIT]
