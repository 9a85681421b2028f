"""Filled example forms for the demo: valid, invalid and hostile, all fictional."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.excel_template import build_excel_template
from shared.adapters.forms.word import fill_word_form
from shared.adapters.forms.word_template import build_word_template
from shared.core.record import FieldValue
from shared.core.schema import CASE_FILE_AUDIT, AuditSchema
from shared.core.schema_reader import load_schema
from shared.demo import hostile_forms as hostile
from shared.demo.examples import (
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
    outstanding_audit_with_weaker_domain,
)


def staff_observation_example() -> dict[str, FieldValue]:
    """A completed staff observation form (6.5). Fictional."""
    return {
        "practitioner": "Alex Example (fictional)",
        "practitioner_role": "Newly Qualified Social Worker",
        "observer": "Morgan Example (fictional)",
        "team": "Demo Team East",
        "observation_date": dt.date(2026, 11, 12),
        "observation_type": "ASYE direct observation",
        "setting": "Home visit to a fictional family",
        "appraisal_priorities": "Direct work with younger children; explaining the plan to parents.",
        "strengths": "Warm, clear introduction; checked the child's understanding in their own words.",
        "development_areas": "Summarise agreed actions with the parents before leaving.",
        "overall_grade": "Good",
        "reflective_review_date": dt.date(2026, 11, 19),
        "action_plan": "Practise end-of-visit summaries; review at the next supervision.",
    }


def write_example_forms(folder: Path, schema: AuditSchema | None = None) -> list[Path]:
    """Write a handful of filled forms into ``folder`` and return their paths: a valid Word
    and Excel audit, an Inadequate audit with a safeguarding concern, a half-filled one, a
    staff observation, and three files the reader must refuse."""
    schema = schema or load_schema()
    form = schema.forms[CASE_FILE_AUDIT]
    word = build_word_template(form, schema)
    excel = build_excel_template(form, schema)
    observation = build_word_template(schema.forms["staff-observation"], schema)
    good_word = fill_word_form(word, good_audit())
    files = {
        "DEMO-0001-good.docx": good_word,
        "DEMO-0001-good.xlsx": fill_excel_form(excel, good_audit()),
        "DEMO-0002-inadequate-safeguarding.docx": fill_word_form(
            word, inadequate_audit_with_safeguarding_concern()
        ),
        "DEMO-0003-half-filled.docx": fill_word_form(word, half_filled_audit()),
        "DEMO-0004-outstanding-weaker-domain.xlsx": fill_excel_form(
            excel, outstanding_audit_with_weaker_domain()
        ),
        "DEMO-observation.docx": fill_word_form(observation, staff_observation_example()),
        "hostile-macro-enabled.docm": hostile.macro_enabled(good_word),
        "hostile-xxe.docx": hostile.with_dtd(good_word, "word/document.xml", "xxe-file"),
        "hostile-zip-bomb.docx": hostile.zip_bomb(48 * 1024 * 1024),
    }
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths
