"""Reading the audit schema: ``audit-schema.toml`` into :mod:`shared.core.schema`'s types.

Hull edits ``audit-schema.toml``; code reads it through :func:`load_schema`. A schema file
with a mistake in it is refused with a message naming the key and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from shared.core.findings import Severity
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.schema import (
    AGREE,
    CASE_FILE_AUDIT,
    FIELD_KINDS,
    MODERATION_FORM,
    SUPERVISION_INTERVALS,
    AuditSchema,
    CalendarSettings,
    ConsistencyRule,
    Domain,
    FieldSpec,
    FormSpec,
    ModerationSettings,
    Organisation,
    ProgrammeSettings,
    Roles,
    SamplingSettings,
    SmartRules,
    SupervisionStage,
    ThemeSettings,
    Timescales,
)

DEFAULT_SCHEMA_PATH = Path(__file__).with_name("audit-schema.toml")


class SchemaError(ValueError):
    """The schema file is wrong: the message names the key and what to change."""


def load_schema(path: Path | str | None = None) -> AuditSchema:
    """Read and check the schema file (the shipped default when ``path`` is None)."""
    if path is None:
        return _default_schema()
    return _load(Path(path))


@lru_cache(maxsize=1)
def _default_schema() -> AuditSchema:
    return _load(DEFAULT_SCHEMA_PATH)


def _load(path: Path) -> AuditSchema:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SchemaError(f"Cannot read the audit schema {path}: {error.strerror}.") from error
    except tomllib.TOMLDecodeError as error:
        raise SchemaError(f"The audit schema {path} is not valid TOML: {error}.") from error
    return parse_schema(raw, source=str(path))


def parse_schema(raw: Mapping[str, Any], source: str = "<schema>") -> AuditSchema:
    """Build an :class:`AuditSchema` from parsed TOML, refusing anything inconsistent."""
    reader = _Reader(raw, source)
    head = reader.table("schema")
    grades = reader.table("grades")
    order = reader.strings(grades, "order", "grades")
    if tuple(order) != tuple(g.value for g in Grade):
        raise reader.error(
            "grades.order",
            "must be exactly " + ", ".join(g.value for g in Grade) + " (best first)",
        )
    if grades.get("not_applicable", NOT_APPLICABLE) != NOT_APPLICABLE:
        raise reader.error("grades.not_applicable", f'must be "{NOT_APPLICABLE}"')
    descriptions = reader.sub(grades, "descriptions", "grades")
    grade_descriptions = {g: str(descriptions.get(g.value, "")) for g in Grade}

    organisation = _organisation(reader)
    timescales = _timescales(reader)
    reader.words = _words(timescales, organisation)
    domains = _domains(reader)
    roles = _roles(reader)
    calendar = _calendar(reader)
    consistency = _consistency(reader)
    smart = _smart(reader)
    forms = _forms(reader, domains)
    programme = _programme(reader, roles)
    moderation = _moderation(reader, roles)
    if "moderation" in reader.raw:
        forms = {**forms, MODERATION_FORM: _moderation_form(reader, domains)}
    return AuditSchema(
        id=str(head.get("id", "")),
        version=reader.integer(head, "version", "schema", minimum=1),
        grade_descriptions=grade_descriptions,
        domains=domains,
        roles=roles,
        timescales=timescales,
        calendar=calendar,
        consistency=consistency,
        smart=smart,
        forms=forms,
        programme=programme,
        moderation=moderation,
        sampling=_sampling(reader),
        organisation=organisation,
        source=source,
        domain_lookup=_domain_lookup(domains),
    )


def _domain_lookup(domains: tuple[Domain, ...]) -> dict[str, Domain]:
    lookup = {}
    for domain in domains:
        for name in (
            domain.id,
            domain.name,
            domain.title,
            f"Domain {domain.number}",
            str(domain.number),
            f"{domain.number}. {domain.name}",
        ):
            lookup[" ".join(name.split()).casefold()] = domain
    return lookup


class _Reader:
    def __init__(self, raw: Mapping[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source
        # What a guidance text may name in braces, e.g. {review_period_months}: set once the
        # timescales and the organisation are read, so the forms say what the schema says.
        self.words: Mapping[str, str] = {}

    def error(self, key: str, problem: str) -> SchemaError:
        return SchemaError(f"Audit schema {self.source}: '{key}' {problem}.")

    def table(self, key: str) -> Mapping[str, Any]:
        value = self.raw.get(key)
        if not isinstance(value, Mapping):
            raise self.error(key, "is missing or is not a table")
        return value

    def sub(self, table: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, Mapping):
            raise self.error(f"{where}.{key}", "is not a table")
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = table.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"{where}.{key}", "must be a list of strings")
        return value

    def integer(self, table: Mapping[str, Any], key: str, where: str, minimum: int = 0) -> int:
        value = table.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.error(f"{where}.{key}", f"must be a whole number of at least {minimum}")
        return value

    def boolean(self, table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{where}.{key}", "must be true or false")
        return value

    def text(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.error(f"{where}.{key}", "must be text")
        return value

    def prose(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        """Text a person reads on a form, with each {name} filled from the timescales or the
        organisation; a name the schema does not define is refused, naming the ones it does."""
        text = self.text(table, key, where, default)

        def word(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.words:
                known = ", ".join("{" + w + "}" for w in sorted(self.words))
                raise self.error(f"{where}.{key}", f"names {{{name}}}, which is not one of {known}")
            return self.words[name]

        return _PLACEHOLDER.sub(word, text)


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _words(timescales: Timescales, organisation: Organisation) -> dict[str, str]:
    """The names a guidance text may use, each a timescale or the organisation's words."""
    words = {
        "allocation_list_by_day_of_month": timescales.allocation_list_by_day_of_month,
        "review_period_months": timescales.review_period_months,
        "review_period_tolerance_days": timescales.review_period_tolerance_days,
        "amendment_working_days": timescales.amendment_working_days,
        "safeguarding_action_working_days": timescales.safeguarding_action_working_days,
    }
    named = {name: str(value) for name, value in words.items()}
    named |= {
        f"discussion_working_days_{grade.name.lower()}": str(days)
        for grade, days in timescales.discussion_working_days.items()
    }
    return named | {
        "organisation": organisation.name,
        "organisation_short_name": organisation.short_name,
        "council": organisation.council,
    }


