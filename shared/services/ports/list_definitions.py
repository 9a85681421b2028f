"""The lists and libraries, defined as code: columns, indexes and the views a QA officer wants.

They are the framework's lists, what the services read and write and every list store keeps;
how SharePoint shows them (JSON formatting) is the adapters' (``shared/adapters/lists/formatted.py``).

Column internal names follow the audit schema's field ids (``case_ref``, ``overall_grade``,
``d1_grade`` ...), so a value keeps one name in the Word form, the Excel return and the list.
Columns the workflow adds use the same snake_case style. Titles are the framework's words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum

from shared.core.actions import ACTION_STATUSES, REAUDIT_ANSWERS, ActionStatus
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.list_titles import (
    ALLOCATIONS,
    BULLETIN_EXCERPTS,
    CASE_DISCUSSIONS,
    DRAFTS,
    IMPROVEMENT_ACTIONS,
    LEARNING_BULLETINS,
    MODERATION,
    OBSERVATIONS,
    REPORTS_LIBRARY,
    SETTINGS,
    STAFF,
    SUBMISSIONS,
    SUPERVISION_AUDITS,
    TASKS,
    THEMATIC_AUDITS,
    TRAIL,
)
from shared.core.schema import AuditSchema, FieldSpec
from shared.core.stages import WITH_AUDITOR, AuditStage, ModerationStatus, QADecision, SubmissionOutcome
from shared.core.tasks import TaskStatus, TaskType
from shared.services.ports.lists import Filter, Op, OrderBy, UnknownList


class ColumnKind(Enum):
    """SharePoint field types (FieldTypeKind in brackets)."""

    TEXT = "Text"  # single line (2)
    NOTE = "Note"  # multiple lines (3)
    NUMBER = "Number"  # (9)
    BOOLEAN = "Boolean"  # yes/no (8)
    DATE = "Date"  # DateTime, date only (4)
    DATETIME = "DateTime"  # DateTime with time (4)
    CHOICE = "Choice"  # (6)
    PERSON = "User"  # person (20): an email address in the port
    LOOKUP = "Lookup"  # (7): an item id in the port


# Built-in columns every list has; ``Title`` is required text on lists, ``FileLeafRef`` is the
# file name on libraries. ``Id``, ``Created`` and ``Modified`` are read-only.
BUILT_IN_COLUMNS = ("Id", "Title", "Created", "Modified", "FileLeafRef")


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # internal name (the schema's field id)
    title: str  # display name
    kind: ColumnKind
    choices: tuple[str, ...] = ()
    indexed: bool = False
    required: bool = False
    lookup_list: str | None = None  # for LOOKUP: the target list's title
    # SharePoint JSON column formatting (the field's CustomFormatter), as compact JSON text;
    # shared/adapters/lists/formatting.py builds them (formatted.py sets them). '' for SharePoint's own rendering.
    formatter: str = ""


# A view filter may compare a date with today (CAML ``<Today/>``).
TODAY = "[Today]"


@dataclass(frozen=True, slots=True)
class View:
    title: str
    columns: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    order_by: tuple[OrderBy, ...] = ()
    # SharePoint JSON view formatting (the view's CustomFormatter), as compact JSON text.
    formatter: str = ""


@dataclass(frozen=True, slots=True)
class ListDefinition:
    title: str
    columns: tuple[Column, ...]
    views: tuple[View, ...] = ()
    is_library: bool = False
    append_only: bool = False
    description: str = ""

    @property
    def url_name(self) -> str:
        """The list's URL segment (``Lists/AuditAllocations``, ``AuditSubmissions``)."""
        return self.title.replace(" ", "")

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    @property
    def indexed_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.indexed)


TASK_TYPES = tuple(t.value for t in TaskType)
TASK_STATUSES = tuple(s.value for s in TaskStatus)
SUBMISSION_OUTCOMES = tuple(o.value for o in SubmissionOutcome)
MODERATION_STATUSES = tuple(s.value for s in ModerationStatus)
QA_DECISIONS = tuple(d.value for d in QADecision)
AUDIT_STAGES = tuple(stage.value for stage in AuditStage)


def _grades(allow_not_applicable: bool = False) -> tuple[str, ...]:
    grades = tuple(g.value for g in Grade)
    return (*grades, NOT_APPLICABLE) if allow_not_applicable else grades


