"""Acting on pending changes: what the SharePoint webhook's worker and `auditdesk process` run.

Webhooks only say that a list changed; this asks each list for its changes since the token
stored last time, hands the changed items to the workflow, and stores the new token only
after the work is done. A run that stops half-way is simply run again: every effect has a
key and is made once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.list_titles import (
    ALLOCATIONS,
    DRAFTS,
    IMPROVEMENT_ACTIONS,
    LEARNING_BULLETINS,
    SUBMISSIONS,
    TASKS,
)
from shared.core.stages import AuditStage
from shared.core.tasks import TaskStatus, TaskType
from shared.services.ports.lists import ChangeKind, ChangeTokenExpired, ListItem, Query, where
from shared.services.workflow import notices, qa
from shared.services.workflow.actions import on_action_changed
from shared.services.workflow.allocations import on_allocation_added
from shared.services.workflow.dependencies import Services
from shared.services.workflow.drafts import process_drafts
from shared.services.workflow.intake import SubmissionResult, process_submissions
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.reaudit_plan import ensure_actions
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

# The lists whose changes the service acts on, in the framework's order; each has a webhook.
# Audit Drafts come before Audit Submissions: a draft submitted for the QA check is checked in the
# same run. A draft saved without being submitted costs one look at its row, nothing more.
# Improvement Actions: an owner sets an action's status to Done or Not done (2.8).
WATCHED = (ALLOCATIONS, DRAFTS, SUBMISSIONS, TASKS, IMPROVEMENT_ACTIONS, LEARNING_BULLETINS)
_ID_CHUNK = 100


@dataclass
class ProcessResult:
    submissions: list[SubmissionResult] = field(default_factory=list)
    allocations_checked: int = 0
    qa_decisions: int = 0
    tasks_closed: int = 0
    emails_sent: int = 0
    tasks_created: int = 0
    problems: list[str] = field(default_factory=list)


def token_key(list_name: str) -> str:
    return f"change-token:{list_name}"


def process_changes(services: Services, lists: Iterable[str] = WATCHED) -> ProcessResult:
    """Everything that changed since the last run, list by list, in the framework's order.

    One unit of work: a second worker waits for the writer lease, then finds only what is new.
    """
    from shared.services.workflow.unit_of_work import recovery_done, recovery_pending, unit_of_work

    result = ProcessResult()
    with unit_of_work(services) as run:
        recovering = recovery_pending(services)
        for list_name in lists:
            token = services.state.get(token_key(list_name))
            if token is None:
                token = services.store.current_change_token(list_name)
            try:
                changes, new_token = services.store.changes_since(list_name, token)
                ids = sorted({c.item_id for c in changes if c.kind is not ChangeKind.DELETED})
            except ChangeTokenExpired:
                new_token, ids = _resync(run, list_name)
            items = _items(services, list_name, ids)
            if list_name == SUBMISSIONS:
                result.submissions.extend(process_submissions(run, items))
            elif list_name == DRAFTS:
                process_drafts(run, items)
            elif list_name == ALLOCATIONS:
                if recovering:
                    for item in items:
                        run.ensure_trail(Allocation.from_item(item))
                _allocation_changes(run, items, result)
            elif list_name == TASKS:
                _task_changes(run, items, result)
            elif list_name == IMPROVEMENT_ACTIONS:
                for item in items:
                    with run.isolated(IMPROVEMENT_ACTIONS, item.id):
                        on_action_changed(run, item)
            elif on_change := services.extensions.list_changes.get(list_name):
                # e.g. QA set a bulletin to Approved: the reports publish it (8.1)
                for item in items:
                    with run.isolated(list_name, item.id):
                        on_change(services, item)
            run.finish()
            services.state.put(token_key(list_name), new_token)
            if list_name == ALLOCATIONS and recovering:
                recovery_done(services)
        result.emails_sent, result.tasks_created = run.emails_sent, run.tasks_created
        result.problems.extend(problem.message for problem in run.set_aside)
    return result


def _resync(run: Run, list_name: str) -> tuple[str, list[int]]:
    """The stored token is older than the list's change log (SharePoint keeps about 60 days, and
    the service was off longer): every item is looked at again, which acts only on what was
    not acted on (every effect has a key), and QA hears of it once."""
    token, ids = run.services.store.resync(list_name)
    log.warning("change token expired: %d item(s) looked at again", len(ids))
    if not ids:
        return token, []
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]
    run.mail(notices.resynced(run.services.setting("qa_team_email"), list_name, len(ids), f"resync/{digest}"))
    return token, sorted(ids)


def _items(services: Services, list_name: str, ids: list[int]) -> list[ListItem]:
    items: list[ListItem] = []
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        query = Query(list_name, (where("Id", "in", chunk),), page_size=len(chunk))
        items.extend(services.store.query_all(query))
    return items


def _allocation_changes(run: Run, items: list[ListItem], result: ProcessResult) -> None:
    staff: StaffDirectory | None = None
    for item in items:
        with run.isolated(ALLOCATIONS, item.id):
            if not item.fields.get("allocated_on"):
                staff = staff or StaffDirectory.load(run.services)
                on_allocation_added(run, item, staff)
                result.allocations_checked += 1
                continue
            decision = str(item.fields.get("qa_decision") or "")
            if decision:
                _apply_qa_decision(run, Allocation.from_item(item), decision, result)
            elif item.fields.get("status") == AuditStage.ACCEPTED.value:
                # An acceptance whose run stopped after the step: its actions and an Inadequate
                # audit's re-audit are made now (2.8, 2.12), each once (keyed), and its files show
                # the stage; after a clean acceptance this finds nothing to do.
                accepted = Allocation.from_item(item)
                ensure_actions(run, accepted)
                qa.ensure_reaudit(run, accepted)
                qa.follow_stage(run, accepted)


def _apply_qa_decision(run: Run, allocation: Allocation, decision: str, result: ProcessResult) -> None:
    """QA asked for a step by choosing it on the allocation in SharePoint: take it, then clear it."""
    try:
        allocation = qa.take(run, allocation, qa.DECISIONS[decision], allocation.qa_reasons).allocation
        result.qa_decisions += 1
        problem = None
    except qa.QaRefused as refused:
        problem = str(refused)
        result.problems.append(problem)
    run.update_allocation(
        allocation, {"qa_decision": None, "qa_problem": problem}, f"QA decision '{decision}' taken"
    )


def _task_changes(run: Run, items: list[ListItem], result: ProcessResult) -> None:
    """A task someone marked Done or Cancelled in the Tasks list: the same checks as
    `auditdesk tasks done|cancel`, recorded in the trail. A Team Manager marking the discussion
    task done records the discussion (2.10); a refused change is undone and QA is told."""
    from shared.services.workflow.manage import on_task_changed

    for item in items:
        task = Task.from_item(item)
        if task.status == TaskStatus.OPEN:
            continue
        with run.isolated(TASKS, item.id):
            problem = on_task_changed(run, item)
            if problem is None:
                result.tasks_closed += (
                    task.task_type == TaskType.DISCUSSION and task.status == TaskStatus.DONE
                )
                continue
            result.problems.append(problem)
            run.set_record_aside(TASKS, item.id, problem)