def _organisation(reader: _Reader) -> Organisation:
    default = Organisation()
    if "organisation" not in reader.raw:
        return default
    table = reader.table("organisation")
    where = "organisation"

    def words(key: str, fallback: str) -> str:
        text = reader.text(table, key, where, fallback).strip()
        if not text:
            raise reader.error(f"{where}.{key}", "must not be empty")
        return text

    return Organisation(
        name=words("name", default.name),
        short_name=words("short_name", default.short_name),
        council=words("council", default.council),
        protective_marking=words("protective_marking", default.protective_marking),
        bulletin_marking=words("bulletin_marking", default.bulletin_marking),
    )


_GRADE_NAMES = tuple(g.value for g in Grade)


def _domains(reader: _Reader) -> tuple[Domain, ...]:
    raw = reader.raw.get("domains")
    if not isinstance(raw, list) or not raw:
        raise reader.error("domains", "must list the audit domains as [[domains]] tables")
    domains = []
    for number, entry in enumerate(raw, start=1):
        where = f"domains[{number}]"
        if not isinstance(entry, Mapping):
            raise reader.error(where, "is not a table")
        expected = f"d{number}"
        if entry.get("id") != expected:
            raise reader.error(f"{where}.id", f'must be "{expected}" (ids run d1, d2, ... in order)')
        name = reader.text(entry, "name", where)
        if not name.strip():
            raise reader.error(f"{where}.name", "must not be empty")
        grading = reader.sub(entry, "grading", where)
        pairs = []
        for grade in _GRADE_NAMES:
            text = reader.text(grading, grade, f"{where}.grading")
            if text.strip():
                pairs.append((grade, " ".join(text.split())))
        unknown = sorted(set(grading) - set(_GRADE_NAMES))
        if unknown:
            raise reader.error(
                f"{where}.grading", f"names grades that do not exist: {unknown} (use {list(_GRADE_NAMES)})"
            )
        domains.append(
            Domain(expected, name.strip(), reader.prose(entry, "guidance", where), number, tuple(pairs))
        )
    return tuple(domains)


