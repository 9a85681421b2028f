"""Aggregation on small hand-made lists, each figure checked against the framework section."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from shared.core.deadlines import AuditMonth
from shared.core.record import FieldValue
from shared.services.ports.lists import ListItem
from shared.services.reports import aggregate, bulletin, highlights, measures, quarterly
from shared.services.reports.period import parse_period
from tests.reports.conftest import DOMAINS, SCHEMA, D, allocation, submission, task

NOVEMBER = AuditMonth(2026, 11)
AS_OF = D(2026, 12, 10)


def _index(
    allocations: Sequence[ListItem], submissions: Sequence[ListItem] = (), tasks: Sequence[ListItem] = ()
) -> aggregate.AuditIndex:
    return aggregate.index_history(allocations, submissions, tasks, SCHEMA)


def test_audit_returned_by_the_last_working_day_is_on_time_and_one_not_returned_is_overdue_2_2() -> None:
    rows = _index(
        [
            allocation(1, "DEMO-0001", "2026-11", submitted_on=D(2026, 11, 30)),
            allocation(2, "DEMO-0002", "2026-11", submitted_on=D(2026, 12, 1), times_returned=1),
            allocation(3, "DEMO-0003", "2026-11"),
            allocation(4, "DEMO-0004", "2026-11", late_allocation=True, due_date=D(2026, 12, 31)),
        ]
    ).by_month[NOVEMBER]
    flow = measures.throughput(rows, AS_OF)
    assert (flow.allocated, flow.completed, flow.on_time, flow.late) == (4, 2, 1, 1)
    assert (flow.overdue, flow.not_yet_due, flow.returned_for_amendment, flow.late_allocations) == (
        1,
        1,
        1,
        1,
    )


def test_discussion_timeliness_uses_5_working_days_for_inadequate_and_10_for_the_others_2_10() -> None:
    rows = _index(
        [
            allocation(
                1,
                "A-0001",
                "2026-11",
                overall_grade="Inadequate",
                discussion_due=D(2026, 12, 2),
                discussion_held_on=D(2026, 12, 2),
            ),
            allocation(
                2,
                "A-0002",
                "2026-11",
                overall_grade="Inadequate",
                discussion_due=D(2026, 12, 2),
                discussion_held_on=D(2026, 12, 3),
            ),
            allocation(3, "A-0003", "2026-11", overall_grade="Good", discussion_due=D(2026, 12, 9)),
            allocation(4, "A-0004", "2026-11", overall_grade="Good", discussion_due=D(2026, 12, 11)),
            allocation(5, "A-0005", "2026-11", overall_grade="Good"),  # findings not shared yet
        ]
    ).by_month[NOVEMBER]
    five, ten = measures.discussion_timeliness(rows, AS_OF, SCHEMA.timescales)
    assert (five.due, five.held_on_time, five.held_late, five.overdue) == (2, 1, 1, 0)
    assert (ten.due, ten.held_on_time, ten.overdue, ten.not_yet_due) == (2, 0, 1, 1)
    assert five.on_time_share == pytest.approx(0.5)


def test_inadequate_case_reaudited_each_month_counts_its_months_in_the_chain_until_it_improves_2_12() -> None:
    index = _index(
        [
            allocation(1, "DEMO-0007", "2026-09", overall_grade="Inadequate"),
            allocation(
                2, "DEMO-0007", "2026-10", overall_grade="Inadequate", is_reaudit=True, previous_allocation=1
            ),
            allocation(
                3, "DEMO-0007", "2026-11", overall_grade="Inadequate", is_reaudit=True, previous_allocation=2
            ),
            allocation(4, "DEMO-0008", "2026-10", overall_grade="Inadequate"),
            allocation(
                5, "DEMO-0008", "2026-11", overall_grade="Good", is_reaudit=True, previous_allocation=4
            ),
            allocation(6, "DEMO-0009", "2026-11", overall_grade="Good"),
        ]
    )
    chains = measures.reaudit_chains(index, [NOVEMBER])
    assert [(c.case_ref, c.months_in) for c in chains] == [("DEMO-0007", 3), ("DEMO-0008", 0)]
    assert chains[0].next_step == "Re-audit by a Senior Manager in December 2026"
    assert chains[1].next_step.startswith("Improved after 1 month Inadequate")
    outcomes = measures.reaudit_outcomes(index, [NOVEMBER])
    assert (outcomes.reaudits, outcomes.improved, outcomes.still_inadequate, outcomes.longest_chain) == (
        2,
        1,
        1,
        3,
    )


def test_domain_grades_come_from_the_latest_submission_that_was_not_quarantined() -> None:
    index = _index(
        [allocation(1, "DEMO-0001", "2026-11", overall_grade="Good")],
        [
            submission(1, 1, "Inadequate"),
            submission(2, 1, "Good", d3_grade="Requires Improvement"),
            submission(3, 1, "Outstanding", outcome="Quarantined"),
        ],
    )
    distribution = dict((d.id, g) for d, g in measures.domain_distribution(index.rows, DOMAINS))
    assert distribution["d1"].counts["Good"] == 1
    assert distribution["d3"].counts["Requires Improvement"] == 1
    assert distribution["d3"].weak_share == 1.0


def test_safeguarding_alerts_and_their_corrective_actions_done_open_and_overdue_2_6() -> None:
    index = _index(
        [allocation(n, f"DEMO-000{n}", "2026-11", safeguarding_raised=True) for n in (1, 2, 3)],
        tasks=[
            task(1, "Safeguarding", D(2026, 11, 10), "Done", completed_on=D(2026, 11, 10), allocation=1),
            task(2, "Safeguarding", D(2026, 11, 12), "Open", allocation=2),
            task(3, "Safeguarding", D(2026, 12, 15), "Open", allocation=3),
            task(4, "Amendment", D(2026, 11, 12), "Open", allocation=3),
        ],
    )
    summary = measures.safeguarding(index, [NOVEMBER], AS_OF)
    assert summary.alerts == 3
    actions = summary.actions
    assert (actions.due, actions.done, actions.done_on_time, actions.overdue, actions.open_not_due) == (
        3,
        1,
        1,
        1,
        1,
    )


def test_quarterly_compliance_counts_case_discussions_supervision_audits_and_observations_by_team() -> None:
    east, west = {"team": "Demo Team East"}, {"team": "Demo Team West"}
    index = _index(
        [],
        tasks=[
            task(1, "Case discussion", D(2026, 10, 15), "Done", completed_on=D(2026, 10, 14), **east),
            task(2, "Case discussion", D(2026, 11, 15), "Open", **east),
            task(3, "Supervision audit", D(2026, 12, 20), "Open", **west),
            task(4, "Observation", D(2026, 9, 30), "Open", **west),  # due last quarter
        ],
    )
    report = quarterly.quarterly(index, parse_period("2026-Q4"), DOMAINS, AS_OF)
    by_type = {t.label: t for t in report.compliance_totals}
    assert (
        by_type["Case discussion"].due,
        by_type["Case discussion"].done,
        by_type["Case discussion"].overdue,
    ) == (2, 1, 1)
    assert (by_type["Supervision audit"].open_not_due, by_type["Observation"].due) == (1, 0)
    assert [(c.task_type, c.team) for c in report.compliance] == [
        ("Case discussion", "Demo Team East"),
        ("Supervision audit", "Demo Team West"),
    ]


def test_trend_covers_the_months_before_the_period() -> None:
    index = _index([allocation(1, "A-1", "2026-10", submitted_on=D(2026, 10, 20), overall_grade="Good")])
    h = highlights.highlights(index, parse_period("2026-11"), DOMAINS, AS_OF, lambda text: text)
    assert [str(p.month) for p in h.trend] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    assert h.trend[-2].good_or_better_share == 1.0
    assert h.trend[-1].allocated == 0


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2026-11", ["2026-11"]),
        ("2026-Q4", ["2026-10", "2026-11", "2026-12"]),
        ("2027-q1", ["2027-01", "2027-02", "2027-03"]),
    ],
)
def test_periods_are_a_month_or_a_quarter(text: str, months: list[str]) -> None:
    assert [str(m) for m in parse_period(text).months] == months


def test_a_period_that_is_neither_is_refused_with_an_example() -> None:
    with pytest.raises(ValueError, match="2026-Q4"):
        parse_period("November")


def test_a_domain_is_never_both_a_strength_and_an_area_to_develop_8_1() -> None:
    # Only two domains graded, one of them weak once: the two ends of the ranking meet.
    not_applicable: dict[str, FieldValue] = {f"d{n}_grade": "Not applicable" for n in range(3, 8)}
    index = _index(
        [
            allocation(1, "DEMO-0001", "2026-11", overall_grade="Good"),
            allocation(2, "DEMO-0002", "2026-11", overall_grade="Good"),
        ],
        [
            submission(11, 1, "Good", d1_grade="Requires Improvement", **not_applicable),
            submission(12, 2, "Good", **not_applicable),
        ],
    )
    result = bulletin.bulletin(index, parse_period("2026-11"), DOMAINS, AS_OF, lambda text: text, minimum=1)
    strengths = {d.domain.id for d in result.strengths}
    weaknesses = {d.domain.id for d in result.weaknesses}
    assert weaknesses == {"d1"}
    assert strengths == {"d2"}
    # With the usual minimum of 5, two audits name neither: no figure from fewer than 5 (8.1).
    few = bulletin.bulletin(index, parse_period("2026-11"), DOMAINS, AS_OF, lambda text: text)
    assert (few.strengths, few.weaknesses, few.has_figures) == ([], [], False)
    assert not [p for p in few.learning_points if re.search(r"\d", p)]
