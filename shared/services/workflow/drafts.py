"""The auditor's own form, pre-filled, and drafts that are not submissions (2.2-2.5, issue 13).

When an audit is allocated, Audit Desk makes the auditor's form from the template with every
fact it already knows filled in and locked (case and child reference, team, worker, Team
Manager, auditor and role) and the period to review suggested (2.3: the last 6 months), and
puts it in the **Audit Drafts** library, where the auditor opens it and edits it in place
(Word or Excel for the web or desktop, with AutoSave). Word is the default; Excel where the
Staff register's "Preferred form" says so.

Saving a draft is not submitting it: the service never checks or emails about a draft, however
often it is saved. Submitting is deliberate:

- on SharePoint, the auditor sets the draft's **Submit for QA check** column (``submit_for_qa``,
  Yes/No) to Yes (the library's column formatting offers it as a button), or moves or uploads the
  file into Audit Submissions. The change watcher then copies the draft, as it is at that moment,
  into Audit Submissions under the same name, clears the column and records when;
- on the embedded store, ``auditdesk submit <the draft file>`` (or setting the same column).

A draft submitted again later (after a return for amendment) is a resubmission: same name, a new
version of the submission, the earlier one kept.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.core.deadlines import months_before
from shared.core.list_titles import DRAFTS, SUBMISSIONS
from shared.core.record import FieldValue
from shared.core.schema import CASE_FILE_AUDIT
from shared.services.ports.lists import ItemUpdate, ListItem, Query, where
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

WORD, EXCEL = "Word", "Excel"
FORM_PREFERENCES = (WORD, EXCEL)
# Facts the service knows from the allocation and the Staff register: filled in and locked.
LOCKED_FIELDS = (
    "case_ref",
    "child_ref",
    "team",
    "allocated_worker",
    "team_manager",
    "auditor",
    "auditor_role",
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A pre-filled form for one allocation, and where the auditor opens it."""

    name: str
    content: bytes
    link: str
    kind: str  # WORD or EXCEL


def draft_name(allocation: Allocation, kind: str) -> str:
    """'DEMO-0001 November 2026 audit.docx': the case, the month, the form."""
    case = re.sub(r"[^A-Za-z0-9-]+", "-", allocation.case_ref).strip("-") or "case"
    return f"{case} {allocation.month.label} audit.{'xlsx' if kind == EXCEL else 'docx'}"


def preferred_form(staff: StaffDirectory, auditor_email: str) -> str:
    """Word, unless the Staff register says the auditor prefers Excel."""
    member = staff.get(auditor_email)
    return EXCEL if member is not None and member.form_preference.strip().lower() == "excel" else WORD


def prefilled_values(
    services: Services, allocation: Allocation, staff: StaffDirectory, child_ref: str = ""
) -> dict[str, FieldValue]:
    """What the service already knows, by field id (2.3): nothing it does not know is guessed."""
    form = services.schema.case_file_audit
    auditor = staff.get(allocation.auditor_email)
    worker = staff.get(allocation.allocated_worker_email)
    manager = staff.get(allocation.team_manager_email)
    roles = set(services.schema.roles.auditors)
    known: dict[str, FieldValue] = {
        "case_ref": allocation.case_ref,
        "child_ref": child_ref.strip() or None,
        "team": allocation.team or None,
        "allocated_worker": worker.name if worker else allocation.allocated_worker_email or None,
        "team_manager": manager.name if manager else allocation.team_manager_email or None,
        "auditor": auditor.name if auditor else allocation.auditor_email,
        "auditor_role": auditor.role if auditor and auditor.role in roles else None,
    }
    # 2.3: the last 6 months, up to the allocation (a suggestion: the auditor sets the audit date
    # and may move the period with it, so these two are left open).
    end = services.clock.today()
    known["review_to"] = end
    known["review_from"] = months_before(end, services.schema.timescales.review_period_months)
    return {
        field_id: value
        for field_id, value in known.items()
        if value not in (None, "") and field_id in form.field_ids
    }


def make_draft(
    services: Services, allocation: Allocation, staff: StaffDirectory, child_ref: str = ""
) -> tuple[str, bytes, str, tuple[str, ...]]:
    """The pre-filled form: (file name, bytes, kind, the field ids locked)."""
    kind = preferred_form(staff, allocation.auditor_email)
    values = prefilled_values(services, allocation, staff, child_ref)
    # 2.12: a re-audit's form carries the last audit's judgements and plan, locked.
    from shared.services.workflow.reaudit_plan import last_plan_values

    last_plan = last_plan_values(services, allocation)
    values.update(last_plan)
    locked = tuple(f for f in LOCKED_FIELDS if f in values) + tuple(last_plan)
    content = services.forms.fill(CASE_FILE_AUDIT, "xlsx" if kind == EXCEL else "docx", values, locked)
    if content is None:
        raise FileNotFoundError(
            f"The {kind} case file audit template is missing: run auditdesk templates build."
        )
    return draft_name(allocation, kind), content, kind, locked


