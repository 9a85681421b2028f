"""The Audit Highlights Report's page 1 (2.12, 2.6, 2.11, 8.1): judgements of accepted audits
only, counts beside every percentage, no percentage of a handful, the direction of travel, and
the cases that need a senior person now: who re-audits an Inadequate case by when, and which
case's safeguarding action is overdue."""

from __future__ import annotations

from shared.core.deadlines import AuditMonth
from shared.services.ports.documents import Share
from shared.services.reports import aggregate, highlights, quarterly
from shared.services.reports.highlights import direction, highlights_content
from shared.services.reports.period import parse_period
from tests.reports.conftest import DOMAINS, SCHEMA, D, allocation, submission, task

AS_OF = D(2026, 12, 10)


def _index() -> aggregate.AuditIndex:
    allocations = [
        allocation(1, "DEMO-0001", "2026-11", overall_grade="Inadequate", auditor_email="a@example.org"),
        allocation(2, "DEMO-0002", "2026-11", overall_grade="Good"),
        # Returned by QA for amendment: its Outstanding does not count yet (2.11).
        allocation(
            3,
            "DEMO-0003",
            "2026-11",
            overall_grade="Outstanding",
            status="Returned for amendment",
            submitted_on=D(2026, 11, 20),
        ),
        # Next month's re-audit of DEMO-0001, allocated to a Senior Manager (2.12).
        allocation(
            4,
            "DEMO-0001",
            "2026-12",
            previous_allocation=1,
            is_reaudit=True,
            auditor_email="senior.manager@example.org",
            due_date=D(2026, 12, 31),
        ),
    ]
    submissions = [
        submission(11, 1, "Inadequate"),
        submission(12, 2, "Good"),
        submission(13, 3, "Outstanding"),
    ]
    tasks = [
        task(
            21,
            "Safeguarding",
            D(2026, 11, 24),
            allocation=1,
            team="Demo Team East",
            assigned_to="tm@example.org",
        ),
        task(22, "Safeguarding", D(2026, 12, 20), allocation=2),  # not yet due
    ]
    return aggregate.index_history(allocations, submissions, tasks, SCHEMA)


def test_judgements_count_accepted_audits_only_and_the_rest_are_listed_as_awaiting_qa_2_11() -> None:
    h = highlights.highlights(_index(), parse_period("2026-11"), DOMAINS, AS_OF, lambda t: t)
    assert h.overall.graded == 2
    assert h.overall.counts["Outstanding"] == 0
    assert [r.case_ref for r in h.awaiting_qa] == ["DEMO-0003"]


def test_page_one_says_who_reaudits_each_inadequate_case_by_when_and_which_action_is_overdue() -> None:
    h = highlights.highlights(_index(), parse_period("2026-11"), DOMAINS, AS_OF, lambda t: t)
    content = highlights_content(h, {"senior.manager@example.org": "Sam Senior (fictional)"})
    senior = content.context["senior"]
    assert senior == [["DEMO-0001", "Demo Team East", "1", "Sam Senior (fictional)", "31 Dec 2026"]]
    overdue = content.context["overdue_actions"]
    assert overdue == [["DEMO-0001", "Demo Team East", "24 Nov 2026", "16", "tm@example.org"]]
    actions = content.context["actions"]
    assert isinstance(actions, list)
    assert any("1 overdue corrective action" in a for a in actions)
    assert not any("re-audit" in a for a in actions)  # its re-audit is allocated
    assert len(content.headlines) == 3


def test_a_percentage_always_carries_its_count_and_a_handful_is_a_count_only() -> None:
    assert str(Share(41, 50)) == "82% (41 of 50)"
    assert str(Share(1, 1)) == "1 of 1"  # never "100%" of one discussion
    assert str(Share(3, 4, minimum=5)) == "3 of 4"
    assert str(Share(3, 4, minimum=2)) == "75% (3 of 4)"
    assert Share(3, 4).ratio is None


def test_six_month_direction_pools_each_half_and_needs_enough_audits() -> None:
    rising = [(5, 10), (5, 10), (5, 10), (8, 10), (8, 10), (8, 10)]
    assert direction(rising, 5).startswith("improving (up 30")
    assert direction(list(reversed(rising)), 5).startswith("worsening")
    assert direction([(5, 10)] * 6, 5) == "steady"
    assert direction([(1, 1)] * 6, 5) == "too few audits to say"


def test_the_month_after_is_read_for_the_reaudit_but_never_counted_in_the_month() -> None:
    index = _index()
    h = highlights.highlights(index, parse_period("2026-11"), DOMAINS, AS_OF, lambda t: t)
    assert h.flow.allocated == 3
    assert index.by_month[AuditMonth(2026, 12)][0].case_ref == "DEMO-0001"


def test_the_quarterly_report_shows_action_completion_only_when_actions_exist_2_8() -> None:
    from shared.services.reports.quarterly import quarterly_content

    index = _index()
    quarter = parse_period("2026-Q4")
    without = quarterly_content(quarterly.quarterly(index, quarter, DOMAINS, AS_OF))
    assert without.context["extra_sections"] == []
    actions = [
        task(31, "Improvement action", D(2026, 11, 20), status="Done", completed_on=D(2026, 11, 19)),
        task(32, "Improvement action", D(2026, 11, 25)),
    ]
    index = aggregate.index_history([], [], actions, SCHEMA)
    with_actions = quarterly_content(quarterly.quarterly(index, quarter, DOMAINS, AS_OF))
    sections = with_actions.context["extra_sections"]
    assert isinstance(sections, list)
    (section,) = sections
    assert section["title"] == "Improvement-plan actions"
    assert "2 improvement-plan action(s)" in section["paragraphs"][0]
    assert "1 overdue" in section["paragraphs"][0]
    assert any(t.key == "improvement_actions" for t in with_actions.tables)


def test_a_further_section_such_as_moderation_prints_as_a_heading_and_its_paragraphs() -> None:
    import io

    from docx import Document

    from shared.adapters.documents.render import render_docx
    from shared.adapters.documents.report_templates import template_path
    from shared.services.reports.quarterly import quarterly_content

    moderation = {"title": "Moderation", "paragraphs": ["A second reviewer agreed 9 of 10 judgements."]}
    report = quarterly.quarterly(_index(), parse_period("2026-Q4"), DOMAINS, AS_OF)
    document = Document(
        io.BytesIO(render_docx(template_path("quarterly"), quarterly_content(report, [moderation])))
    )
    found = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    position = found.index(("Heading 1", "Moderation"))
    assert found[position + 1] == ("Normal", "A second reviewer agreed 9 of 10 judgements.")
