"""Every report opens in LibreOffice and renders to PDF and to a PNG of its first page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.core.deadlines import AuditMonth
from shared.reports.fictional import fictional_history, store_history
from shared.reports.publish import demo_reports
from tests.reports.conftest import make_services

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftoppm")), reason="needs soffice and pdftoppm"
    ),
]


def test_each_report_renders_to_pdf_and_png(tmp_path: Path) -> None:
    services = make_services(tmp_path / "home")
    try:
        store_history(services.store, fictional_history(200, AuditMonth(2026, 11), months=3, seed=9))
        paths = [
            p for p in demo_reports(services, tmp_path / "reports", lambda _: None) if p.suffix == ".docx"
        ]
    finally:
        services.close()
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    for docx in paths:
        pdf = out / f"{docx.stem}.pdf"
        assert pdf.stat().st_size > 20_000, f"{pdf.name} looks empty"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(out / docx.stem)],
            check=True, timeout=60,
        )  # fmt: skip
        (png,) = out.glob(f"{docx.stem}*.png")
        assert png.stat().st_size > 5_000