def _c(name: str, title: str, kind: ColumnKind, **options: object) -> Column:
    return Column(name, title, kind, **options)  # type: ignore[arg-type]


_T, _N, _B, _D = ColumnKind.TEXT, ColumnKind.NOTE, ColumnKind.BOOLEAN, ColumnKind.DATE
_CH, _P, _L, _NUM = ColumnKind.CHOICE, ColumnKind.PERSON, ColumnKind.LOOKUP, ColumnKind.NUMBER

# Columns several lists share: one name and one title each.
_AUDIT = _c("allocation", "Audit", _L, lookup_list=ALLOCATIONS, indexed=True)
_CASE_REF = _c("case_ref", "Case reference (Liquidlogic ID)", _T, indexed=True)
_AUDIT_MONTH = _c("audit_month", "Audit month", _T, indexed=True)
_AUDITOR = _c("auditor_email", "Auditor", _P, indexed=True)
_TEAM = _c("team", "Team", _T, indexed=True)
_DUE = _c("due_date", "Due", _D, indexed=True)
_OPEN = Filter("status", Op.EQ, TaskStatus.OPEN.value)


def _open_tasks(
    title: str, columns: tuple[str, ...], *filters: Filter, order_by: tuple[OrderBy, ...] = ()
) -> View:
    """A view of the Tasks list that shows open tasks only."""
    return View(title, columns, (*filters, _OPEN), order_by)


def _form_column(spec: FieldSpec, schema: AuditSchema) -> Column:
    """The column for a form field: text stays text, grades become choices, and so on."""
    kind = spec.kind
    if kind == "richtext":
        return Column(spec.id, spec.label, _N)
    if kind == "date":
        return Column(spec.id, spec.label, _D)
    if kind == "checkbox":
        return Column(spec.id, spec.label, _B)
    if kind == "grade":
        return Column(spec.id, spec.label, _CH, choices=_grades(spec.allow_not_applicable))
    if kind == "domain":
        return Column(spec.id, spec.label, _CH, choices=tuple(d.name for d in schema.domains))
    if kind == "role":
        return Column(spec.id, spec.label, _CH, choices=schema.roles.auditor_order)
    if kind == "staff_role":
        return Column(spec.id, spec.label, _CH, choices=schema.roles.staff)
    if kind == "choice":
        return Column(spec.id, spec.label, _CH, choices=spec.options)
    return Column(spec.id, spec.label, _T)


def _audit_submission_columns(schema: AuditSchema) -> tuple[Column, ...]:
    form = schema.case_file_audit
    wanted = ["case_ref", "team", "auditor_role", "audit_date", "overall_grade", "safeguarding_concern"]
    wanted += [f"{d.id}_grade" for d in schema.domains]
    from_form = [_form_column(form.field(field_id), schema) for field_id in wanted]
    indexed = {"case_ref", "overall_grade"}
    from_form = [
        Column(c.name, c.title, c.kind, c.choices, c.name in indexed, c.required, c.lookup_list)
        for c in from_form
    ]
    return (
        _c("allocation", "Allocation", _L, lookup_list=ALLOCATIONS, indexed=True),
        _c("status", "Status", _CH, choices=AUDIT_STAGES, indexed=True),
        _AUDITOR,
        *from_form,
        _c("template_version", "Template version", _NUM),
        _c("findings_count", "Findings", _NUM),
        _c("checked_on", "QA check run", ColumnKind.DATETIME, indexed=True),
        # Every file ends in one of the outcomes, with a reason (nothing is lost).
        _c(
            "outcome",
            "Outcome",
            _CH,
            choices=SUBMISSION_OUTCOMES,
            indexed=True,
        ),
        _c("outcome_reason", "Why", _N),
        _c("findings_text", "Findings", _N),
        _c("content_hash", "File fingerprint", _T, indexed=True),
        _c("processed_hash", "Fingerprint processed", _T),
        # Good practice the auditor highlighted (2.3), for the learning bulletin (8.1).
        _c("good_practice", "Good practice highlighted", _N),
        # The improvement plan as checked, owners resolved (2.8): the actions QA's acceptance makes.
        _c("improvement_plan", "Improvement plan (as checked)", _N),
        # On a re-audit, what the Senior Manager found for each action of the last plan (2.12).
        _c("reaudit_findings", "The last plan, looked at again (2.12)", _N),
    )


