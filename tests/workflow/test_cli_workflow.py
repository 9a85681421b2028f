"""The workflow's command line on the embedded store: what QA types, and what it answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.core.deadlines import AuditMonth
from shared.core.schema_reader import load_schema
from shared.demo.example_registers import (
    example_allocations,
    example_staff,
    write_example_allocation_sheet,
    write_example_staff_register,
)
from shared.demo.examples import inadequate_audit_with_safeguarding_concern
from shared.entry.cli.main import app
from tests.workflow.conftest import TEMPLATES

SCHEMA = load_schema()
runner = CliRunner()


def allocate(case: str = "DEMO-0002") -> list[str]:
    """A case allocated as QA types it: an auditor who neither works on nor manages it (1.4)."""
    return [
        "allocate",
        "--case",
        case,
        "--auditor",
        "riley.sample@example.org",
        "--worker",
        "sam.sample@example.org",
        "--manager",
        "morgan.example@example.org",
    ]


ALLOCATE = allocate()


def auditdesk(home: Path, today: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "--today", today, *args])
    return result.exit_code, result.output


def inadequate_form(path: Path) -> Path:
    """DEMO-0002's audit, Inadequate with a safeguarding concern ticked (2.6, 2.12), filled in Word."""
    path.write_bytes(
        fill_word_form(TEMPLATES / "case-file-audit.docx", inadequate_audit_with_safeguarding_concern())
    )
    return path


def allocated_home(tmp_path: Path, case: str = "DEMO-0002") -> Path:
    """A home with the example Staff register imported and ``case`` allocated on 2 November."""
    home = tmp_path / "home"
    register = write_example_staff_register(tmp_path / "staff.xlsx", SCHEMA)
    assert auditdesk(home, "2026-11-02", "staff", "import", str(register))[0] == 0
    code, output = auditdesk(home, "2026-11-02", *allocate(case))
    assert code == 0, output
    return home


def test_qa_loads_the_staff_register_and_allocates_a_month_from_excel_2_1(tmp_path: Path) -> None:
    home = tmp_path / "home"
    register = write_example_staff_register(tmp_path / "staff.xlsx", SCHEMA)
    code, output = auditdesk(home, "2026-11-02", "staff", "import", str(register))
    assert code == 0, output
    assert "14 added" in output
    code, output = auditdesk(home, "2026-11-02", "staff", "import", str(register))
    assert "0 added, 0 updated, 14 unchanged" in output

    requests = example_allocations(example_staff(SCHEMA), AuditMonth(2026, 11))
    sheet = write_example_allocation_sheet(tmp_path / "allocations.xlsx", requests, SCHEMA)
    code, output = auditdesk(home, "2026-11-02", "allocate", str(sheet))
    assert code == 0, output
    assert output.count("allocated, due 30/11/2026") == len(requests)
    code, output = auditdesk(home, "2026-11-03", "allocate", str(sheet))
    assert output.count("already allocated: nothing changed") == len(requests)

    code, output = auditdesk(home, "2026-11-03", "status", "--json")
    rows = json.loads(output)
    assert {r["case_ref"] for r in rows} == {r.case_ref for r in requests}
    assert all(r["stage"] == "Allocated" and r["next_due"] == "2026-11-30" for r in rows)


def test_an_unreadable_register_is_refused_with_what_to_do(tmp_path: Path) -> None:
    bad = tmp_path / "staff.xlsx"
    bad.write_bytes(b"this is not a workbook")
    code, output = auditdesk(tmp_path / "home", "2026-11-02", "staff", "import", str(bad))
    assert code == 2
    assert "staff.xlsx" in output


def test_an_ineligible_allocation_is_refused_with_the_reason_1_4(tmp_path: Path) -> None:
    home = tmp_path / "home"
    auditdesk(
        home, "2026-11-02", "staff", "import", str(write_example_staff_register(tmp_path / "s.xlsx", SCHEMA))
    )
    code, output = auditdesk(
        home,
        "2026-11-02",
        "allocate",
        "--case",
        "DEMO-0001",
        "--auditor",
        "morgan.example@example.org",
        "--worker",
        "alex.example@example.org",
        "--manager",
        "morgan.example@example.org",
        "--month",
        "2026-11",
    )
    assert code == 1
    assert "manages the case" in output


def test_submit_process_and_qa_from_the_command_line_with_a_chosen_senior_manager_2_12(
    tmp_path: Path,
) -> None:
    home = allocated_home(tmp_path)
    form = inadequate_form(tmp_path / "DEMO-0002.docx")
    code, output = auditdesk(home, "2026-11-23", "submit", str(form))
    assert code == 0, output
    assert "Waiting for the QA check" in output

    code, output = auditdesk(home, "2026-11-23", "tasks", "--json")
    (task,) = json.loads(output)
    assert (task["type"], task["due"], task["section"]) == ("Safeguarding", "2026-11-23", "2.6")

    code, output = auditdesk(home, "2026-11-24", "qa", "share", "DEMO-0002")
    assert code == 1
    assert "QA has not accepted it yet" in output
    code, output = auditdesk(
        home, "2026-11-24", "qa", "accept", "DEMO-0002", "--reaudit-by", "jordan.sample@example.org"
    )
    assert code == 0, output
    assert "re-audit allocated to jordan.sample@example.org for December 2026" in output


def test_an_unreachable_sharepoint_site_is_a_message_not_a_stack_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from shared.adapters.lists import sp_http
    from shared.entry.cli.main import main

    # The adapter retries a dropped connection with backoff; the test need not wait for it.
    quick = sp_http.RetryPolicy(fallback_wait_seconds=0.0)
    monkeypatch.setattr(sp_http, "RetryPolicy", lambda: quick)
    monkeypatch.setenv("AUDITDESK_SP_SITE_URL", "http://127.0.0.1:9/sites/qa")  # nothing listens on port 9
    monkeypatch.setenv("AUDITDESK_SP_ACCESS_TOKEN", "fictional-test-token")
    monkeypatch.setattr("sys.argv", ["auditdesk", "--home", str(tmp_path), "process"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 1
    output = capsys.readouterr().out
    assert "Could not reach SharePoint" in output
    assert "Traceback" not in output
