"""`auditdesk actions` on the embedded store (2.8): what an owner types to see and record their
actions, with the same effect as editing the row in SharePoint."""

from __future__ import annotations

import json
from pathlib import Path

from tests.workflow.test_cli_workflow import allocated_home, auditdesk, inadequate_form


def _accepted_audit(tmp_path: Path) -> Path:
    home = allocated_home(tmp_path)
    form = inadequate_form(tmp_path / "DEMO-0002.docx")
    assert auditdesk(home, "2026-11-23", "submit", str(form))[0] == 0
    assert auditdesk(home, "2026-11-24", "qa", "accept", "DEMO-0002")[0] == 0
    return home


def test_an_owner_lists_records_done_and_not_done_from_the_command_line_2_8(tmp_path: Path) -> None:
    home = _accepted_audit(tmp_path)
    code, output = auditdesk(home, "2026-11-25", "actions", "--owner", "sam.sample@example.org", "--json")
    assert code == 0, output
    rows = json.loads(output)
    assert [r["row"] for r in rows] == [1, 2, 5, 6, 3, 4]  # soonest due first
    first, second = rows[0]["id"], rows[1]["id"]

    code, output = auditdesk(home, "2026-11-27", "actions", "done", str(first), "--note", "Visit made.")
    assert code == 0, output
    assert "Done on 27/11/2026" in output
    code, output = auditdesk(home, "2026-11-27", "actions", "not-done", str(second))
    assert code == 2
    assert "Say why it was not done" in output
    code, output = auditdesk(home, "2026-12-07", "actions", "not-done", str(second), "--note", "No assessor.")
    assert code == 0, output

    code, output = auditdesk(home, "2026-12-07", "actions", "--json")
    assert len(json.loads(output)) == 4  # the open ones
    code, output = auditdesk(home, "2026-12-07", "actions", "--case", "demo-0002", "--all", "--json")
    by_id = {r["id"]: r for r in json.loads(output)}
    assert (by_id[first]["status"], by_id[first]["done_on"], by_id[first]["note"]) == (
        "Done",
        "2026-11-27",
        "Visit made.",
    )
    assert (by_id[second]["status"], by_id[second]["note"]) == ("Not done", "No assessor.")
    code, output = auditdesk(home, "2026-12-07", "actions", "done", "999")
    assert code == 2
    assert "no improvement action 999" in output
