"""The single case file audit as a state machine (section 2)."""

from __future__ import annotations

import pytest

from shared.core.stages import (
    TRANSITIONS,
    AuditEvent,
    AuditStage,
    IllegalTransition,
    allowed_events,
    next_stage,
)

S, E = AuditStage, AuditEvent


def walk(*events: AuditEvent) -> AuditStage:
    stage = S.ALLOCATED
    for event in events:
        stage = next_stage(stage, event)
    return stage


def test_an_audit_goes_from_allocation_to_closure_in_the_frameworks_order_2_2_to_2_10() -> None:
    assert walk(E.SUBMIT, E.ACCEPT, E.SHARE_FINDINGS, E.HOLD_DISCUSSION, E.CLOSE) is S.CLOSED


def test_qa_may_return_an_audit_for_amendment_again_and_again_2_11() -> None:
    stage = walk(E.SUBMIT, E.RETURN_FOR_AMENDMENT, E.SUBMIT, E.RETURN_FOR_AMENDMENT, E.SUBMIT)
    assert stage is S.RESUBMITTED
    assert next_stage(stage, E.ACCEPT) is S.ACCEPTED


def test_an_audit_cannot_be_accepted_before_it_is_submitted_2_11() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_stage(S.ALLOCATED, E.ACCEPT)
    assert (
        str(refused.value)
        == "Cannot accept: the audit is 'Allocated' and it has not been submitted yet (2.2)."
    )


def test_findings_are_shared_only_after_qa_accepts_the_audit_2_9() -> None:
    with pytest.raises(IllegalTransition, match="QA has not accepted it yet"):
        next_stage(S.SUBMITTED, E.SHARE_FINDINGS)


def test_an_audit_closes_only_after_the_discussion_is_recorded_2_10() -> None:
    with pytest.raises(IllegalTransition, match="has not recorded the discussion"):
        next_stage(S.FINDINGS_SHARED, E.CLOSE)


def test_a_closed_audit_refuses_every_step() -> None:
    for event in AuditEvent:
        with pytest.raises(IllegalTransition, match="the audit is closed"):
            next_stage(S.CLOSED, event)


def test_every_illegal_step_is_refused_with_a_reason() -> None:
    for stage in AuditStage:
        for event in AuditEvent:
            if (stage, event) in TRANSITIONS:
                continue
            with pytest.raises(IllegalTransition) as refused:
                next_stage(stage, event)
            assert refused.value.reason.startswith(f"Cannot {event.value}:")
            assert refused.value.stage is stage


def test_every_stage_but_closed_or_cancelled_has_a_way_forward() -> None:
    for stage in AuditStage:
        assert bool(allowed_events(stage)) is (stage not in (S.CLOSED, S.CANCELLED))


def test_only_an_allocation_not_yet_returned_can_be_cancelled_2_1() -> None:
    assert next_stage(S.ALLOCATED, AuditEvent.CANCEL) is S.CANCELLED
    for stage in (S.SUBMITTED, S.RETURNED_FOR_AMENDMENT, S.ACCEPTED, S.FINDINGS_SHARED, S.CLOSED):
        with pytest.raises(IllegalTransition):
            next_stage(stage, AuditEvent.CANCEL)