def _roles(reader: _Reader) -> Roles:
    table = reader.table("roles")
    auditors = reader.strings(table, "auditors", "roles")
    seniors = reader.strings(table, "senior_managers", "roles")
    unknown = sorted(set(seniors) - set(auditors))
    if unknown:
        raise reader.error("roles.senior_managers", f"names roles that are not auditors: {unknown}")
    return Roles(
        auditors=frozenset(auditors),
        senior_managers=frozenset(seniors),
        staff=tuple(reader.strings(table, "staff", "roles")),
        auditor_order=tuple(auditors),
    )


def _timescales(reader: _Reader) -> Timescales:
    table = reader.table("timescales")
    where = "timescales"
    discussion = reader.sub(table, "discussion_working_days", where)
    days: dict[Grade, int] = {}
    for grade in Grade:
        if grade.value not in discussion:
            raise reader.error(f"{where}.discussion_working_days", f'has no entry for "{grade.value}"')
        days[grade] = reader.integer(discussion, grade.value, f"{where}.discussion_working_days")
    by_day = reader.integer(table, "allocation_list_by_day_of_month", where, minimum=1)
    if by_day > 28:
        raise reader.error(f"{where}.allocation_list_by_day_of_month", "must be 28 or less")
    return Timescales(
        allocation_list_by_day_of_month=by_day,
        review_period_months=reader.integer(table, "review_period_months", where, minimum=1),
        review_period_tolerance_days=reader.integer(table, "review_period_tolerance_days", where),
        amendment_working_days=reader.integer(table, "amendment_working_days", where, minimum=1),
        safeguarding_action_working_days=reader.integer(table, "safeguarding_action_working_days", where),
        discussion_working_days=days,
    )


def _calendar(reader: _Reader) -> CalendarSettings:
    table = reader.table("calendar")
    closures = []
    for value in table.get("local_closure_days", []):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            closures.append(value)
            continue
        try:
            closures.append(dt.date.fromisoformat(str(value)))
        except ValueError as error:
            raise reader.error(
                "calendar.local_closure_days", f"has {value!r}, which is not a date (YYYY-MM-DD)"
            ) from error
    return CalendarSettings(
        country=reader.text(table, "country", "calendar", "GB"),
        subdivision=reader.text(table, "subdivision", "calendar", "ENG"),
        local_closure_days=tuple(sorted(closures)),
    )


_CONSISTENCY_RULES = (
    "outstanding_needs_good_domains",
    "good_overall_with_inadequate_domain",
    "inadequate_overall_with_all_domains_good",
    "weak_domain_needs_action",
)


def _consistency(reader: _Reader) -> dict[str, ConsistencyRule]:
    table = reader.table("consistency")
    unknown = sorted(set(table) - set(_CONSISTENCY_RULES))
    if unknown:
        raise reader.error("consistency", f"has unknown rules {unknown}; known: {list(_CONSISTENCY_RULES)}")
    rules = {}
    for name in _CONSISTENCY_RULES:
        where = f"consistency.{name}"
        entry = reader.sub(table, name, "consistency")
        severity_text = reader.text(entry, "severity", where, "warning")
        try:
            severity = Severity(severity_text)
        except ValueError as error:
            raise reader.error(f"{where}.severity", 'must be "error" or "warning"') from error
        at_least = None
        if "at_least" in entry:
            at_least = next((g for g in Grade if g.value == entry["at_least"]), None)
            if at_least is None:
                raise reader.error(f"{where}.at_least", "must be a grade")
        rules[name] = ConsistencyRule(
            enabled=reader.boolean(entry, "enabled", where, True), severity=severity, at_least=at_least
        )
    return rules


def _smart(reader: _Reader) -> SmartRules:
    table = reader.table("smart")
    return SmartRules(
        horizon_days=reader.integer(table, "horizon_days", "smart", minimum=1),
        due_before_reaudit_when_inadequate=reader.boolean(
            table, "due_before_reaudit_when_inadequate", "smart", True
        ),
        vague_phrases=tuple(p.casefold() for p in reader.strings(table, "vague_phrases", "smart")),
        min_action_words=reader.integer(table, "min_action_words", "smart"),
        min_measure_words=reader.integer(table, "min_measure_words", "smart"),
    )


