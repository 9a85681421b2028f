"""Returned audits (2.2, 2.3, 2.6, 2.11): match each to its allocation, read and check it, and act.

Every file put in the Audit Submissions library ends in one of three outcomes, written back
on its list item: waiting for the QA check, returned to the auditor with every finding, or
quarantined with a reason QA can read (unreadable or hostile file, no matching allocation,
a duplicate). A ticked immediate-safeguarding concern alerts the Team Manager at once,
whatever else is wrong with the form (2.6).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shared.core.actions import Person, owner_findings
from shared.core.findings import Finding
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS
from shared.core.record import read_checkbox, text_of
from shared.core.schema import CASE_FILE_AUDIT
from shared.core.stages import AuditEvent, AuditStage, SubmissionOutcome
from shared.core.tasks import TaskType
from shared.core.validation import AuditCheck, check_audit
from shared.services.ports.forms import ANSWER_BOXES_LOST, FormOutcome, FormStatus
from shared.services.ports.lists import (
    BatchConflict,
    FieldValue,
    FileNotFoundInLibrary,
    FileTooLarge,
    ItemUpdate,
    ListItem,
    ListStore,
    Query,
    where,
)
from shared.services.ports.mail import Delivery, OutgoingMessage
from shared.services.workflow import notices
from shared.services.workflow.actions import plan_text, staff_people
from shared.services.workflow.dependencies import MissingSetting, Services
from shared.services.workflow.extensions import FormRecorded
from shared.services.workflow.lists import Allocation
from shared.services.workflow.qa import amendment_task
from shared.services.workflow.reaudit_plan import reaudit_answers
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

OPEN_STAGES = (AuditStage.ALLOCATED, AuditStage.RETURNED_FOR_AMENDMENT)
WAITING_STAGES = (AuditStage.SUBMITTED, AuditStage.RESUBMITTED)
_IN_CHUNK = 50
_READERS = 4  # files downloaded at once: SharePoint throttles a client that asks for many more
_CHUNK = 100  # files checked and written back together: one SharePoint batch of write-backs


@dataclass
class SubmissionResult:
    """What happened to one file. ``outcome`` is one of the three outcomes, or '' when the file
    had already been dealt with (a repeated notification)."""

    item_id: int
    file_name: str
    outcome: str = ""
    reason: str = ""
    allocation_id: int | None = None
    findings: tuple[Finding, ...] = ()
    safeguarding_alert: bool = False


@dataclass
class _Work:
    item: ListItem
    name: str
    content: bytes
    digest: str
    result: SubmissionResult
    form: FormOutcome | None = None
    update: dict[str, FieldValue] = field(default_factory=dict)


def submit_file(services: Services, path: Path) -> ListItem:
    """Put a filled form in the Audit Submissions library, as an auditor's upload does.

    The same file name again replaces the file (a resubmission), as SharePoint does. A file far
    bigger than any form is refused here, from its size, before it is read into memory."""
    size = path.stat().st_size
    limit = services.forms.max_file_bytes
    if size > limit:
        raise FileTooLarge(SUBMISSIONS, path.name, size, limit)
    content = path.read_bytes()
    return services.store.add_file(SUBMISSIONS, path.name, content)


def _read_files(
    store: ListStore, names: list[str], max_bytes: int
) -> list[bytes | FileNotFoundInLibrary | FileTooLarge]:
    """Every file, a few at a time: on SharePoint each is a round trip the service only waits
    for (500 in a row were a third of a month's processing, issue 19). The size is checked
    before a file is read: a 200 MB upload never fills memory. In the order given."""

    def read(name: str) -> bytes | FileNotFoundInLibrary | FileTooLarge:
        try:
            return store.read_file(SUBMISSIONS, name, max_bytes=max_bytes)
        except (FileNotFoundInLibrary, FileTooLarge) as refused:
            return refused

    if len(names) < 2:
        return [read(name) for name in names]
    with ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="submission-read") as pool:
        return list(pool.map(read, names))


def process_submissions(run: Run, items: Sequence[ListItem]) -> list[SubmissionResult]:
    """Deal with changed items of the Audit Submissions library, in batches (2.2, 2.3, 2.6, 2.11).

    The files are checked and written back :data:`_CHUNK` at a time, each chunk exactly as a
    batch of its own: its allocations moved on, then its tasks and trail entries, then its
    write-back. Meanwhile one thread reads the next chunk's forms, which touches nothing but the
    bytes: the service's waits for SharePoint (or SQLite's disk) are spent reading (issue 19)."""
    services = run.services
    work = _downloaded(run, items)
    if not work:
        return []
    # Files already received (by content), and the batch's own as each is dealt with.
    duplicates = _processed_hashes(run, [w.digest for w in work])
    people: list[Person] | None = None
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="form-read")
    try:
        readings = [
            None if unit.result.outcome else reader.submit(_read_form, services, unit) for unit in work
        ]
        for start in range(0, len(work), _CHUNK):
            chunk = work[start : start + _CHUNK]
            for unit, reading in zip(chunk, readings[start : start + _CHUNK], strict=True):
                if reading is None:
                    continue  # refused from its size
                # Each form read once, its failure met inside the guard: that file is set aside alone.
                with run.isolated(SUBMISSIONS, unit.item.id, on_problem=_quarantine_of(run, unit)):
                    unit.form = reading.result()
            left = [unit for unit in chunk if not unit.result.outcome]
            # The plan's owners are people in the Staff register (2.8): read once, and only when
            # a form is left to check (no request for a batch that was all set aside).
            if people is None and left:
                people = list(staff_people(services))
            allocations = _allocations_for(run, left)
            for unit in left:
                with run.isolated(SUBMISSIONS, unit.item.id, on_problem=_quarantine_of(run, unit)):
                    _process_one(run, unit, duplicates, allocations, people or [])
                duplicates.setdefault(unit.digest, unit.item.id)
            # Every allocation moved on in one batched write, then tasks and trail entries,
            # before the write-back: a crash before the write-back redoes nothing twice.
            run.finish()
            _write_back(run, chunk)
    finally:
        # A failure of the service stops the run at once: the forms not yet read are not waited for.
        reader.shutdown(wait=True, cancel_futures=True)
    return [unit.result for unit in work]


def _downloaded(run: Run, items: Sequence[ListItem]) -> list[_Work]:
    """The files to deal with, downloaded: our own write-back, a notification for a change
    already dealt with, a file gone or one already processed is left out; one too big to read
    is quarantined from its size."""
    services = run.services
    work: list[_Work] = []
    fresh = [i for i in items if services.state.get(f"submission-seen:{i.id}") != i.etag]
    names = [str(item.fields.get("FileLeafRef") or "") for item in fresh]
    for item, name, read in zip(
        fresh, names, _read_files(services.store, names, services.forms.max_file_bytes), strict=True
    ):
        result = SubmissionResult(item.id, name)
        if isinstance(read, FileNotFoundInLibrary):
            log.info("submission %d: its file was removed before it was read", item.id)
            continue
        if isinstance(read, FileTooLarge):
            unread = hashlib.sha256(f"unread:{item.id}:{item.etag}".encode()).hexdigest()
            unit = _Work(item, name, b"", unread, result)
            work.append(unit)
            _quarantine(run, unit, str(read))
            continue
        content = read
        digest = hashlib.sha256(content).hexdigest()
        if item.fields.get("processed_hash") == digest:
            services.state.put(f"submission-seen:{item.id}", item.etag)
            continue
        work.append(_Work(item, name, content, digest, result))
    return work


def _read_form(services: Services, unit: _Work) -> FormOutcome:
    """One form read and checked for itself (no store, no state): safe on the reading thread."""
    return services.forms.read(
        unit.content, unit.name, services.schema, services.deadlines, core_checks=False
    )


def _process_one(
    run: Run,
    unit: _Work,
    duplicates: dict[str, int],
    allocations: Mapping[str, list[Allocation]],
    people: Sequence[Person],
) -> None:
    services = run.services
    earlier = duplicates.get(unit.digest)
    if earlier is not None and earlier != unit.item.id:
        _quarantine(
            run,
            unit,
            f"This file is identical to submission {earlier}, which was already received. "
            "If it was uploaded twice by mistake, delete this copy.",
            concern_already_raised=True,
        )
        return
    form = unit.form
    if form is None:
        return
    if form.status is FormStatus.REJECTED:
        reason = form.rejection.message if form.rejection else "The file could not be read."
        _quarantine(run, unit, reason)
        return
    # A programme form (4-6) or a moderator's (7.2) is recorded on its own list.
    returned = run.services.extensions.returned_forms.get(str(form.template_id))
    if returned is not None:
        _file_recorded(run, unit, returned.outcome, returned.record(run, form, unit.name, unit.content))
        return
    if form.template_id != CASE_FILE_AUDIT:
        _quarantine(
            run,
            unit,
            f"This is a {form.template_id} form, not a case file audit. Case file audits only go in "
            "this library; move the file to where that form belongs.",
        )
        return
    case_ref = text_of(form.fields.get("case_ref")).upper()
    candidates = allocations.get(case_ref, [])
    allocation = _match(candidates, unit.digest)
    if allocation is None:
        lost = _lost_boxes(form.findings)
        if lost is not None and not case_ref:
            reason = lost.message
        elif not case_ref:
            reason = "The form has no case reference, so it cannot be matched to an allocation. Fill in the case reference and upload it again."
        elif candidates:
            stages = ", ".join(sorted({f"{a.month.label}: {a.stage.value}" for a in candidates}))
            reason = (
                f"Case {case_ref} is not waiting for an audit ({stages}). If this is a corrected "
                "version, ask QA to return the audit for amendment first."
            )
        else:
            reason = f"There is no allocation for case {case_ref}. Check the case reference, or ask QA to allocate it."
        _quarantine(run, unit, reason)
        return

    # The core's checks, once, with the allocation's month; the reader's own findings (a copied
    # or lost answer box) go with them: the auditor fixes both.
    core = check_audit(form.fields, services.schema, services.deadlines, allocation.month)
    owners = tuple(owner_findings(core.record.actions, people))
    check = AuditCheck(core.record, _errors_first(form.findings + core.findings + owners))
    lost = _lost_boxes(form.findings)
    if lost is not None:
        # One message, not a "must fix" line for every answer plainly on the page.
        check = AuditCheck(core.record, (lost,))
    unit.result.allocation_id = allocation.id
    unit.result.findings = check.findings
    _raise_safeguarding(run, allocation, check)
    # A run that stopped half-way already moved the allocation on with this very file.
    already_applied = (
        allocation.last_submission_hash == unit.digest and allocation.stage is not AuditStage.ALLOCATED
    )
    if not already_applied:
        allocation = run.plan_step(
            allocation,
            AuditEvent.SUBMIT,
            {
                "submitted_on": run.today,
                "overall_grade": check.record.overall_grade.value if check.record.overall_grade else None,
                "last_submission_hash": unit.digest,
                "submission_name": unit.name,
                "safeguarding_raised": allocation.safeguarding_raised
                or bool(check.record.safeguarding_concern),
            },
        )
    if allocation.stage is AuditStage.RESUBMITTED:
        run.complete_tasks(allocation.id, TaskType.AMENDMENT)
    _link_earlier_version(run, unit, allocation)
    if check.errors:
        allocation = _return_at_once(run, allocation, check, unit)
    else:
        unit.result.outcome, unit.result.reason = (
            SubmissionOutcome.WAITING_FOR_QA,
            f"{len(check.warnings)} flag(s) for the QA check",
        )
        run.mail(
            notices.waiting_for_qa(
                allocation,
                check.warnings,
                services.setting("qa_team_email"),
                f"qa-check/{allocation.key}/{unit.digest[:16]}",
            )
        )
    unit.update = _metadata(check, allocation, unit)
    unit.update["improvement_plan"] = plan_text(check.record, people)
    if allocation.is_reaudit:  # 2.12: what the Senior Manager found for each action of the last plan
        rows = services.schema.case_file_audit.previous_plan_rows
        unit.update["reaudit_findings"] = reaudit_answers(form.fields, rows)


def _link_earlier_version(run: Run, unit: _Work, allocation: Allocation) -> None:
    """A file saved over under the same name is a resubmission; the version it replaced is kept
    (SharePoint's version history, the kept copy on the embedded store) and linked from the trail."""
    earlier_hash = unit.item.fields.get("processed_hash")
    if not earlier_hash or earlier_hash == unit.digest:
        return
    version = run.services.state.get(f"submission-seen:{unit.item.id}") or "earlier"
    link = run.services.store.earlier_version_link(SUBMISSIONS, unit.name, version)
    run.trail(
        f"earlier-version/{unit.item.id}/{unit.digest[:16]}",
        f"Resubmitted under the same file name: the earlier version is kept at {link}",
        SUBMISSIONS,
        unit.item.id,
        {"content_hash": earlier_hash},
        {"content_hash": unit.digest, "allocation": allocation.id},
    )


def _file_recorded(run: Run, unit: _Work, outcome: str, recorded: FormRecorded) -> None:
    """A returned form recorded against its own list (a schedule item, a moderation): filed with
    that outcome, or quarantined with the reason it could not be recorded."""
    if not recorded.recorded:
        _quarantine(run, unit, recorded.reason)
        return
    unit.result.outcome, unit.result.reason = outcome, recorded.reason
    unit.update = {"outcome": outcome, "outcome_reason": recorded.reason, "team": recorded.team or None}


def _return_at_once(run: Run, allocation: Allocation, check: AuditCheck, unit: _Work) -> Allocation:
    """Errors send the form straight back to the auditor with every finding (2.11)."""
    due = run.services.deadlines.amendment_due_date(run.today)
    if allocation.stage in WAITING_STAGES:
        allocation = run.plan_step(
            allocation,
            AuditEvent.RETURN_FOR_AMENDMENT,
            {
                "returned_on": run.today,
                "amendment_due": due,
                "times_returned": allocation.times_returned + 1,
                "qa_reasons": notices.findings_text(check.errors),
            },
        )
    key = f"returned/{allocation.key}/{unit.digest[:16]}"
    run.mail(
        notices.returned_to_auditor(
            allocation, check.findings, due, by_qa=False, key=key, timescales=run.services.schema.timescales
        )
    )
    amendment_task(run, allocation, unit.digest[:16], due, notices.findings_text(check.errors))
    unit.result.outcome = SubmissionOutcome.RETURNED
    unit.result.reason = f"{len(check.errors)} error(s) to fix"
    return allocation


def _raise_safeguarding(run: Run, allocation: Allocation, check: AuditCheck) -> None:
    """2.6: alert the Team Manager now and set a same-day task, whatever else is wrong."""
    if not check.record.safeguarding_concern:
        return
    due = run.services.deadlines.safeguarding_action_due_date(run.today)
    qa_team = run.services.setting("qa_team_email")
    run.mail(notices.safeguarding_alert(allocation, due, bool(check.record.safeguarding_details), qa_team))
    run.task(
        f"safeguarding/{allocation.key}",
        TaskType.SAFEGUARDING,
        f"Immediate safeguarding concern from the audit of {allocation.case_ref}: record corrective "
        "action on Liquidlogic under Management Oversight",
        allocation.team_manager_email,
        due,
        "2.6",
        allocation.id,
        team=allocation.team,
    )


def _quarantine_of(run: Run, unit: _Work) -> Callable[[str], None]:
    def quarantine(reason: str) -> None:
        _quarantine(
            run,
            unit,
            f"{reason} (submission {unit.item.id}; the file is kept.)",
        )

    return quarantine


def _lost_boxes(findings: Sequence[Finding]) -> Finding | None:
    return next((f for f in findings if f.code == ANSWER_BOXES_LOST), None)


def _quarantine(run: Run, unit: _Work, reason: str, concern_already_raised: bool = False) -> None:
    unit.result.outcome, unit.result.reason = SubmissionOutcome.QUARANTINED, reason
    unit.update = {"outcome": SubmissionOutcome.QUARANTINED, "outcome_reason": reason}
    if (
        not concern_already_raised
        and unit.form is not None
        and read_checkbox(unit.form.fields.get("safeguarding_concern"))
    ):
        _stranded_safeguarding(run, unit, reason)
    run.mail(
        notices.quarantined(
            unit.name,
            reason,
            run.services.setting("qa_team_email"),
            f"quarantine/{unit.item.id}/{unit.digest[:16]}",
        )
    )
    log.info("submission %d quarantined", unit.item.id)


def _stranded_safeguarding(run: Run, unit: _Work, reason: str) -> None:
    """2.6: a ticked concern on a form that cannot be matched still goes out at once, to QA and
    the safeguarding contact, at least once, saying a person must match it by hand."""
    services = run.services
    qa_team = services.setting("qa_team_email")
    try:
        contact: str | None = services.setting("safeguarding_contact_email")
    except MissingSetting:
        contact = None
    fields = unit.form.fields if unit.form is not None else {}
    said = [
        f"{label}: {text_of(fields.get(field_id))}"
        for field_id, label in (
            ("case_ref", "Case reference as typed"),
            ("child_ref", "Child reference as typed"),
            ("team", "Team"),
            ("allocated_worker", "Allocated worker"),
            ("team_manager", "Team Manager"),
            ("auditor", "Auditor"),
        )
        if text_of(fields.get(field_id))
    ]
    details = (
        "given on the form"
        if text_of(fields.get("safeguarding_details"))
        else "NOT given on the form: contact the auditor today"
    )
    unit.result.safeguarding_alert = True
    run.mail(
        OutgoingMessage(
            to=tuple(dict.fromkeys(a for a in (contact, qa_team) if a)),
            subject="IMMEDIATE: safeguarding concern on an audit form that could not be matched",
            text_body=(
                f"The audit form '{unit.name}' in the Audit Submissions library has the immediate "
                "safeguarding concern ticked (2.6), but Audit Desk could not match it to an allocation, "
                "so no Team Manager has been told.\n\n"
                "A PERSON MUST MATCH IT BY HAND TODAY: find the case, tell its Team Manager now, and make "
                "sure corrective action is recorded on Liquidlogic under Management Oversight.\n\n"
                f"Why it could not be matched: {reason}\n\n"
                + ("What the form says:\n" + "\n".join(f"- {line}" for line in said) + "\n\n" if said else "")
                + f"The auditor's details of the concern are {details}.\n\n"
                + (
                    ""
                    if contact
                    else "The Settings list has no 'safeguarding_contact_email': add it so the "
                    "safeguarding contact is told as well as QA.\n\n"
                )
                + "The file is kept, marked Quarantined."
                + notices.SIGN_OFF
            ),
            idempotency_key=f"safeguarding-unmatched/{unit.item.id}/{unit.digest[:16]}",
            delivery=Delivery.AT_LEAST_ONCE,  # 2.6: never lost (shared/services/ports/mail.py)
        )
    )
    log.warning(
        "submission %d: safeguarding concern on an unmatched form sent for matching by hand", unit.item.id
    )


def _metadata(check: AuditCheck, allocation: Allocation, unit: _Work) -> dict[str, FieldValue]:
    record = check.record
    fields: dict[str, FieldValue] = {
        "outcome": unit.result.outcome,
        "outcome_reason": unit.result.reason,
        "findings_text": notices.findings_text(check.findings),
        "findings_count": len(check.findings),
        "allocation": allocation.id,
        "status": allocation.stage.value,
        "auditor_email": allocation.auditor_email,
        "case_ref": allocation.case_ref,
        "team": record.team or allocation.team,
        "audit_date": record.audit_date,
        "overall_grade": record.overall_grade.value if record.overall_grade else None,
        "safeguarding_concern": bool(record.safeguarding_concern),
        "template_version": unit.form.template_version if unit.form else None,
    }
    highlighted = [record.good_practice_summary] + [
        f"{j.domain.name}: {j.good_practice}" for j in record.domains if j.good_practice
    ]
    fields["good_practice"] = "\n".join(h for h in highlighted if h) or None
    for judgement in record.domains:
        value: str | None = None
        if judgement.grade is not None:
            value = judgement.grade.value
        elif judgement.not_applicable:
            value = "Not applicable"
        fields[f"{judgement.domain.id}_grade"] = value
    if not any(f.code == "auditor-role-unknown" for f in check.findings) and record.auditor_role:
        fields["auditor_role"] = record.auditor_role
    return fields


def _write_back(run: Run, work: list[_Work]) -> None:
    store = run.services.store
    now = run.services.clock.now()
    updates = [
        ItemUpdate(
            unit.item.id,
            {**unit.update, "content_hash": unit.digest, "processed_hash": unit.digest, "checked_on": now},
            unit.item.etag,
        )
        for unit in work
    ]
    try:
        written = store.update_many(SUBMISSIONS, updates)
    except BatchConflict as conflict:
        # Someone edited an item's metadata meanwhile: the outcome still has to be written.
        written = list(conflict.written)
        for stale in conflict.conflicts:
            fields = next(u.fields for u in updates if u.item_id == stale.item_id)
            written.append(store.update(SUBMISSIONS, stale.item_id, fields, None))
    run.services.state.put_many({f"submission-seen:{item.id}": item.etag for item in written})


def _processed_hashes(run: Run, digests: list[str]) -> dict[str, int]:
    """Files already received (by content): a second upload of the same file is a duplicate."""
    found: dict[str, int] = {}
    for start in range(0, len(digests), _IN_CHUNK):
        chunk = sorted(set(digests[start : start + _IN_CHUNK]))
        query = Query(SUBMISSIONS, (where("content_hash", "in", chunk),), page_size=500)
        for item in run.services.store.query_all(query):
            digest = item.fields.get("content_hash")
            if isinstance(digest, str):
                found.setdefault(digest, item.id)
    return found


def _allocations_for(run: Run, work: list[_Work]) -> dict[str, list[Allocation]]:
    """The allocations of every case in the batch, in one query per 50 cases."""
    refs = set()
    for unit in work:
        if unit.form is None:
            continue
        ref = text_of(unit.form.fields.get("case_ref")).upper()
        if ref:
            refs.add(ref)
    by_case: dict[str, list[Allocation]] = {}
    ordered = sorted(refs)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        query = Query(ALLOCATIONS, (where("case_ref", "in", chunk),), page_size=500)
        for item in run.services.store.query_all(query):
            allocation = Allocation.from_item(item)
            by_case.setdefault(allocation.case_ref, []).append(allocation)
    return by_case


def _match(candidates: list[Allocation], digest: str) -> Allocation | None:
    """The open allocation of the case (the latest month first); or the one this very file
    already moved on (a run that stopped half-way)."""
    ordered = sorted(candidates, key=lambda a: a.month, reverse=True)
    for allocation in ordered:
        if allocation.stage in OPEN_STAGES and allocation.last_submission_hash != digest:
            return allocation
    for allocation in ordered:
        if allocation.last_submission_hash == digest:
            return allocation
    return None


def _errors_first(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: not f.is_error))


__all__ = ["SubmissionResult", "process_submissions", "submit_file"]
