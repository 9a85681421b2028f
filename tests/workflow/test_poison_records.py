"""One bad record never stops the others (issue 11): each kind of bad record is set aside with a
reason QA can act on, naming the record and the field, and everything else in the same run goes
ahead. Refusals happen before anything is written (2.1, 2.4-2.6)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.core.list_titles import ALLOCATIONS
from shared.core.record import FieldValue
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from shared.demo.hostile_forms import part, with_parts
from shared.entry.cli.main import app
from shared.services.ports.lists import Query
from shared.services.workflow.intake import submit_file
from tests.workflow.conftest import EAST_MANAGER, QA_TEAM, TEMPLATES, Desk, body

D = dt.date


def fields_for(case: str, make: Callable[[], dict[str, FieldValue]] = good_audit) -> dict[str, FieldValue]:
    fields = make()
    fields["case_ref"] = case
    return fields


def _break_team_manager(desk: Desk, case: str, address: str | None) -> None:
    """What a person can do to an allocation in the list: clear or mistype a column."""
    allocation = desk.allocation(case)
    desk.store.update(ALLOCATIONS, allocation.id, {"team_manager_email": address}, None)


def _upload(desk: Desk, name: str, fields: dict[str, FieldValue] | bytes) -> None:
    path = desk.home / "uploads" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        fields if isinstance(fields, bytes) else fill_word_form(TEMPLATES / "case-file-audit.docx", fields)
    )
    submit_file(desk.services, path)


def test_an_allocation_without_a_team_manager_does_not_stop_other_audits_and_its_alert_reaches_qa_2_6(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-0001")
    any_desk.allocate("DEMO-0002")
    _break_team_manager(any_desk, "DEMO-0001", None)
    any_desk.at(D(2026, 11, 20))
    _upload(any_desk, "a.docx", fields_for("DEMO-0001", inadequate_audit_with_safeguarding_concern))
    _upload(any_desk, "b.docx", fields_for("DEMO-0002"))
    result = any_desk.process()

    assert [s.outcome for s in result.submissions] == [
        SubmissionOutcome.WAITING_FOR_QA,
        SubmissionOutcome.WAITING_FOR_QA,
    ]
    assert {s.allocation_id for s in result.submissions} == {
        any_desk.allocation("DEMO-0001").id,
        any_desk.allocation("DEMO-0002").id,
    }
    assert any_desk.allocation("DEMO-0002").stage is AuditStage.SUBMITTED
    (alert,) = [m for m in any_desk.emails_to(QA_TEAM) if "IMMEDIATE" in str(m["Subject"])]
    assert "THE TEAM MANAGER COULD NOT BE TOLD" in body(alert)
    assert str(alert["To"]) == QA_TEAM
    # Processing again finds nothing new: the tokens moved past both.
    assert any_desk.process().submissions == []


def test_a_mistyped_team_manager_address_does_not_stop_the_sweep_and_is_named_not_quoted_2_2(
    desk: Desk,
) -> None:
    desk.allocate("DEMO-0001")
    desk.allocate("DEMO-0002")
    _break_team_manager(desk, "DEMO-0001", "morgan.example@example.org,\r\nBcc: someone@example.org")
    desk.process()
    from shared.services.workflow.sweep import sweep
    from shared.services.workflow.unit_of_work import unit_of_work

    with unit_of_work(desk.at(D(2026, 12, 1)).services) as run:  # both audits overdue
        result = sweep(run)
    # Escalated to the auditor, their line manager and QA (issue 18): the Team Manager's column
    # is not an address the sweep writes to, so both audits are escalated.
    assert result.escalations == 2
    assert run.set_aside == []
    told = [m for m in desk.emails() if "DEMO-0001" in body(m) and "unusable" in body(m)]
    assert told
    assert all("Bcc" not in body(m) and m.get("Bcc") is None for m in desk.emails())


def test_a_form_whose_reading_fails_is_quarantined_alone_and_the_batch_goes_on(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.allocate("DEMO-0002")
    from shared.adapters.forms.office import OfficeForms

    class ReaderWithABug(OfficeForms):
        """The real forms, whose reader meets a bug on one file."""

        def read(self, content: bytes, source: str, *args: Any, **kwargs: Any) -> Any:
            if source == "breaks-the-reader.docx":
                raise RuntimeError("a bug met while reading this one file")
            return super().read(content, source, *args, **kwargs)

    desk.services.forms = ReaderWithABug()
    _upload(desk, "breaks-the-reader.docx", fields_for("DEMO-0001"))
    _upload(desk, "fine.docx", fields_for("DEMO-0002"))
    result = desk.at(D(2026, 11, 20)).process()
    by_name = {s.file_name: s for s in result.submissions}
    assert by_name["fine.docx"].outcome == SubmissionOutcome.WAITING_FOR_QA
    assert by_name["breaks-the-reader.docx"].outcome == SubmissionOutcome.QUARANTINED
    assert "internal error (RuntimeError)" in by_name["breaks-the-reader.docx"].reason
    assert "a bug met" not in by_name["breaks-the-reader.docx"].reason  # its text could quote the form
    assert desk.process().submissions == []  # the change token moved on


def test_what_the_reader_finds_returns_the_form_to_the_auditor(desk: Desk) -> None:
    """A judgement control copied with another answer: the reader's finding, not a silent pick."""
    desk.allocate("DEMO-0001")
    good = fill_word_form(TEMPLATES / "case-file-audit.docx", fields_for("DEMO-0001"))
    document = part(good, "word/document.xml")
    copy = (
        b'<w:p><w:sdt><w:sdtPr><w:tag w:val="overall_grade"/></w:sdtPr><w:sdtContent>'
        b"<w:r><w:t>Inadequate</w:t></w:r></w:sdtContent></w:sdt></w:p>"
    )
    tampered = with_parts(good, {"word/document.xml": document.replace(b"</w:body>", copy + b"</w:body>")})
    (submission,) = desk.at(D(2026, 11, 20)).submit("copied-control.docx", tampered).submissions
    assert submission.outcome == SubmissionOutcome.RETURNED
    assert "field-duplicated" in {f.code for f in submission.findings}
    (returned,) = [m for m in desk.emails() if "returned for amendment" in str(m["Subject"]).lower()]
    assert "appears more than once" in body(returned)