def _schedule_columns() -> tuple[Column, ...]:
    """What the programme's schedule lists share: the team (compliance per team, 8.1), the
    item's stable key (planning twice adds nothing), and the returned form it was completed by."""
    return (
        _TEAM,
        _c("section", "Framework section", _T),
        _c("schedule_key", "Schedule key", _T, indexed=True),
        _c("form_name", "Returned form", _T),
        _c("form_fingerprint", "Returned form fingerprint", _T, indexed=True),
    )


def _half_yearly(
    title: str,
    who: tuple[Column, ...],
    held: Column,
    judgement: Column,
    recorded: tuple[Column, ...],
    description: str,
) -> ListDefinition:
    """A list of the half-yearly programme (case discussions 4.2, supervision audits 5.3): who,
    the half-year, when it was held and its judgement, when it is due, the schedule's columns,
    what else the form records, and the actions agreed."""
    half_year = _c("half_year", "Half-year", _T, indexed=True)
    return ListDefinition(
        title,
        (
            *who,
            half_year,
            held,
            judgement,
            _DUE,
            *_schedule_columns(),
            *recorded,
            _c("actions", "Actions agreed", _N),
        ),
        description=description,
    )


def _moderation_columns(schema: AuditSchema) -> tuple[Column, ...]:
    """Per domain and overall: the auditor's judgement, the moderator's verdict (Agree or a
    grade, as on the moderation form), the moderated judgement and the reason (7.2)."""
    verdicts = ("Agree", *_grades(True))
    columns: list[Column] = []
    for part, title in [(d.id, f"Domain {d.number}") for d in schema.domains] + [("overall", "Overall")]:
        columns += [
            _c(f"{part}_auditor_grade", f"{title}: auditor's judgement", _CH, choices=_grades(True)),
            _c(
                f"{part}_verdict", f"{title}: moderator's judgement (Agree or a grade)", _CH, choices=verdicts
            ),
            _c(f"{part}_moderated_grade", f"{title}: moderated judgement", _CH, choices=_grades(True)),
            _c(f"{part}_reason", f"{title}: moderator's reason for a different grade", _N),
        ]
    return tuple(columns)


def moderation_list(schema: AuditSchema) -> ListDefinition:
    """The Moderation list (7.2): one item per accepted audit drawn for moderation."""
    return ListDefinition(
        MODERATION,
        (
            _c("moderation_key", "Moderation key", _T, indexed=True, required=True),
            _AUDIT,
            _CASE_REF,
            _AUDIT_MONTH,
            _c("sample_month", "Moderation sample month", _T, indexed=True),
            _TEAM,
            _AUDITOR,
            _c("moderator_email", "Moderator", _P, indexed=True),
            _c("status", "Status", _CH, choices=MODERATION_STATUSES, indexed=True),
            _c("due_date", "Moderation due", _D, indexed=True),
            _c("selected_because", "Why this audit was drawn", _N),
            _c("sample_seed", "Seed of the draw", _T),
            _c("sample_draw", "Random draw (0 to 1)", _NUM),
            *_moderation_columns(schema),
            _c("domains_agreed", "Domains agreed", _NUM),
            _c("domains_compared", "Domains compared", _NUM),
            _c("overall_agreed", "Overall judgement agreed", _B, indexed=True),
            _c("moderated_on", "Moderated on", _D),
            _c("moderation_problems", "Why the moderation could not be recorded", _N),
            _c("form_name", "Returned moderation form", _T),
            _c("form_fingerprint", "Returned form fingerprint", _T, indexed=True),
            _c("auditor_told_on", "Auditor told the outcome on", _D),
        ),
        views=(
            View(
                "Awaiting moderation",
                ("case_ref", "auditor_email", "moderator_email", "due_date"),
                (Filter("status", Op.EQ, ModerationStatus.AWAITING.value),),
                (OrderBy("due_date"),),
            ),
            View(
                "Moderated: judgement differs",
                ("case_ref", "auditor_email", "overall_auditor_grade", "overall_moderated_grade"),
                (
                    Filter("overall_agreed", Op.EQ, False),
                    Filter("status", Op.EQ, ModerationStatus.MODERATED.value),
                ),
            ),
        ),
        description="Accepted audits drawn for moderation (7.2): the auditor's and the moderator's judgements side by side.",
    )


