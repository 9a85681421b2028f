"""The shipped templates: which files are built from which form, and building them."""

from __future__ import annotations

from pathlib import Path

from shared.adapters.forms.excel_template import build_excel_template
from shared.adapters.forms.word_template import build_word_template
from shared.config import SHIPPED_TEMPLATES
from shared.core.schema import CASE_FILE_AUDIT, MODERATION_FORM, AuditSchema

# templates/ at the top of the repository, next to shared/.
TEMPLATES_DIR = SHIPPED_TEMPLATES
# Forms that also get an Excel version (the case file audit, for auditors who prefer it, and
# the moderation form, 7.2).
EXCEL_FORMS = (CASE_FILE_AUDIT, MODERATION_FORM)


def template_files(schema: AuditSchema) -> dict[str, bytes]:
    """File name -> bytes of every template: a .docx per form, an .xlsx for EXCEL_FORMS."""
    files = {}
    for form in schema.forms.values():
        files[f"{form.id}.docx"] = build_word_template(form, schema)
        if form.id in EXCEL_FORMS:
            files[f"{form.id}.xlsx"] = build_excel_template(form, schema)
    return files


def template_names(schema: AuditSchema) -> list[str]:
    """The file names of the form templates (templates/ may hold other teams' files too)."""
    names = [f"{form_id}.docx" for form_id in schema.forms]
    return names + [f"{form_id}.xlsx" for form_id in EXCEL_FORMS if form_id in schema.forms]


def build_templates(schema: AuditSchema, folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every template into ``folder``; unchanged files are left untouched."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in template_files(schema).items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def template_path(form_id: str, extension: str = "docx", folder: Path = TEMPLATES_DIR) -> Path:
    return folder / f"{form_id}.{extension}"