def _programme(reader: _Reader, roles: Roles) -> ProgrammeSettings:
    """[programme]: the observation, case discussion, supervision audit and theme settings
    (3.1, 4.2, 5.3, 6). Missing keys take the framework's defaults; a wrong one is refused."""
    if "programme" not in reader.raw:
        return ProgrammeSettings()
    default = ProgrammeSettings()
    table = reader.table("programme")
    known_roles = set(roles.staff)

    def staff_roles(values: list[str], key: str) -> tuple[str, ...]:
        unknown = sorted(set(values) - known_roles)
        if unknown:
            raise reader.error(key, f"names roles that are not in roles.staff: {unknown}")
        return tuple(values)

    def whole(entry: Mapping[str, Any], key: str, where: str, fallback: int, minimum: int = 1) -> int:
        return reader.integer(entry, key, where, minimum) if key in entry else fallback

    practitioners = (
        staff_roles(reader.strings(table, "practitioner_roles", "programme"), "programme.practitioner_roles")
        if "practitioner_roles" in table
        else default.practitioner_roles
    )
    newly_qualified = reader.text(table, "newly_qualified_role", "programme", default.newly_qualified_role)
    staff_roles([newly_qualified], "programme.newly_qualified_role")

    where = "programme.observations"
    observations = reader.sub(table, "observations", "programme")
    year_months = whole(observations, "asye_year_months", where, default.asye_year_months)
    asye_months = default.asye_months
    if "asye_months" in observations:
        raw_months = observations["asye_months"]
        if (
            not isinstance(raw_months, list)
            or not raw_months
            or not all(isinstance(m, int) and not isinstance(m, bool) for m in raw_months)
            or any(not 1 <= m <= year_months for m in raw_months)
            or sorted(set(raw_months)) != raw_months
        ):
            raise reader.error(
                f"{where}.asye_months",
                f"must list months of the ASYE year in order, each from 1 to {year_months}, e.g. [3, 6, 10]",
            )
        asye_months = tuple(raw_months)
    observed_by = dict(default.observed_by)
    if "observed_by" in observations:
        raw_by = reader.sub(observations, "observed_by", where)
        observed_by = {}
        for observed, observer in raw_by.items():
            if not isinstance(observer, str):
                raise reader.error(f"{where}.observed_by.{observed}", "must be a role (text)")
            staff_roles([observed, observer], f"{where}.observed_by.{observed}")
            observed_by[observed] = observer

    case = reader.sub(table, "case_discussions", "programme")
    audits = reader.sub(table, "supervision_audits", "programme")
    auditor_roles = default.supervision_auditor_roles
    if "auditor_roles" in audits:
        auditor_roles = staff_roles(
            reader.strings(audits, "auditor_roles", "programme.supervision_audits"),
            "programme.supervision_audits.auditor_roles",
        )
        if not auditor_roles:
            raise reader.error("programme.supervision_audits.auditor_roles", "must name at least one role")

    supervision = reader.sub(table, "supervision", "programme")
    experienced_every = _interval(
        reader,
        supervision,
        "experienced_every",
        "programme.supervision",
        default.experienced_supervision_every,
    )
    stages = default.newly_qualified_supervision
    if "newly_qualified" in supervision:
        raw_stages = supervision["newly_qualified"]
        if not isinstance(raw_stages, list):
            raise reader.error(
                "programme.supervision.newly_qualified",
                "must be [[programme.supervision.newly_qualified]] tables",
            )
        built: list[SupervisionStage] = []
        for number, entry in enumerate(raw_stages, start=1):
            stage_where = f"programme.supervision.newly_qualified[{number}]"
            if not isinstance(entry, Mapping):
                raise reader.error(stage_where, "is not a table")
            until = reader.integer(entry, "until_weeks", stage_where, minimum=1)
            if built and until <= built[-1].until_weeks:
                raise reader.error(f"{stage_where}.until_weeks", "must be later than the stage before")
            built.append(SupervisionStage(until, _interval(reader, entry, "every", stage_where, None)))
        stages = tuple(built)

    themes = reader.sub(table, "themes", "programme")
    theme_default = ThemeSettings()
    return ProgrammeSettings(
        practitioner_roles=practitioners,
        newly_qualified_role=newly_qualified,
        asye_months=asye_months,
        asye_year_months=year_months,
        experienced_interval_months=whole(
            observations, "experienced_interval_months", where, default.experienced_interval_months
        ),
        needs_support_interval_months=whole(
            observations, "needs_support_interval_months", where, default.needs_support_interval_months
        ),
        manager_interval_months=whole(
            observations, "manager_interval_months", where, default.manager_interval_months
        ),
        notice_working_days=whole(
            observations, "notice_working_days", where, default.notice_working_days, minimum=0
        ),
        observed_by=observed_by,
        case_discussions_per_year=_per_year(
            reader, case, "programme.case_discussions", default.case_discussions_per_year
        ),
        supervision_audits_per_year=_per_year(
            reader, audits, "programme.supervision_audits", default.supervision_audits_per_year
        ),
        supervision_auditor_roles=auditor_roles,
        experienced_supervision_every=experienced_every,
        newly_qualified_supervision=stages,
        themes=ThemeSettings(
            lookback_months=whole(
                themes, "lookback_months", "programme.themes", theme_default.lookback_months
            ),
            min_audits=whole(themes, "min_audits", "programme.themes", theme_default.min_audits),
            min_teams=whole(themes, "min_teams", "programme.themes", theme_default.min_teams),
        ),
    )


