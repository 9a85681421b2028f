"""Moderation of accepted audits (7.2): the month's sample, the moderator's judgements (from
the moderation form or typed in the Moderation list), and telling the auditor.

Drawing a month twice adds nothing: each audit's place in the sample is fixed by the seeded
draw and its allocation key, and an audit already in the Moderation list is left as it is.
The auditor's judgement is never changed: the moderated one is recorded beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.deadlines import AuditMonth
from shared.core.findings import Finding
from shared.core.grades import NOT_APPLICABLE, Grade
from shared.core.list_titles import ALLOCATIONS, MODERATION, SUBMISSIONS
from shared.core.moderation import (
    OVERALL,
    AcceptedAudit,
    Judgement,
    ModeratedJudgement,
    choose_for_moderation,
    choose_moderator,
    moderation_seed,
    read_moderation,
)
from shared.core.schema import AGREE, MODERATION_FORM, AuditSchema
from shared.core.stages import AuditStage, ModerationStatus, SubmissionOutcome
from shared.core.tasks import TaskType
from shared.core.working_days import last_day_of_month
from shared.services.ports.forms import AuditForms, FormOutcome, FormStatus
from shared.services.ports.lists import FieldValue, ListItem, Query, where
from shared.services.ports.mail import Attachment, OutgoingMessage
from shared.services.workflow.dependencies import Services
from shared.services.workflow.lists import Allocation
from shared.services.workflow.notices import DOCX, SIGN_OFF, XLSX, findings_text
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

# An audit in one of these stages has been accepted by the QA check (2.11).
ACCEPTED_STAGES = [
    AuditStage.ACCEPTED.value,
    AuditStage.FINDINGS_SHARED.value,
    AuditStage.DISCUSSION_HELD.value,
    AuditStage.CLOSED.value,
]
AWAITING, MODERATED = ModerationStatus.AWAITING.value, ModerationStatus.MODERATED.value
_IN_CHUNK = 50


# --- reading what was accepted ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AcceptedForModeration:
    allocation: Allocation
    audit: AcceptedAudit
    grades: Mapping[str, Judgement]  # domain id or 'overall' -> the auditor's judgement


def accepted_in(services: Services, month: AuditMonth) -> list[AcceptedForModeration]:
    """Audits the QA team accepted during ``month`` (2.11), with the auditor's judgements as
    filed in the Audit Submissions library."""
    first, last = month.first_day, last_day_of_month(month.year, month.month)
    # Filtered on indexed columns only (SharePoint's 5,000-item threshold): audits of this month
    # and the two before that have been accepted; then by the day they were accepted.
    months = [month, month.preceding(), month.preceding().preceding()]
    query = Query(
        ALLOCATIONS,
        (where("audit_month", "in", [str(m) for m in months]), where("status", "in", ACCEPTED_STAGES)),
        page_size=500,
    )
    allocations = sorted(
        (
            allocation
            for allocation in (Allocation.from_item(i) for i in services.store.query_all(query))
            if allocation.accepted_on is not None and first <= allocation.accepted_on <= last
        ),
        key=lambda a: (a.case_ref, a.key),
    )
    submissions = _accepted_submissions(services, [a.id for a in allocations])
    found = []
    for allocation in allocations:
        submission = submissions.get(allocation.id)
        grades: dict[str, Judgement] = {OVERALL: allocation.overall_grade}
        for domain in services.schema.domains:
            value = submission.fields.get(f"{domain.id}_grade") if submission else None
            grades[domain.id] = judgement_from(value)
        audit = AcceptedAudit(
            allocation.key,
            allocation.case_ref,
            allocation.team,
            allocation.auditor_email,
            allocation.allocated_worker_email,
            allocation.team_manager_email,
            allocation.overall_grade,
        )
        found.append(AcceptedForModeration(allocation, audit, grades))
    return found


def _accepted_submissions(services: Services, ids: Sequence[int]) -> dict[int, ListItem]:
    """The latest valid submission of each allocation: the one QA accepted."""
    latest: dict[int, ListItem] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[start : start + _IN_CHUNK])
        query = Query(SUBMISSIONS, (where("allocation", "in", chunk),), page_size=500)
        for item in services.store.query_all(query):
            allocation = item.fields.get("allocation")
            if (
                not isinstance(allocation, int)
                or item.fields.get("outcome") != SubmissionOutcome.WAITING_FOR_QA
            ):
                continue
            if allocation not in latest or item.id > latest[allocation].id:
                latest[allocation] = item
    return latest


def judgement_from(value: FieldValue) -> Judgement:
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE
    return next((g for g in Grade if g.value == value), None)


def _judgement_value(value: Judgement) -> str | None:
    return value.value if isinstance(value, Grade) else value


# --- drawing the month's sample ----------------------------------------------------------


@dataclass
class ModerationDraw:
    month: AuditMonth
    seed: str
    accepted: int = 0
    drawn: int = 0
    added: int = 0
    problems: list[str] = field(default_factory=list)


def moderation_items(services: Services, *filters: object) -> list[ListItem]:
    query = Query(MODERATION, tuple(filters), page_size=500)  # type: ignore[arg-type]
    return list(services.store.query_all(query))


def draw_moderation_sample(run: Run, month: AuditMonth) -> ModerationDraw:
    """The month's moderation sample (7.2): every Outstanding and Inadequate audit accepted in
    ``month`` and a seeded random share of the rest, each given to a moderator who may
    moderate it, with the prefilled moderation form. Drawing the month again adds nothing."""
    services = run.services
    settings = services.schema.moderation
    accepted = accepted_in(services, month)
    by_key = {a.audit.key: a for a in accepted}
    picks = choose_for_moderation([a.audit for a in accepted], settings, str(month))
    result = ModerationDraw(month, moderation_seed(settings, str(month)), len(accepted), len(picks))
    existing = {
        str(item.fields.get("moderation_key")): item
        for item in moderation_items(services, where("sample_month", "eq", str(month)))
    }
    staff = StaffDirectory.load(services)
    moderators = sorted(
        (m for m in staff.by_email.values() if m.active and m.role in settings.moderator_roles),
        key=lambda m: m.email,
    )
    load = Counter(str(item.fields.get("moderator_email") or "") for item in existing.values())
    due = services.deadlines.calendar.add_working_days(run.today, settings.working_days)
    for pick in picks:
        if pick.audit.key in existing:
            continue
        found = by_key[pick.audit.key]
        moderator = choose_moderator(pick.audit, moderators, load, settings)
        if moderator is None:
            result.problems.append(
                f"Case {pick.audit.case_ref}: no one in the Staff register may moderate it (roles: "
                + ", ".join(settings.moderator_roles)
                + "; never the auditor, the worker or the Team Manager). Add a moderator, then draw again."
            )
            continue
        load[moderator.email] += 1
        fields: dict[str, FieldValue] = {
            "Title": f"Moderation {pick.audit.key}",
            "moderation_key": pick.audit.key,
            "allocation": found.allocation.id,
            "case_ref": pick.audit.case_ref,
            "audit_month": str(found.allocation.month),
            "sample_month": str(month),
            "team": pick.audit.team or None,
            "auditor_email": pick.audit.auditor_email,
            "moderator_email": moderator.email,
            "status": AWAITING,
            "due_date": due,
            "selected_because": pick.reason,
            "sample_seed": pick.seed,
            "sample_draw": round(pick.draw, 6) if pick.draw is not None else None,
        }
        for part, grade in found.grades.items():
            fields[f"{part}_auditor_grade"] = _judgement_value(grade)
        item = services.store.add(MODERATION, fields)
        result.added += 1
        run.trail(
            f"moderation/{pick.audit.key}:drawn",
            "drawn for moderation",
            MODERATION,
            item.id,
            {},
            {
                k: v
                for k, v in fields.items()
                if k in ("moderation_key", "selected_because", "moderator_email")
            },
        )
        run.task(
            f"moderation/{pick.audit.key}",
            TaskType.MODERATION,
            f"Moderate the audit of case {pick.audit.case_ref} ({found.allocation.month.label})",
            moderator.email,
            due,
            "7.2",
            found.allocation.id,
            pick.reason,
            team=pick.audit.team,
        )
        auditor = staff.get(pick.audit.auditor_email)
        run.mail(
            _ask_moderator(
                services.forms,
                moderator.email,
                moderator.name,
                auditor.name if auditor else pick.audit.auditor_email,
                found,
                pick.reason,
                due,
            )
        )
    if result.added:
        run.trail(
            f"moderation-sample/{month}/{result.added + len(existing)}",
            "moderation sample drawn",
            MODERATION,
            0,
            {},
            {
                "month": str(month),
                "seed": result.seed,
                "accepted": result.accepted,
                "drawn": result.drawn,
                "share": settings.random_share,
            },
        )
    log.info(
        "moderation sample %s: %d accepted, %d drawn, %d added",
        month,
        result.accepted,
        result.drawn,
        result.added,
    )
    return result


def _ask_moderator(
    forms: AuditForms,
    to: str,
    moderator: str,
    auditor: str,
    found: AcceptedForModeration,
    reason: str,
    due: dt.date,
) -> OutgoingMessage:
    values: dict[str, FieldValue] = {
        "case_ref": found.audit.case_ref,
        "auditor": auditor,
        "moderator": moderator,
    }
    attachments = []
    name = f"moderation-{found.audit.case_ref}"
    for extension, content_type in (("docx", DOCX), ("xlsx", XLSX)):
        filled = forms.fill(MODERATION_FORM, extension, values)
        if filled is not None:
            attachments.append(Attachment(f"{name}.{extension}", content_type, filled))
    lines = [
        f"Please moderate the audit of case {found.audit.case_ref} ({found.allocation.month.label}), "
        f"completed by {auditor} and accepted by the Quality Assurance Team (7.2).",
        "",
        f"Why this audit: {reason}",
        "",
        "For each domain and the overall judgement, choose Agree, or the grade you would give with your "
        "reason. The moderation form is attached (Word and Excel: use either); upload it to the Audit "
        "Submissions library, or type your judgements in the Moderation list.",
        "",
        f"Please moderate by {due:%A %d %B %Y}.",
    ]
    return OutgoingMessage(
        to=(to,),
        subject=f"Moderation: case {found.audit.case_ref}, {found.allocation.month.label} (7.2)",
        text_body="\n".join(lines) + SIGN_OFF,
        idempotency_key=f"moderation-asked/{found.audit.key}",
        attachments=tuple(attachments),
    )


# --- recording the moderator's judgements -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModerationRecorded:
    """``recorded`` False: nothing was recorded, and ``reason`` says what to fix."""

    recorded: bool
    reason: str
    team: str = ""
    findings: tuple[Finding, ...] = ()


def record_moderation(
    run: Run,
    item: ListItem,
    verdicts: Mapping[str, FieldValue],
    form_name: str = "",
    fingerprint: str = "",
    who: str | None = None,
) -> ModerationRecorded:
    """Record the moderator's judgements on a Moderation item beside the auditor's, count the
    agreement, and tell the auditor the outcome (7.2). The auditor's judgement is not changed."""
    services = run.services
    schema = services.schema
    fields = item.fields
    auditor_grades = {
        part: judgement_from(fields.get(f"{part}_auditor_grade"))
        for part in [*(d.id for d in schema.domains), OVERALL]
    }
    judgements, findings = read_moderation(verdicts, auditor_grades, schema)
    case_ref = str(fields.get("case_ref") or "")
    team = str(fields.get("team") or "")
    if findings:
        reason = (
            f"The moderation of case {case_ref} cannot be recorded until these are fixed:\n"
            + findings_text(findings)
        )
        services.store.update(MODERATION, item.id, {"moderation_problems": reason}, None)
        return ModerationRecorded(False, reason, team, findings)
    update: dict[str, FieldValue] = {
        "status": MODERATED,
        "moderated_on": run.today,
        "moderation_problems": None,
        "domains_agreed": sum(1 for j in judgements if j.part != OVERALL and j.agreed),
        "domains_compared": sum(1 for j in judgements if j.part != OVERALL),
        "overall_agreed": all(j.agreed for j in judgements if j.part == OVERALL),
        "auditor_told_on": run.today,
    }
    for judgement in judgements:
        verdict = verdicts.get(f"{judgement.part}_verdict")
        update[f"{judgement.part}_verdict"] = (
            AGREE if judgement.agreed else _judgement_value(judgement.moderated)
        )
        if isinstance(verdict, str) and verdict.strip().casefold() == AGREE.casefold():
            update[f"{judgement.part}_verdict"] = AGREE
        update[f"{judgement.part}_moderated_grade"] = _judgement_value(judgement.moderated)
        update[f"{judgement.part}_reason"] = judgement.reason or None
    if form_name:
        update["form_name"] = form_name
        update["form_fingerprint"] = fingerprint
    services.store.update(MODERATION, item.id, update, None)
    key = str(fields.get("moderation_key") or item.id)
    digest = fingerprint[:16] or _digest(update)
    run.trail(
        f"moderation/{key}:moderated/{digest}", "moderated", MODERATION, item.id, {}, _plain(update), who
    )
    allocation = fields.get("allocation")
    if isinstance(allocation, int):
        run.complete_tasks(allocation, TaskType.MODERATION)
    auditor = str(fields.get("auditor_email") or "")
    if auditor:
        run.mail(
            _tell_auditor(
                auditor, case_ref, str(fields.get("audit_month") or ""), judgements, schema, key, digest
            )
        )
    agreed = update["domains_agreed"]
    return ModerationRecorded(
        True,
        f"Moderation of case {case_ref} recorded: overall "
        + ("agreed" if update["overall_agreed"] else "graded differently")
        + f", {agreed} of {update['domains_compared']} domains agreed (7.2).",
        team,
    )


