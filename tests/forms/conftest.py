"""Shared fixtures: the schema, the shipped templates, and filled example forms (fictional)."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.adapters.forms import TEMPLATES_DIR, fill_excel_form, fill_word_form
from shared.adapters.forms.controls import field_choices
from shared.core.deadlines import Deadlines
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema, FieldSpec, FormSpec
from shared.core.schema_reader import load_schema
from shared.demo.examples import good_audit


@pytest.fixture(scope="session")
def schema() -> AuditSchema:
    return load_schema()


@pytest.fixture(scope="session")
def deadlines(schema: AuditSchema) -> Deadlines:
    return Deadlines.for_schema(schema)


@pytest.fixture(scope="session")
def word_template() -> bytes:
    return (TEMPLATES_DIR / "case-file-audit.docx").read_bytes()


@pytest.fixture(scope="session")
def excel_template() -> bytes:
    return (TEMPLATES_DIR / "case-file-audit.xlsx").read_bytes()


@pytest.fixture(scope="session")
def good_word(word_template: bytes) -> bytes:
    return fill_word_form(word_template, good_audit())


@pytest.fixture(scope="session")
def good_excel(excel_template: bytes) -> bytes:
    return fill_excel_form(excel_template, good_audit())


def distinct_value(spec: FieldSpec, index: int, schema: AuditSchema) -> FieldValue:
    """A value for every field that no other field shares, so a mix-up would show."""
    choices = field_choices(spec, schema)
    if spec.kind == "checkbox":
        return True
    if spec.kind == "date":
        return dt.date(2026, 1, 1) + dt.timedelta(days=index)
    if choices:
        return choices[index % len(choices)]
    if spec.kind == "richtext":
        return f"Fictional evidence for {spec.id}.\nSecond paragraph {index}."
    return f"Fictional {spec.id} {index}"


def every_field(form: FormSpec, schema: AuditSchema) -> dict[str, FieldValue]:
    return {spec.id: distinct_value(spec, index, schema) for index, spec in enumerate(form.fields)}
