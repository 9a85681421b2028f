"""The QA team's day from the command line (issue 18): every list edit has a command, each refused
with a reason when the framework would not allow it and recorded in the Audit Trail; emails say
who and where, dated by the service's clock."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.adapters.lists.formatted import definitions_by_title
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.core.record import FieldValue
from shared.core.schema_reader import load_schema
from shared.demo.example_registers import write_example_staff_register
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from shared.entry.cli.main import app
from shared.services.ports.lists import Query
from shared.services.workflow.people import staff_from_item
from tests.workflow.conftest import TEMPLATES
from tests.workflow.test_cli_workflow import allocated_home

SCHEMA = load_schema()
runner = CliRunner()
QA_TEAM = "quality-assurance@example.org"


def auditdesk(home: Path, today: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "--today", today, *args], terminal_width=200)
    return result.exit_code, result.output


def json_of(home: Path, today: str, *args: str) -> list[dict[str, object]]:
    code, output = auditdesk(home, today, *args, "--json")
    assert code == 0, output
    rows = json.loads(output)
    assert isinstance(rows, list)
    return rows


def emails(home: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def started(tmp_path: Path, case: str = "DEMO-0002", fields: Mapping[str, FieldValue] | None = None) -> Path:
    """Staff imported, the case allocated to Riley Sample on 2 November and returned on the 23rd."""
    home = allocated_home(tmp_path, case)
    form = tmp_path / f"{case}.docx"
    values = dict(fields or inadequate_audit_with_safeguarding_concern())
    values["case_ref"] = case
    form.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", values))
    code, output = auditdesk(home, "2026-11-23", "submit", str(form))
    assert code == 0, output
    return home


def stage_of(home: Path, case: str, month: str = "2026-11") -> str:
    (row,) = [
        r for r in json_of(home, "2026-11-30", "status") if r["case_ref"] == case and r["month"] == month
    ]
    return str(row["stage"])


def _store(home: Path) -> SqliteListStore:
    return SqliteListStore(home, definitions_by_title(SCHEMA))


def trail(home: Path) -> list[str]:
    store = _store(home)
    try:
        return [str(i.fields.get("what")) for i in store.query_all(Query("Audit Trail", page_size=500))]
    finally:
        store.close()


def test_an_ineligible_reaudit_by_is_refused_before_anything_is_accepted_2_12(tmp_path: Path) -> None:
    home = started(tmp_path)
    # Morgan Example manages the case: they may not re-audit it (1.4, 2.12).
    code, output = auditdesk(
        home, "2026-11-24", "qa", "accept", "DEMO-0002", "--reaudit-by", "morgan.example@example.org"
    )
    assert code == 1
    assert "Not accepted" in output
    assert stage_of(home, "DEMO-0002") == "Submitted"
    assert not any(w.startswith("accept") for w in trail(home))
    assert not [m for m in emails(home) if "Overdue" in str(m["Subject"])]


def test_a_reaudit_nobody_can_take_is_a_task_and_a_plain_email_for_qa_2_12(tmp_path: Path) -> None:
    home = started(tmp_path)
    store = _store(home)
    for item in list(store.query_all(Query("Staff", page_size=500))):
        if staff_from_item(item).is_senior_manager(SCHEMA):
            store.update("Staff", item.id, {"active": False}, item.etag)
    store.close()

    code, output = auditdesk(home, "2026-11-24", "qa", "accept", "DEMO-0002")
    assert code == 0, output
    (message,) = [m for m in emails(home) if "re-audits case DEMO-0002" in str(m["Subject"])]
    text = str(message["Subject"]) + body(message)
    assert "overdue" not in text.lower()
    assert "auditdesk qa reaudit DEMO-0002" in text
    assert "December 2026" in text
    tasks = json_of(home, "2026-11-24", "tasks")
    (task,) = [t for t in tasks if t["type"] == "Re-audit"]
    assert (task["assigned_to"], task["case_ref"], task["month"]) == (QA_TEAM, "DEMO-0002", "2026-11")

    # QA chooses once a Senior Manager is back; the task is done with it.
    store = _store(home)
    for item in list(store.query_all(Query("Staff", page_size=500))):
        if staff_from_item(item).is_senior_manager(SCHEMA):
            store.update("Staff", item.id, {"active": True}, item.etag)
    store.close()
    code, output = auditdesk(
        home, "2026-11-25", "qa", "reaudit", "DEMO-0002", "--to", "jordan.sample@example.org"
    )
    assert code == 0, output
    assert stage_of(home, "DEMO-0002", "2026-12") == "Allocated"
    assert not [t for t in json_of(home, "2026-11-25", "tasks") if t["assigned_to"] == QA_TEAM]
    # Sent in November for December: the month is named, never "this month".
    (reaudit,) = [m for m in emails(home) if str(m["Subject"]).startswith("Re-audit of an Inadequate case")]
    assert "re-audited in December 2026" in body(reaudit)
    assert "this month" not in body(reaudit)


def test_the_submission_follows_the_audits_stage_so_waiting_lists_only_what_waits_2_11(
    tmp_path: Path,
) -> None:
    home = started(tmp_path, "DEMO-0001", good_audit())
    (waiting,) = json_of(home, "2026-11-23", "submissions", "--waiting")
    assert (waiting["case_ref"], waiting["status"]) == ("DEMO-0001", "Submitted")
    assert isinstance(waiting["allocation"], int)
    assert waiting["month"] == "2026-11"
    assert str(waiting["location"]).endswith("DEMO-0001.docx")
    assert (home / str(waiting["location"])).exists()  # a path from the Audit Desk home

    auditdesk(home, "2026-11-24", "qa", "return", "DEMO-0001", "--reasons", "Domain 2 needs evidence.")
    assert json_of(home, "2026-11-24", "submissions", "--waiting") == []
    (row,) = json_of(home, "2026-11-24", "submissions")
    assert row["status"] == "Returned for amendment"


def test_an_open_safeguarding_task_can_be_marked_done_and_is_then_not_escalated_2_6(tmp_path: Path) -> None:
    home = started(tmp_path)
    (task,) = json_of(home, "2026-11-23", "tasks")
    assert (task["type"], task["case_ref"], task["allocation"]) == (
        "Safeguarding",
        "DEMO-0002",
        task["allocation"],
    )
    assert isinstance(task["allocation"], int)
    code, output = auditdesk(home, "2026-11-24", "tasks", "cancel", str(task["id"]), "--reason", "dealt with")
    assert code == 1
    assert "done, never cancelled" in output
    code, output = auditdesk(
        home, "2026-11-26", "tasks", "done", str(task["id"]), "--note", "actions recorded on Liquidlogic"
    )
    assert code == 0, output
    assert json_of(home, "2026-11-26", "tasks") == []
    before = len(emails(home))
    auditdesk(home, "2026-12-01", "sweep")
    overdue = [m for m in emails(home)[before:] if "Safeguarding" in body(m) or "safeguarding" in body(m)]
    assert overdue == []
    assert "task done: Safeguarding" in trail(home)
    code, output = auditdesk(home, "2026-12-01", "tasks", "done", str(task["id"]))
    assert code == 1
    assert "already Done" in output


def test_an_allocation_is_reassigned_only_to_an_eligible_auditor_and_cancelled_only_before_return_2_1(
    tmp_path: Path,
) -> None:
    home = allocated_home(tmp_path, "DEMO-0003")
    code, output = auditdesk(
        home, "2026-11-03", "allocation", "reassign", "DEMO-0003", "--to", "morgan.example@example.org"
    )
    assert code == 1
    assert "manages the case" in output
    code, output = auditdesk(
        home, "2026-11-03", "allocation", "reassign", "DEMO-0003", "--to", "quinn.example@example.org"
    )
    assert code == 0, output
    assert [
        m
        for m in emails(home)
        if "quinn.example@example.org" in str(m["To"]) and "allocated" in str(m["Subject"])
    ]
    assert any(w.startswith("auditor changed from riley.sample@example.org") for w in trail(home))
    code, output = auditdesk(
        home, "2026-11-04", "allocation", "cancel", "DEMO-0003", "--reason", "Case closed."
    )
    assert code == 0, output
    assert stage_of(home, "DEMO-0003") == "Cancelled"
    code, output = auditdesk(home, "2026-11-04", "allocation", "cancel", "DEMO-0003", "--reason", "again")
    assert code == 1
    assert "cancelled" in output
    before = len(emails(home))
    auditdesk(home, "2026-12-01", "sweep")  # nothing is due for a cancelled allocation
    assert not [m for m in emails(home)[before:] if "DEMO-0003" in body(m)]


def test_settings_are_changed_from_the_command_line_checked_and_trailed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, output = auditdesk(home, "2026-11-02", "settings", "set", "qa_team_email", "not an address")
    assert code == 1
    assert "not a plain email address" in output
    code, output = auditdesk(home, "2026-11-02", "settings", "set", "qa_team_email", "QA.Hull@Example.org")
    assert code == 0, output
    code, output = auditdesk(
        home, "2026-11-02", "settings", "set", "local_closure_days", "2026-12-29, 2026-12-30"
    )
    assert code == 0, output
    code, output = auditdesk(home, "2026-11-02", "settings", "get", "--json")
    values = json.loads(output)
    assert values["qa_team_email"] == "qa.hull@example.org"
    assert values["local_closure_days"] == "2026-12-29,2026-12-30"
    assert "setting qa_team_email changed" in trail(home)
    auditdesk(home, "2026-11-09", "sweep")  # nothing allocated after the first week: QA is told
    assert [m for m in emails(home) if str(m["To"]) == "qa.hull@example.org"]


def test_a_refused_row_is_shown_on_its_own_and_the_exit_code_says_partly_done_2_1(tmp_path: Path) -> None:
    from shared.core.allocation import AllocationRequest
    from shared.core.deadlines import AuditMonth
    from shared.demo.example_registers import example_staff, write_example_allocation_sheet

    home = tmp_path / "home"
    auditdesk(
        home, "2026-11-02", "staff", "import", str(write_example_staff_register(tmp_path / "s.xlsx", SCHEMA))
    )
    month = AuditMonth(2026, 11)
    requests = [
        AllocationRequest(
            "DEMO-0010",
            "Demo Team East",
            "alex.example@example.org",
            "morgan.example@example.org",
            "riley.sample@example.org",
            month,
        ),
        AllocationRequest(
            "DEMO-0011",
            "Demo Team East",
            "alex.example@example.org",
            "morgan.example@example.org",
            "morgan.example@example.org",
            month,
        ),
    ]
    del example_staff
    sheet = write_example_allocation_sheet(tmp_path / "a.xlsx", requests, SCHEMA)
    code, output = auditdesk(home, "2026-11-02", "allocate", str(sheet))
    assert code == 3, output
    assert "NOT ALLOCATED DEMO-0011" in " ".join(output.split())
    assert "1 row(s) refused, 1 allocated" in output


def test_the_date_header_is_the_replayed_day(tmp_path: Path) -> None:
    home = started(tmp_path)
    (alert,) = [m for m in emails(home) if str(m["Subject"]).startswith("IMMEDIATE")]
    assert parsedate_to_datetime(str(alert["Date"])).date().isoformat() == "2026-11-23"


def test_a_local_closure_day_set_by_qa_moves_the_deadlines_2_11(tmp_path: Path) -> None:
    home = started(tmp_path, "DEMO-0001", good_audit())
    code, output = auditdesk(home, "2026-11-23", "settings", "set", "local_closure_days", "2026-11-25")
    assert code == 0, output
    code, output = auditdesk(home, "2026-11-23", "qa", "return", "DEMO-0001", "--reasons", "Domain 2.")
    assert code == 0, output
    # Three working days from Monday 23 November, less Wednesday 25th: Friday 27th.
    assert "amendments due Fri 27 Nov 2026" in output


def test_emails_say_who_and_where_2_9_2_10_2_11(tmp_path: Path) -> None:
    home = started(tmp_path, "DEMO-0001", good_audit())
    auditdesk(home, "2026-11-24", "qa", "return", "DEMO-0001", "--reasons", "Domain 2 needs evidence.")
    (returned,) = [m for m in emails(home) if str(m["Subject"]).startswith("Audit returned")]
    where = [line for line in body(returned).splitlines() if line.startswith("Where it is: ")]
    assert where
    assert Path(where[0].removeprefix("Where it is: ")).name == "DEMO-0001.docx"
    assert (home / where[0].removeprefix("Where it is: ")).exists()  # from the Audit Desk home


def test_an_overdue_safeguarding_action_also_reaches_the_safeguarding_contact_2_6(tmp_path: Path) -> None:
    home = started(tmp_path)
    auditdesk(
        home, "2026-11-23", "settings", "set", "safeguarding_contact_email", "safeguarding.lead@example.org"
    )
    auditdesk(home, "2026-11-25", "sweep")  # the action was due on the 23rd
    (told,) = [m for m in emails(home) if str(m["To"]) == "safeguarding.lead@example.org"]
    assert "Overdue" in str(told["Subject"])
    assert "Morgan Example (fictional)" in body(told)  # whose action it is, by name
    assert "Sam Sample" in body(told) or "sam.sample@example.org" in body(told)
