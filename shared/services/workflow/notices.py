"""The emails the workflow sends, in plain words, each with the section it comes from.

Emails go to staff inside the council and name the case reference, never a child's name.
Every message has a deterministic idempotency key, so it is sent at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shared.core.addresses import is_plain_email
from shared.core.findings import Finding
from shared.core.schema import Timescales
from shared.core.wording import amendment_within, review_period
from shared.services.ports.mail import Attachment, Delivery, OutgoingMessage
from shared.services.workflow.lists import Allocation

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGN_OFF = "\n\nAudit Desk, for the Quality Assurance Team\n(sent automatically: reply to the QA team)"


def sentence(text: str) -> str:
    """Text with its first letter in capitals (str.capitalize would lower-case the rest)."""
    return text[:1].upper() + text[1:]


def _day(day: dt.date | None) -> str:
    return day.strftime("%A %d %B %Y") if day else "(no date)"


def findings_text(findings: Sequence[Finding]) -> str:
    """Findings as a numbered list a person reads top to bottom, errors first."""
    if not findings:
        return "No findings."
    lines = []
    for number, finding in enumerate(findings, start=1):
        kind = "Must fix" if finding.is_error else "For the QA check"
        section = f" ({finding.section})" if finding.section else ""
        lines.append(f"{number}. {kind}: {finding.message}{section}")
    return "\n".join(lines)


def allocation_to_auditor(
    allocation: Allocation,
    attachments: Sequence[tuple[str, bytes]],
    reaudit: bool,
    timescales: Timescales,
    draft_link: str = "",
    worker_name: str = "",
    manager_name: str = "",
) -> OutgoingMessage:
    """2.4, 2.5: the auditor's allocation, with a link to their own pre-filled form (Audit Drafts)
    and who to contact; a re-audit carries the previous audit."""
    kind = "re-audit (2.12)" if reaudit else "case file audit"
    worker = _person(worker_name, allocation.allocated_worker_email)
    manager = _person(manager_name, allocation.team_manager_email)
    form = (
        f"Your audit form, with the case details already filled in, is ready in the Audit Drafts library:\n"
        f"{draft_link}\n\n"
        "Open it there and work on it in Word or Excel: it saves as you go, and nothing is checked or "
        "sent while it is a draft. When it is complete, set 'Submit for QA check' to Yes on its row "
        "(or move it into the Audit Submissions library)"
        + (
            "."
            if draft_link.startswith("http")
            else f", or run in the Audit Desk home: auditdesk submit '{draft_link}'."
        )
        if draft_link
        else "The blank audit tool is attached (Word and Excel: use either). Upload the completed form "
        "to the Audit Submissions library."
    )
    body = (
        f"You have been allocated a {kind} of {allocation.label}.\n\n"
        f"Please complete the audit and improvement plan and return it by {_day(allocation.due_date)} "
        f"(the last working day of the month, 2.2). The audit covers {review_period(timescales)} of "
        f"involvement (2.3). Please contact the allocated worker, {worker}, to let them know the case will be "
        f"audited (2.4), and discuss the case with them and their Team Manager, {manager} (2.5).\n\n"
        "If you find an immediate concern about a child's safety, tell the Team Manager now: do not wait "
        "for the audit to be finished (2.6).\n\n"
        + form
        + ("\n\nThe previous audit of this case is attached." if reaudit and attachments else "")
    )
    return OutgoingMessage(
        to=(allocation.auditor_email,),
        subject=f"Audit allocated: {allocation.label}",
        text_body=body + SIGN_OFF,
        idempotency_key=f"allocation/{allocation.key}/auditor/{allocation.auditor_email}",
        attachments=tuple(
            Attachment(name, XLSX if name.endswith(".xlsx") else DOCX, content)
            for name, content in attachments
        ),
    )


def _person(name: str, email: str) -> str:
    if name and email:
        return f"{name} ({email})"
    return name or email or "(not named on the allocation)"


def allocation_to_worker(allocation: Allocation) -> OutgoingMessage:
    return OutgoingMessage(
        to=(allocation.allocated_worker_email,),
        cc=(allocation.team_manager_email,) if allocation.team_manager_email else (),
        subject=f"Your case will be audited: {allocation.label}",
        text_body=(
            f"{sentence(allocation.label)} has been allocated for a case file audit this month. "
            "The auditor will contact you to discuss the case and will share the findings with you and "
            "your Team Manager (2.4, 2.5, 2.9)." + SIGN_OFF
        ),
        idempotency_key=f"allocation/{allocation.key}/worker",
    )


def safeguarding_alert(
    allocation: Allocation, due: dt.date, details_given: bool, qa_team: str | None = None
) -> OutgoingMessage:
    """2.6: to the Team Manager now. Where the allocation's Team Manager address is unusable, the
    alert goes to the QA team instead, saying so: a safeguarding concern is never stranded."""
    manager_ok = is_plain_email(allocation.team_manager_email)
    to = (allocation.team_manager_email,) if manager_ok or not qa_team else (qa_team,)
    cc = tuple(a for a in (allocation.auditor_email,) if is_plain_email(a))
    stranded = (
        ""
        if manager_ok
        else "THE TEAM MANAGER COULD NOT BE TOLD: the allocation's Team Manager address is missing or "
        "unusable. Tell the Team Manager today and correct the Team Manager column of the allocation.\n\n"
    )
    return OutgoingMessage(
        to=to,
        cc=cc,
        subject=f"IMMEDIATE: safeguarding concern raised by audit of {allocation.label}",
        text_body=(
            stranded
            + f"The auditor of {allocation.label} has identified an immediate concern about a child's "
            "safety (2.6).\n\n"
            "Please address the agreed corrective actions with the practitioner now and record them on "
            f"the child's file on Liquidlogic under Management Oversight, by {_day(due)}.\n\n"
            + (
                "The auditor's details are in the submitted audit form in the Audit Submissions library."
                if details_given
                else "The auditor did not give details on the form: contact the auditor today."
            )
            + SIGN_OFF
        ),
        idempotency_key=f"safeguarding/{allocation.key}",
        delivery=Delivery.AT_LEAST_ONCE,  # 2.6: never lost (shared/services/ports/mail.py)
    )


def _where(link: str) -> str:
    return f"\n\nWhere it is: {link}" if link else ""


def returned_to_auditor(
    allocation: Allocation,
    findings: Sequence[Finding],
    due: dt.date,
    by_qa: bool,
    key: str,
    timescales: Timescales,
    link: str = "",
) -> OutgoingMessage:
    who = "The Quality Assurance Team has returned" if by_qa else "Audit Desk could not accept"
    return OutgoingMessage(
        to=(allocation.auditor_email,),
        subject=f"Audit returned for amendment: {allocation.label}",
        text_body=(
            f"{who} the audit of {allocation.label}. Please amend it and send it back by {_day(due)} "
            f"({amendment_within(timescales)}, 2.11).\n\nWhat needs attention:\n"
            + findings_text(findings)
            + _where(link)
            + SIGN_OFF
        ),
        idempotency_key=key,
    )


def quarantined(file_name: str, reason: str, qa_team: str, key: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(qa_team,),
        subject="Audit submission quarantined: it needs a person to look at it",
        text_body=(
            f"The file '{file_name}' in the Audit Submissions library was not processed.\n\n"
            f"Reason: {reason}\n\nIt has been kept, marked Quarantined, so nothing is lost." + SIGN_OFF
        ),
        idempotency_key=key,
    )


def resynced(qa_team: str, list_name: str, items: int, key: str) -> OutgoingMessage:
    """The list's changes since the last run could not be listed: everything was looked at again."""
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"Audit Desk looked at every item of {list_name} again",
        text_body=(
            f"Audit Desk could not list what changed in {list_name} since it last ran: SharePoint keeps "
            "its change log for about 60 days, and the service was not running for longer than that. "
            f"It looked at all {items} item(s) again and acted only on what had not been acted on "
            "(nothing is done twice).\n\nCheck the Audit Desk service is running: the daily timer "
            "and the SharePoint webhook should keep this from happening." + SIGN_OFF
        ),
        idempotency_key=key,
    )


