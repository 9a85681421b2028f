"""User text can never act as template code: docxtpl renders with autoescape, values are only
values, and the templates hold no data."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document

from shared.adapters.documents.render import plain, render_docx
from shared.adapters.documents.report_templates import build_template, template_path
from shared.core.deadlines import AuditMonth
from shared.services.reports import aggregate, bulletin, highlights, quarterly
from shared.services.reports.highlights import highlights_content
from shared.services.reports.period import parse_period
from shared.services.reports.publish import report_layouts
from tests.reports.conftest import DOMAINS, SCHEMA, D, allocation, submission

HOSTILE = (
    "Planning: {{ 7*7 }} and {%p if true %}shown{%p endif %} and {% for x in range(3) %}x{% endfor %} "
    "</w:t></w:r><w:r><w:t>injected & <b>bold</b> {{ config }} {_{ 8*8 }_} \a\f\t end of excerpt"
)


def _xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("word/document.xml").decode()


def _highlights_with(text: str) -> bytes:
    index = aggregate.index_history(
        [allocation(1, "DEMO-0001", "2026-11", overall_grade="Good", submitted_on=D(2026, 11, 20))],
        [submission(1, 1, "Good", good_practice=text)],
        [],
        SCHEMA,
    )
    report = highlights.highlights(index, parse_period("2026-11"), DOMAINS, D(2026, 12, 1), lambda t: t)
    return render_docx(template_path("highlights"), highlights_content(report))


def test_template_code_in_good_practice_text_is_printed_as_typed_never_run() -> None:
    xml = _xml(_highlights_with(HOSTILE))
    text = re.sub(r"<[^>]+>", "", xml)
    assert "{{ 7*7 }}" in text
    assert "49" not in text
    assert "{%p if true %}shown{%p endif %}" in text
    assert "{% for x in range(3) %}x{% endfor %}" in text
    assert "&lt;/w:t&gt;&lt;/w:r&gt;" in xml
    assert "<b>" not in xml
    assert "injected &amp; &lt;b&gt;bold" in xml
    Document(io.BytesIO(_highlights_with(HOSTILE)))  # still a valid Word document


def test_layout_characters_docxtpl_would_obey_are_removed_from_values() -> None:
    assert plain("a\ab\fc\td\x00e\nf") == "a b c d e\nf"
    assert plain({"k": ["\a"]}) == {"k": [" "]}


LAYOUTS = {layout.kind: layout for layout in report_layouts()}


@pytest.mark.parametrize("kind", sorted(LAYOUTS))
def test_shipped_templates_are_what_the_builder_makes(kind: str, tmp_path) -> None:
    built = build_template(LAYOUTS[kind], tmp_path / f"{kind}.docx")
    assert _xml(built.read_bytes()) == _xml(template_path(kind).read_bytes()), (
        "templates/reports is out of date: run auditdesk templates build"
    )
    # Byte for byte, as the forms are: a rebuild leaves git with nothing to commit.
    assert built.read_bytes() == template_path(kind).read_bytes()


def test_a_good_practice_excerpt_cannot_reach_a_template_file() -> None:
    # The templates hold only the builder's tags: no value of the data is ever in them.
    for kind in LAYOUTS:
        assert "DEMO-" not in _xml(template_path(kind).read_bytes())


def test_large_history_renders_every_report() -> None:
    from shared.demo.fictional_history import fictional_history
    from shared.services.reports.bulletin import bulletin_content
    from shared.services.reports.quarterly import quarterly_content

    history = fictional_history(300, AuditMonth(2026, 12), months=4, seed=3)
    index = aggregate.index_history(history.allocations, history.submissions, history.tasks, SCHEMA)
    quarter = parse_period("2026-Q4")
    for kind, content in (
        (
            "bulletin",
            bulletin_content(bulletin.bulletin(index, quarter, DOMAINS, D(2027, 1, 5), lambda t: t)),
        ),
        ("quarterly", quarterly_content(quarterly.quarterly(index, quarter, DOMAINS, D(2027, 1, 5)))),
    ):
        document = Document(io.BytesIO(render_docx(template_path(kind), content)))
        assert len(document.inline_shapes) >= 1
