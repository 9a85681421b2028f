"""Every report opens in LibreOffice and renders to PDF and to PNGs, as a reader would see it:
the highlights report's page 1 carries the headline and the cases for a senior person, the
learning bulletin is one or two pages, the quarterly report says when its quarter is partial,
and no column heading breaks mid-word. (The pictures in the README are made the same way.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.core.deadlines import AuditMonth
from shared.demo.fictional_history import fictional_history, store_history
from shared.demo.reports import demo_reports
from tests.reports.conftest import D, make_services

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")),
        reason="needs soffice, pdftoppm and pdftotext",
    ),
]
HEADINGS = re.compile(r"<th[^>]*>|w:tblHeader")


def _pdf_text(pdf: Path, first: int = 1, last: int = 0) -> str:
    command = ["pdftotext", "-layout", "-f", str(first)]
    if last:
        command += ["-l", str(last)]
    return subprocess.run([*command, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """Every word LibreOffice printed, with its page-relative x range and top (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>'
    return [(w, float(x0), float(x1), float(y0)) for x0, y0, x1, w in re.findall(pattern, html)]


def _split(words: list[tuple[str, float, float, float]], heading: str) -> list[tuple[str, str]]:
    """Where ``heading`` was broken across two lines of one cell: its start at the end of a line
    and its rest just below, starting within the same column."""
    found = []
    for k in range(3, len(heading)):
        for _head, x0, x1, y in (w for w in words if w[0] == heading[:k]):
            if any(t == heading[k:] and x0 - 2 <= tx0 <= x1 and 4 < ty - y < 20 for t, tx0, _, ty in words):
                found.append((heading[:k], heading[k:]))
    return found


def test_each_report_renders_and_reads_as_intended(tmp_path: Path) -> None:
    services = make_services(tmp_path / "home", today=D(2026, 12, 10))
    try:
        # A 12-month fictional history: trends, re-audit chains and a partial quarter.
        store_history(services.store, fictional_history(420, AuditMonth(2026, 11), months=12, seed=9))
        paths = [
            p for p in demo_reports(services, tmp_path / "reports", lambda _: None) if p.suffix == ".docx"
        ]
    finally:
        services.close()
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdfs = {docx.stem: out / f"{docx.stem}.pdf" for docx in paths}
    for stem, pdf in pdfs.items():
        assert pdf.stat().st_size > 20_000, f"{pdf.name} looks empty"
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / stem)], check=True, timeout=120)
        assert len(list(out.glob(f"{stem}-*.png"))) == _pages(pdf)
    highlights = pdfs["Audit Highlights Report 2026-11"]
    page_one = _pdf_text(highlights, 1, 1)
    for expected in ("At a glance", "November", "Month before", "Six months", "Recommendations",
                     "Needs a senior person now", "who re-audits, by when"):  # fmt: skip
        assert expected in page_one, expected
    assert "Contents" not in page_one
    bulletin = pdfs["Learning bulletin 2026-11"]
    assert _pages(bulletin) <= 2
    text = _pdf_text(bulletin)
    for expected in ("What we found", "Why it matters", "What good looks like", "What to do differently",
                     "Questions to reflect on", "Approved for publication"):  # fmt: skip
        assert expected in text, expected
    assert "Partial quarter" in _pdf_text(pdfs["Quarterly audit report 2026-Q4"], 1, 1)
    # Column headings whole: each word of each heading appears as a word, never split in two.
    headings = {
        "Audit Highlights Report 2026-11": ("Outstanding", "Improvement", "Inadequate", "Framework", "Allocated",
                                            "Overdue", "overdue", "Change", "Timescale", "Judgement"),
        "Quarterly audit report 2026-Q4": ("Outstanding", "Inadequate", "Framework", "Overdue", "auditor",
                                           "Returned", "Audits", "better"),
        "Learning bulletin 2026-11 draft for QA approval": ("Domain", "Excerpt", "Status"),
    }  # fmt: skip
    for stem, expected_words in headings.items():
        words = _words(pdfs[stem])
        for heading in expected_words:
            assert heading in {w[0] for w in words}, (stem, heading)
            assert not _split(words, heading), (stem, heading)