def set_aside(qa_team: str, problem: str, key: str) -> OutgoingMessage:
    """A record Audit Desk could not act on: everything else went ahead without it."""
    return OutgoingMessage(
        to=(qa_team,),
        subject="Audit Desk set an item aside: it needs a person to correct it",
        text_body=(
            "Audit Desk could not act on one item and set it aside; every other item was dealt with.\n\n"
            f"{problem}" + SIGN_OFF
        ),
        idempotency_key=key,
    )


def waiting_for_qa(
    allocation: Allocation, warnings: Sequence[Finding], qa_team: str, key: str
) -> OutgoingMessage:
    body = f"The audit of {allocation.label} has been returned and is ready for the QA check (2.11)."
    if warnings:
        body += "\n\nFlags for the QA check (the auditor's judgements are unchanged):\n" + findings_text(
            warnings
        )
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"Ready for the QA check: {allocation.label}",
        text_body=body + SIGN_OFF,
        idempotency_key=key,
    )


def findings_shared(
    allocation: Allocation,
    due: dt.date,
    working_days: int,
    link: str = "",
    worker_name: str = "",
    actions: str = "",
) -> OutgoingMessage:
    grade = allocation.overall_grade.value if allocation.overall_grade else "(no judgement)"
    worker = f"the allocated worker, {worker_name}," if worker_name else "the allocated worker"
    return OutgoingMessage(
        to=(allocation.team_manager_email,),
        cc=(allocation.allocated_worker_email,),
        subject=f"Audit findings to discuss by {due:%d/%m/%Y}: {allocation.label}",
        text_body=(
            f"The audit of {allocation.label} has been checked by the Quality Assurance Team. The "
            f"overall judgement is {grade}.\n\n"
            f"Please discuss the findings and the improvement plan with {worker} within "
            f"{working_days} working days, by {_day(due)} (2.10), and record the agreed actions and "
            "timescales on the child's file on Liquidlogic under Management Oversight. Any disagreement "
            "should be raised now so it can be resolved (2.9). The audit is in the Audit Submissions "
            "library." + _where(link) + _plan_actions(actions) + SIGN_OFF
        ),
        idempotency_key=f"findings-shared/{allocation.key}",
    )