def _digest(update: Mapping[str, FieldValue]) -> str:
    text = "|".join(f"{k}={v}" for k, v in sorted(update.items()) if k.endswith(("_verdict", "_reason")))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(update: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """What the trail keeps: the judgements and counts, not the reasons' free text."""
    return {k: v for k, v in update.items() if not k.endswith("_reason")}


def _tell_auditor(
    to: str,
    case_ref: str,
    month: str,
    judgements: Sequence[ModeratedJudgement],
    schema: AuditSchema,
    key: str,
    digest: str,
) -> OutgoingMessage:
    titles = {d.id: d.title for d in schema.domains} | {OVERALL: "Overall judgement"}
    with contextlib.suppress(ValueError):
        month = AuditMonth.parse(month).label
    lines = [
        f"Your audit of case {case_ref} ({month}) has been moderated (7.2). Your judgements stay on record; "
        "the moderator's are recorded beside them.",
        "",
    ]
    for judgement in judgements:
        yours = _judgement_value(judgement.auditor) or "(none)"
        if judgement.agreed:
            lines.append(f"- {titles[judgement.part]}: {yours}. The moderator agreed.")
        else:
            lines.append(
                f"- {titles[judgement.part]}: you gave {yours}; the moderator gave "
                f"{_judgement_value(judgement.moderated)}. Reason: {judgement.reason}"
            )
    differs = sum(1 for j in judgements if not j.agreed)
    lines += [
        "",
        "The moderator agreed with every judgement."
        if not differs
        else f"{differs} judgement(s) differ. Talk to the Quality Assurance Team if you would like to discuss them.",
    ]
    return OutgoingMessage(
        to=(to,),
        subject=f"Moderation outcome: case {case_ref} (7.2)",
        text_body="\n".join(lines) + SIGN_OFF,
        idempotency_key=f"moderation-outcome/{key}/{digest}",
    )


def record_from_list(run: Run) -> list[ModerationRecorded]:
    """Moderations typed straight into the Moderation list: every item still awaiting moderation
    whose overall judgement has been filled in is recorded (or its problems written on it)."""
    results = []
    for item in moderation_items(run.services, where("status", "eq", AWAITING)):
        if not item.fields.get("overall_verdict"):
            continue
        results.append(
            record_moderation(run, item, item.fields, who=str(item.fields.get("moderator_email") or ""))
        )
    return results


def record_moderation_form(run: Run, form: FormOutcome, file_name: str, content: bytes) -> ModerationRecorded:
    """A returned moderation form (from intake): matched by case reference to the moderation it
    is for. Recording the same file twice changes nothing."""
    case_ref = str(form.fields.get("case_ref") or "").strip().upper()
    fingerprint = hashlib.sha256(content).hexdigest()
    if form.status is FormStatus.INVALID:
        return ModerationRecorded(
            False,
            "The moderation form cannot be recorded until these are fixed:\n" + findings_text(form.errors),
            findings=form.errors,
        )
    if not case_ref:
        return ModerationRecorded(
            False, "The moderation form has no case reference. Fill it in and upload it again."
        )
    items = moderation_items(run.services, where("case_ref", "eq", case_ref))
    for item in items:
        if item.fields.get("form_fingerprint") == fingerprint:
            return ModerationRecorded(True, f"Moderation of case {case_ref} already recorded from this form.")
    waiting = sorted((i for i in items if i.fields.get("status") == AWAITING), key=lambda i: i.id)
    if not waiting:
        return ModerationRecorded(
            False,
            f"No audit of case {case_ref} is waiting for moderation. Check the case reference; the Moderation "
            "list shows which audits were drawn (7.2).",
        )
    return record_moderation(run, waiting[0], form.fields, file_name, fingerprint)
