"""The report documents port as Word and Excel files: docxtpl templates, matplotlib charts,
openpyxl data packs. python-docx, docxtpl and matplotlib load only when a report is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from shared.config import SHIPPED_TEMPLATES
from shared.services.ports.documents import DataTable, ReportContent, ReportLayout

TEMPLATE_FOLDER = SHIPPED_TEMPLATES / "reports"


class WordReports:
    """Reports rendered from the templates in ``folder`` (the shipped ones by default)."""

    def __init__(self, folder: Path = TEMPLATE_FOLDER) -> None:
        self.folder = folder

    def render(self, content: ReportContent, today: dt.date) -> bytes:
        from shared.adapters.documents.render import render_docx
        from shared.adapters.documents.report_templates import template_path

        return render_docx(template_path(content.kind, self.folder), content, today)

    def data_pack(self, title: str, period_label: str, tables: Sequence[DataTable]) -> bytes:
        from shared.adapters.documents.datapack import build_data_pack

        return build_data_pack(title, period_label, tables)

    def build_templates(self, layouts: Sequence[ReportLayout], folder: Path | None = None) -> list[Path]:
        from shared.adapters.documents.report_templates import build_report_templates

        return build_report_templates(layouts, folder or self.folder)
