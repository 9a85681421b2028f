"""The programme on real lists: schedules made once, forms returned, the sweep, compliance, themes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from shared.adapters.forms.word import fill_word_form
from shared.core.deadlines import AuditMonth
from shared.core.list_titles import OBSERVATIONS, STAFF, SUBMISSIONS, SUPERVISION_AUDITS
from shared.demo.programme import demo_programme
from shared.entry.cli.main import app
from shared.services.ports.lists import Query, where
from shared.services.programme.case_discussions import schedule_case_discussions
from shared.services.programme.compliance import compliance_by_team
from shared.services.programme.observations import notify_coming_observations, schedule_observations
from shared.services.programme.supervision import schedule_supervision_audits
from shared.services.programme.themes import (
    add_theme,
    schedule_suggestion,
    thematic_schedule,
    theme_suggestions,
)
from shared.services.workflow.sweep import sweep
from tests.programme.conftest import Desk, body

D = dt.date
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALEX = "alex.example@example.org"  # Demo Team East, managed by Morgan (fictional)
CASEY = "casey.example@example.org"  # Demo Team West, needs support, managed by Riley (fictional)
MORGAN, RILEY, QUINN = "morgan.example@example.org", "riley.sample@example.org", "quinn.example@example.org"


def planned(desk: Desk) -> Desk:
    desk.at(D(2026, 12, 1))
    schedule_observations(desk.services, 2027)
    schedule_case_discussions(desk.services, 2027)
    schedule_supervision_audits(desk.services, 2027)
    return desk


def items(desk: Desk, list_name: str) -> list[dict[str, object]]:
    return [dict(i.fields) for i in desk.store.query_all(Query(list_name, page_size=500))]


def test_scheduling_a_year_twice_creates_nothing_the_second_time_6_4_2_5_3(desk: Desk) -> None:
    desk.at(D(2026, 12, 1))
    first = [
        f(desk.services, 2027)
        for f in (schedule_observations, schedule_case_discussions, schedule_supervision_audits)
    ]
    assert [r.created for r in first] == [11, 12, 12]
    assert [r.tasks_created for r in first] == [11, 12, 12]
    second = [
        f(desk.services, 2027)
        for f in (schedule_observations, schedule_case_discussions, schedule_supervision_audits)
    ]
    assert all(r.nothing_new for r in second)
    assert len(desk.tasks("Observation")) == 11
    assert len(desk.tasks("Case discussion")) == 12
    assert len(desk.tasks("Supervision audit")) == 12
    assert len(items(desk, OBSERVATIONS)) == 11


def test_observation_tasks_carry_the_team_and_go_to_the_observer_6_2(desk: Desk) -> None:
    planned(desk)
    tasks = [t for t in desk.tasks("Observation") if t.key == "observation/asye/avery.example@example.org/2"]
    assert [(t.assigned_to, t.due_date, t.section) for t in tasks] == [(MORGAN, D(2027, 3, 5), "6.2")]
    team = desk.store.query_all(Query("Tasks", (where("task_key", "eq", tasks[0].key),)))
    assert next(team).fields["team"] == "Demo Team East"


def test_cli_schedule_is_idempotent_and_says_so(desk: Desk, tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "cli-home"
    args = ["--home", str(home), "--today", "2026-12-01"]
    assert runner.invoke(app, [*args, "staff", "--help"]).exit_code == 0
    from shared.demo.example_registers import write_example_staff_register

    register = write_example_staff_register(tmp_path / "staff.xlsx", desk.services.schema)
    assert runner.invoke(app, [*args, "staff", "import", str(register)]).exit_code == 0
    first = runner.invoke(app, [*args, "schedule", "discussions", "--year", "2027"])
    assert first.exit_code == 0
    assert "12 new schedule item(s)" in first.output
    second = runner.invoke(app, [*args, "schedule", "discussions", "--year", "2027"])
    assert second.exit_code == 0
    assert "nothing new was created" in second.output


def test_practitioner_is_told_and_sent_the_staff_observation_form_before_6_5(desk: Desk) -> None:
    planned(desk).at(D(2027, 1, 18))
    run = desk.run()
    assert notify_coming_observations(run) == 1
    assert notify_coming_observations(run) == 0  # once per observation
    (message,) = [m for m in desk.emails_to(ALEX) if "observation" in str(m["Subject"]).lower()]
    assert MORGAN in str(message["Cc"])
    assert [a.get_filename() for a in message.iter_attachments()] == ["Staff Observation Form.docx"]
    assert "(6.5)" in body(message)


def _observation_form(
    day: dt.date, action_plan: str = "Reflective log after two visits by 31/03/2027."
) -> bytes:
    return fill_word_form(
        TEMPLATES / "staff-observation.docx",
        {
            "practitioner": "Casey Example (fictional)",
            "practitioner_role": "Social Worker",
            "observer": "Riley Sample (fictional)",
            "team": "Demo Team West",
            "observation_date": day,
            "observation_type": "Support with improving performance",
            "setting": "Home visit (fictional)",
            "appraisal_priorities": "Direct work with children.",
            "strengths": "Child-centred conversation.",
            "development_areas": "Link to the analysis of risk.",
            "overall_grade": "Good",
            "action_plan": action_plan,
        },
    )


def test_returned_observation_form_is_shared_reviewed_and_its_action_plan_recorded_6_5(desk: Desk) -> None:
    planned(desk).at(D(2027, 2, 24))
    result = desk.submit("casey-observation.docx", _observation_form(D(2027, 2, 22)))
    (submission,) = result.submissions
    assert submission.outcome == "Recorded against the schedule", submission.reason
    (observation,) = [
        i for i in items(desk, OBSERVATIONS) if i["practitioner_email"] == CASEY and i.get("observation_date")
    ]
    assert observation["observation_date"] == D(2027, 2, 22)
    assert observation["overall_grade"] == "Good"
    assert observation["action_plan"] == "Reflective log after two visits by 31/03/2027."
    (done,) = [t for t in desk.tasks("Observation") if t.status == "Done"]
    assert done.assigned_to == RILEY
    (review,) = desk.tasks("Reflective review")
    assert (review.assigned_to, review.due_date, review.section) == (RILEY, D(2027, 3, 22), "6.5")
    staff = next(desk.store.query_all(Query(STAFF, (where("email", "eq", CASEY),))))
    assert staff.fields["last_observation"] == D(2027, 2, 22)
    (shared,) = [m for m in desk.emails_to(CASEY) if "completed Staff Observation Form" in str(m["Subject"])]
    assert [a.get_filename() for a in shared.iter_attachments()] == ["casey-observation.docx"]
    # Processing again changes nothing.
    assert desk.process().submissions == []
    assert len(desk.tasks("Reflective review")) == 1


def test_observation_form_for_someone_not_in_the_register_is_quarantined_with_a_reason_6_5(
    desk: Desk,
) -> None:
    planned(desk).at(D(2027, 2, 24))
    content = fill_word_form(
        TEMPLATES / "staff-observation.docx",
        {
            "practitioner": "Nobody Known (fictional)",
            "practitioner_role": "Social Worker",
            "observer": "Riley Sample (fictional)",
            "team": "Demo Team West",
            "observation_date": D(2027, 2, 22),
            "observation_type": "Annual observation",
            "setting": "Home visit (fictional)",
            "appraisal_priorities": "Direct work.",
            "strengths": "Warmth.",
            "development_areas": "Analysis.",
            "overall_grade": "Good",
        },
    )
    (submission,) = desk.submit("unknown-observation.docx", content).submissions
    assert submission.outcome == "Quarantined"
    assert "not (or not uniquely) in the Staff register" in submission.reason


def test_returned_supervision_audit_completes_its_item_and_counts_sessions_against_the_policy_5_2_5_3(
    desk: Desk,
) -> None:
    planned(desk).at(D(2027, 3, 20))
    content = fill_word_form(
        TEMPLATES / "supervision-audit.docx",
        {
            "supervisee": "Casey Example (fictional)",
            "supervisor": "Riley Sample (fictional)",
            "auditor": "Morgan Example (fictional)",
            "team": "Demo Team West",
            "audit_date": D(2027, 3, 19),
            "period_from": D(2026, 9, 19),
            "period_to": D(2027, 3, 19),
            "sessions_expected": "6",
            "sessions_held": "4",
            "quality_grade": "Requires Improvement",
            "decision_making": "Decisions recorded but not always followed through.",
        },
    )
    (submission,) = desk.submit("casey-supervision.docx", content).submissions
    assert submission.outcome == "Recorded against the schedule", submission.reason
    assert "Fewer supervision sessions recorded (4) than the policy expects (7)" in submission.reason
    done = [i for i in items(desk, SUPERVISION_AUDITS) if i.get("audit_date")]
    assert [(i["supervisee_email"], i["quality_grade"]) for i in done] == [(CASEY, "Requires Improvement")]
    staff = next(desk.store.query_all(Query(STAFF, (where("email", "eq", CASEY),))))
    assert staff.fields["last_supervision_audit"] == D(2027, 3, 19)


def test_returned_case_discussion_completes_its_item_4_2(desk: Desk) -> None:
    planned(desk).at(D(2027, 1, 20))
    content = fill_word_form(
        TEMPLATES / "case-discussion.docx",
        {
            "practitioner": "Alex Example (fictional)",
            "manager": "Morgan Example (fictional)",
            "team": "Demo Team East",
            "case_ref": "DEMO-0201",
            "discussion_date": D(2027, 1, 19),
            "knowledge_of_case": "Knows the family well.",
            "purpose_of_involvement": "Clear.",
            "relationship": "Trusting.",
            "overall_grade": "Good",
        },
    )
    (submission,) = desk.submit("alex-discussion.docx", content).submissions
    assert submission.outcome == "Recorded against the schedule", submission.reason
    assert [t.status for t in desk.tasks("Case discussion") if ALEX in t.key and "H1" in t.key] == ["Done"]


def test_the_sweep_escalates_an_overdue_observation_to_observer_manager_and_qa_6_3(desk: Desk) -> None:
    planned(desk).at(D(2027, 2, 1))  # Alex's yearly observation was due Friday 29 January
    run = desk.run()
    result = sweep(run)
    assert result.escalations >= 1
    # One message per person per day (a digest when there are several): the observer, their line
    # manager and QA each hear of it once.
    told = [
        m
        for m in desk.emails()
        if "Observe the practice of Alex" in body(m) and "verdue" in str(m["Subject"]) + body(m)
    ]
    assert sorted(str(m["To"]) for m in told) == sorted([MORGAN, QUINN, "quality-assurance@example.org"])
    assert all("(6.3)" in body(m) for m in told)


def test_compliance_counts_due_done_and_overdue_per_team_and_activity_8_1(desk: Desk) -> None:
    planned(desk).at(D(2027, 2, 24))
    desk.submit("casey-observation.docx", _observation_form(D(2027, 2, 22)))
    desk.at(D(2027, 4, 1))
    figures = {
        (f.team, f.activity): (f.due, f.done, f.overdue)
        for f in compliance_by_team(desk.services, D(2027, 1, 1), D(2027, 3, 31))
    }
    assert figures[("Demo Team West", "Observation")] == (1, 1, 0)
    assert figures[("Demo Team East", "Observation")] == (2, 0, 2)
    assert figures[("Demo Team East", "Case discussion")] == (2, 0, 2)


def test_theme_suggestions_come_from_returned_case_file_audits_with_evidence_3_1(desk: Desk) -> None:
    desk.at(D(2027, 3, 31))
    for n, (team, grade) in enumerate(
        [
            ("Demo Team East", "Inadequate"),
            ("Demo Team East", "Requires Improvement"),
            ("Demo Team West", "Good"),
        ]
    ):
        desk.store.add_file(
            SUBMISSIONS,
            f"audit-{n}.docx",
            b"fictional",
            {
                "team": team,
                "audit_date": D(2027, 3, 10 + n),
                "d3_grade": grade,
                "checked_on": dt.datetime(2027, 3, 12, 9, 0, tzinfo=dt.UTC),
                "findings_text": "1. Must fix: Action 1 has no measure of success. (2.8)",
            },
        )
    suggestions = theme_suggestions(desk.services, AuditMonth(2027, 3))
    assert suggestions[0].theme.startswith("Planning")
    assert "2 of 3 audits (67%)" in suggestions[0].evidence
    assert any(s.key.startswith("recurring-finding/") for s in suggestions)
    assert schedule_suggestion(desk.services, suggestions[0], AuditMonth(2027, 5))
    assert not schedule_suggestion(desk.services, suggestions[0], AuditMonth(2027, 5))
    assert add_theme(desk.services, "Neglect: cumulative harm", "Serious Case Review", AuditMonth(2027, 6))
    schedule = thematic_schedule(desk.services)
    assert [(a.month, a.source) for a in schedule] == [
        ("2027-05", "Single case file audits"),
        ("2027-06", "Serious Case Review"),
    ]
    assert schedule[0].evidence == suggestions[0].evidence


def test_demo_programme_plans_the_year_and_shows_a_quarter_falling_due(desk: Desk) -> None:
    lines: list[str] = []
    demo_programme(desk.services, lines.append)
    text = "\n".join(lines)
    assert "Planning observations again creates nothing: 0 items, 0 tasks" in text
    assert "Recorded against the schedule" in text
    assert "Overdue and escalated" in text


def test_the_daily_sweep_tells_practitioners_of_a_coming_observation_6_5(desk: Desk) -> None:
    from shared.services.workflow.sweep import sweep

    planned(desk).at(D(2027, 1, 18))
    assert sweep(desk.run()).observation_notices == 1
    assert sweep(desk.run()).observation_notices == 0  # once per observation