def _per_year(reader: _Reader, table: Mapping[str, Any], where: str, fallback: int) -> int:
    """How many times a year: a whole number that divides the year into equal months."""
    if "per_year" not in table:
        return fallback
    value = reader.integer(table, "per_year", where, minimum=1)
    if 12 % value:
        raise reader.error(f"{where}.per_year", "must divide the year evenly: 1, 2, 3, 4, 6 or 12")
    return value


def _interval(reader: _Reader, table: Mapping[str, Any], key: str, where: str, fallback: str | None) -> str:
    value = table.get(key, fallback)
    if value not in SUPERVISION_INTERVALS:
        raise reader.error(f"{where}.{key}", "must be one of " + ", ".join(SUPERVISION_INTERVALS))
    return str(value)


def _forms(reader: _Reader, domains: tuple[Domain, ...]) -> dict[str, FormSpec]:
    table = reader.table("forms")
    if CASE_FILE_AUDIT not in table:
        raise reader.error("forms", f"has no [{CASE_FILE_AUDIT}] form")
    forms = {}
    for form_id, entry in table.items():
        where = f"forms.{form_id}"
        if not isinstance(entry, Mapping):
            raise reader.error(where, "is not a table")
        fields = [_field(reader, f, f"{where}.fields[{i}]") for i, f in enumerate(entry.get("fields", []), 1)]
        plan_rows = previous_rows = 0
        if "domain_fields" in entry:
            fields = _with_domain_and_plan_fields(reader, entry, where, fields, domains)
            plan_rows = reader.integer(entry, "plan_rows", where, minimum=1)
            if "previous_plan_fields" in entry:
                previous_rows = reader.integer(entry, "previous_plan_rows", where, minimum=1)
        seen: set[str] = set()
        for spec in fields:
            if spec.id in seen:
                raise reader.error(where, f"has the field id '{spec.id}' twice")
            seen.add(spec.id)
        forms[form_id] = FormSpec(
            id=form_id,
            title=reader.text(entry, "title", where),
            section=reader.text(entry, "section", where),
            version=reader.integer(entry, "version", where, minimum=1),
            guidance=reader.prose(entry, "guidance", where).strip(),
            fields=tuple(fields),
            plan_rows=plan_rows,
            previous_plan_rows=previous_rows,
            position={spec.id: i for i, spec in enumerate(fields)},
        )
    return forms


def _field(reader: _Reader, entry: Any, where: str, **overrides: Any) -> FieldSpec:
    if not isinstance(entry, Mapping):
        raise reader.error(where, "is not a table")
    values = {**entry, **overrides}
    field_id = values.get("id")
    if not isinstance(field_id, str) or not field_id.isidentifier() or not field_id.islower():
        raise reader.error(f"{where}.id", "must be a lower-case identifier such as case_ref")
    kind = values.get("kind")
    if kind not in FIELD_KINDS:
        raise reader.error(f"{where}.kind", f"must be one of {sorted(FIELD_KINDS)}")
    options = tuple(values.get("options", ()))
    if kind == "choice" and not options:
        raise reader.error(f"{where}.options", "must list the choices for a choice field")
    return FieldSpec(
        id=field_id,
        label=reader.text(values, "label", where),
        kind=kind,
        required=reader.boolean(values, "required", where, False),
        guidance=reader.prose(values, "guidance", where),
        options=options,
        allow_not_applicable=reader.boolean(values, "allow_not_applicable", where, False),
        group=str(values.get("group", "details")),
    )


