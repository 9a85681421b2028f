"""Every shipped template opens and renders in LibreOffice (issue 3): converted to PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.adapters.forms.templates import TEMPLATES_DIR, template_names
from shared.core.schema import AuditSchema
from shared.core.schema_reader import load_schema

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
TEMPLATES = [TEMPLATES_DIR / name for name in template_names(load_schema())]

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui",
    ),
]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each template as PDF, at pdf/<extension>/<name>.pdf (one LibreOffice run per kind)."""
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("lo-profile")
    assert SOFFICE is not None
    for extension in ("docx", "xlsx"):
        command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
        command += ["--outdir", str(out / extension)]
        command += [str(t) for t in TEMPLATES if t.suffix == f".{extension}"]
        subprocess.run(command, check=True, capture_output=True, timeout=240)
    return out


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_template_opens_and_renders_to_pdf_in_libreoffice(
    template: Path, pdfs: Path, schema: AuditSchema
) -> None:
    pdf = pdfs / template.suffix.lstrip(".") / f"{template.stem}.pdf"
    assert pdf.exists(), f"LibreOffice did not convert {template.name}"
    assert pdf.read_bytes().startswith(b"%PDF")
    if PDFTOTEXT is None:
        return
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(text.split())
    form = schema.forms[template.stem]
    assert form.title in text
    assert form.fields[0].label.split(" (")[0] in text
