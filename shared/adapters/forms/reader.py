"""Reading a returned form: gate, identify, read by field id, then the core's checks.

:func:`read_form` never raises for anything about the file: every file ends as a
:class:`FormOutcome` that is valid, invalid (read, with findings to fix) or rejected (with
the reason and what to do).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shared.adapters.forms import ooxml
from shared.adapters.forms.excel import read_excel_values
from shared.adapters.forms.safety import (
    DEFAULT_LIMITS,
    WORD_PART,
    Limits,
    OfficePackage,
    open_package,
    oversized,
)
from shared.adapters.forms.word import read_word_controls
from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.findings import Finding, Severity, error, warning
from shared.core.record import FieldValue, parse_form_fields
from shared.core.schema import CASE_FILE_AUDIT, AuditSchema, FormSpec
from shared.core.validation import check_audit
from shared.services.ports.forms import ANSWER_BOXES_LOST, FormOutcome, FormRejected, FormStatus, rejected


def read_form_file(
    path: Path,
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> FormOutcome:
    """Read and check one returned form on disk (its size is checked before it is read)."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return rejected(path.name, oversized(path.name, size, limits).rejection)
        data = path.read_bytes()
    except OSError as problem:
        return rejected(
            path.name,
            FormRejected(
                "unreadable-file",
                f"{path.name} cannot be opened ({problem.strerror or 'unreadable'}). Check the file "
                "exists and is not open elsewhere, then try again.",
            ).rejection,
        )
    return read_form(data, path.name, schema, deadlines, allocation_month, limits)


def read_form(
    data: bytes,
    source: str,
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None = None,
    limits: Limits = DEFAULT_LIMITS,
    core_checks: bool = True,
) -> FormOutcome:
    """Read and check one returned form given as bytes; ``source`` names it in messages.

    With ``core_checks`` false a case file audit's findings are only the reader's own (a copied
    control, a lost one): intake runs the core's checks itself, once, when it knows the
    allocation's month.
    """
    try:
        package = open_package(data, source, limits)
        form = identify_form(package, schema)
        return _check(package, data, form, schema, deadlines, allocation_month, core_checks)
    except FormRejected as refusal:
        return rejected(source, refusal.rejection)


def identify_form(package: OfficePackage, schema: AuditSchema) -> FormSpec:
    """Which of the schema's forms this is, from the template id and versions it carries."""
    source = package.source
    properties = package.custom_properties()
    template_id = properties.get(ooxml.PROP_TEMPLATE)
    if not template_id:
        raise FormRejected(
            "not-audit-desk-form",
            f"{source} is a {'Word' if package.kind == 'word' else 'Excel'} document but not an Audit "
            "Desk form (it carries no template id). Copy the answers into the Audit Desk template and resend it.",
        )
    form = schema.forms.get(template_id)
    if form is None or properties.get(ooxml.PROP_SCHEMA, schema.id) != schema.id:
        raise FormRejected(
            "other-template",
            f"{source} was made from another template ('{template_id[:60]}'), not one of Audit Desk's "
            f"forms ({', '.join(schema.forms)}). Fill in the right Audit Desk template and resend it.",
        )
    schema_version = _version(properties.get(ooxml.PROP_SCHEMA_VERSION), source, form)
    form_version = _version(properties.get(ooxml.PROP_TEMPLATE_VERSION), source, form)
    if schema_version > schema.version or form_version > form.version:
        raise FormRejected(
            "newer-schema",
            f"{source} was made from a newer version of the {form.title} form (form v{form_version}, "
            f"schema v{schema_version}) than this Audit Desk knows (form v{form.version}, schema "
            f"v{schema.version}). Ask the Quality Assurance Team to update Audit Desk, or use the current template.",
        )
    if form_version < form.version:
        raise FormRejected(
            "unsupported-version",
            f"{source} was made from version {form_version} of the {form.title} form, which is no longer "
            f"accepted (current: version {form.version}). Copy the answers into the current template and resend it.",
        )
    return form


def _version(text: str | None, source: str, form: FormSpec) -> int:
    if text is not None and text.isdigit() and len(text) < 6:
        return int(text)
    raise FormRejected(
        "unsupported-version",
        f"{source} does not say which version of the {form.title} form it is. Copy the answers into "
        "the current template and resend it.",
    )