def _plan_actions(actions: str) -> str:
    if not actions:
        return ""
    return (
        "\n\nThe improvement plan's actions, each tracked in the Improvement Actions list (2.8):\n"
        f"{actions}\n\nPlease confirm each is recorded on Liquidlogic under Management Oversight with "
        "its owner and timescale. Owners record each action done in the Improvement Actions list "
        "(or with 'auditdesk actions done'); Audit Desk reminds them before each is due."
    )


def reaudit_allocated(allocation: Allocation, previous: Allocation) -> OutgoingMessage:
    # The month is named, never "this month": the email may go out in the month before.
    return OutgoingMessage(
        to=(allocation.auditor_email,),
        cc=(allocation.team_manager_email,),
        subject=f"Re-audit of an Inadequate case: {allocation.label}",
        text_body=(
            f"{sentence(previous.label)} was judged Inadequate. It is re-audited in "
            f"{allocation.month.label} by a Senior Manager (2.12), and you have been allocated the "
            f"re-audit, due {_day(allocation.due_date)}. This is month {allocation.chain_month} of the "
            "re-audit chain; it continues until the judgement improves." + SIGN_OFF
        ),
        idempotency_key=f"reaudit/{allocation.key}",
    )


def reaudit_unallocated(
    allocation: Allocation,
    month_label: str,
    due: dt.date,
    problems: Sequence[str],
    qa_team: str,
    today: dt.date,
) -> OutgoingMessage:
    """2.12: Audit Desk could not choose a Senior Manager for a re-audit. Nothing is late: this
    says why and what QA can do, with the command and the list edit that do it."""
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"Choose who re-audits case {allocation.case_ref} in {month_label}",
        text_body=(
            f"The audit of {allocation.label} was accepted on {_day(today)} with an overall judgement "
            f"of Inadequate, so the case is re-audited in {month_label} by a Senior Manager (2.12). "
            "Audit Desk could not choose one:\n\n"
            + "\n".join(f"- {p}" for p in problems)
            + f"\n\nWhat to do, by {_day(due)} (when {month_label}'s allocations are due, 2.1): choose a Senior "
            "Manager who does not manage the case, then either run\n"
            f"    auditdesk qa reaudit {allocation.case_ref} --month {allocation.month} --by <their email>\n"
            "or add the re-audit to the Audit Allocations list with 'Re-audit of an Inadequate case' "
            "ticked. If no Senior Manager is in the Staff register, add them there first. A task for "
            "this is in the Tasks list." + SIGN_OFF
        ),
        idempotency_key=f"reaudit-unallocated/{allocation.key}",
    )


def allocation_cancelled(allocation: Allocation, reason: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(allocation.auditor_email,),
        subject=f"Audit no longer needed: {allocation.label}",
        text_body=(
            f"The Quality Assurance Team has cancelled the allocation of {allocation.label}; "
            f"nothing more is due for it.\n\nWhy: {reason}" + SIGN_OFF
        ),
        idempotency_key=f"allocation-cancelled/{allocation.key}",
    )


def allocation_refused(
    qa_team: str, allocation: Allocation, problems: Sequence[str], key: str
) -> OutgoingMessage:
    """1.4: an allocation QA added to the list names an auditor who may not audit the case."""
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"Choose another auditor: {allocation.label}",
        text_body=(
            f"The allocation of {allocation.label} to {allocation.auditor_email} was not made:\n\n"
            + "\n".join(f"- {p}" for p in problems)
            + "\n\nWhat to do: choose another auditor in the allocation's Auditor column, or run\n"
            f"    auditdesk allocation reassign {allocation.case_ref} --month {allocation.month} --to <their email>"
            + SIGN_OFF
        ),
        idempotency_key=key,
    )


def reminder(to: str, what: str, due: dt.date, section: str, key: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(to,),
        subject=f"Reminder: due {due:%d/%m/%Y}: {what}",
        text_body=f"A reminder that this is due on {_day(due)} ({section}):\n\n{what}" + SIGN_OFF,
        idempotency_key=key,
    )


def overdue(to: Sequence[str], what: str, due: dt.date, section: str, key: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=tuple(dict.fromkeys(to)),
        subject=f"Overdue since {due:%d/%m/%Y}: {what}",
        text_body=(
            f"This was due on {_day(due)} ({section}) and is not done:\n\n{what}\n\n"
            "Please make sure it is done, or tell the Quality Assurance Team why not." + SIGN_OFF
        ),
        idempotency_key=key,
    )


def allocation_week_missed(qa_team: str, month_label: str, due: dt.date, key: str) -> OutgoingMessage:
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"No audits allocated yet for {month_label}",
        text_body=(
            f"The list of cases to be audited in {month_label} should have reached auditors by "
            f"{_day(due)} (2.1), and no allocations are recorded yet." + SIGN_OFF
        ),
        idempotency_key=key,
    )
