"""The learning bulletin (8.1): drafted from accepted audits only, approved by the QA team
excerpt by excerpt, and impossible to send to all staff without that approval; the redaction
holds on free text written the way social workers write."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from shared.core.list_titles import REPORTS_LIBRARY
from shared.services.ports.lists import FieldValue, Query
from shared.services.reports import approval as approvals
from shared.services.reports.approval import BulletinNotApproved
from shared.services.reports.publish import (
    approve_bulletin,
    on_bulletin_change,
    publish_approved_bulletin,
    publish_report,
)
from shared.services.workflow.dependencies import Services
from tests.reports.conftest import DOMAINS

D = dt.date
ALL_STAFF = "all-staff@example.org"

# Free text as social workers write it (every name, place and number is invented).
ACCEPTED_TEXTS = (
    "Voice and lived experience of the child: Kayden was seen alone on every visit and his views are "
    "recorded in his own words. KAYDEN told the worker he wants to stay with Nan.",
    "Planning: Mum Shelby-Rae and dad Connor attended every core group; the worker J.S. explained the "
    "plan in plain language.",
    "Multi-agency working: Good joint working with Newland Park Primary School and the health visitor; "
    "Tyler-Jay and his sister Mia both have up-to-date health assessments.",
    "Recording and chronology: Family moved to hu5 3pq in June; NHS number 943 476 5919 and EHM ref "
    "EH-44521 are recorded, as is Mosaic ID 7734120.",
    "Voice and lived experience of the child: The family are Muslim and of Kurdish heritage; the worker "
    "arranged an interpreter and respected prayer times.",
    "Intervention, progress and impact for the child: Brooklyn's brother Alfie told the worker about the "
    "arguments at home, and the worker acted the same day.",
    "Management oversight and supervision: Supervision by Marisol Greythorn was reflective and directive, "
    "with actions and timescales that were followed up.",
    "Assessment and analysis of need and risk: Grace and Harry were seen together at school; the "
    "assessment weighs their history and reaches a clear conclusion.",
    "The worker saw the child alone at every visit and the plan uses the child's own words.",
)
RETURNED_TEXT = "Leighton was seen at home and the plan is clear and shared with the family."
IDENTIFYING = (
    "Kayden", "KAYDEN", "Shelby", "Rae", "Connor", "J.S", "Newland", "Tyler", "Jay", "Mia", "hu5", "3pq",
    "943", "5919", "44521", "7734120", "Muslim", "Kurdish", "Brooklyn", "Alfie", "Marisol", "Greythorn",
    "Grace", "Harry", "Leighton", "Quillon", "Fairbrother", "DEMO-",
)  # fmt: skip


def _month(services: Services, *, accepted: int = 9, returned: bool = True) -> None:
    """November 2026: accepted audits carrying the free text above, and one the QA team returned."""
    store = services.store
    store.add(
        STAFF_LIST, {"Title": "Marisol Greythorn (fictional)", "email": "marisol.greythorn@example.org"}
    )
    rows: list[dict[str, FieldValue]] = []
    for number in range(accepted + int(returned)):
        is_returned = number == accepted
        rows.append(
            {
                "Title": f"DEMO-{number + 1:04d} 2026-11",
                "case_ref": f"DEMO-{number + 1:04d}",
                "audit_month": "2026-11",
                "team": "Demo Team East",
                "status": "Returned for amendment" if is_returned else "Findings shared",
                "due_date": D(2026, 11, 30),
                "submitted_on": D(2026, 11, 25),
                "overall_grade": "Good",
                "auditor_email": "quillon.fairbrother@example.org",
                "allocated_worker_email": "marisol.greythorn@example.org",
            }
        )
    added = store.add_many("Audit Allocations", rows)
    for number, allocation in enumerate(added):
        text = RETURNED_TEXT if number == accepted else ACCEPTED_TEXTS[number % len(ACCEPTED_TEXTS)]
        grades: dict[str, FieldValue] = {f"{d.id}_grade": "Good" for d in DOMAINS}
        grades["d3_grade"] = "Requires Improvement" if number % 3 == 0 else "Good"
        store.add_file(
            "Audit Submissions",
            f"audit {number}.docx",
            b"fictional",
            {"allocation": allocation.id, "overall_grade": "Good", "good_practice": text, **grades},
        )


STAFF_LIST = "Staff"


def _outbox(home: Path) -> list[EmailMessage]:
    found = []
    for path in sorted((home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")]
    return re.sub(r"<[^>]+>", " ", " ".join(parts))


def _xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value)


def _message_text(message: EmailMessage) -> str:
    texts = [str(message["Subject"])]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        name = part.get_filename() or ""
        if name.endswith(".docx"):
            texts.append(_docx_text(payload))
        elif name.endswith(".xlsx"):
            texts.append(_xlsx_text(payload))
        else:
            texts.append(payload.decode(errors="replace"))
    return " ".join(texts)


def _to(message: EmailMessage) -> str:
    return str(message["To"])


def test_a_bulletin_draft_goes_to_the_qa_team_only_never_to_all_staff_8_1(
    services: Services, tmp_path: Path
) -> None:
    _month(services)
    home = tmp_path / "home"
    draft = publish_report(services, "bulletin", "2026-11", send=True)
    assert draft.awaiting_approval
    assert draft.sent
    assert draft.recipients == ("quality-assurance@example.org",)
    assert all(ALL_STAFF not in _to(m) for m in _outbox(home))
    # Every excerpt is listed for approval, numbered; the ones the redactor withheld say why.
    excerpts = list(services.store.query_all(Query(approvals.EXCERPTS)))
    assert len(excerpts) == len(ACCEPTED_TEXTS)
    decisions = {str(e.fields["decision"]) for e in excerpts}
    assert decisions == {approvals.AWAITING, approvals.WITHHELD}
    withheld = [e for e in excerpts if e.fields["decision"] == approvals.WITHHELD]
    assert any("ethnicity" in str(e.fields["withheld_reason"]) for e in withheld)
    (bulletin,) = services.store.query_all(Query(approvals.BULLETINS))
    assert bulletin.fields["status"] == approvals.DRAFT
    # The draft document quotes no excerpt in the briefing: it lists them for the QA team.
    assert "DRAFT for the Quality Assurance Team" in _docx_text(draft.docx)


def test_the_bulletin_cannot_be_sent_without_qa_approval_8_1(services: Services, tmp_path: Path) -> None:
    _month(services)
    home = tmp_path / "home"
    publish_report(services, "bulletin", "2026-11", send=True)
    publish_report(services, "bulletin", "2026-11", send=True, resend=True)
    with pytest.raises(BulletinNotApproved, match="approve it first"):
        publish_approved_bulletin(services, "2026-11")
    # A list edit to anything but Approved does not send it either.
    (bulletin,) = services.store.query_all(Query(approvals.BULLETINS))
    assert on_bulletin_change(services, bulletin) is None
    assert all(ALL_STAFF not in _to(m) for m in _outbox(home))
    files = [i.fields.get("FileLeafRef") for i in services.store.query_all(Query(REPORTS_LIBRARY))]
    assert "Learning bulletin 2026-11.docx" not in files


def test_approval_publishes_only_the_approved_excerpts_and_sends_once(
    services: Services, tmp_path: Path
) -> None:
    _month(services)
    home = tmp_path / "home"
    publish_report(services, "bulletin", "2026-11")
    excerpts = sorted(
        services.store.query_all(Query(approvals.EXCERPTS)), key=lambda e: int(str(e.fields["number"]))
    )
    publishable = [e for e in excerpts if e.fields["decision"] == approvals.AWAITING]
    chosen, left_out = publishable[0], publishable[1]
    withheld = next(e for e in excerpts if e.fields["decision"] == approvals.WITHHELD)
    numbers = [int(str(chosen.fields["number"])), int(str(withheld.fields["number"]))]
    report, problems = approve_bulletin(services, "2026-11", numbers, "qa.lead@example.org")
    assert problems
    assert "withheld" in problems[0]
    assert report.sent
    assert report.recipients == (ALL_STAFF,)
    text = _docx_text(report.docx)
    assert str(chosen.fields["excerpt"]) in text
    assert str(left_out.fields["excerpt"]) not in text
    assert "Approved for publication by qa.lead@example.org on 10 December 2026" in text
    # Approving again sends nothing more; the bulletin is marked Sent.
    again, _ = approve_bulletin(services, "2026-11", numbers, "qa.lead@example.org")
    assert again.already_sent
    sent = [m for m in _outbox(home) if ALL_STAFF in _to(m)]
    assert len(sent) == 1
    body = sent[0].get_body(("plain",))
    assert body is not None
    assert body.get_content().count("\n  - ") == 3  # three headline figures
    assert [p.get_filename() for p in sent[0].iter_attachments()] == [
        "Learning bulletin 2026-11.docx",
        "Learning bulletin 2026-11 data pack.xlsx",
    ]
    (bulletin,) = services.store.query_all(Query(approvals.BULLETINS))
    assert bulletin.fields["status"] == approvals.SENT


def test_a_list_edit_to_approved_publishes_the_bulletin(services: Services, tmp_path: Path) -> None:
    """The SharePoint path: the QA team sets the bulletin's status to Approved in the list; the
    change processing that follows publishes and sends it, once however often it runs."""
    from shared.core.list_titles import LEARNING_BULLETINS
    from shared.services.workflow.changes import process_changes

    _month(services)
    publish_report(services, "bulletin", "2026-11")
    process_changes(services, [LEARNING_BULLETINS])  # takes the list's change token
    (bulletin,) = services.store.query_all(Query(approvals.BULLETINS))
    excerpt = next(
        e
        for e in services.store.query_all(Query(approvals.EXCERPTS))
        if e.fields["decision"] == approvals.AWAITING
    )
    services.store.update(approvals.EXCERPTS, excerpt.id, {"decision": approvals.EXCERPT_APPROVED}, None)
    services.store.update(
        approvals.BULLETINS,
        bulletin.id,
        {"status": approvals.APPROVED, "approved_by": "qa@example.org"},
        None,
    )
    process_changes(services, [LEARNING_BULLETINS])
    process_changes(services, [LEARNING_BULLETINS])
    sent = [m for m in _outbox(tmp_path / "home") if ALL_STAFF in _to(m)]
    assert len(sent) == 1
    attachment = next(p for p in sent[0].iter_attachments() if str(p.get_filename()).endswith(".docx"))
    payload = attachment.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert str(excerpt.fields["excerpt"]) in _docx_text(payload)


def test_no_identifying_token_reaches_any_bulletin_artefact(services: Services, tmp_path: Path) -> None:
    """First names at the start of a sentence and in capitals, initials, hyphenated names,
    siblings, parents by first name, a school, a lower-case postcode, an NHS number with
    spaces, other systems' references, ethnicity and religion; and text from a returned audit."""
    _month(services)
    home = tmp_path / "home"
    draft = publish_report(services, "bulletin", "2026-11", send=True)
    every = list(range(1, len(ACCEPTED_TEXTS) + 1))
    final, _ = approve_bulletin(services, "2026-11", every, "qa@example.org")
    artefacts = {
        "draft document": _docx_text(draft.docx),
        "draft data pack": _xlsx_text(draft.data_pack),
        "bulletin document": _docx_text(final.docx),
        "bulletin data pack": _xlsx_text(final.data_pack),
        "emails": " ".join(_message_text(m) for m in _outbox(home)),
        "excerpts list": " ".join(
            str(i.fields.get("excerpt")) for i in services.store.query_all(Query(approvals.EXCERPTS))
        ),
    }
    leaks = {
        where: [token for token in IDENTIFYING if re.search(rf"(?<![\w-]){re.escape(token)}", text)]
        for where, text in artefacts.items()
    }
    assert leaks == {where: [] for where in artefacts}
    # What is left still teaches: the published bulletin quotes practice, not placeholders only.
    assert "seen alone" in artefacts["bulletin document"]
    assert "[name]" in artefacts["bulletin document"]


def test_auditdesk_report_bulletin_send_files_a_draft_and_approve_sends_it(tmp_path: Path) -> None:
    from shared.entry.cli.main import app
    from tests.reports.conftest import make_services

    home = tmp_path / "home"
    services = make_services(home)
    _month(services)
    services.close()
    runner = CliRunner()
    common = ["--home", str(home), "--today", "2026-12-10", "report", "bulletin", "--period", "2026-11"]
    drafted = runner.invoke(app, [*common, "--send"])
    assert drafted.exit_code == 0, drafted.output
    assert "draft for the QA team" in drafted.output
    assert all(ALL_STAFF not in _to(m) for m in _outbox(home))
    approved = runner.invoke(app, [*common, "--approve", "--excerpts", "9"])
    assert approved.exit_code == 0, approved.output
    assert len([m for m in _outbox(home) if ALL_STAFF in _to(m)]) == 1
    refused = runner.invoke(
        app, ["--home", str(home), "report", "highlights", "--period", "2026-11", "--approve"]
    )
    assert refused.exit_code == 2
    assert "Only the learning bulletin" in refused.output
