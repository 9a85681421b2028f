"""A realistic, plainly fictional audit month (November 2026) replayed day by day.

The same function drives `make demo` (embedded store, outbox folder) and the end-to-end test
against the loopback SharePoint server with faults injected. Each day does what the people
in the framework would do that day; the service does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.excel_template import build_excel_template
from shared.adapters.forms.word import fill_word_form
from shared.adapters.forms.word_template import build_word_template
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth, months_before
from shared.core.eligibility import StaffMember
from shared.core.record import FieldValue
from shared.core.schema import CASE_FILE_AUDIT
from shared.demo import hostile_forms as hostile
from shared.demo.example_registers import example_allocations, example_staff
from shared.demo.examples import (
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
    outstanding_audit_with_weaker_domain,
)
from shared.services.workflow import allocations, qa
from shared.services.workflow.changes import ProcessResult, process_changes
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import Services
from shared.services.workflow.intake import submit_file
from shared.services.workflow.people import StaffDirectory, import_staff
from shared.services.workflow.sweep import sweep
from shared.services.workflow.unit_of_work import unit_of_work
from shared.services.workflow.workflow_run import Run

MONTH = AuditMonth(2026, 11)
D = dt.date
Say = Callable[[str], None]


@dataclass
class MonthReplay:
    """What happened, for the summary and for tests."""

    outcomes: dict[str, str] = field(default_factory=dict)  # file name -> outcome
    allocated: int = 0
    refused: list[str] = field(default_factory=list)
    reaudits: list[str] = field(default_factory=list)
    qa_refusals: list[str] = field(default_factory=list)
    actions_added: int = 0  # improvement actions made from accepted plans (2.8)


def replay_month(services: Services, uploads: Path, say: Say = print) -> MonthReplay:
    """Replay November 2026 on ``services``; filled forms are written to ``uploads``."""
    replay = MonthReplay()
    schema = services.schema
    staff = example_staff(schema)
    people = {member.email: member for member in staff}
    requests = example_allocations(staff, MONTH)
    word = build_word_template(schema.forms[CASE_FILE_AUDIT], schema)
    excel = build_excel_template(schema.forms[CASE_FILE_AUDIT], schema)
    uploads.mkdir(parents=True, exist_ok=True)

    def day(when: dt.date, what: str) -> None:
        services.clock = Clock(when)
        say(f"\n{when:%a %d %b %Y}: {what}")

    def upload(name: str, content: bytes) -> None:
        path = uploads / name
        path.write_bytes(content)
        submit_file(services, path)

    def process() -> None:
        result = process_changes(services)
        _report(result, replay, say)

    # 2 November: the Staff register is loaded and the month's cases are allocated (2.1, 2.4).
    day(D(2026, 11, 2), "QA loads the Staff register and allocates the month's audits (2.1)")
    import_staff(services, staff)
    directory = StaffDirectory.load(services)
    # An allocation the framework does not allow: the auditor manages the case (1.4).
    conflicted = AllocationRequest(
        "DEMO-0007",
        "Demo Team West",
        "casey.example@example.org",
        "riley.sample@example.org",
        "riley.sample@example.org",
        MONTH,
    )
    with unit_of_work(services) as run:
        for request in (*requests, conflicted):
            _allocate(run, request, directory, replay, say)

    # 10 November: one more case, after the first week: flagged for QA (2.1).
    day(D(2026, 11, 10), "a late allocation, after the first week (flagged, 2.1)")
    late = AllocationRequest(
        "DEMO-0008",
        "Demo Team West",
        "drew.sample@example.org",
        "riley.sample@example.org",
        "harper.example@example.org",
        MONTH,
    )
    with unit_of_work(services) as run:
        _allocate(run, late, directory, replay, say)

    forms = {r.case_ref: r for r in requests}

    def filled(
        case: str, make: Callable[[], dict[str, FieldValue]], audit_day: dt.date
    ) -> dict[str, FieldValue]:
        return _fields_for(forms[case], people, make(), audit_day)

    # 16 November: the first audits come back, in Word and in Excel (2.2).
    day(D(2026, 11, 16), "auditors return complete audits, in Word and Excel (2.2)")
    upload("DEMO-0001 audit.docx", fill_word_form(word, filled("DEMO-0001", good_audit, D(2026, 11, 13))))
    upload("DEMO-0005 audit.xlsx", fill_excel_form(excel, filled("DEMO-0005", good_audit, D(2026, 11, 13))))
    process()

    # 19 November: an Inadequate audit with an immediate safeguarding concern (2.6).
    day(D(2026, 11, 19), "an Inadequate audit raises an immediate safeguarding concern (2.6)")
    upload(
        "DEMO-0002 audit.docx",
        fill_word_form(
            word, filled("DEMO-0002", inadequate_audit_with_safeguarding_concern, D(2026, 11, 18))
        ),
    )
    process()

    # 20 November: a half-filled form, a hostile file, a stray form and a duplicate.
    day(D(2026, 11, 20), "a half-filled form, a macro-enabled file, a stray form and a duplicate upload")
    upload(
        "DEMO-0003 audit.docx", fill_word_form(word, filled("DEMO-0003", half_filled_audit, D(2026, 11, 19)))
    )
    good_word = fill_word_form(word, filled("DEMO-0006", good_audit, D(2026, 11, 19)))
    upload("DEMO-0006 audit.docm", hostile.macro_enabled(good_word))
    stray = dict(filled("DEMO-0001", good_audit, D(2026, 11, 19)), case_ref="DEMO-9999")
    upload("DEMO-9999 audit.docx", fill_word_form(word, stray))
    upload("DEMO-0001 audit (copy).docx", (uploads / "DEMO-0001 audit.docx").read_bytes())
    process()

    # 23 November: the macro-free form, and an Outstanding audit with a weaker domain (7.2).
    day(D(2026, 11, 23), "the auditor resends a clean file; an Outstanding audit is flagged for QA (7.2)")
    upload("DEMO-0006 audit.docx", good_word)
    upload(
        "DEMO-0004 audit.xlsx",
        fill_excel_form(excel, filled("DEMO-0004", outstanding_audit_with_weaker_domain, D(2026, 11, 20))),
    )
    process()

    # 24 November: the QA check (2.11), and the Inadequate case's re-audit (2.12).
    day(D(2026, 11, 24), "the QA check: accept, return with reasons (2.11); Inadequate → re-audit (2.12)")
    with unit_of_work(services) as run:
        for case in ("DEMO-0001", "DEMO-0005", "DEMO-0002"):
            _qa(run, replay, say, case, "accept")
        _qa(
            run,
            replay,
            say,
            "DEMO-0004",
            "return",
            "Overall Outstanding with domain 7 Requires Improvement: "
            "explain the judgement in the rationale, or review the grades.",
        )

    # 25 November: findings shared; the Team Managers' discussion clocks start (2.10).
    day(D(2026, 11, 25), "findings shared with Team Managers and workers (2.9, 2.10)")
    with unit_of_work(services) as run:
        for case in ("DEMO-0001", "DEMO-0005", "DEMO-0002"):
            _qa(run, replay, say, case, "share")

    # 26 November: the half-filled audit comes back complete and is accepted.
    day(D(2026, 11, 26), "the returned audit comes back complete (2.11)")
    upload("DEMO-0003 audit v2.docx", fill_word_form(word, filled("DEMO-0003", good_audit, D(2026, 11, 25))))
    process()
    with unit_of_work(services) as run:
        _qa(run, replay, say, "DEMO-0003", "accept")

    # 27 November: the daily sweep reminds those whose audits are due on Monday (2.2).
    day(D(2026, 11, 27), "the daily sweep: reminders before Monday's deadline")
    with unit_of_work(services) as run:
        result = sweep(run)
    say(f"  {result.reminders} reminder(s), {result.escalations} escalation(s)")

    # 30 November: an owner records an action done (2.8); a discussion held and recorded (2.10);
    # a disagreement recorded (2.9).
    day(D(2026, 11, 30), "an action recorded done (2.8); a discussion recorded (2.10); a disagreement (2.9)")
    with unit_of_work(services) as run:
        _record_first_action_done(run, say, "DEMO-0002")
        _qa(run, replay, say, "DEMO-0001", "discussed")
        _qa(run, replay, say, "DEMO-0005", "disagree", "The Team Manager disputes the grade for domain 6.")
        _qa(run, replay, say, "DEMO-0005", "discussed")

    # 1 December: what is overdue is escalated (2.2, 2.6, 2.11).
    day(D(2026, 12, 1), "the daily sweep: overdue audits and tasks are escalated")
    with unit_of_work(services) as run:
        result = sweep(run)
    say(f"  {result.reminders} reminder(s), {result.escalations} escalation(s)")
    return replay


def _fields_for(
    request: AllocationRequest,
    people: Mapping[str, StaffMember],
    fields: dict[str, FieldValue],
    audit_day: dt.date,
) -> dict[str, FieldValue]:
    """An example form made to match its allocation: case, people and dates."""

    def name(email: str) -> str:
        member = people.get(email)
        return member.name if member else email

    auditor = people.get(request.auditor_email)
    shift = audit_day - _as_date(fields.get("audit_date"), audit_day)
    moved = {}
    for key, value in fields.items():
        if key.endswith("_due") and value:
            moved[key] = _as_date(value, audit_day) + shift
    return {
        **fields,
        **moved,
        "case_ref": request.case_ref,
        "child_ref": f"{request.case_ref}-C",
        "team": request.team,
        "allocated_worker": name(request.allocated_worker_email),
        "team_manager": name(request.team_manager_email),
        "auditor": name(request.auditor_email),
        "auditor_role": auditor.role if auditor else "",
        "audit_date": audit_day,
        "review_from": months_before(audit_day, 6),
        "review_to": audit_day,
        "discussion_date": audit_day - dt.timedelta(days=2),
    }


def _as_date(value: FieldValue, default: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return default


def _allocate(
    run: Run, request: AllocationRequest, directory: StaffDirectory, replay: MonthReplay, say: Say
) -> None:
    result = allocations.allocate(run, request, directory)
    if result.problems:
        replay.refused.append(request.case_ref)
        say(f"  ✗ {request.case_ref} not allocated: " + " ".join(result.problems))
        return
    replay.allocated += result.created
    late = " (after the first week: flagged, 2.1)" if result.late else ""
    assert result.allocation is not None
    say(
        f"  ✓ {request.case_ref} allocated to {request.auditor_email}, due {result.allocation.due_date:%d/%m/%Y}{late}"
    )


def _qa(run: Run, replay: MonthReplay, say: Say, case: str, action: str, text: str = "") -> None:
    try:
        result = qa.take(run, qa.allocation_by_case(run, case), action, text)
    except qa.QaRefused as refused:
        replay.qa_refusals.append(str(refused))
        say(f"  ✗ {refused}")
        return
    after = result.allocation
    extra = ""
    if after.discussion_due and action == "share":
        extra = f", discussion due {after.discussion_due:%d/%m/%Y} (2.10)"
    if after.amendment_due and action == "return":
        extra = f", amendments due {after.amendment_due:%d/%m/%Y} (2.11)"
    if result.actions_added:
        replay.actions_added += result.actions_added
        extra = f", {result.actions_added} improvement action(s) to follow through (2.8)"
    say(f"  ✓ {case}: {action} → {after.stage.value}{extra}")
    if result.reaudit and result.reaudit.allocation:
        re = result.reaudit.allocation
        replay.reaudits.append(re.case_ref)
        say(f"    → re-audit by {re.auditor_email} in {re.month.label}, due {re.due_date:%d/%m/%Y} (2.12)")


def _record_first_action_done(run: Run, say: Say, case: str) -> None:
    """What an owner does by setting the action's status to Done in the Improvement Actions list."""
    from shared.core.actions import ActionStatus
    from shared.services.workflow.actions import actions_of, record_outcome

    allocation = qa.allocation_by_case(run, case)
    first = next(iter(actions_of(run.services, allocation.id)), None)
    if first is None:
        return
    done = record_outcome(run, first, ActionStatus.DONE, "Visit made; the child's own words recorded.")
    late = " (late)" if first.due and done.done_on and done.done_on > first.due else ""
    say(f"  ✓ {case}: improvement action {first.row} recorded done{late}; its reminders stop (2.8)")


def _report(result: ProcessResult, replay: MonthReplay, say: Say) -> None:
    for submission in result.submissions:
        replay.outcomes[submission.file_name] = submission.outcome
        say(f"  {submission.file_name}: {submission.outcome} ({submission.reason})")
    for problem in result.problems:
        say(f"  ✗ {problem}")
