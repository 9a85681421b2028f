"""The single case file audit as a state machine (section 2).

allocated → submitted → returned for amendment ⇄ resubmitted → accepted by QA →
findings shared → discussion held → closed.

An illegal step is refused with a reason a person can act on, never silently ignored.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class AuditStage(Enum):
    ALLOCATED = "Allocated"
    SUBMITTED = "Submitted"
    RETURNED_FOR_AMENDMENT = "Returned for amendment"
    RESUBMITTED = "Resubmitted"
    ACCEPTED = "Accepted by QA"
    FINDINGS_SHARED = "Findings shared"
    DISCUSSION_HELD = "Discussion held"
    CLOSED = "Closed"
    # QA withdrew the allocation before anything was returned (the case closed, or was
    # allocated by mistake): nothing more is due for it.
    CANCELLED = "Cancelled"


class AuditEvent(Enum):
    SUBMIT = "submit"
    RETURN_FOR_AMENDMENT = "return for amendment"
    ACCEPT = "accept"
    SHARE_FINDINGS = "share findings"
    HOLD_DISCUSSION = "record the discussion"
    CLOSE = "close"
    CANCEL = "cancel the allocation"


# Stages where the auditor holds the next step (the audit or its amendment is due), as listed.
WITH_AUDITOR = (AuditStage.ALLOCATED.value, AuditStage.RETURNED_FOR_AMENDMENT.value)


class QADecision(StrEnum):
    """What QA chooses on a submission in the Audit Submissions list; Audit Desk takes the step."""

    ACCEPT = "Accept"  # 2.11
    RETURN = "Return for amendment"  # 2.11
    SHARE = "Share findings"  # 2.9
    DISCUSSED = "Record discussion"  # 2.10


class SubmissionOutcome(StrEnum):
    """Where a returned file ended: every one ends in exactly one of these."""

    WAITING_FOR_QA = "Waiting for the QA check"
    RETURNED = "Returned to the auditor"
    QUARANTINED = "Quarantined"
    # A returned Staff Observation, Case Discussion or Supervision Audit form recorded against
    # its schedule item (4, 5, 6): not a case file audit, so it takes no part in the QA check.
    PROGRAMME_FORM_RECORDED = "Recorded against the schedule"
    # A returned moderation form recorded on its Moderation item (7.2).
    MODERATION_RECORDED = "Moderation recorded"


# The outcomes of a case file audit's submission (2.2, 2.11).
AUDIT_SUBMISSION_OUTCOMES = (
    SubmissionOutcome.WAITING_FOR_QA,
    SubmissionOutcome.RETURNED,
    SubmissionOutcome.QUARANTINED,
)


class ModerationStatus(StrEnum):
    """Moderation of an accepted audit (7.2): waiting for the moderator, then moderated."""

    AWAITING = "Awaiting moderation"
    MODERATED = "Moderated"


class IllegalTransition(ValueError):
    """A step the framework does not allow from the audit's current stage."""

    def __init__(self, stage: AuditStage, event: AuditEvent, reason: str) -> None:
        super().__init__(reason)
        self.stage = stage
        self.event = event
        self.reason = reason


_S, _E = AuditStage, AuditEvent

# (stage, event) -> next stage, each with the section that allows it.
TRANSITIONS: dict[tuple[AuditStage, AuditEvent], AuditStage] = {
    (_S.ALLOCATED, _E.SUBMIT): _S.SUBMITTED,  # 2.2
    (_S.SUBMITTED, _E.RETURN_FOR_AMENDMENT): _S.RETURNED_FOR_AMENDMENT,  # 2.11
    (_S.SUBMITTED, _E.ACCEPT): _S.ACCEPTED,  # 2.11
    (_S.RETURNED_FOR_AMENDMENT, _E.SUBMIT): _S.RESUBMITTED,  # 2.11
    (_S.RESUBMITTED, _E.RETURN_FOR_AMENDMENT): _S.RETURNED_FOR_AMENDMENT,  # 2.11
    (_S.RESUBMITTED, _E.ACCEPT): _S.ACCEPTED,  # 2.11
    (_S.ACCEPTED, _E.SHARE_FINDINGS): _S.FINDINGS_SHARED,  # 2.9
    (_S.FINDINGS_SHARED, _E.HOLD_DISCUSSION): _S.DISCUSSION_HELD,  # 2.10
    (_S.DISCUSSION_HELD, _E.CLOSE): _S.CLOSED,  # 2.10
    (_S.ALLOCATED, _E.CANCEL): _S.CANCELLED,  # 2.1: withdrawn before the audit was returned
}

# Why a step is refused, by the event tried, in words a QA officer recognises.
_WHY_NOT = {
    _E.SUBMIT: {
        _S.SUBMITTED: "it has already been submitted and is waiting for the QA check (2.11)",
        _S.RESUBMITTED: "it has already been resubmitted and is waiting for the QA check (2.11)",
    },
    _E.ACCEPT: {
        _S.ALLOCATED: "it has not been submitted yet (2.2)",
        _S.RETURNED_FOR_AMENDMENT: "it was returned for amendment and the auditor has not resubmitted it (2.11)",
    },
    _E.RETURN_FOR_AMENDMENT: {
        _S.ALLOCATED: "it has not been submitted yet (2.2)",
        _S.RETURNED_FOR_AMENDMENT: "it is already with the auditor for amendment (2.11)",
    },
    _E.SHARE_FINDINGS: {
        _S.ALLOCATED: "it has not been submitted yet (2.2)",
        _S.SUBMITTED: "QA has not accepted it yet (2.11)",
        _S.RESUBMITTED: "QA has not accepted it yet (2.11)",
        _S.RETURNED_FOR_AMENDMENT: "it is with the auditor for amendment (2.11)",
    },
    _E.HOLD_DISCUSSION: {
        _S.ACCEPTED: "the findings have not been shared with the Team Manager and practitioner yet (2.9)",
    },
    _E.CANCEL: {
        stage: "an audit that has been returned is seen through to its close (2.11)"
        for stage in (_S.SUBMITTED, _S.RETURNED_FOR_AMENDMENT, _S.RESUBMITTED, _S.ACCEPTED)
    }
    | {_S.FINDINGS_SHARED: "its findings are with the Team Manager (2.10)"},
    _E.CLOSE: {
        _S.FINDINGS_SHARED: "the Team Manager has not recorded the discussion of the findings yet (2.10)",
    },
}


def next_stage(stage: AuditStage, event: AuditEvent) -> AuditStage:
    """The stage after ``event``, or :class:`IllegalTransition` saying why it cannot happen."""
    following = TRANSITIONS.get((stage, event))
    if following is not None:
        return following
    if stage is AuditStage.CLOSED:
        message = f"Cannot {event.value}: the audit is closed."
    elif stage is AuditStage.CANCELLED:
        message = f"Cannot {event.value}: the allocation was cancelled."
    else:
        why = _WHY_NOT.get(event, {}).get(stage) or f"that step does not follow '{stage.value}'"
        message = f"Cannot {event.value}: the audit is '{stage.value}' and {why}."
    raise IllegalTransition(stage, event, message)


def allowed_events(stage: AuditStage) -> tuple[AuditEvent, ...]:
    return tuple(event for (s, event) in TRANSITIONS if s is stage)
