"""The learning bulletin names no one (8.1): redaction runs before rendering."""

from __future__ import annotations

import io
import re
import zipfile

from shared.adapters.documents.render import render_docx
from shared.adapters.documents.report_templates import template_path
from shared.core.deadlines import AuditMonth
from shared.demo.fictional_history import CHILD_NAMES, fictional_history
from shared.services.reports import aggregate, bulletin
from shared.services.reports.anonymise import redactor
from shared.services.reports.bulletin import bulletin_content
from shared.services.reports.period import parse_period
from tests.reports.conftest import DOMAINS, SCHEMA, D


def _document_text(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode()
    return re.sub(r"<[^>]+>", " ", xml)


def test_a_bulletin_from_data_full_of_names_contains_none_of_them() -> None:
    history = fictional_history(600, AuditMonth(2026, 11), months=3, seed=11)
    index = aggregate.index_history(history.allocations, history.submissions, history.tasks, SCHEMA)
    people = [p for row in index.rows for p in row.people]
    redact = redactor(
        [str(s.fields["Title"]) for s in history.staff],
        people,
        [*(d.name for d in DOMAINS), *(r.team for r in index.rows)],
    )
    report = bulletin.bulletin(index, parse_period("2026-Q4"), DOMAINS, D(2026, 12, 10), redact.review)
    assert report.excerpts, "the fictional data has good practice to share"
    # The QA team's draft lists every excerpt; the published bulletin quotes the approved ones.
    everything = list(range(1, len(report.excerpts) + 1))
    text = _document_text(render_docx(template_path("bulletin"), bulletin_content(report, draft=True)))
    text += _document_text(render_docx(template_path("bulletin"), bulletin_content(report, everything)))
    raw = " ".join(str(s.fields.get("good_practice")) for s in history.submissions)
    forbidden = {
        p for s in history.staff for p in str(s.fields["Title"]).removesuffix(" (fictional)").split()
    }
    forbidden |= set(CHILD_NAMES)
    assert all(name in raw for name in CHILD_NAMES), "the raw text really does hold the names"
    assert not [name for name in forbidden if re.search(rf"\b{name}\b", text)]
    assert not re.search(r"DEMO-\d+|\b\d{6}\b|07700|\d{2}/\d{2}/20\d{2}|@example\.org", text)
    assert "[name]" in text
    assert "Liquidlogic" in text


def test_redaction_removes_references_contacts_and_dates_of_birth() -> None:
    redact = redactor(["Ashlyn Ashdown (fictional)"], ["bramwell.brackenby@example.org"])
    reviewed = redact.review(
        "Ashlyn visited with Bramwell; Mrs Hollins phoned 01482 300300 and +44 7700 900123. "
        "Child ref 1234567, case LCS-44321 and DEMO-0007, DOB 03/04/2015, born 3 April 2015, "
        "write to family@example.net at HU1 2AA. The plan reflects Tamsin's wishes and school views."
    )
    for leaked in ("Ashlyn", "Bramwell", "Hollins", "01482", "7700", "1234567", "LCS-44321", "DEMO-0007",
                   "03/04/2015", "April 2015", "family@", "HU1", "Tamsin"):  # fmt: skip
        assert leaked not in reviewed.text, leaked
    assert "The plan reflects" in reviewed.text
    assert "school views" in reviewed.text
    # So much of it was identifying that what is left is withheld, never published.
    assert not reviewed.publishable
    assert redact("Ashlyn visited with Bramwell; case LCS-44321, DOB 03/04/2015, HU1 2AA.") == ""


def test_the_services_own_words_are_kept() -> None:
    redact = redactor(["Good Chair (fictional)"], extra_vocabulary=["Demo Team East"])
    text = "Management oversight by the Team Manager was Good; the ICRO and the Demo Team East met the GP."
    assert redact(text) == text
