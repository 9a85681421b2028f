"""The forms port (:class:`shared.services.ports.forms.AuditForms`) on the shipped Word and
Excel templates: what bootstrap gives the services."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.reader import read_form
from shared.adapters.forms.safety import DEFAULT_LIMITS, Limits
from shared.adapters.forms.templates import TEMPLATES_DIR, template_path
from shared.adapters.forms.word import fill_word_form
from shared.core.deadlines import Deadlines
from shared.core.record import FieldValue
from shared.core.schema import AuditSchema
from shared.services.ports.forms import AuditForms, FormOutcome


class OfficeForms(AuditForms):
    """Forms read through the hostile-file gate, and filled from the templates in ``folder``."""

    def __init__(self, folder: Path = TEMPLATES_DIR, limits: Limits = DEFAULT_LIMITS) -> None:
        self.folder = folder
        self.limits = limits

    @property
    def max_file_bytes(self) -> int:
        return self.limits.max_file_bytes

    def read(
        self,
        content: bytes,
        source: str,
        schema: AuditSchema,
        deadlines: Deadlines,
        *,
        core_checks: bool = True,
    ) -> FormOutcome:
        return read_form(content, source, schema, deadlines, limits=self.limits, core_checks=core_checks)

    def fill(
        self, form_id: str, extension: str, values: Mapping[str, FieldValue], locked: Collection[str] = ()
    ) -> bytes | None:
        path = template_path(form_id, extension, self.folder)
        if not path.exists():
            return None
        fill = fill_excel_form if extension == "xlsx" else fill_word_form
        return fill(path, values, locked=locked)
