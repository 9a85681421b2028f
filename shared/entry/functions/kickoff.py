"""The monthly kick-off (2.1): on the first working day, QA is reminded to allocate the month's
audits, with the day the list must reach auditors by."""

from __future__ import annotations

import datetime as dt

from shared.core.deadlines import AuditMonth
from shared.services.ports.mail import OutgoingMessage, SentMessage
from shared.services.workflow.dependencies import Services
from shared.services.workflow.notices import SIGN_OFF


def allocation_reminder(qa_team: str, month: AuditMonth, due: dt.date) -> OutgoingMessage:
    return OutgoingMessage(
        to=(qa_team,),
        subject=f"Allocate the case file audits for {month.label}",
        text_body=(
            f"It is the first working day of {month.label}. Please allocate this month's case file "
            f"audits: the list of cases should reach auditors by {due:%A %d %B %Y} "
            "(2.1). Use the allocation sheet or the Allocations "
            "list; Audit Desk emails each auditor and worker when their allocation is added." + SIGN_OFF
        ),
        idempotency_key=f"allocation-kickoff/{month}",
    )


def send_monthly_kickoff(services: Services, day: dt.date) -> SentMessage:
    month = AuditMonth.of(day)
    due = services.deadlines.allocation_list_due_date(month)
    return services.mailer.send(allocation_reminder(services.setting("qa_team_email"), month, due))
