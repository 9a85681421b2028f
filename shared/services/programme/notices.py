"""The programme's emails (4, 5, 6), each naming the section it comes from. Staff only: no child
is named, and a case discussion names its case by reference."""

from __future__ import annotations

import datetime as dt

from shared.services.ports.mail import Attachment, OutgoingMessage
from shared.services.workflow.notices import DOCX, SIGN_OFF


def _day(day: dt.date) -> str:
    return day.strftime("%A %d %B %Y")


def observation_coming(
    practitioner: str,
    practitioner_email: str,
    observer: str,
    observer_email: str,
    kind: str,
    due: dt.date,
    section: str,
    form: bytes,
    key: str,
) -> OutgoingMessage:
    """6.5: before the observation the practitioner is told and given the Staff Observation Form."""
    return OutgoingMessage(
        to=(practitioner_email,),
        cc=(observer_email,),
        subject=f"Your practice observation is due by {due:%d/%m/%Y} ({kind})",
        text_body=(
            f"Dear {practitioner},\n\n{observer} will observe your practice by {_day(due)} ({kind}, "
            f"{section}). Please agree a date and the setting with them, and the appraisal priorities "
            "to be assessed (6.1).\n\nThe Staff Observation Form is attached so you know what will be "
            "looked at (6.5). Afterwards your manager will share the completed form with you and hold a "
            "shared reflective review at your next supervision, where you will agree an action plan together."
            + SIGN_OFF
        ),
        idempotency_key=key,
        attachments=(Attachment("Staff Observation Form.docx", DOCX, form),),
    )


def observation_shared(
    practitioner: str,
    practitioner_email: str,
    observer_email: str,
    review_due: dt.date,
    file_name: str,
    content: bytes,
    has_action_plan: bool,
    key: str,
) -> OutgoingMessage:
    """6.5: after the observation the completed form is shared with the practitioner."""
    plan = (
        "The shared action plan on the form has been recorded."
        if has_action_plan
        else "There is no shared action plan on the form yet: agree one at the reflective review."
    )
    return OutgoingMessage(
        to=(practitioner_email,),
        cc=(observer_email,),
        subject="Your completed Staff Observation Form (6.5)",
        text_body=(
            f"Dear {practitioner},\n\nYour completed Staff Observation Form is attached. You and your "
            f"manager will hold a shared reflective review at your next supervision, by {_day(review_due)} "
            f"(6.5). {plan}" + SIGN_OFF
        ),
        idempotency_key=key,
        attachments=(Attachment(file_name, DOCX, content),),
    )
