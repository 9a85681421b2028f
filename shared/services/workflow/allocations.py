"""Allocation of case file audits (2.1, 2.4) and re-audits of Inadequate cases (2.12)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from shared.core.allocation import AllocationRequest, is_allocated_late, reasons_request_is_incomplete
from shared.core.deadlines import AuditMonth
from shared.core.eligibility import CaseHolders, StaffMember, reasons_auditor_is_not_eligible
from shared.core.grades import Grade
from shared.core.list_titles import ALLOCATIONS
from shared.core.stages import AuditStage
from shared.core.tasks import TaskType
from shared.services.ports.lists import FieldValue, ListItem, Query, where
from shared.services.workflow import notices
from shared.services.workflow.lists import Allocation
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)


@dataclass
class AllocationResult:
    request: AllocationRequest
    allocation: Allocation | None = None
    created: bool = False
    late: bool = False
    problems: list[str] = field(default_factory=list)


def find_allocation(run: Run, case_ref: str, month: AuditMonth) -> Allocation | None:
    query = Query(
        ALLOCATIONS,
        (where("case_ref", "eq", case_ref.strip().upper()), where("audit_month", "eq", str(month))),
    )
    for item in run.services.store.query_all(query):
        return Allocation.from_item(item)
    return None


def allocations_of_case(run: Run, case_ref: str, month: str | None = None) -> list[Allocation]:
    """Every allocation of a case (only the given month's, ``YYYY-MM``, when one is given)."""
    filters = [where("case_ref", "eq", case_ref.strip().upper())]
    if month:
        filters.append(where("audit_month", "eq", month))
    items = run.services.store.query_all(Query(ALLOCATIONS, tuple(filters)))
    return [Allocation.from_item(item) for item in items]


def no_allocation(case_ref: str, month: str | None = None) -> str:
    """What QA is told when a case reference names no allocation."""
    return f"There is no allocation for case {case_ref.strip().upper()}" + (f" in {month}." if month else ".")


def allocate(
    run: Run,
    request: AllocationRequest,
    staff: StaffDirectory,
    who: str | None = None,
    previous: Allocation | None = None,
) -> AllocationResult:
    """Allocate one audit: check who may audit (1.4, 2.12), set the due date (2.2), tell the
    auditor and the allocated worker (2.4). Allocating the same case and month again changes
    nothing."""
    result = AllocationResult(request)
    # Refuse before writing anything: a refused allocation leaves no trace to trip over later.
    result.problems = reasons_request_is_incomplete(request)
    if result.problems:
        return result
    existing = find_allocation(run, request.case_ref, request.month)
    if existing is not None:
        result.allocation = existing
        if existing.stage is AuditStage.ALLOCATED and not existing.eligibility_problems:
            # A run that stopped after adding it: finish what it started (each effect once).
            run.ensure_trail(existing)
            notify_allocation(run, existing, previous, staff)
        return result
    result.problems = _eligibility_problems(run, request, staff, is_reaudit=previous is not None)
    if result.problems:
        return result
    deadlines = run.services.deadlines
    today = run.today
    result.late = previous is None and is_allocated_late(today, request.month, deadlines)
    fields: dict[str, FieldValue] = {
        "Title": f"{request.case_ref.strip().upper()} {request.month}",
        "allocation_key": request.key,
        "case_ref": request.case_ref.strip().upper(),
        "audit_month": str(request.month),
        "auditor_email": request.auditor_email.lower(),
        "allocated_worker_email": request.allocated_worker_email.lower(),
        "team_manager_email": request.team_manager_email.lower(),
        "team": request.team,
        "status": AuditStage.ALLOCATED.value,
        "due_date": deadlines.audit_due_date(request.month),
        "allocated_on": today,
        "late_allocation": result.late,
        "is_reaudit": previous is not None,
        "chain_month": (previous.chain_month + 1) if previous else 0,
    }
    if previous is not None:
        fields["previous_allocation"] = previous.id
        fields["previous_grade"] = Grade.INADEQUATE.value
    fields.update(run.first_step_fields(f"{request.key}:allocated", "allocated", fields, who))
    item = run.services.store.add(ALLOCATIONS, fields)
    allocation = Allocation.from_item(item)
    run.ensure_trail(allocation)
    notify_allocation(run, allocation, previous, staff, just_added=True)
    result.allocation, result.created = allocation, True
    log.info("allocation %d created (re-audit: %s, late: %s)", item.id, previous is not None, result.late)
    return result


def notify_allocation(
    run: Run,
    allocation: Allocation,
    previous: Allocation | None = None,
    staff: StaffDirectory | None = None,
    child_ref: str = "",
    just_added: bool = False,
) -> None:
    """2.4: the auditor's own pre-filled form goes in Audit Drafts and the auditor is sent its link,
    with who to contact (2.4, 2.5) and, for a re-audit, the previous audit; the allocated worker
    and Team Manager are told. ``just_added``: the allocation was added in this run, so no draft
    can name it yet and the library is not asked."""
    from shared.services.workflow.drafts import place_draft

    staff = staff or StaffDirectory.load(run.services)
    draft = place_draft(run, allocation, staff, child_ref, just_added=just_added)
    worker, manager = staff.get(allocation.allocated_worker_email), staff.get(allocation.team_manager_email)
    attachments = _previous_audit(run, previous)
    run.mail(
        notices.allocation_to_auditor(
            allocation,
            attachments,
            reaudit=previous is not None,
            timescales=run.services.schema.timescales,
            draft_link=draft.link,
            worker_name=worker.name if worker else "",
            manager_name=manager.name if manager else "",
        )
    )
    if allocation.allocated_worker_email:
        run.mail(notices.allocation_to_worker(allocation))
    if previous is not None:
        run.mail(notices.reaudit_allocated(allocation, previous))
        run.task(
            f"reaudit/{allocation.key}",
            TaskType.REAUDIT,
            f"Re-audit the Inadequate case {allocation.case_ref} ({allocation.month.label})",
            allocation.auditor_email,
            allocation.due_date or run.services.deadlines.audit_due_date(allocation.month),
            "2.12",
            allocation.id,
            f"Month {allocation.chain_month} of the re-audit chain.",
            team=allocation.team,
        )


def _previous_audit(run: Run, previous: Allocation | None) -> tuple[tuple[str, bytes], ...]:
    """A re-audit (2.12) carries the audit it follows: the form as last submitted."""
    if previous is None:
        return ()
    from shared.core.list_titles import SUBMISSIONS
    from shared.services.ports.lists import FileNotFoundInLibrary, ItemNotFound

    store = run.services.store
    try:
        name = str(store.get(ALLOCATIONS, previous.id).fields.get("submission_name") or "")
        return ((f"previous audit - {name}", store.read_file(SUBMISSIONS, name)),) if name else ()
    except (ItemNotFound, FileNotFoundInLibrary):
        return ()


def on_allocation_added(run: Run, item: ListItem, staff: StaffDirectory) -> None:
    """QA added an allocation straight into the list: check it, complete it and notify (2.1, 2.4)."""
    fields = item.fields
    if fields.get("allocated_on"):
        return  # made by Audit Desk, already complete
    allocation = Allocation.from_item(item)
    request = AllocationRequest(
        allocation.case_ref,
        allocation.team,
        allocation.allocated_worker_email,
        allocation.team_manager_email,
        allocation.auditor_email,
        allocation.month,
    )
    problems = reasons_request_is_incomplete(request) or _eligibility_problems(
        run, request, staff, allocation.is_reaudit
    )
    deadlines = run.services.deadlines
    update: dict[str, FieldValue] = {
        "allocation_key": request.key,
        "case_ref": request.case_ref.strip().upper(),
        "due_date": deadlines.audit_due_date(request.month),
        "allocated_on": run.today,
        "late_allocation": is_allocated_late(run.today, request.month, deadlines),
        "status": AuditStage.ALLOCATED.value,
        "eligibility_problems": "\n".join(problems) or None,
    }
    allocation = run.update_allocation(allocation, update, "allocation completed")
    if problems:
        log.info("allocation %d refused: %d eligibility problem(s)", item.id, len(problems))
        run.mail(
            notices.allocation_refused(
                run.services.setting("qa_team_email"),
                allocation,
                problems,
                f"allocation-refused/{request.key}/{allocation.auditor_email}",
            )
        )
        return
    notify_allocation(run, allocation, staff=staff, child_ref=str(fields.get("child_ref") or ""))


def _eligibility_problems(
    run: Run, request: AllocationRequest, staff: StaffDirectory, is_reaudit: bool
) -> list[str]:
    auditor = staff.get(request.auditor_email)
    if auditor is None:
        return [f"{request.auditor_email} is not in the Staff register: add them, or choose another auditor."]
    holders = CaseHolders(request.allocated_worker_email, request.team_manager_email)
    return reasons_auditor_is_not_eligible(auditor, holders, run.services.schema, is_reaudit)


def least_loaded_senior_manager(
    run: Run, staff: StaffDirectory, month: AuditMonth, case: CaseHolders
) -> StaffMember | None:
    """2.12: the Senior Manager with the fewest audits that month who may audit this case."""
    schema = run.services.schema
    candidates = [
        member
        for member in staff.senior_managers(run.services)
        if not reasons_auditor_is_not_eligible(member, case, schema, is_reaudit=True)
    ]
    if not candidates:
        return None
    load = Counter(
        str(item.fields.get("auditor_email") or "").lower()
        for item in run.services.store.query_all(
            Query(ALLOCATIONS, (where("audit_month", "eq", str(month)),), page_size=500)
        )
    )
    return min(candidates, key=lambda member: (load[member.email], member.email))


def allocate_reaudit(
    run: Run, previous: Allocation, staff: StaffDirectory, auditor_email: str | None = None
) -> AllocationResult:
    """2.12: an Inadequate case is re-audited the following month by a Senior Manager, linked to
    the previous audit; the chain goes on until the judgement improves."""
    month = run.services.deadlines.reaudit_month(previous.month)
    case = CaseHolders(previous.allocated_worker_email, previous.team_manager_email)
    if auditor_email is None:
        chosen = least_loaded_senior_manager(run, staff, month, case)
        if chosen is None:
            request = AllocationRequest(
                previous.case_ref,
                previous.team,
                previous.allocated_worker_email,
                previous.team_manager_email,
                "",
                month,
            )
            return AllocationResult(
                request, problems=["No Senior Manager in the Staff register may re-audit this case (2.12)."]
            )
        auditor_email = chosen.email
    request = AllocationRequest(
        previous.case_ref,
        previous.team,
        previous.allocated_worker_email,
        previous.team_manager_email,
        auditor_email,
        month,
    )
    return allocate(run, request, staff, previous=previous)