def _with_domain_and_plan_fields(
    reader: _Reader,
    entry: Mapping[str, Any],
    where: str,
    fields: list[FieldSpec],
    domains: tuple[Domain, ...],
) -> list[FieldSpec]:
    """Expand per-domain ({d}_grade ...) and per-plan-row (a{n}_action ...) fields in form order:
    case details, the domains, the overall judgement and safeguarding, the improvement plan."""
    domain_fields = reader.sub(entry, "domain_fields", where)
    plan_fields = reader.sub(entry, "plan_fields", where)
    for required in ("grade", "evidence", "good_practice"):
        if required not in domain_fields:
            raise reader.error(f"{where}.domain_fields", f"has no '{required}'")
    for required in ("action", "domain", "owner", "due", "measure"):
        if required not in plan_fields:
            raise reader.error(f"{where}.plan_fields", f"has no '{required}'")
    details = [f for f in fields if f.id not in _CLOSING_FIELDS]
    closing = [
        FieldSpec(f.id, f.label, f.kind, f.required, f.guidance, f.options, f.allow_not_applicable, "overall")
        for f in fields
        if f.id in _CLOSING_FIELDS
    ]
    expanded = list(details)
    expanded.extend(_previous_plan_fields(reader, entry, where))
    for domain in domains:
        for part, spec in domain_fields.items():
            expanded.append(
                _field(
                    reader, spec, f"{where}.domain_fields.{part}", id=f"{domain.id}_{part}", group=domain.id
                )
            )
    expanded.extend(closing)
    rows = reader.integer(entry, "plan_rows", where, minimum=1)
    for row in range(1, rows + 1):
        for part, spec in plan_fields.items():
            expanded.append(
                _field(reader, spec, f"{where}.plan_fields.{part}", id=f"a{row}_{part}", group="plan")
            )
    return expanded


def _previous_plan_fields(reader: _Reader, entry: Mapping[str, Any], where: str) -> list[FieldSpec]:
    """2.12: the re-audit's look at the last audit: its judgements, then per action of its plan
    p{n}_action, p{n}_status (filled in by Audit Desk), p{n}_finding and p{n}_note."""
    if "previous_plan_fields" not in entry:
        return []
    previous = reader.sub(entry, "previous_fields", where) if "previous_fields" in entry else {}
    parts = reader.sub(entry, "previous_plan_fields", where)
    for required in ("action", "status", "finding", "note"):
        if required not in parts:
            raise reader.error(f"{where}.previous_plan_fields", f"has no '{required}'")
    found = [
        _field(reader, spec, f"{where}.previous_fields.{name}", id=f"previous_{name}", group="previous")
        for name, spec in previous.items()
    ]
    rows = reader.integer(entry, "previous_plan_rows", where, minimum=1)
    for row in range(1, rows + 1):
        for part, spec in parts.items():
            found.append(
                _field(
                    reader,
                    spec,
                    f"{where}.previous_plan_fields.{part}",
                    id=f"p{row}_{part}",
                    group="previous",
                )
            )
    return found


_CLOSING_FIELDS = frozenset(
    {
        "overall_grade",
        "overall_rationale",
        "safeguarding_concern",
        "safeguarding_details",
        "good_practice_summary",
    }
)


# --- moderation (7.2) and case selection (2.1) ------------------------------------------


def _share(reader: _Reader, table: Mapping[str, Any], key: str, where: str, fallback: float) -> float:
    value = table.get(key, fallback)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise reader.error(f"{where}.{key}", "must be a share from 0 to 1, e.g. 0.25")
    return float(value)