def _check(
    package: OfficePackage,
    data: bytes,
    form: FormSpec,
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None,
    core_checks: bool = True,
) -> FormOutcome:
    source = package.source
    form_findings: list[Finding] = []
    if package.kind == "word":
        controls = read_word_controls(package.parse(WORD_PART), form)
        raw = controls.values
        for field_id, text in controls.beside.items():
            if field_id not in form.position:
                continue
            label = form.field(field_id).label
            lost = raw.get(field_id) in (None, "")
            form_findings.append(
                (error if lost else warning)(
                    "text-beside-box",
                    field_id,
                    f'Text typed beside the box for {label}, not in it: "{_clip(text)}". '
                    + (
                        "It is not read as the answer: move it into the box."
                        if lost
                        else "Only the box is read: move anything that belongs to the answer into it."
                    ),
                )
            )
        for field_id in sorted(controls.conflicting & set(form.field_ids)):
            form_findings.append(
                error(
                    "field-duplicated",
                    field_id,
                    f"{form.field(field_id).label} appears more than once with different answers (a "
                    "content control was copied). Keep one answer and delete the copy.",
                )
            )
    else:
        excel_errors: dict[str, str] = {}
        raw = read_excel_values(package, data, form, excel_errors)
        for field_id, code in excel_errors.items():
            form_findings.append(
                error(
                    "excel-error-value",
                    field_id,
                    f"{form.field(field_id).label} shows Excel's error {code} instead of an answer (a "
                    "formula or a paste went wrong). Type the answer into the cell itself.",
                )
            )
    raw = {field_id: _as_seen(value, form, field_id) for field_id, value in raw.items()}
    present = [field_id for field_id in form.field_ids if field_id in raw]
    if not present:
        raise FormRejected(
            "no-fields",
            f"{source} has none of the {form.title} form's fields (its content controls or named "
            "cells were removed). Copy the answers into a fresh template and resend it.",
        )
    values: dict[str, FieldValue] = {field_id: raw.get(field_id) for field_id in form.field_ids}
    if _is_empty(values, form):
        raise FormRejected(
            "empty-form",
            f"{source} is the {form.title} form with nothing filled in. Complete the form and resend it.",
        )
    # The re-audit's section (2.12) came later: a form made before it is not missing anything.
    missing = [f.id for f in form.fields if f.id not in raw and f.group != "previous"]
    if len(missing) > LOST_BOXES_AT:
        # The file lost its answer boxes (re-saved by LibreOffice, Google Docs or Pages): one
        # message says so, instead of one "must fix" line for every answer plainly on the page.
        lost_boxes = answer_boxes_lost(source, form, len(missing))
        return FormOutcome(source, FormStatus.INVALID, form.id, form.version, dict(raw), (lost_boxes,))
    for field_id in missing:
        if field_id not in raw:
            form_findings.append(
                warning(
                    "field-control-missing",
                    field_id,
                    f"{form.field(field_id).label} is not on the form any more (its control or named "
                    "cell was deleted, or the file was re-saved by a program that drops Word content "
                    "controls). Fill in a fresh template in Word or Excel if the answer is needed.",
                )
            )
    findings = tuple(form_findings)
    if core_checks or form.id != CASE_FILE_AUDIT:
        findings += _core_findings(values, form, schema, deadlines, allocation_month)
    status = FormStatus.INVALID if any(f.severity is Severity.ERROR for f in findings) else FormStatus.VALID
    return FormOutcome(source, status, form.id, form.version, values, findings)


# More answer boxes missing than this is a file that lost them, not an auditor's slip.
LOST_BOXES_AT = 2
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u00ad": None, "\u200b": None}
)


def answer_boxes_lost(source: str, form: FormSpec, missing: int) -> Finding:
    return error(
        ANSWER_BOXES_LOST,
        "",
        f"{source} has lost {missing} of the {len(form.field_ids)} answer boxes of the {form.title} "
        "form, so its answers cannot be read (the file was probably opened and saved in a program "
        "other than Word or Excel, such as LibreOffice, Google Docs or Pages). Copy your answers into "
        "a fresh form in Word or Excel and submit that.",
    )


def _as_seen(value: FieldValue, form: FormSpec, field_id: str) -> FieldValue:
    """One-line answers (names, teams, references) as a person reads them: tabs, non-breaking
    and repeated spaces are one space, non-breaking hyphens are hyphens (reports group by this text)."""
    if not isinstance(value, str) or field_id not in form.position:
        return value
    if form.field(field_id).kind == "richtext":
        return value.replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(value.translate(_DASHES).split()) or None


def _clip(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _core_findings(
    values: Mapping[str, FieldValue],
    form: FormSpec,
    schema: AuditSchema,
    deadlines: Deadlines,
    allocation_month: AuditMonth | None,
) -> tuple[Finding, ...]:
    if form.id == CASE_FILE_AUDIT:
        return check_audit(values, schema, deadlines, allocation_month).findings
    return parse_form_fields(values, form, schema)[1]


def _is_empty(values: Mapping[str, FieldValue], form: FormSpec) -> bool:
    """Nothing answered. An unticked check box is no answer: every blank Word form has one."""
    for spec in form.fields:
        value = values.get(spec.id)
        if spec.kind == "checkbox":
            if value is True:
                return False
        elif value not in (None, ""):
            return False
    return True
