"""A month of the auditor's journey replayed on both stores (issue 13's "Done when"; 2.2-2.6, 2.11).

Pre-filled drafts for every allocation, a burst of AutoSaves on each, a Word draft returned and
resubmitted under the same name, an Excel draft for the auditor who prefers Excel, a form
typed on a blank template with a mistyped reference and a ticked safeguarding concern, a
draft that a program other than Word re-saved without its answer boxes. Every form ends
with the right outcome and no email is caused by a draft.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from shared.adapters.forms import fill_excel_form, fill_word_form
from shared.core.list_titles import DRAFTS, STAFF, TRAIL
from shared.core.record import FieldValue
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.examples import good_audit, half_filled_audit
from shared.demo.hostile_forms import part, with_parts
from shared.services.ports.lists import Query, where
from shared.services.workflow.dependencies import DEFAULT_SETTINGS
from shared.services.workflow.drafts import LOCKED_FIELDS, request_submission
from tests.workflow.conftest import QA_TEAM, SENIOR_MANAGERS, Desk, body

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTACT = DEFAULT_SETTINGS["safeguarding_contact_email"]


def _draft(desk: Desk, case: str) -> str:
    (item,) = list(desk.store.query_all(Query(DRAFTS, (where("case_ref", "eq", case),))))
    return str(item["FileLeafRef"])


def _typed(values: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """What the auditor can type: everything but the locked facts (the child reference is
    theirs to fill when the allocation did not give it, as here)."""
    return {k: v for k, v in values.items() if k not in LOCKED_FIELDS or k == "child_ref"}


def _save(desk: Desk, name: str, values: dict[str, FieldValue]) -> None:
    """One AutoSave: the draft as it is now, as a new version of the file in the library."""
    current = desk.store.read_file(DRAFTS, name)
    fill = fill_excel_form if name.endswith(".xlsx") else fill_word_form
    desk.store.add_file(DRAFTS, name, fill(current, _typed(values)))


def _without_answer_boxes(docx: bytes) -> bytes:
    root = etree.fromstring(part(docx, "word/document.xml"))
    for sdt in list(root.iter(f"{{{W}}}sdt")):
        parent, index = sdt.getparent(), sdt.getparent().index(sdt)
        tag = sdt.find(f"{{{W}}}sdtPr/{{{W}}}tag")
        if tag is not None and tag.get(f"{{{W}}}val") == "case_ref":
            continue
        parent.remove(sdt)
        for offset, child in enumerate(sdt.find(f"{{{W}}}sdtContent")):
            parent.insert(index + offset, child)
    return with_parts(
        docx, {"word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")}
    )


def test_a_month_of_drafts_autosaves_resubmissions_and_a_stranded_concern_ends_right_2_2_2_6_2_11(
    any_desk: Desk,
) -> None:
    desk = any_desk
    excel_auditor = SENIOR_MANAGERS[0]
    (member,) = list(desk.store.query_all(Query(STAFF, (where("email", "eq", excel_auditor),))))
    desk.store.update(STAFF, member.id, {"form_preference": "Excel"}, None)
    for case in ("DEMO-0001", "DEMO-0003", "DEMO-0004"):
        assert desk.allocate(case).created
    assert desk.allocate("DEMO-0002", auditor=excel_auditor).created
    desk.process()
    names = {case: _draft(desk, case) for case in ("DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004")}
    assert names["DEMO-0002"].endswith(".xlsx")
    assert all(names[c].endswith(".docx") for c in ("DEMO-0001", "DEMO-0003", "DEMO-0004"))
    emails_after_allocation = len(desk.emails())

    # A week of writing: 50 AutoSaves on each of two drafts, the service run after each burst.
    for case in ("DEMO-0001", "DEMO-0002"):
        values = half_filled_audit()
        for save in range(50):
            values["d1_evidence"] = f"Fictional evidence, save {save}."
            _save(desk, names[case], values)
        result = desk.process()
        assert result.submissions == []
        assert result.emails_sent == 0
    assert len(desk.emails()) == emails_after_allocation  # no email caused by a draft

    # DEMO-0001: submitted half-done, returned; amended in the same draft and submitted again.
    request_submission(desk.services, names["DEMO-0001"])
    (returned,) = desk.process().submissions
    assert returned.outcome == SubmissionOutcome.RETURNED
    _save(desk, names["DEMO-0001"], good_audit())
    request_submission(desk.services, names["DEMO-0001"])
    (resubmitted,) = desk.process().submissions
    assert resubmitted.item_id == returned.item_id
    assert resubmitted.outcome == SubmissionOutcome.WAITING_FOR_QA, resubmitted.findings
    assert desk.allocation("DEMO-0001").stage is AuditStage.RESUBMITTED
    trail = [str(i["what"]) for i in desk.store.query_all(Query(TRAIL, page_size=500))]
    assert any("earlier version is kept" in what for what in trail)

    # DEMO-0002: the Excel draft, completed and submitted.
    excel = good_audit()
    excel["case_ref"] = "DEMO-0002"
    _save(desk, names["DEMO-0002"], excel)
    request_submission(desk.services, names["DEMO-0002"])
    (from_excel,) = desk.process().submissions
    assert from_excel.outcome == SubmissionOutcome.WAITING_FOR_QA, from_excel.findings

    # DEMO-0003: typed on a blank template instead, the reference mistyped, a concern ticked.
    typed = good_audit()
    typed |= {
        "case_ref": "DEMO-OOO3",
        "safeguarding_concern": True,
        "safeguarding_details": "Fictional concern.",
    }
    (stranded,) = desk.submit("DEMO-0003 typed.docx", typed).submissions
    assert stranded.outcome == SubmissionOutcome.QUARANTINED
    assert stranded.safeguarding_alert
    (alert,) = [m for m in desk.emails_to(CONTACT) if "IMMEDIATE" in str(m["Subject"])]
    assert QA_TEAM in str(alert["To"])
    assert "DEMO-OOO3" in body(alert)

    # DEMO-0004: the draft re-saved by a program that drops Word's answer boxes.
    filled = fill_word_form(desk.store.read_file(DRAFTS, names["DEMO-0004"]), _typed(good_audit()))
    desk.store.add_file(DRAFTS, names["DEMO-0004"], _without_answer_boxes(filled))
    request_submission(desk.services, names["DEMO-0004"])
    (lost,) = desk.process().submissions
    assert lost.outcome == SubmissionOutcome.RETURNED
    assert [f.code for f in lost.findings] == ["answer-boxes-lost"]

    # Every allocation where it should be; the run again does nothing.
    stages = {case: desk.allocation(case).stage for case in names}
    assert stages == {
        "DEMO-0001": AuditStage.RESUBMITTED,
        "DEMO-0002": AuditStage.SUBMITTED,
        "DEMO-0003": AuditStage.ALLOCATED,
        "DEMO-0004": AuditStage.RETURNED_FOR_AMENDMENT,
    }
    again = desk.process()
    assert again.submissions == []
    assert again.emails_sent == 0
