"""The single case file audit procedure (section 2), run by the service, end to end on real stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from shared.core.list_titles import SUBMISSIONS
from shared.core.record import FieldValue
from shared.core.stages import AuditStage, SubmissionOutcome
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.services.workflow import qa
from shared.services.workflow.changes import WATCHED
from tests.workflow.conftest import (
    EAST_MANAGER,
    QA_TEAM,
    SENIOR_MANAGERS,
    WEST_MANAGER,
    Desk,
    body,
)

D = dt.date


def fields_for(case: str, make: Callable[[], dict[str, FieldValue]] = good_audit) -> dict[str, FieldValue]:
    fields = make()
    fields["case_ref"] = case
    return fields


# --- allocation (2.1, 2.2, 2.4, 1.4) -------------------------------------------------------


def test_allocation_is_due_on_the_last_working_day_and_the_auditor_gets_a_pre_filled_form_2_2_2_4(
    desk: Desk,
) -> None:
    result = desk.allocate("DEMO-0001")
    assert result.created
    assert not result.problems
    allocation = desk.allocation("DEMO-0001")
    assert allocation.due_date == D(2026, 11, 30)
    assert allocation.stage is AuditStage.ALLOCATED
    (to_auditor,) = [m for m in desk.emails_to(WEST_MANAGER) if "allocated" in str(m["Subject"])]
    assert not list(to_auditor.iter_attachments())  # a link to the auditor's own form instead
    text = body(to_auditor)
    assert "Audit Drafts" in text
    assert "DEMO-0001 November 2026 audit.docx" in text
    assert "Alex Example" in text
    assert "Morgan Example" in text
    assert "Monday 30 November 2026" in text
    assert any("will be audited" in str(m["Subject"]) for m in desk.emails_to("alex.example@example.org"))


def test_allocating_the_same_case_twice_changes_nothing(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    emails, trail = len(desk.emails()), desk.trail_count()
    again = desk.allocate("DEMO-0001")
    assert not again.created
    assert again.allocation is not None
    assert (len(desk.emails()), desk.trail_count()) == (emails, trail)


def test_an_auditor_does_not_audit_a_case_they_manage_1_4(desk: Desk) -> None:
    result = desk.allocate("DEMO-0001", auditor=EAST_MANAGER)
    assert not result.created
    assert result.problems == [
        "Morgan Example (fictional) manages the case and cannot audit it (1.4)."
    ] or any("manages the case" in p for p in result.problems)


def test_a_social_worker_is_not_allocated_an_audit_1_4(desk: Desk) -> None:
    result = desk.allocate("DEMO-0001", auditor="casey.example@example.org")
    assert any("case audits are done by" in p for p in result.problems)


def test_someone_not_in_the_staff_register_is_not_allocated_an_audit(desk: Desk) -> None:
    result = desk.allocate("DEMO-0001", auditor="nobody@example.org")
    assert result.problems == [
        "nobody@example.org is not in the Staff register: add them, or choose another auditor."
    ]


def test_allocations_after_the_first_week_are_flagged_2_1(desk: Desk) -> None:
    desk.at(D(2026, 11, 6)).allocate("DEMO-0001")
    desk.at(D(2026, 11, 9)).allocate("DEMO-0002")
    assert not desk.allocation("DEMO-0001").key.endswith("late")
    assert desk.store.get("Audit Allocations", desk.allocation("DEMO-0001").id)["late_allocation"] is False
    assert desk.store.get("Audit Allocations", desk.allocation("DEMO-0002").id)["late_allocation"] is True


# --- submission (2.2, 2.3, 2.11) -----------------------------------------------------------


def test_a_complete_audit_goes_to_the_qa_check_2_11(any_desk: Desk) -> None:
    any_desk.allocate("DEMO-0001")
    result = any_desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    (submission,) = result.submissions
    assert submission.outcome == SubmissionOutcome.WAITING_FOR_QA
    allocation = any_desk.allocation("DEMO-0001")
    assert allocation.stage is AuditStage.SUBMITTED
    assert allocation.overall_grade is not None
    assert allocation.overall_grade.value == "Good"
    assert any("Ready for the QA check" in str(m["Subject"]) for m in any_desk.emails_to(QA_TEAM))
    item = any_desk.store.get(SUBMISSIONS, submission.item_id)
    assert item["outcome"] == SubmissionOutcome.WAITING_FOR_QA
    assert item["d1_grade"] == "Good"


def test_an_excel_audit_is_read_the_same_way(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    (submission,) = desk.at(D(2026, 11, 20)).submit("audit-0001.xlsx", fields_for("DEMO-0001")).submissions
    assert submission.outcome == SubmissionOutcome.WAITING_FOR_QA


def test_errors_return_the_audit_at_once_with_every_finding_due_in_3_working_days_2_11(desk: Desk) -> None:
    desk.allocate("DEMO-0003")
    (submission,) = (
        desk.at(D(2026, 11, 25))
        .submit("audit-0003.docx", fields_for("DEMO-0003", half_filled_audit))
        .submissions
    )
    assert submission.outcome == SubmissionOutcome.RETURNED
    allocation = desk.allocation("DEMO-0003")
    assert allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT
    assert allocation.amendment_due == D(2026, 11, 30)
    (task,) = desk.tasks("Amendment")
    assert (task.assigned_to, task.due_date, task.section) == (WEST_MANAGER, D(2026, 11, 30), "2.11")
    (returned,) = [m for m in desk.emails_to(WEST_MANAGER) if "returned" in str(m["Subject"])]
    text = body(returned)
    assert "Domain 4 (Intervention, progress and impact for the child) has no judgement" in text
    assert "Improvement plan row 1 has no owner" in text


def test_a_resubmission_after_amendment_closes_the_amendment_task_2_11(desk: Desk) -> None:
    desk.allocate("DEMO-0003")
    desk.at(D(2026, 11, 25)).submit("audit-0003.docx", fields_for("DEMO-0003", half_filled_audit))
    desk.at(D(2026, 11, 27)).submit("audit-0003-amended.docx", fields_for("DEMO-0003"))
    assert desk.allocation("DEMO-0003").stage is AuditStage.RESUBMITTED
    assert [t.status for t in desk.tasks("Amendment")] == ["Done"]


# --- safeguarding (2.6) ---------------------------------------------------------------------


def test_a_safeguarding_concern_alerts_the_team_manager_at_once_with_a_same_day_task_2_6(
    any_desk: Desk,
) -> None:
    any_desk.allocate("DEMO-0002")
    fields = fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    any_desk.at(D(2026, 11, 23)).submit("audit-0002.docx", fields)
    (alert,) = [m for m in any_desk.emails_to(EAST_MANAGER) if "IMMEDIATE" in str(m["Subject"])]
    assert "Liquidlogic under Management Oversight" in body(alert)
    (task,) = any_desk.tasks("Safeguarding")
    assert (task.assigned_to, task.due_date) == (EAST_MANAGER, D(2026, 11, 23))


def test_a_safeguarding_concern_is_raised_even_when_the_form_has_errors_2_6(desk: Desk) -> None:
    desk.allocate("DEMO-0003")
    fields = fields_for("DEMO-0003", half_filled_audit)
    fields["safeguarding_concern"] = True
    (submission,) = desk.at(D(2026, 11, 28)).submit("audit-0003.docx", fields).submissions  # a Saturday
    assert submission.outcome == SubmissionOutcome.RETURNED
    (task,) = desk.tasks("Safeguarding")
    assert task.due_date == D(2026, 11, 30)  # the next working day
    assert any("IMMEDIATE" in str(m["Subject"]) for m in desk.emails_to(EAST_MANAGER))


# --- nothing is lost ------------------------------------------------------------------------


def test_a_hostile_file_is_quarantined_with_a_reason_qa_can_read(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    (submission,) = desk.submit("audit.docx", b"MZ\x90\x00 this is not a Word document").submissions
    assert submission.outcome == SubmissionOutcome.QUARANTINED
    item = desk.store.get(SUBMISSIONS, submission.item_id)
    assert item["outcome"] == SubmissionOutcome.QUARANTINED
    assert "not" in str(item["outcome_reason"]).lower()
    assert desk.allocation("DEMO-0001").stage is AuditStage.ALLOCATED
    assert any("quarantined" in str(m["Subject"]) for m in desk.emails_to(QA_TEAM))


def test_a_form_for_a_case_with_no_allocation_is_quarantined(desk: Desk) -> None:
    (submission,) = desk.submit("audit-9999.docx", fields_for("DEMO-9999")).submissions
    assert submission.outcome == SubmissionOutcome.QUARANTINED
    assert "There is no allocation for case DEMO-9999" in submission.reason


def test_the_same_file_uploaded_twice_is_quarantined_as_a_duplicate(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    fields = fields_for("DEMO-0001")
    desk.submit("first.docx", fields)
    content = (desk.home / "uploads" / "first.docx").read_bytes()
    (second,) = desk.submit("second.docx", content).submissions
    assert second.outcome == SubmissionOutcome.QUARANTINED
    assert "identical to submission" in second.reason


def test_the_same_notification_processed_twice_creates_nothing_twice(any_desk: Desk) -> None:
    any_desk.allocate("DEMO-0002")
    state = any_desk.services.state
    token_before = {name: state.get(f"change-token:{name}") for name in WATCHED}
    fields = fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    any_desk.at(D(2026, 11, 23)).submit("audit-0002.docx", fields)
    counts = (len(any_desk.tasks()), len(any_desk.emails()), any_desk.trail_count())
    # SharePoint retries a webhook, and the worker reads the same changes again from the old token.
    for name, token in token_before.items():
        assert token is not None
        state.put(f"change-token:{name}", token)
    again = any_desk.process()
    assert again.submissions == []
    assert (len(any_desk.tasks()), len(any_desk.emails()), any_desk.trail_count()) == counts


def test_a_run_that_stops_half_way_resumes_without_doing_anything_twice(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.services.workflow.intake as intake

    desk.allocate("DEMO-0003")
    original = intake._write_back

    def crash(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(intake, "_write_back", crash)
    with pytest.raises(RuntimeError):
        desk.at(D(2026, 11, 25)).submit("audit-0003.docx", fields_for("DEMO-0003", half_filled_audit))
    counts = (len(desk.tasks()), len(desk.emails()), desk.trail_count())
    monkeypatch.setattr(intake, "_write_back", original)
    (submission,) = desk.process().submissions
    assert submission.outcome == SubmissionOutcome.RETURNED
    assert (len(desk.tasks()), len(desk.emails()), desk.trail_count()) == counts
    assert len(desk.tasks("Amendment")) == 1


# --- QA check, findings, discussion (2.9-2.11) ----------------------------------------------


def test_qa_returns_an_audit_with_reasons_due_in_3_working_days_2_11(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    result = desk.at(D(2026, 11, 24)).qa(
        "return", "DEMO-0001", "Domain 6 evidence does not mention supervision."
    )
    assert result.allocation.stage is AuditStage.RETURNED_FOR_AMENDMENT
    assert result.allocation.amendment_due == D(2026, 11, 27)
    (task,) = desk.tasks("Amendment")
    assert task.due_date == D(2026, 11, 27)


def test_returning_without_reasons_is_refused_2_11(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    with pytest.raises(qa.QaRefused, match="Say what needs amending"):
        desk.qa("return", "DEMO-0001", "  ")


def test_findings_cannot_be_shared_before_qa_accepts_2_9(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    with pytest.raises(qa.QaRefused, match="QA has not accepted it yet"):
        desk.qa("share", "DEMO-0001")


def test_good_findings_are_discussed_within_10_working_days_2_10(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    desk.at(D(2026, 11, 23)).qa("accept", "DEMO-0001")
    shared = desk.at(D(2026, 11, 24)).qa("share", "DEMO-0001").allocation
    assert shared.discussion_due == D(2026, 12, 8)
    (task,) = desk.tasks("Discussion")
    assert (task.assigned_to, task.due_date, task.section) == (EAST_MANAGER, D(2026, 12, 8), "2.10")


def test_inadequate_findings_are_discussed_within_5_working_days_2_10(desk: Desk) -> None:
    desk.allocate("DEMO-0002")
    desk.at(D(2026, 11, 23)).submit(
        "audit-0002.docx", fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    )
    desk.at(D(2026, 11, 23)).qa("accept", "DEMO-0002")
    shared = desk.at(D(2026, 12, 23)).qa("share", "DEMO-0002").allocation
    assert shared.discussion_due == D(2027, 1, 4)  # over Christmas and New Year


def test_a_disagreement_is_resolved_before_the_audit_closes_2_9(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001"))
    desk.qa("accept", "DEMO-0001")
    desk.qa("share", "DEMO-0001")
    desk.qa("disagree", "DEMO-0001", "The Team Manager disputes the grade for domain 6.")
    with pytest.raises(qa.QaRefused, match="unresolved disagreement"):
        desk.qa("discussed", "DEMO-0001")
    desk.qa("resolve", "DEMO-0001")
    closed = desk.qa("discussed", "DEMO-0001").allocation
    assert closed.stage is AuditStage.CLOSED
    assert [t.status for t in desk.tasks("Discussion")] == ["Done"]


# --- re-audit of Inadequate cases (2.12) ----------------------------------------------------


def test_inadequate_case_is_reaudited_next_month_by_a_senior_manager_2_12(any_desk: Desk) -> None:
    any_desk.allocate("DEMO-0002")
    any_desk.at(D(2026, 11, 23)).submit(
        "audit-0002.docx", fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    )
    result = any_desk.at(D(2026, 11, 24)).qa("accept", "DEMO-0002")
    assert result.reaudit is not None
    assert result.reaudit.allocation is not None
    reaudit = result.reaudit.allocation
    december = any_desk.allocation("DEMO-0002").month.following()
    assert (reaudit.month, reaudit.due_date, reaudit.is_reaudit) == (december, D(2026, 12, 31), True)
    assert reaudit.auditor_email in SENIOR_MANAGERS
    assert reaudit.previous_allocation == any_desk.allocation("DEMO-0002").id
    assert reaudit.chain_month == 1
    (task,) = any_desk.tasks("Re-audit")
    assert (task.assigned_to, task.due_date, task.section) == (reaudit.auditor_email, D(2026, 12, 31), "2.12")


def test_the_reaudit_chain_continues_until_the_judgement_improves_2_12(desk: Desk) -> None:
    desk.allocate("DEMO-0002")
    inadequate = fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    inadequate["safeguarding_concern"] = False
    desk.at(D(2026, 11, 23)).submit("nov.docx", inadequate)
    first = desk.qa("accept", "DEMO-0002").reaudit
    assert first is not None
    assert first.allocation is not None
    december = dict(
        inadequate,
        audit_date="2026-12-15",
        review_from="2026-06-15",
        review_to="2026-12-15",
        auditor_role="Senior Manager",
        auditor="Harper Example (fictional)",
    )
    for row in range(1, 7):
        december[f"a{row}_due"] = f"2026-12-{17 + row:02d}" if row < 6 else "2026-12-30"
    desk.at(D(2026, 12, 16)).submit("dec.docx", december)
    second = desk.qa("accept", "DEMO-0002").reaudit
    assert second is not None
    assert second.allocation is not None
    assert (second.allocation.month.label, second.allocation.chain_month) == ("January 2027", 2)
    # The senior manager with fewer audits that month is chosen.
    assert second.allocation.auditor_email in SENIOR_MANAGERS


def test_a_good_reaudit_ends_the_chain_2_12(desk: Desk) -> None:
    desk.allocate("DEMO-0002")
    inadequate = fields_for("DEMO-0002", inadequate_audit_with_safeguarding_concern)
    desk.at(D(2026, 11, 23)).submit("nov.docx", inadequate)
    desk.qa("accept", "DEMO-0002")
    improved = fields_for("DEMO-0002")
    improved |= {
        "audit_date": "2026-12-15",
        "review_from": "2026-06-15",
        "review_to": "2026-12-15",
        "auditor_role": "Senior Manager",
        "auditor": "Harper Example (fictional)",
        "a1_due": "2026-12-22",
    }
    desk.at(D(2026, 12, 16)).submit("dec.docx", improved)
    result = desk.qa("accept", "DEMO-0002")
    assert result.reaudit is None
    assert [t.status for t in desk.tasks("Re-audit")] == ["Done"]


def test_good_practice_highlighted_is_kept_on_the_submission_for_the_bulletin_2_3_8_1(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    (submission,) = desk.at(D(2026, 11, 20)).submit("audit-0001.docx", fields_for("DEMO-0001")).submissions
    kept = str(desk.store.get(SUBMISSIONS, submission.item_id)["good_practice"])
    assert "Creative direct work that kept the child's voice central." in kept
    assert "Voice and lived experience of the child: Direct work sessions used the child's drawings" in kept