# --- refused before anything is written (2.1, 2.4-2.6) -------------------------------------------

runner = CliRunner()


def _auditdesk(home: Path, *args: str) -> tuple[int, str]:
    answer = runner.invoke(app, ["--home", str(home), "--today", "2026-11-02", *args])
    return answer.exit_code, answer.output


@pytest.fixture
def cli_home(tmp_path: Path) -> Path:
    from shared.core.schema_reader import load_schema
    from shared.demo.example_registers import write_example_staff_register

    home = tmp_path / "home"
    register = write_example_staff_register(tmp_path / "staff.xlsx", load_schema())
    assert _auditdesk(home, "staff", "import", str(register))[0] == 0
    return home


@pytest.mark.parametrize(
    ("case", "worker", "manager", "says"),
    [
        ("DEMO-0001", "alex.example@example.org", "", "No Team Manager's email address"),
        ("DEMO-0001", "", "morgan.example@example.org", "No allocated worker's email address"),
        (
            "DEMO-0001",
            "alex.example@example.org",
            "morgan.example@example.org,x@example.org",
            "Team Manager's email",
        ),
        ("DEMO-0001\r\nBcc: x", "alex.example@example.org", "morgan.example@example.org", "case reference"),
        ("DEMO-0001,DEMO-0002", "alex.example@example.org", "morgan.example@example.org", "case reference"),
    ],
)
def test_an_allocation_missing_or_mistyping_a_person_or_the_case_is_refused_before_anything_is_written_2_4(
    cli_home: Path, case: str, worker: str, manager: str, says: str
) -> None:
    code, output = _auditdesk(
        cli_home,
        "allocate",
        "--case",
        case,
        "--auditor",
        "riley.sample@example.org",
        "--worker",
        worker,
        "--manager",
        manager,
    )
    assert code == 1
    assert says in " ".join(output.split())
    code, output = _auditdesk(cli_home, "status", "--json")
    assert json.loads(output) == []
    assert not list((cli_home / "outbox").glob("*.eml"))
    # Corrected, the same allocation goes through, and its emails go (none were stranded).
    code, output = _auditdesk(
        cli_home,
        "allocate",
        "--case",
        "DEMO-0001",
        "--auditor",
        "riley.sample@example.org",
        "--worker",
        "alex.example@example.org",
        "--manager",
        EAST_MANAGER,
    )
    assert code == 0, output
    assert len(list((cli_home / "outbox").glob("*.eml"))) == 2  # the auditor and the worker (2.4)


def test_the_trail_of_a_crashed_qa_step_is_written_by_the_next_run(desk: Desk) -> None:
    """The Audit Trail cannot drift from the list: a step whose trail entry was never added (the
    process died in between) gets it from the next processing run, once."""
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("a.docx", fields_for("DEMO-0001"))
    trail_before = desk.trail_count()
    from shared.services.workflow import qa
    from shared.services.workflow.unit_of_work import RUN_OPEN
    from shared.services.workflow.workflow_run import Run

    run = Run(desk.services)  # a unit of work that dies before it finishes
    desk.services.state.put(RUN_OPEN, "a run that was killed")
    qa.take(run, qa.allocation_by_case(run, "DEMO-0001"), "accept", "")
    assert desk.trail_count() == trail_before  # the accept is on the allocation, not yet in the trail
    desk.process()  # the next unit of work sees the dead run and derives the trail
    # The acceptance's step, and the improvement actions it had not made yet (2.8, issue 14).
    assert desk.trail_count() == trail_before + 2
    desk.process()
    assert desk.trail_count() == trail_before + 2
    entries = [
        item
        for item in desk.store.query_all(Query("Audit Trail", page_size=500))
        if "accept" in str(item["what"])
    ]
    assert len(entries) == 1


# --- memory: a file is refused from its size before it is read -----------------------------------


def test_an_oversized_upload_is_quarantined_from_its_size_and_the_rest_go_on(any_desk: Desk) -> None:
    """A 25 MB file in the library (a video, a scan) is quarantined with what to do, without being
    read into memory; the other form in the same run is processed."""
    from shared.adapters.forms.safety import DEFAULT_LIMITS

    any_desk.allocate("DEMO-0001")
    big = b"PK\x03\x04" + b"\0" * (DEFAULT_LIMITS.max_file_bytes + 1)
    any_desk.services.store.add_file("Audit Submissions", "scan of the whole file.docx", big)
    _upload(any_desk, "fine.docx", fields_for("DEMO-0001"))
    result = any_desk.at(D(2026, 11, 20)).process()
    by_name = {s.file_name: s for s in result.submissions}
    assert by_name["fine.docx"].outcome == SubmissionOutcome.WAITING_FOR_QA
    assert by_name["scan of the whole file.docx"].outcome == SubmissionOutcome.QUARANTINED
    assert "more than the 20 MB Audit Desk reads" in by_name["scan of the whole file.docx"].reason
    assert any_desk.process().submissions == []


def test_the_command_line_refuses_an_oversized_file_before_reading_it(cli_home: Path, tmp_path: Path) -> None:
    big = tmp_path / "whole case file.docx"
    with big.open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    code, output = _auditdesk(cli_home, "submit", str(big))
    assert code == 2
    assert "200.0 MB" in output