def list_definitions(schema: AuditSchema) -> tuple[ListDefinition, ...]:
    """Every list and library Audit Desk provisions, in the order they are created (lookups
    last): titles, columns and views. The SharePoint JSON formatting people see is the list
    adapters' (:func:`shared.adapters.lists.formatted.formatted_definitions`)."""
    return _plain_definitions(schema)


def _plain_definitions(schema: AuditSchema) -> tuple[ListDefinition, ...]:
    grade = _grades()
    overdue = (Filter("due_date", Op.LT, TODAY), Filter("status", Op.IN, WITH_AUDITOR))
    by_due = (OrderBy("due_date"),)
    task_columns = ("Title", "task_type", "assigned_to", "due_date", "status")
    return (
        ListDefinition(
            STAFF,
            (
                _c("email", "Email", _T, indexed=True, required=True),
                _c("role", "Role", _CH, choices=schema.roles.staff, indexed=True),
                _TEAM,
                _c("manager_email", "Manager", _P, indexed=True),
                _c("asye_start", "ASYE start date", _D),
                _c("needs_support", "Needs support with improving performance", _B, indexed=True),
                _c("active", "Active", _B, indexed=True),
                # Kept up to date as each is completed (6, 4.2, 5.3): the next one is planned from it.
                _c("last_observation", "Last observation", _D),
                _c("last_case_discussion", "Last case discussion", _D),
                _c("last_supervision_audit", "Last supervision audit", _D),
                # Which audit tool the auditor's pre-filled form is made in (issue 13): Word unless Excel.
                _c("form_preference", "Preferred form", _CH, choices=("Word", "Excel")),
            ),
            views=(
                View(
                    "ASYE workers",
                    ("Title", "team", "manager_email", "asye_start"),
                    (Filter("asye_start", Op.GE, dt.date(2000, 1, 1)),),
                ),
                View(
                    "Needs support (6.4)",
                    ("Title", "team", "manager_email"),
                    (Filter("needs_support", Op.EQ, True),),
                ),
            ),
            description="The Staff register: who audits, who is observed, who manages whom.",
        ),
        ListDefinition(
            ALLOCATIONS,
            (
                replace(_CASE_REF, required=True),
                replace(_AUDIT_MONTH, required=True),
                _AUDITOR,
                _c("allocated_worker_email", "Allocated worker", _P),
                _c("team_manager_email", "Team Manager", _P, indexed=True),
                _TEAM,
                _c("status", "Status", _CH, choices=AUDIT_STAGES, indexed=True),
                # Put on the auditor's pre-filled form when QA gives it (issue 13).
                _c("child_ref", "Child reference (Liquidlogic person ID)", _T),
                _c("due_date", "Audit due", _D, indexed=True),
                _c("is_reaudit", "Re-audit of an Inadequate case (2.12)", _B, indexed=True),
                _c("previous_grade", "Previous overall judgement", _CH, choices=grade),
                _c("overall_grade", "Overall judgement", _CH, choices=grade, indexed=True),
                _c("previous_allocation", "Previous audit of this case", _L, lookup_list=ALLOCATIONS),
                # The workflow's own columns (issue 5): keys, dates of each step, QA's requests.
                _c("allocation_key", "Allocation key", _T, indexed=True),
                _c("allocated_on", "Allocated on", _D),
                _c("late_allocation", "Allocated after the first week (2.1)", _B),
                _c("eligibility_problems", "Why the auditor cannot audit this case (1.4)", _N),
                _c("chain_month", "Month of the re-audit chain (2.12)", _NUM),
                _c("submitted_on", "Submitted on", _D),
                _c("submission_name", "Latest submission file", _T),
                _c("last_submission_hash", "Latest submission fingerprint", _T),
                _c("safeguarding_raised", "Immediate safeguarding concern raised (2.6)", _B, indexed=True),
                _c("returned_on", "Returned for amendment on", _D),
                _c("amendment_due", "Amendments due (2.11)", _D, indexed=True),
                _c("times_returned", "Times returned for amendment", _NUM),
                _c("accepted_on", "Accepted by QA on", _D),
                _c("findings_shared_on", "Findings shared on (2.9)", _D),
                _c("discussion_due", "Discussion due (2.10)", _D, indexed=True),
                _c("discussion_held_on", "Discussion held on", _D),
                _c("closed_on", "Closed on", _D),
                _c("cancelled_on", "Allocation cancelled on", _D),
                _c("cancel_reason", "Why the allocation was cancelled", _N),
                _c("qa_decision", "QA decision (Audit Desk acts on it)", _CH, choices=QA_DECISIONS),
                _c("qa_reasons", "QA's reasons for returning", _N),
                _c("qa_problem", "Why the QA decision could not be taken", _N),
                _c("disagreement", "Area of disagreement (2.9)", _N),
                _c("disagreement_resolved", "Disagreement resolved", _B),
                # Exactly once (issue 11): the steps written with the item, so the Audit Trail
                # is derived from them again after a crash (shared/services/workflow/workflow_run.py).
                _c("steps_taken", "Steps taken", _NUM),
                _c("recent_steps", "Recent steps (for the Audit Trail)", _N),
                _c("set_aside", "Why Audit Desk set this allocation aside", _N),
            ),
            views=(
                View(
                    "Overdue",
                    ("case_ref", "auditor_email", "due_date", "status"),
                    overdue,
                    (OrderBy("due_date"),),
                ),
                View(
                    "Returned for amendment",
                    ("case_ref", "auditor_email", "due_date"),
                    (Filter("status", Op.EQ, AuditStage.RETURNED_FOR_AMENDMENT.value),),
                ),
                View(
                    "Inadequate: re-audit chain",
                    ("case_ref", "audit_month", "auditor_email", "previous_grade", "overall_grade"),
                    (Filter("is_reaudit", Op.EQ, True),),
                    (OrderBy("case_ref"), OrderBy("audit_month")),
                ),
                View(
                    "This month by team",
                    ("case_ref", "team", "auditor_email", "status"),
                    (),
                    (OrderBy("team"),),
                ),
            ),
            description="The monthly allocation of case file audits to auditors (2.1).",
        ),
        ListDefinition(
            SUBMISSIONS,
            _audit_submission_columns(schema),
            views=(
                View(
                    "Waiting for the QA check",
                    ("FileLeafRef", "case_ref", "auditor_email", "overall_grade", "status"),
                    (Filter("status", Op.IN, (AuditStage.SUBMITTED.value, AuditStage.RESUBMITTED.value)),),
                ),
                View(
                    "Inadequate",
                    ("FileLeafRef", "case_ref", "audit_date", "overall_grade"),
                    (Filter("overall_grade", Op.EQ, Grade.INADEQUATE.value),),
                ),
                View(
                    "Quarantined: needs a person",
                    ("FileLeafRef", "outcome_reason", "auditor_email"),
                    (Filter("outcome", Op.EQ, SubmissionOutcome.QUARANTINED.value),),
                ),
                View(
                    "Safeguarding concern raised",
                    ("FileLeafRef", "case_ref", "audit_date"),
                    (Filter("safeguarding_concern", Op.EQ, True),),
                ),
            ),
            is_library=True,
            description="Completed case file audits as returned by auditors, with their metadata (2.9).",
        ),
        # The auditor's pre-filled form for each allocation, edited in place (issue 13). Saving a
        # draft does nothing; "Submit for QA check" = Yes submits it (shared/services/workflow/drafts.py):
        # its column shows a button that sets it (shared/adapters/lists/formatting.py, issue 18).
        ListDefinition(
            DRAFTS,
            (
                _AUDIT,
                _CASE_REF,
                _AUDIT_MONTH,
                _AUDITOR,
                _c("submit_for_qa", "Submit for QA check", _B, indexed=True),
                _c("submitted_on", "Last submitted", ColumnKind.DATETIME),
                _c("submitted_hash", "Fingerprint as last submitted", _T),
            ),
            views=(
                View(
                    "My drafts",
                    ("FileLeafRef", "case_ref", "audit_month", "submit_for_qa", "submitted_on"),
                    (),
                    (OrderBy("case_ref"),),
                ),
            ),
            is_library=True,
            description="Each auditor's pre-filled audit form, edited in place until they submit it (2.2-2.5).",
        ),
        ListDefinition(
            TASKS,
            (
                _c("task_type", "Task type", _CH, choices=TASK_TYPES, indexed=True, required=True),
                _c("status", "Status", _CH, choices=TASK_STATUSES, indexed=True),
                _c("assigned_to", "Assigned to", _P, indexed=True),
                _DUE,
                _AUDIT,
                _c("section", "Framework section", _T),
                _c("details", "Details", _N),
                _c("completed_on", "Completed", _D),
                _c("task_key", "Task key", _T, indexed=True),
                # The team the work is for (compliance per team in the quarterly report, 8.1).
                _TEAM,
            ),
            views=(
                _open_tasks("Open tasks", task_columns, order_by=by_due),
                _open_tasks("Overdue", task_columns, Filter("due_date", Op.LT, TODAY), order_by=by_due),
                _open_tasks(
                    "Open safeguarding actions (2.6)",
                    ("Title", "assigned_to", "due_date", "status"),
                    Filter("task_type", Op.EQ, TaskType.SAFEGUARDING.value),
                ),
                _open_tasks(
                    "Re-audits due (2.12)",
                    ("Title", "assigned_to", "due_date"),
                    Filter("task_type", Op.EQ, TaskType.REAUDIT.value),
                ),
            ),
            description="What someone has to do next, and by when.",
        ),
        # One item per plan row of an accepted audit (2.8): reminded, escalated, recorded done
        # where people work, and looked at again by the re-audit (2.12). docs/actions.md.
        ListDefinition(
            IMPROVEMENT_ACTIONS,
            (
                _c("action_key", "Action key", _T, indexed=True),
                _c("allocation", "Audit", _L, lookup_list=ALLOCATIONS, indexed=True),
                _c("case_ref", "Case reference (Liquidlogic ID)", _T, indexed=True),
                _c("audit_month", "Audit month", _T, indexed=True),
                _c("team", "Team", _T, indexed=True),
                _c("plan_row", "Improvement plan row", _NUM),
                _c("domain", "Domain", _T, indexed=True),
                _c("action", "Action", _N),
                _c("owner", "Owner (as the plan names them)", _T),
                _c("owner_email", "Owner", _P, indexed=True),
                _c("due_date", "Due", _D, indexed=True),
                _c("measure", "Measure of success", _N),
                _c("status", "Status", _CH, choices=ACTION_STATUSES, indexed=True),
                _c("done_on", "Date done", _D),
                _c("note", "Note", _N),
                _c("carried_from", "Carried forward from (action key)", _T, indexed=True),
                _c("reaudit_finding", "What the re-audit found (2.12)", _CH, choices=REAUDIT_ANSWERS),
                _c("reaudit_note", "The re-audit's note on this action", _N),
            ),
            views=(
                View(
                    "Open actions",
                    ("Title", "case_ref", "owner_email", "due_date", "status", "note"),
                    (Filter("status", Op.EQ, ActionStatus.OPEN.value),),
                    (OrderBy("due_date"),),
                ),
                View(
                    "Overdue actions",
                    ("Title", "case_ref", "team", "owner_email", "due_date", "status"),
                    (Filter("due_date", Op.LT, TODAY), Filter("status", Op.EQ, ActionStatus.OPEN.value)),
                    (OrderBy("due_date"),),
                ),
                View(
                    "By case",
                    ("case_ref", "audit_month", "plan_row", "Title", "status", "done_on"),
                    (),
                    (OrderBy("case_ref"), OrderBy("audit_month")),
                ),
            ),
            description="Every improvement plan action of an accepted audit, tracked to done (2.8, 2.10, 2.12).",
        ),
        ListDefinition(
            OBSERVATIONS,
            (
                _c("practitioner_email", "Practitioner", _P, indexed=True),
                _c("observer_email", "Observer", _P, indexed=True),
                _c(
                    "observation_type",
                    "Type of observation",
                    _CH,
                    choices=(
                        "ASYE direct observation",
                        "Annual observation",
                        "Support with improving performance",
                        "Manager observation",
                    ),
                    indexed=True,
                ),
                _DUE,
                _c("observation_date", "Date of observation", _D),
                _c("overall_grade", "Overall judgement of practice", _CH, choices=grade),
                _c("reflective_review_date", "Shared reflective review (date)", _D),
                *_schedule_columns(),
                _c("action_plan", "Shared action plan (6.5)", _N),
            ),
            views=(
                View(
                    "Due this year",
                    ("practitioner_email", "observation_type", "due_date"),
                    (),
                    by_due,
                ),
            ),
            description="Staff observations (6).",
        ),
        _half_yearly(
            CASE_DISCUSSIONS,
            (
                _c("practitioner_email", "Practitioner", _P, indexed=True),
                _c("manager_email", "Manager", _P, indexed=True),
                _CASE_REF,
            ),
            _c("discussion_date", "Date of discussion", _D),
            _c("overall_grade", "Overall assessment of practice", _CH, choices=grade),
            (),
            "Case discussions, twice a year (4.2).",
        ),
        _half_yearly(
            SUPERVISION_AUDITS,
            (
                _c("supervisee_email", "Supervisee", _P, indexed=True),
                _c("supervisor_email", "Supervisor", _P, indexed=True),
                _AUDITOR,
            ),
            _c("audit_date", "Date of audit", _D),
            _c("quality_grade", "Quality of supervision", _CH, choices=grade),
            (
                _c("sessions_expected", "Supervision sessions expected under the policy (5.2)", _NUM),
                _c("sessions_held", "Supervision sessions held and recorded", _NUM),
            ),
            "Supervision audits, at least twice a year (5.3).",
        ),
        ListDefinition(
            THEMATIC_AUDITS,
            (
                _c("theme", "Theme", _T, indexed=True),
                _c(
                    "source",
                    "Arising from",
                    _CH,
                    choices=("Serious Case Review", "Performance information", "Single case file audits"),
                ),
                _AUDIT_MONTH,
                _c("lead_email", "Lead", _P),
                _c("status", "Status", _CH, choices=("Planned", "In progress", "Reported"), indexed=True),
                _c("evidence", "Evidence behind the theme", _N),
                _c("theme_key", "Theme key", _T, indexed=True),
            ),
            description="The themed audit schedule (3.1).",
        ),
        moderation_list(schema),
        ListDefinition(
            REPORTS_LIBRARY,
            (
                _c(
                    "report_type",
                    "Report",
                    _CH,
                    choices=("Audit Highlights Report", "Learning bulletin", "Quarterly audit report"),
                    indexed=True,
                ),
                _c("period", "Period", _T, indexed=True),
            ),
            is_library=True,
            description="Monthly Audit Highlights Reports, bulletins and quarterly reports (2.12, 8.1).",
        ),
        # The learning bulletin's QA approval (8.1): a draft per period, and each excerpt it
        # would quote. Setting a bulletin's status to Approved publishes and sends it.
        ListDefinition(
            LEARNING_BULLETINS,
            (
                _c("period", "Period", _T, indexed=True, required=True),
                _c(
                    "status",
                    "Status",
                    _CH,
                    choices=("Draft for QA", "Approved", "Sent"),
                    indexed=True,
                ),
                _c("approved_by", "Approved by", _P),
                _c("approved_on", "Approved on", _D),
                _c("sent_on", "Sent on", _D),
            ),
            description="Learning bulletins awaiting QA approval, approved and sent (8.1).",
        ),
        ListDefinition(
            BULLETIN_EXCERPTS,
            (
                _c("period", "Period", _T, indexed=True, required=True),
                _c("number", "Number", _NUM, indexed=True),
                _c("domain", "Domain", _T),
                _c("excerpt", "Excerpt (redacted)", _N),
                _c(
                    "decision",
                    "Decision",
                    _CH,
                    choices=("Awaiting approval", "Approved", "Not approved", "Withheld"),
                    indexed=True,
                ),
                _c("withheld_reason", "Why withheld", _T),
                _c("excerpt_key", "Excerpt key", _T, indexed=True),
            ),
            description="Each excerpt a learning bulletin would quote; only Approved ones are published.",
        ),
        ListDefinition(
            TRAIL,
            (
                _c("who", "Who", _T, indexed=True),
                _c("what", "What", _T, indexed=True),
                _c("when", "When", ColumnKind.DATETIME, indexed=True),
                _c("list_title", "List", _T),
                _c("item_ref", "Item", _NUM, indexed=True),
                _c("before", "Before", _N),
                _c("after", "After", _N),
                _c("entry_key", "Entry key", _T, indexed=True),
            ),
            append_only=True,
            description="Append-only record of who changed what, when, from what, to what.",
        ),
        ListDefinition(
            SETTINGS,
            (
                _c("key", "Setting", _T, indexed=True, required=True),
                _c("value", "Value", _N),
            ),
            description="Distribution lists and local closure days, kept where the QA team can edit them.",
        ),
    )


def definition_of(definitions: Mapping[str, ListDefinition], title: str) -> ListDefinition:
    try:
        return definitions[title]
    except KeyError:
        raise UnknownList(
            f"There is no list called '{title}'. Lists: " + ", ".join(definitions) + "."
        ) from None
