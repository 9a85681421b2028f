"""The auditor's side in Microsoft 365 (issue 13): resubmitting under the same name, a concern
on a form that cannot be matched, a form that lost its answer boxes. On both stores."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

from lxml import etree  # type: ignore[import-untyped]

from shared.adapters.forms import fill_word_form, read_form
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.core.list_titles import DRAFTS, STAFF, SUBMISSIONS, TRAIL
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.examples import good_audit, half_filled_audit
from shared.demo.hostile_forms import part, with_parts
from shared.services.ports.lists import Query, where
from shared.services.workflow.dependencies import DEFAULT_SETTINGS
from shared.services.workflow.drafts import request_submission
from tests.workflow.conftest import DEADLINES, QA_TEAM, SCHEMA, TEMPLATES, WEST_MANAGER, Desk, body
from tests.workflow.test_single_case_audit import fields_for

SAFEGUARDING_CONTACT = DEFAULT_SETTINGS["safeguarding_contact_email"]
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_a_file_saved_over_under_the_same_name_is_a_resubmission_and_the_earlier_version_is_kept_2_11(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-0001")
    (first,) = any_desk.submit("DEMO-0001.docx", fields_for("DEMO-0001", half_filled_audit)).submissions
    assert first.outcome == SubmissionOutcome.RETURNED
    earlier = (any_desk.home / "uploads" / "DEMO-0001.docx").read_bytes()
    (again,) = any_desk.submit("DEMO-0001.docx", fields_for("DEMO-0001")).submissions
    assert again.item_id == first.item_id
    assert again.outcome == SubmissionOutcome.WAITING_FOR_QA, again.findings
    assert any_desk.allocation("DEMO-0001").stage is AuditStage.RESUBMITTED
    trail = [str(i["what"]) for i in any_desk.store.query_all(Query(TRAIL, page_size=500))]
    (linked,) = [what for what in trail if "earlier version is kept" in what]
    store = any_desk.store
    if isinstance(store, SqliteListStore):
        kept = linked.split("kept at ", 1)[1]
        assert (store.libraries.parent / kept).read_bytes() == earlier  # a path inside the home
    else:
        assert "/_layouts/15/Versions.aspx?FileName=" in linked


def test_a_ticked_concern_on_a_form_that_cannot_be_matched_goes_at_once_to_qa_and_the_safeguarding_contact_2_6(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-1006")
    fields = fields_for("DEMO-1O06")  # a letter O for a zero: no allocation matches
    fields["safeguarding_concern"] = True
    fields["safeguarding_details"] = "Fictional: an immediate concern for the child."
    (submission,) = any_desk.submit("audit.docx", fields).submissions
    assert submission.outcome == SubmissionOutcome.QUARANTINED
    assert submission.safeguarding_alert
    (alert,) = [m for m in any_desk.emails_to(SAFEGUARDING_CONTACT) if "IMMEDIATE" in str(m["Subject"])]
    assert QA_TEAM in str(alert["To"])
    assert "MUST MATCH IT BY HAND" in body(alert)
    assert "DEMO-1O06" in body(alert)
    # Delivered at least once: the same run again sends nothing twice, but never loses it.
    assert any_desk.process().emails_sent == 0


def test_an_unmatched_form_without_a_concern_tells_only_qa_2_6(desk: Desk) -> None:
    desk.submit("audit.docx", fields_for("DEMO-9999"))
    assert not desk.emails_to(SAFEGUARDING_CONTACT)


def test_a_form_that_lost_its_answer_boxes_is_returned_with_one_reason_2_11(any_desk: Desk) -> None:
    any_desk.allocate("DEMO-0001")
    docx = fill_word_form(TEMPLATES / "case-file-audit.docx", fields_for("DEMO-0001", good_audit))
    root = etree.fromstring(part(docx, "word/document.xml"))
    for sdt in list(root.iter(f"{{{W}}}sdt")):
        tag = sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag")
        if tag is not None and tag.get(f"{{{W}}}val") != "case_ref":
            parent, index = sdt.getparent(), sdt.getparent().index(sdt)
            parent.remove(sdt)
            for offset, child in enumerate(sdt.find(f"{{{W}}}sdtContent")):
                parent.insert(index + offset, child)
    lost = with_parts(
        docx, {"word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")}
    )
    (submission,) = any_desk.submit("DEMO-0001.docx", lost).submissions
    assert submission.outcome == SubmissionOutcome.RETURNED
    assert [f.code for f in submission.findings] == ["answer-boxes-lost"]
    (returned,) = [m for m in any_desk.emails_to(WEST_MANAGER) if "returned" in str(m["Subject"]).lower()]
    assert "answer boxes" in body(returned)
    assert body(returned).count("\n- ") <= 1


# --- the pre-filled form and drafts (2.2-2.5) ----------------------------------------------


def _draft_of(desk: Desk, case: str) -> tuple[int, str]:
    (item,) = list(desk.store.query_all(Query(DRAFTS, (where("case_ref", "eq", case),))))
    return item.id, str(item["FileLeafRef"])


def test_the_auditor_gets_their_own_form_pre_filled_and_locked_in_audit_drafts_2_3_2_4(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-0001")
    _, name = _draft_of(any_desk, "DEMO-0001")
    assert name == "DEMO-0001 November 2026 audit.docx"
    draft = any_desk.store.read_file(DRAFTS, name)
    outcome = read_form(draft, name, SCHEMA, DEADLINES)
    assert outcome.fields["case_ref"] == "DEMO-0001"
    assert outcome.fields["team"] == "Demo Team East"
    assert outcome.fields["allocated_worker"] == "Alex Example (fictional)"
    assert outcome.fields["team_manager"] == "Morgan Example (fictional)"
    assert outcome.fields["auditor"] == "Riley Sample (fictional)"
    assert outcome.fields["review_from"] == dt.date(2026, 5, 2)
    root = etree.fromstring(part(draft, "word/document.xml"))
    locked = {
        sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag").get(f"{{{W}}}val")
        for sdt in root.iter(f"{{{W}}}sdt")
        if sdt.find(f"{{{W}}}sdtPr/{{{W}}}lock") is not None
    }
    assert {"case_ref", "team", "allocated_worker", "team_manager", "auditor"} <= locked
    assert "review_from" not in locked
    assert "d1_grade" not in locked
    # Allocating again (a repeated notification) keeps the draft the auditor may have started.
    any_desk.store.add_file(DRAFTS, name, fill_word_form(draft, {"d1_evidence": "Fictional start."}))
    started = any_desk.store.read_file(DRAFTS, name)
    any_desk.allocate("DEMO-0001")
    assert any_desk.store.read_file(DRAFTS, name) == started


def test_an_auditor_who_prefers_excel_gets_an_excel_form_2_4(desk: Desk) -> None:
    (member,) = list(desk.store.query_all(Query(STAFF, (where("email", "eq", WEST_MANAGER),))))
    desk.store.update(STAFF, member.id, {"form_preference": "Excel"}, None)
    desk.allocate("DEMO-0001")
    _, name = _draft_of(desk, "DEMO-0001")
    assert name.endswith(".xlsx")
    outcome = read_form(desk.store.read_file(DRAFTS, name), name, SCHEMA, DEADLINES)
    assert outcome.fields["case_ref"] == "DEMO-0001"


def test_fifty_autosaves_of_a_draft_in_five_minutes_cause_no_processing_and_no_email_2_2(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-0001")
    any_desk.process()
    _, name = _draft_of(any_desk, "DEMO-0001")
    emails = len(any_desk.emails())
    draft = any_desk.store.read_file(DRAFTS, name)
    fields = fields_for("DEMO-0001", half_filled_audit)
    for save in range(50):  # what AutoSave does: a new version of the file every few seconds
        fields["d1_evidence"] = f"Fictional evidence, draft {save}."
        any_desk.store.add_file(DRAFTS, name, fill_word_form(draft, fields))
    result = any_desk.process()
    assert result.submissions == []
    assert result.emails_sent == 0
    assert len(any_desk.emails()) == emails
    assert list(any_desk.store.query_all(Query(SUBMISSIONS, page_size=500))) == []
    assert any_desk.allocation("DEMO-0001").stage is AuditStage.ALLOCATED


def test_a_draft_is_submitted_only_on_purpose_and_again_as_a_resubmission_2_2_2_11(any_desk: Desk) -> None:
    any_desk.allocate("DEMO-0001")
    draft_id, name = _draft_of(any_desk, "DEMO-0001")
    draft = any_desk.store.read_file(DRAFTS, name)
    any_desk.store.add_file(DRAFTS, name, fill_word_form(draft, fields_for("DEMO-0001", half_filled_audit)))
    request_submission(any_desk.services, name)  # the "Submit for QA check" button
    (first,) = any_desk.process().submissions
    assert first.outcome == SubmissionOutcome.RETURNED
    assert any_desk.store.get(DRAFTS, draft_id)["submit_for_qa"] is False
    assert any_desk.process().submissions == []  # clearing the column submits nothing
    any_desk.store.add_file(DRAFTS, name, fill_word_form(draft, fields_for("DEMO-0001")))
    request_submission(any_desk.services, name)
    (again,) = any_desk.process().submissions
    assert again.item_id == first.item_id
    assert again.outcome == SubmissionOutcome.WAITING_FOR_QA
    assert any_desk.allocation("DEMO-0001").stage is AuditStage.RESUBMITTED


def test_a_reaudit_gets_a_pre_filled_form_and_the_previous_audit_attached_2_12(any_desk: Desk) -> None:
    from shared.demo.examples import inadequate_audit_with_safeguarding_concern

    any_desk.allocate("DEMO-0002")
    any_desk.submit("audit-0002.docx", fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern))
    submitted = (any_desk.home / "uploads" / "audit-0002.docx").read_bytes()
    reaudit = any_desk.qa("accept", "DEMO-0002").reaudit
    assert reaudit is not None
    assert reaudit.allocation is not None
    auditor = reaudit.allocation.auditor_email
    (email,) = [m for m in any_desk.emails_to(auditor) if str(m["Subject"]).startswith("Audit allocated")]
    assert "DEMO-0002 December 2026 audit.docx" in unquote(body(email))  # a web address on SharePoint
    assert "previous audit of this case is attached" in body(email)
    (attached,) = list(email.iter_attachments())
    assert attached.get_filename() == "previous audit - audit-0002.docx"
    assert attached.get_content() == submitted