def place_draft(
    run: Run, allocation: Allocation, staff: StaffDirectory, child_ref: str = "", just_added: bool = False
) -> Draft:
    """Put the auditor's pre-filled form in the Audit Drafts library, once per allocation: a draft
    already there (the auditor may have started on it) is never overwritten. An allocation
    ``just_added`` in this run has none, so the library is not asked (one request less for
    each of a month's allocations, issue 19)."""
    services = run.services
    store = services.store
    existing = None if just_added else draft_item(services, allocation)
    if existing is not None:
        name = str(existing.fields.get("FileLeafRef") or "")
        kind = EXCEL if name.endswith(".xlsx") else WORD
        return Draft(name, store.read_file(DRAFTS, name), store.item_url(DRAFTS, file_name=name), kind)
    name, content, kind, _ = make_draft(services, allocation, staff, child_ref)
    placed = store.add_file(
        DRAFTS,
        name,
        content,
        {
            "allocation": allocation.id,
            "case_ref": allocation.case_ref,
            "audit_month": str(allocation.month),
            "auditor_email": allocation.auditor_email,
            "submit_for_qa": False,
        },
    )
    # The version Audit Desk placed: while it is unchanged, a re-audit's form may be refreshed with
    # the last plan's statuses (shared/services/workflow/reaudit_plan.py); once its auditor saves, never.
    services.state.put(placed_key(placed.id), placed.etag)
    log.info("allocation %d: pre-filled draft placed", allocation.id)
    return Draft(name, content, store.item_url(DRAFTS, file_name=name), kind)


def placed_key(draft_id: int) -> str:
    return f"draft-placed:{draft_id}"


def draft_item(services: Services, allocation: Allocation) -> ListItem | None:
    """The allocation's item in the Audit Drafts library, if it has one."""
    query = Query(DRAFTS, (where("allocation", "eq", allocation.id),), page_size=5)
    return next(iter(services.store.query_all(query)), None)


@dataclass
class DraftResult:
    item_id: int
    submitted: bool = False


def process_drafts(run: Run, items: Sequence[ListItem]) -> list[DraftResult]:
    """Changed drafts: only one whose Submit for QA check is Yes is acted on. Every other change
    (an AutoSave, an edit, a rename) is a draft being written: no download, no check, no email."""
    services = run.services
    results: list[DraftResult] = []
    for item in items:
        result = DraftResult(item.id)
        results.append(result)
        if item.fields.get("submit_for_qa") is not True:
            continue
        with run.isolated(DRAFTS, item.id):
            name = str(item.fields.get("FileLeafRef") or "")
            content = services.store.read_file(DRAFTS, name)
            digest = hashlib.sha256(content).hexdigest()
            # The submission itself: the draft as it is now, under the same name (a later
            # submission of the same draft is a resubmission, the earlier version kept).
            services.store.add_file(SUBMISSIONS, name, content)
            services.store.update_many(
                DRAFTS,
                [
                    ItemUpdate(
                        item.id,
                        {
                            "submit_for_qa": False,
                            "submitted_on": run.services.clock.now(),
                            "submitted_hash": digest,
                        },
                        None,
                    )
                ],
            )
            result.submitted = True
            log.info("draft %d submitted for the QA check", item.id)
    return results


def request_submission(services: Services, name: str) -> ListItem:
    """What the library's "Submit for QA check" button does: set the draft's column to Yes."""
    # File names are not an indexed column: the library is read in pages, as SharePoint allows.
    drafts = services.store.query_all(Query(DRAFTS, page_size=500))
    item = next((i for i in drafts if i.fields.get("FileLeafRef") == name), None)
    if item is None:
        raise LookupError(f"There is no draft named '{name}' in the {DRAFTS} library.")
    return services.store.update(DRAFTS, item.id, {"submit_for_qa": True}, None)


__all__ = [
    "DRAFTS",
    "Draft",
    "DraftResult",
    "make_draft",
    "place_draft",
    "prefilled_values",
    "process_drafts",
    "request_submission",
]
