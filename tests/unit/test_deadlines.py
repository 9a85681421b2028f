"""Deadline rules, each named after the framework section it implements."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.core.deadlines import AuditMonth, Deadlines, months_before
from shared.core.grades import Grade

D = dt.date


def test_allocation_list_is_due_within_the_first_week_of_the_month_2_1(deadlines: Deadlines) -> None:
    assert deadlines.allocation_list_due_date(AuditMonth(2026, 11)) == D(2026, 11, 6)  # 7th is a Saturday
    assert deadlines.allocation_list_due_date(AuditMonth(2026, 12)) == D(2026, 12, 7)
    assert deadlines.allocation_list_due_date(AuditMonth(2027, 2)) == D(2027, 2, 5)


def test_audit_is_due_on_the_last_working_day_of_its_month_2_2(deadlines: Deadlines) -> None:
    assert deadlines.audit_due_date(AuditMonth(2026, 11)) == D(2026, 11, 30)
    assert deadlines.audit_due_date(AuditMonth(2026, 8)) == D(2026, 8, 28)  # bank holiday Monday 31st
    assert deadlines.audit_due_date(AuditMonth(2027, 1)) == D(2027, 1, 29)


def test_amendments_are_due_3_working_days_after_return_2_11(deadlines: Deadlines) -> None:
    assert deadlines.amendment_due_date(D(2026, 11, 30)) == D(2026, 12, 3)
    assert deadlines.amendment_due_date(D(2026, 12, 23)) == D(2026, 12, 30)


def test_inadequate_discussion_is_due_within_5_working_days_2_10(deadlines: Deadlines) -> None:
    assert deadlines.discussion_due_date(D(2026, 12, 23), Grade.INADEQUATE) == D(2027, 1, 4)


@pytest.mark.parametrize("grade", [Grade.GOOD, Grade.REQUIRES_IMPROVEMENT])
def test_good_or_requires_improvement_discussion_is_due_within_10_working_days_2_10(
    deadlines: Deadlines, grade: Grade
) -> None:
    assert deadlines.discussion_working_days(grade) == 10
    assert deadlines.discussion_due_date(D(2026, 11, 30), grade) == D(2026, 12, 14)


def test_outstanding_discussion_defaults_to_10_working_days_2_10(deadlines: Deadlines) -> None:
    assert deadlines.discussion_working_days(Grade.OUTSTANDING) == 10


def test_safeguarding_corrective_action_is_due_the_same_working_day_2_6(deadlines: Deadlines) -> None:
    assert deadlines.safeguarding_action_due_date(D(2026, 11, 27)) == D(2026, 11, 27)
    assert deadlines.safeguarding_action_due_date(D(2026, 12, 25)) == D(2026, 12, 29)


def test_inadequate_case_is_reaudited_the_following_month_2_12(deadlines: Deadlines) -> None:
    assert deadlines.reaudit_month(AuditMonth(2026, 11)) == AuditMonth(2026, 12)
    assert deadlines.reaudit_month(AuditMonth(2026, 12)) == AuditMonth(2027, 1)
    assert deadlines.reaudit_due_date(AuditMonth(2026, 12)) == D(2027, 1, 29)


def test_review_period_is_the_6_months_before_the_audit_2_3(deadlines: Deadlines) -> None:
    assert deadlines.review_period_start(D(2026, 11, 20)) == D(2026, 5, 20)
    assert deadlines.review_period_start(D(2026, 8, 31)) == D(2026, 2, 28)


def test_months_before_clamps_to_the_end_of_a_short_month() -> None:
    assert months_before(D(2028, 8, 31), 6) == D(2028, 2, 29)
    assert months_before(D(2027, 1, 15), 1) == D(2026, 12, 15)


def test_audit_month_parses_and_counts() -> None:
    month = AuditMonth.parse("2026-12")
    assert str(month) == "2026-12"
    assert month.label == "December 2026"
    assert month.following() == AuditMonth(2027, 1)
    assert month.following().preceding() == month
    with pytest.raises(ValueError, match="YYYY-MM"):
        AuditMonth.parse("December")
    with pytest.raises(ValueError, match="1 to 12"):
        AuditMonth(2026, 13)


def test_allocation_after_the_first_week_is_flagged_2_1(deadlines: Deadlines) -> None:
    from shared.core.allocation import is_allocated_late

    november = AuditMonth(2026, 11)
    assert not is_allocated_late(D(2026, 11, 6), november, deadlines)
    assert is_allocated_late(D(2026, 11, 9), november, deadlines)
    assert not is_allocated_late(D(2026, 10, 28), november, deadlines)  # sent ahead of the month