def _moderation(reader: _Reader, roles: Roles) -> ModerationSettings:
    """[moderation]: missing keys take the defaults; a wrong one is refused."""
    default = ModerationSettings()
    if "moderation" not in reader.raw:
        return default
    table = reader.table("moderation")
    where = "moderation"
    moderators = default.moderator_roles
    if "moderator_roles" in table:
        moderators = tuple(reader.strings(table, "moderator_roles", where))
        unknown = sorted(set(moderators) - set(roles.staff))
        if unknown or not moderators:
            raise reader.error(
                f"{where}.moderator_roles", f"must name roles in roles.staff (unknown: {unknown})"
            )
    always = default.always_moderate
    if "always_moderate" in table:
        names = reader.strings(table, "always_moderate", where)
        by_value = {g.value: g for g in Grade}
        wrong = [name for name in names if name not in by_value]
        if wrong:
            raise reader.error(f"{where}.always_moderate", f"names {wrong}, which are not grades")
        always = tuple(by_value[name] for name in names)
    calibration = reader.sub(table, "calibration", where)
    return ModerationSettings(
        moderator_roles=moderators,
        always_moderate=always,
        random_share=_share(reader, table, "random_share", where, default.random_share),
        seed=reader.text(table, "seed", where, default.seed),
        working_days=reader.integer(table, "working_days", where, minimum=1)
        if "working_days" in table
        else default.working_days,
        flag_above=_share(reader, calibration, "flag_above", f"{where}.calibration", default.flag_above),
        min_moderated=reader.integer(calibration, "min_moderated", f"{where}.calibration", minimum=1)
        if "min_moderated" in calibration
        else default.min_moderated,
    )


def _moderation_form(reader: _Reader, domains: tuple[Domain, ...]) -> FormSpec:
    """The moderation form: who and when, then per domain and overall the moderator's
    judgement (Agree, or the grade they would give) and the reason for a different grade."""
    table = reader.table("moderation")
    where = "moderation"
    grades = tuple(g.value for g in Grade)
    fields = [
        FieldSpec("case_ref", "Case reference (Liquidlogic ID)", "text", True, "The case, as on the audit."),
        FieldSpec("auditor", "Auditor", "text", True, "The name of the auditor whose audit you moderate."),
        FieldSpec("moderator", "Moderator", "text", True, "Your name."),
        FieldSpec("moderation_date", "Date of moderation", "date", True, "The date you moderated the audit."),
    ]
    for domain in domains:
        fields.append(
            FieldSpec(
                f"{domain.id}_verdict",
                "Your judgement",
                "choice",
                True,
                "Agree with the auditor's judgement, or choose the grade you would give.",
                (AGREE, *grades, NOT_APPLICABLE),
                group=domain.id,
            )
        )
        fields.append(
            FieldSpec(
                f"{domain.id}_reason",
                "Reason for a different grade",
                "richtext",
                False,
                "Needed when you give a different grade: the evidence for it.",
                group=domain.id,
            )
        )
    fields.append(
        FieldSpec(
            "overall_verdict",
            "Your overall judgement",
            "choice",
            True,
            "Agree with the auditor's overall judgement, or choose the grade you would give (2.7).",
            (AGREE, *grades),
            group="overall",
        )
    )
    fields.append(
        FieldSpec(
            "overall_reason",
            "Reason for a different overall judgement",
            "richtext",
            False,
            "Needed when you give a different overall judgement.",
            group="overall",
        )
    )
    return FormSpec(
        id=MODERATION_FORM,
        title=reader.text(table, "form_title", where, "Moderation of a Case File Audit"),
        section="7.2",
        version=reader.integer(table, "form_version", where, minimum=1) if "form_version" in table else 1,
        guidance=reader.prose(table, "form_guidance", where).strip(),
        fields=tuple(fields),
        position={spec.id: i for i, spec in enumerate(fields)},
    )


def _sampling(reader: _Reader) -> SamplingSettings:
    """[sampling]: missing keys take the defaults; a wrong one is refused."""
    default = SamplingSettings()
    if "sampling" not in reader.raw:
        return default
    table = reader.table("sampling")
    where = "sampling"

    def whole(key: str, fallback: int, minimum: int) -> int:
        return reader.integer(table, key, where, minimum) if key in table else fallback

    case_types = default.case_types
    if "case_types" in table:
        case_types = tuple(reader.strings(table, "case_types", where))
        if not case_types:
            raise reader.error(f"{where}.case_types", "must name at least one case type")
    return SamplingSettings(
        cases_per_month=whole("cases_per_month", default.cases_per_month, 1),
        min_per_stratum=whole("min_per_stratum", default.min_per_stratum, 0),
        exclude_audited_within_months=whole(
            "exclude_audited_within_months", default.exclude_audited_within_months, 0
        ),
        seed=reader.text(table, "seed", where, default.seed),
        case_types=case_types,
        teams=tuple(reader.strings(table, "teams", where)) if "teams" in table else (),
    )
