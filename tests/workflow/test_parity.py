"""Parity (issue 18): a month driven only through the command line on the embedded store ends where
the same month driven by list edits on SharePoint (the loopback server) ends: the same stages and
dates, tasks, submissions, Audit Trail steps and emails (2.1-2.12)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS, TASKS, TRAIL
from shared.core.record import FieldValue
from shared.demo.example_registers import write_example_staff_register
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from shared.entry.cli.main import app
from shared.services.ports.lists import ListStore, Query
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.sweep import sweep
from shared.services.workflow.unit_of_work import unit_of_work
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import SCHEMA, TEMPLATES, Desk, make_desk, sharepoint_for

runner = CliRunner()
D = dt.date
AUDITOR, WORKER, MANAGER, TEAM = (
    "riley.sample@example.org",
    "alex.example@example.org",
    "morgan.example@example.org",
    "Demo Team East",
)
FORMS: dict[str, dict[str, FieldValue]] = {
    "DEMO-0001": good_audit(),
    "DEMO-0002": inadequate_audit_with_safeguarding_concern(),
}


def cli(home: Path, today: str, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home), "--today", today, *args], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def form(folder: Path, case: str) -> Path:
    values = dict(FORMS[case])
    values["case_ref"] = case
    path = folder / f"{case}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", values))
    return path


def month_by_command_line(tmp_path: Path) -> Path:
    home = tmp_path / "cli"
    tmp_path.mkdir(parents=True, exist_ok=True)
    cli(home, "2026-11-02", "staff", "import", str(write_example_staff_register(tmp_path / "s.xlsx", SCHEMA)))
    for case in FORMS:
        cli(
            home,
            "2026-11-02",
            "allocate",
            "--case",
            case,
            "--auditor",
            AUDITOR,
            "--worker",
            WORKER,
            "--manager",
            MANAGER,
            "--team",
            TEAM,
        )
    cli(home, "2026-11-20", "submit", *(str(form(tmp_path / "forms", case)) for case in FORMS))
    cli(home, "2026-11-23", "qa", "accept", "DEMO-0001")
    cli(home, "2026-11-23", "qa", "return", "DEMO-0002", "--reasons", "Domain 2 needs its evidence.")
    cli(home, "2026-11-24", "qa", "share", "DEMO-0001")
    for task in json.loads(cli(home, "2026-11-25", "tasks", "--json")):
        if task["type"] in ("Discussion", "Safeguarding"):
            cli(home, "2026-11-25", "tasks", "done", str(task["id"]))
    cli(home, "2026-11-27", "sweep")
    return home


def month_by_list_edits(desk: Desk, tmp_path: Path) -> None:
    store = desk.store
    desk.at(D(2026, 11, 2))
    for case in FORMS:  # QA adds each allocation as an item of the list
        store.add(
            ALLOCATIONS,
            {
                "Title": f"{case} 2026-11",
                "case_ref": case,
                "audit_month": "2026-11",
                "auditor_email": AUDITOR,
                "allocated_worker_email": WORKER,
                "team_manager_email": MANAGER,
                "team": TEAM,
            },
        )
    desk.process()
    desk.at(D(2026, 11, 20))
    for case in FORMS:  # the auditor uploads the form to the library
        from shared.services.workflow.intake import submit_file

        submit_file(desk.services, form(tmp_path / "forms", case))
    desk.process()
    desk.at(D(2026, 11, 23))
    decide(store, "DEMO-0001", {"qa_decision": "Accept"})
    decide(
        store,
        "DEMO-0002",
        {"qa_decision": "Return for amendment", "qa_reasons": "Domain 2 needs its evidence."},
    )
    desk.process()
    desk.at(D(2026, 11, 24))
    decide(store, "DEMO-0001", {"qa_decision": "Share findings"})
    desk.process()
    desk.at(D(2026, 11, 25))
    for item in list(store.query_all(Query(TASKS, page_size=500))):  # "Mark done" on the task rows
        task = Task.from_item(item)
        if task.task_type in ("Discussion", "Safeguarding") and task.status == "Open":
            store.update(TASKS, task.id, {"status": "Done", "completed_on": D(2026, 11, 25)}, task.etag)
    desk.process()
    with unit_of_work(desk.at(D(2026, 11, 27)).services) as run:
        sweep(run)


def decide(store: ListStore, case: str, fields: dict[str, FieldValue]) -> None:
    for item in store.query_all(Query(ALLOCATIONS, page_size=500)):
        if item.fields.get("case_ref") == case and item.fields.get("audit_month") == "2026-11":
            store.update(ALLOCATIONS, item.id, fields, item.etag)


def end_state(store: ListStore, outbox: Path) -> dict[str, object]:
    allocations = {
        a.id: a for a in (Allocation.from_item(i) for i in store.query_all(Query(ALLOCATIONS, page_size=500)))
    }
    stages = sorted(
        (
            a.case_ref,
            str(a.month),
            a.stage.value,
            a.auditor_email,
            str(a.due_date),
            str(a.amendment_due),
            str(a.discussion_due),
            a.times_returned,
        )
        for a in allocations.values()
    )
    tasks = sorted(
        (
            t.task_type,
            allocations[t.allocation].case_ref if t.allocation else "",
            t.assigned_to,
            t.status,
            str(t.due_date),
        )
        for t in (Task.from_item(i) for i in store.query_all(Query(TASKS, page_size=500)))
    )
    submissions = sorted(
        (str(i.fields.get("FileLeafRef")), str(i.fields.get("status")), str(i.fields.get("outcome")))
        for i in store.query_all(Query(SUBMISSIONS, page_size=500))
    )
    steps = Counter(
        str(i.fields.get("what"))
        for i in store.query_all(Query(TRAIL, page_size=500))
        if "→" in str(i.fields.get("what")) or str(i.fields.get("what")).startswith("task ")
    )
    import email
    import email.policy

    mail: Counter[tuple[str, str, str]] = Counter()
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        mail[(str(message["Subject"]), str(message["To"]), str(message["Date"])[:16])] += 1
    return {"allocations": stages, "tasks": tasks, "submissions": submissions, "steps": steps, "mail": mail}


def test_a_month_through_the_command_line_ends_as_the_same_month_through_list_edits_on_sharepoint(
    tmp_path: Path,
) -> None:
    home = month_by_command_line(tmp_path / "a")
    from shared.adapters.lists.formatted import definitions_by_title
    from shared.adapters.lists.sqlite_store import SqliteListStore

    with SqliteListStore(home, definitions_by_title(SCHEMA)) as embedded:
        by_command = end_state(embedded, home / "outbox")

    with LoopbackSharePoint() as server:
        from shared.adapters.lists.factory import provisioner_of
        from shared.adapters.lists.formatted import formatted_definitions
        from shared.adapters.lists.provision import provision

        with sharepoint_for(server) as store:
            provision(provisioner_of(store), formatted_definitions(SCHEMA))
        desk = make_desk(sharepoint_for(server), tmp_path / "b")
        try:
            month_by_list_edits(desk, tmp_path / "b")
            by_list_edits = end_state(desk.store, tmp_path / "b" / "outbox")
        finally:
            desk.services.close()

    for part in ("allocations", "tasks", "submissions", "steps", "mail"):
        assert by_command[part], part  # something to compare
        assert by_command[part] == by_list_edits[part], part
    assert by_command["allocations"][0][:3] == ("DEMO-0001", "2026-11", "Closed")  # type: ignore[index]
