"""The daily sweep (reminders, escalation, the allocation week), QA working in the lists, the audit
trail, and concurrent runs."""

from __future__ import annotations

import datetime as dt
import json
import pathlib

import pytest

from shared.adapters.forms.word import fill_word_form
from shared.core.list_titles import ALLOCATIONS, TASKS, TRAIL
from shared.core.stages import AuditStage
from shared.demo.examples import good_audit
from shared.services.ports.lists import Query
from shared.services.workflow.intake import submit_file
from shared.services.workflow.lists import Allocation
from shared.services.workflow.sweep import sweep
from shared.services.workflow.workflow_run import Run
from tests.workflow.conftest import EAST_MANAGER, QA_TEAM, TEMPLATES, WEST_MANAGER, Desk

D = dt.date


def submitted(desk: Desk, case: str = "DEMO-0001") -> None:
    desk.allocate(case)
    fields = good_audit()
    fields["case_ref"] = case
    desk.at(D(2026, 11, 20)).submit(f"{case}.docx", fields)


def test_auditors_are_reminded_before_the_due_date_once_a_day_2_2(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    assert sweep(Run(desk.at(D(2026, 11, 20)).services)).reminders == 0
    first = sweep(Run(desk.at(D(2026, 11, 26)).services))
    again = sweep(Run(desk.services))
    assert (first.reminders, again.reminders) == (1, 0)
    assert sweep(Run(desk.at(D(2026, 11, 27)).services)).reminders == 1
    assert len([m for m in desk.emails_to(WEST_MANAGER) if "Reminder" in str(m["Subject"])]) == 2


def test_an_overdue_audit_is_escalated_to_the_auditors_line_manager_and_qa_not_the_cases_team_manager_2_2(
    desk: Desk,
) -> None:
    desk.allocate("DEMO-0001")  # auditor Riley Sample, whose line manager is Quinn Example
    result = sweep(Run(desk.at(D(2026, 12, 1)).services))
    assert result.escalations == 1
    overdue = [m for m in desk.emails() if "Overdue" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in overdue) == sorted(
        [WEST_MANAGER, "quinn.example@example.org", QA_TEAM]
    )
    assert not desk.emails_to(EAST_MANAGER)[1:]  # the case's Team Manager: only the allocation notice
    (to_auditor,) = [m for m in overdue if str(m["To"]) == WEST_MANAGER]
    body = to_auditor.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Who to contact, by name, and where the item is.
    assert "Alex Example (fictional) (alex.example@example.org)" in body
    assert "Morgan Example (fictional) (morgan.example@example.org)" in body
    assert "lists.sqlite3 (Audit Allocations, item" in body


def test_an_overdue_task_is_escalated_to_the_assignees_manager_and_qa(desk: Desk) -> None:
    submitted(desk)
    desk.qa("accept", "DEMO-0001")
    desk.at(D(2026, 11, 23)).qa("share", "DEMO-0001")  # discussion due 07/12
    result = sweep(Run(desk.at(D(2026, 12, 8)).services))
    assert result.escalations == 1
    overdue = [m for m in desk.emails() if "Overdue" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in overdue) == sorted(
        [EAST_MANAGER, "quinn.example@example.org", QA_TEAM]
    )
    (to_manager,) = [m for m in overdue if str(m["To"]) == EAST_MANAGER]
    body = to_manager.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "DEMO-0001.docx" in body  # the link to the audit in the Audit Submissions library


def test_one_sweep_sends_one_reminder_for_an_amendment_not_one_for_the_allocation_and_one_for_its_task_2_11(
    desk: Desk,
) -> None:
    submitted(desk)
    desk.at(D(2026, 11, 23)).qa("return", "DEMO-0001", "Evidence for domain 2 is missing.")  # due 26/11
    before = len(desk.emails_to(WEST_MANAGER))
    result = sweep(Run(desk.at(D(2026, 11, 24)).services))
    assert result.reminders == 1
    assert len(desk.emails_to(WEST_MANAGER)) == before + 1
    # Overdue: one escalation a day, to each person once.
    overdue = sweep(Run(desk.at(D(2026, 11, 27)).services))
    assert overdue.escalations == 1
    assert sweep(Run(desk.services)).escalations == 0
    for person in (WEST_MANAGER, "quinn.example@example.org", QA_TEAM):
        assert len([m for m in desk.emails_to(person) if "Overdue" in str(m["Subject"])]) == 1


def test_several_things_for_one_person_on_one_day_are_one_digest(desk: Desk) -> None:
    for case in ("DEMO-0001", "DEMO-0002", "DEMO-0003"):
        desk.allocate(case)
    result = sweep(Run(desk.at(D(2026, 12, 1)).services))
    assert result.escalations == 3
    to_qa = [m for m in desk.emails_to(QA_TEAM)]
    assert len(to_qa) == 1
    assert "3 things due, 3 overdue" in str(to_qa[0]["Subject"])
    body = to_qa[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert all(case in body for case in ("DEMO-0001", "DEMO-0002", "DEMO-0003"))
    assert len([m for m in desk.emails_to(WEST_MANAGER) if "Audit Desk for" in str(m["Subject"])]) == 1


def test_qa_hears_when_nothing_is_allocated_after_the_first_week_2_1(desk: Desk) -> None:
    assert not sweep(Run(desk.at(D(2026, 11, 6)).services)).allocation_week_alert
    assert sweep(Run(desk.at(D(2026, 11, 9)).services)).allocation_week_alert
    assert not sweep(Run(desk.at(D(2026, 11, 10)).services)).allocation_week_alert  # once a month
    desk.at(D(2026, 11, 10)).allocate("DEMO-0001")
    assert sweep(Run(desk.at(D(2026, 12, 9)).services)).allocation_week_alert  # December has none yet


def test_qa_can_accept_by_choosing_the_decision_in_the_list(any_desk: Desk) -> None:
    submitted(any_desk)
    allocation = any_desk.allocation("DEMO-0001")
    any_desk.store.update(ALLOCATIONS, allocation.id, {"qa_decision": "Accept"}, allocation.etag)
    result = any_desk.process()
    assert result.qa_decisions == 1
    after = any_desk.store.get(ALLOCATIONS, allocation.id)
    assert after["status"] == AuditStage.ACCEPTED.value
    assert after["qa_decision"] is None
    assert any_desk.process().qa_decisions == 0  # our own write-back is not a new decision


def test_a_qa_decision_that_cannot_be_taken_is_explained_on_the_item(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    allocation = desk.allocation("DEMO-0001")
    desk.store.update(ALLOCATIONS, allocation.id, {"qa_decision": "Share findings"}, allocation.etag)
    result = desk.process()
    assert result.problems
    assert "has not been submitted yet" in result.problems[0]
    assert "has not been submitted yet" in str(desk.store.get(ALLOCATIONS, allocation.id)["qa_problem"])


def test_the_team_manager_closing_the_discussion_task_records_the_discussion_2_10(any_desk: Desk) -> None:
    submitted(any_desk)
    any_desk.qa("accept", "DEMO-0001")
    any_desk.qa("share", "DEMO-0001")
    (task,) = any_desk.tasks("Discussion")
    any_desk.store.update(TASKS, task.id, {"status": "Done"}, task.etag)
    assert any_desk.process().tasks_closed == 1
    assert any_desk.allocation("DEMO-0001").stage is AuditStage.CLOSED


def test_every_change_of_stage_is_in_the_audit_trail_with_who_before_and_after(desk: Desk) -> None:
    submitted(desk)
    desk.services.actor = "taylor.sample@example.org"
    desk.qa("accept", "DEMO-0001")
    entries = [item.fields for item in desk.store.query_all(Query(TRAIL, page_size=500))]
    accepted = [e for e in entries if str(e["what"]).startswith("accept")]
    assert len(accepted) == 1
    assert accepted[0]["who"] == "taylor.sample@example.org"
    assert json.loads(str(accepted[0]["before"])) == {"status": "Submitted"}
    assert json.loads(str(accepted[0]["after"]))["status"] == "Accepted by QA"
    whats = [str(e["what"]) for e in entries]
    assert "allocated" in whats
    assert any(w.startswith("submit") for w in whats)


def test_a_concurrent_change_is_reread_and_retried_not_overwritten(desk: Desk) -> None:
    submitted(desk)
    stale = desk.allocation("DEMO-0001")
    # Someone records a disagreement between our read and our write.
    fresh = desk.store.update(ALLOCATIONS, stale.id, {"disagreement": "Grade of domain 6"}, stale.etag)
    from shared.services.workflow import qa

    run = Run(desk.services)
    result = qa.accept(run, stale)
    run.finish()
    after = desk.store.get(ALLOCATIONS, stale.id)
    assert after["status"] == AuditStage.ACCEPTED.value
    assert after["disagreement"] == "Grade of domain 6"  # their change survived ours
    assert Allocation.from_item(after).etag != fresh.etag
    assert result.allocation.stage is AuditStage.ACCEPTED


def test_a_batch_of_submissions_survives_a_concurrent_edit_of_one_allocation(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.allocate("DEMO-0001")
    desk.allocate("DEMO-0002")
    original = Run.apply_plans

    def edited_meanwhile(run: Run) -> None:
        allocation = desk.allocation("DEMO-0001")
        desk.store.update(ALLOCATIONS, allocation.id, {"disagreement": "Noted by QA"}, allocation.etag)
        original(run)

    monkeypatch.setattr(Run, "apply_plans", edited_meanwhile)
    for case in ("DEMO-0001", "DEMO-0002"):
        fields = good_audit()
        fields["case_ref"] = case
        path = desk.home / f"{case}.docx"

        path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))

        submit_file(desk.services, path)
    result = desk.at(D(2026, 11, 20)).process()
    assert [s.outcome for s in result.submissions] == ["Waiting for the QA check"] * 2
    first = desk.store.get(ALLOCATIONS, desk.allocation("DEMO-0001").id)
    assert first["status"] == AuditStage.SUBMITTED.value
    assert first["disagreement"] == "Noted by QA"
    assert desk.allocation("DEMO-0002").stage is AuditStage.SUBMITTED


def test_on_sharepoint_a_missing_setting_says_what_to_add_instead_of_mailing_example_org(desk: Desk) -> None:
    from shared.services.ports.lists import Query as ListQuery
    from shared.services.workflow.dependencies import MissingSetting

    for item in list(desk.store.query_all(ListQuery("Settings"))):
        if item.fields.get("key") == "qa_team_email":
            desk.store.update("Settings", item.id, {"value": ""}, item.etag)
    desk.services.embedded = False
    desk.services._settings_cache = None
    with pytest.raises(MissingSetting, match="add an item with Setting 'qa_team_email'"):
        sweep(Run(desk.at(D(2026, 11, 9)).services))


def test_services_built_by_hand_must_say_whether_example_org_defaults_apply(tmp_path: pathlib.Path) -> None:
    """Issue 17: ``embedded`` had a default of True, so Services built anywhere but bootstrap
    stood in example.org for every missing distribution list, on SharePoint too."""
    from shared.adapters.documents.word_reports import WordReports
    from shared.adapters.forms.office import OfficeForms
    from shared.adapters.lists.factory import provisioner_of
    from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
    from shared.adapters.lists.provision import provision
    from shared.adapters.lists.sqlite_store import SqliteListStore
    from shared.adapters.mail.outbox import OutboxMailer
    from shared.adapters.mail.sent_log import MemorySentLog
    from shared.adapters.registers.spreadsheets import SpreadsheetRegisters
    from shared.adapters.state.lease import FileLease
    from shared.adapters.state.sqlite_state import MemoryStateStore
    from shared.services.workflow.clock import Clock
    from shared.services.workflow.dependencies import MissingSetting, Services
    from shared.services.workflow.extensions import WorkflowExtensions
    from tests.workflow.conftest import DEADLINES, SCHEMA

    store = SqliteListStore(tmp_path / "home", definitions_by_title(SCHEMA))
    provision(provisioner_of(store), formatted_definitions(SCHEMA))
    parts = (SCHEMA, DEADLINES, store, OutboxMailer(tmp_path / "outbox", MemorySentLog()))
    with pytest.raises(TypeError, match="embedded"):
        Services(*parts, MemoryStateStore(), Clock(D(2026, 11, 9)))  # type: ignore[call-arg]
    services = Services(
        *parts,
        MemoryStateStore(),
        Clock(D(2026, 11, 9)),
        embedded=False,
        documents=WordReports(),
        lease=FileLease(tmp_path / "lock"),
        forms=OfficeForms(),
        registers=SpreadsheetRegisters(),
        extensions=WorkflowExtensions(),
    )
    with pytest.raises(MissingSetting, match="qa_team_email"):
        services.setting("qa_team_email")
    services.close()
