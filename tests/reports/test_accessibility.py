"""Every report describes itself to a screen reader and prints readably (the Public Sector Bodies
Accessibility Regulations 2018 cover intranet documents): alt text on every chart, a title,
author Audit Desk, today's dates, en-GB, real heading styles, body text at least 11 pt, table
text at least 10 pt, chart text at least 9 pt as placed, and nothing left from the template."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from docx import Document

from shared.adapters.documents.charts import DPI, FONT_SIZE
from shared.adapters.documents.report_templates import Builder, build_template, heading_fits
from shared.core.deadlines import AuditMonth
from shared.demo.fictional_history import fictional_history, store_history
from shared.services.ports.documents import Column
from shared.services.reports.publish import PublishedReport, approve_bulletin, publish_report, report_layouts
from tests.reports.conftest import D, make_services

EMU_PER_INCH = 914_400


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[PublishedReport]:
    services = make_services(tmp_path_factory.mktemp("a11y") / "home", today=D(2026, 12, 10))
    try:
        store_history(services.store, fictional_history(240, AuditMonth(2026, 11), months=6, seed=4))
        built = [publish_report(services, kind, period) for kind, period in
                 (("highlights", "2026-11"), ("bulletin", "2026-11"), ("quarterly", "2026-Q4"))]  # fmt: skip
        built.append(approve_bulletin(services, "2026-11", [1, 2, 3], "qa@example.org")[0])
    finally:
        services.close()
    return built


def _png_width(png: bytes) -> int:
    return int(struct.unpack(">I", png[16:20])[0])


def test_every_chart_has_alt_text_that_gives_its_figures(reports: list[PublishedReport]) -> None:
    for report in reports:
        document = Document(io.BytesIO(report.docx))
        for shape in document.inline_shapes:
            described = shape._inline.docPr.get("descr") or ""
            assert len(described) > 40, (report.docx_name, described)
            assert any(ch.isdigit() for ch in described), described
        charts = len(document.inline_shapes)
        assert charts >= (0 if report.awaiting_approval else 1), report.docx_name


def test_properties_title_author_dates_and_language(reports: list[PublishedReport]) -> None:
    for report in reports:
        properties = Document(io.BytesIO(report.docx)).core_properties
        assert properties.title.startswith(report.report_type.split()[0])
        assert "November 2026" in properties.title or "(Q4)" in properties.title
        assert (properties.author, properties.last_modified_by) == ("Audit Desk", "Audit Desk")
        assert properties.created is not None
        assert properties.created.date() == D(2026, 12, 10)
        assert properties.modified is not None
        assert properties.modified.date() == D(2026, 12, 10)
        assert properties.language == "en-GB"
        with zipfile.ZipFile(io.BytesIO(report.docx)) as archive:
            names = archive.namelist()
            app = archive.read("docProps/app.xml").decode()
            styles = archive.read("word/styles.xml").decode()
            settings = archive.read("word/settings.xml").decode()
        assert "docProps/thumbnail.jpeg" not in names
        assert "Macintosh" not in app
        assert "<Application>Audit Desk</Application>" in app
        assert 'w:lang w:val="en-GB"' in styles
        assert "en-US" not in styles + settings


def test_headings_are_heading_styles_and_text_is_large_enough(reports: list[PublishedReport]) -> None:
    for report in reports:
        document = Document(io.BytesIO(report.docx))
        normal = document.styles["Normal"].font.size
        assert normal is not None
        assert normal.pt >= 11
        headings = [
            p for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
        ]
        assert len(headings) >= 5, report.docx_name
        assert document.paragraphs[1].style is not None
        assert document.paragraphs[1].style.name == "Title"
        # No paragraph pretends to be a heading by being bold on its own line in Normal.
        sizes = [
            run.font.size.pt
            for paragraph in document.paragraphs
            for run in paragraph.runs
            if run.font.size is not None
        ]
        assert min(sizes, default=11) >= 10, report.docx_name
        table_sizes = [
            run.font.size.pt
            for table in document.tables
            for row in table.rows
            for cell in row.cells
            for paragraph in cell.paragraphs
            for run in paragraph.runs
            if run.font.size is not None
        ]
        assert min(table_sizes, default=10) >= 10, report.docx_name


def test_chart_text_is_at_least_9_points_as_placed(reports: list[PublishedReport]) -> None:
    for report in reports:
        document = Document(io.BytesIO(report.docx))
        for shape in document.inline_shapes:
            blip = shape._inline.xpath(".//a:blip")[0]
            rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
            png = document.part.related_parts[rid].blob
            drawn_inches = _png_width(png) / DPI
            placed_inches = shape.width / EMU_PER_INCH
            assert FONT_SIZE * placed_inches / drawn_inches >= 9, report.docx_name


def test_no_column_heading_in_any_template_breaks_mid_word(tmp_path: Path) -> None:
    for layout in report_layouts():
        build_template(
            layout, tmp_path / f"{layout.kind}.docx"
        )  # raises if a heading would not fit its column
    assert not heading_fits("Inadequate", 2.1)  # the column that printed "Inadequ|ate"
    with pytest.raises(ValueError, match="mid-word"):
        Builder("T", "A.", ("One",)).table("rows", [Column("Inadequate", 2.1)])
