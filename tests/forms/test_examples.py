"""The demo's example forms: valid, invalid and hostile side by side (issue 3)."""

from __future__ import annotations

from pathlib import Path

from shared.adapters.forms import read_form_file
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.demo.example_forms import write_example_forms
from shared.services.ports.forms import FormStatus


def test_example_forms_cover_valid_invalid_and_rejected(
    tmp_path: Path, schema: AuditSchema, deadlines: Deadlines
) -> None:
    paths = write_example_forms(tmp_path, schema)
    statuses = {path.name: read_form_file(path, schema, deadlines).status for path in paths}
    assert statuses["DEMO-0001-good.docx"] is FormStatus.VALID
    assert statuses["DEMO-0001-good.xlsx"] is FormStatus.VALID
    assert statuses["DEMO-0002-inadequate-safeguarding.docx"] is FormStatus.VALID
    assert statuses["DEMO-0003-half-filled.docx"] is FormStatus.INVALID
    assert statuses["DEMO-observation.docx"] is FormStatus.VALID
    assert statuses["hostile-macro-enabled.docm"] is FormStatus.REJECTED
    assert statuses["hostile-xxe.docx"] is FormStatus.REJECTED
    assert statuses["hostile-zip-bomb.docx"] is FormStatus.REJECTED
