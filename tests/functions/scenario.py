"""One audit submitted on the loopback SharePoint site, and what processing it leaves behind,
so the Functions path and `auditdesk process` can be compared."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path
from typing import Any

from shared.adapters.forms.word import fill_word_form
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS, TASKS, TRAIL
from shared.demo.examples import inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import Query
from shared.services.workflow.intake import submit_file
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import TEMPLATES, Desk, make_desk, sharepoint_for

CASE = "DEMO-0001"
ALLOCATED_ON = dt.date(2026, 11, 2)
SUBMITTED_ON = dt.date(2026, 11, 20)  # a Friday
# recent_steps carries the time of day of each step; the same steps are compared as the Audit Trail.
VOLATILE = {"Created", "Modified", "FileRef", "etag", "__metadata", "recent_steps"}


def fresh_site(server: LoopbackSharePoint) -> None:
    """Empty lists whose next items number from 1 again, so two runs can be compared."""
    server.clear_items()
    with server.lock:
        for sp_list in server.lists.values():
            sp_list.next_id = 1


def allocate_and_submit(
    server: LoopbackSharePoint, home: Path, file_name: str = "DEMO-0001 audit.docx"
) -> Desk:
    """Staff imported, the case allocated on 2 November and an audit raising a safeguarding
    concern (2.6: an alert and a same-day task) uploaded on the 20th;
    nothing processed yet."""
    desk = make_desk(sharepoint_for(server), home)
    desk.at(ALLOCATED_ON).allocate(CASE)
    desk.at(SUBMITTED_ON)
    fields = inadequate_audit_with_safeguarding_concern()
    fields["case_ref"] = CASE
    path = home / "uploads" / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))
    submit_file(desk.services, path)
    return desk


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()  # the time of day is when the test ran
    return value


def lists_snapshot(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    snapshot = {}
    for list_name in (ALLOCATIONS, SUBMISSIONS, TASKS, TRAIL):
        items = desk.store.query_all(Query(list_name, page_size=500))
        snapshot[list_name] = sorted(
            ({k: _plain(v) for k, v in item.fields.items() if k not in VOLATILE} for item in items),
            key=repr,
        )
    return snapshot


def outbox(home: Path) -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found.append((str(message.get("To", "")), str(message.get("Cc", "")), str(message["Subject"])))
    return sorted(found)
