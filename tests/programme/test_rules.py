"""The programme's rules (3.1, 4.2, 5.2, 5.3, 6), each test naming the section it implements."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.eligibility import StaffMember
from shared.core.grades import Grade
from shared.core.programme import (
    ANNUAL_OBSERVATION,
    ASYE_OBSERVATION,
    MANAGER_OBSERVATION,
    SUPPORT_OBSERVATION,
    StaffRecord,
    WorkToPlace,
    asye_observation_due_dates,
    balance_load,
    case_discussions_for_year,
    next_supervision_by,
    observations_for_year,
    supervision_audits_for_year,
    supervision_frequency,
    supervision_sessions_expected,
)
from shared.core.programme_themes import ReturnedAudit, suggest_themes
from shared.core.schema_reader import DEFAULT_SCHEMA_PATH, SchemaError, load_schema, parse_schema
from shared.demo.example_registers import example_staff

SCHEMA = load_schema()
SETTINGS = SCHEMA.programme
CALENDAR = Deadlines.for_schema(SCHEMA).calendar
D = dt.date
TM = StaffMember("tm@example.org", "Team Manager (fictional)", "Team Manager", "East", "gm@example.org")
GM = StaffMember("gm@example.org", "Group Manager (fictional)", "Group Manager", "", "")


def worker(email: str = "sw@example.org", **changes: Any) -> StaffMember:
    values: dict[str, Any] = {"name": "Worker (fictional)", "role": "Social Worker", "team": "East"}
    values.update(changes)
    return StaffMember(email, manager_email="tm@example.org", **values)


def plan_observations(*records: StaffRecord, year: int = 2027) -> list[Any]:
    staff = [StaffRecord(TM), StaffRecord(GM), *records]
    return [
        i
        for i in observations_for_year(staff, year, SETTINGS, CALENDAR).items
        if i.person_email.startswith("sw")
    ]


def test_asye_worker_has_three_observations_by_months_3_6_and_10_6_2() -> None:
    dues = asye_observation_due_dates(D(2027, 1, 4), SETTINGS, CALENDAR)
    # End of month 3 is 3 April 2027 (a Saturday): due the Friday before; month 10 ends 3 November.
    assert dues == (D(2027, 4, 2), D(2027, 7, 2), D(2027, 11, 3))
    items = plan_observations(StaffRecord(worker(asye_start=D(2027, 1, 4))))
    assert [(i.due, i.kind, i.section, i.lead_email) for i in items] == [
        (due, ASYE_OBSERVATION, "6.2", "tm@example.org") for due in dues
    ]


def test_asye_observation_months_are_configurable_6_2() -> None:
    raw = _raw()
    raw["programme"]["observations"]["asye_months"] = [4, 8, 12]
    settings = parse_schema(raw).programme
    assert asye_observation_due_dates(D(2027, 1, 4), settings, CALENDAR)[0] == D(
        2027, 4, 30
    )  # 3 May: bank holiday


def test_experienced_worker_is_observed_12_months_after_the_last_observation_6_3() -> None:
    (item,) = plan_observations(StaffRecord(worker(), last_observation=D(2026, 5, 14)))
    assert (item.due, item.kind, item.section) == (D(2027, 5, 14), ANNUAL_OBSERVATION, "6.3")


def test_overdue_experienced_worker_is_due_by_the_end_of_january_6_3() -> None:
    (item,) = plan_observations(StaffRecord(worker(), last_observation=D(2025, 6, 1)))
    assert item.due == D(2027, 1, 29)


def test_worker_needing_support_is_observed_every_6_months_6_4() -> None:
    items = plan_observations(StaffRecord(worker(needs_support=True), last_observation=D(2026, 12, 10)))
    assert [(i.due, i.kind, i.section) for i in items] == [
        (D(2027, 6, 10), SUPPORT_OBSERVATION, "6.4"),
        (D(2027, 12, 10), SUPPORT_OBSERVATION, "6.4"),
    ]


def test_worker_needing_support_with_no_history_has_one_in_each_half_year_6_4() -> None:
    items = plan_observations(StaffRecord(worker(needs_support=True)))
    assert [i.due.month <= 6 for i in items] == [True, False]


def test_team_managers_are_observed_yearly_by_a_group_manager_and_icros_by_the_icro_manager_6_6() -> None:
    staff = [StaffRecord(m) for m in example_staff(SCHEMA)]
    items = observations_for_year(staff, 2027, SETTINGS, CALENDAR).items
    manager_items = [i for i in items if i.kind == MANAGER_OBSERVATION]
    assert sorted(Counter(i.person_email for i in manager_items).values()) == [1, 1, 1]  # once a year each
    managers = {i.person_email: i for i in manager_items}
    assert managers["morgan.example@example.org"].lead_email == "quinn.example@example.org"
    assert managers["riley.sample@example.org"].lead_email == "quinn.example@example.org"
    assert managers["skyler.example@example.org"].lead_email == "rowan.sample@example.org"
    assert {i.section for i in managers.values()} == {"6.6"}


def test_asye_year_ending_continues_with_the_yearly_observation_6_2_6_3() -> None:
    # ASYE from 2 March 2026: the last ASYE observation is due 31 Dec 2026; the next a year on.
    items = plan_observations(StaffRecord(worker(asye_start=D(2026, 3, 2))))
    assert [(i.due, i.section) for i in items] == [(D(2027, 12, 31), "6.3")]


def test_newly_qualified_worker_without_asye_start_is_reported_6_2() -> None:
    staff = [StaffRecord(TM), StaffRecord(worker(role="Newly Qualified Social Worker"))]
    plan = observations_for_year(staff, 2027, SETTINGS, CALENDAR)
    assert any("ASYE start date" in p for p in plan.problems)


def test_case_discussions_twice_a_year_per_practitioner_with_their_manager_4_2() -> None:
    staff = [StaffRecord(m) for m in example_staff(SCHEMA)]
    items = case_discussions_for_year(staff, 2027, SETTINGS, CALENDAR).items
    per_person = Counter(i.person_email for i in items)
    assert set(per_person.values()) == {2}
    assert len(per_person) == 6
    for item in items:
        assert item.section == "4.2"
        assert (item.due.month <= 6) == item.period.endswith("H1")
    alex = [i for i in items if i.person_email == "alex.example@example.org"]
    assert {i.lead_email for i in alex} == {"morgan.example@example.org"}


def test_case_discussions_are_spread_over_each_managers_months_4_2() -> None:
    staff = [StaffRecord(TM)] + [StaffRecord(worker(f"sw{n}@example.org")) for n in range(12)]
    items = case_discussions_for_year(staff, 2027, SETTINGS, CALENDAR).items
    per_month = Counter(i.due.month for i in items)
    assert sorted(per_month.values()) == [2] * 12  # 24 discussions, 2 a month, never 6 in one


def test_supervision_audits_at_least_twice_a_year_never_by_the_supervisor_5_3() -> None:
    staff = [StaffRecord(m) for m in example_staff(SCHEMA)]
    items = supervision_audits_for_year(staff, 2027, SETTINGS, CALENDAR).items
    assert set(Counter(i.person_email for i in items).values()) == {2}
    for item in items:
        assert item.lead_email not in (item.person_email, item.supervisor_email)
        assert item.section == "5.3"


def test_supervision_audits_share_the_load_between_auditors_5_3() -> None:
    staff = [StaffRecord(m) for m in example_staff(SCHEMA)]
    items = supervision_audits_for_year(staff, 2027, SETTINGS, CALENDAR).items
    load = Counter(i.lead_email for i in items)
    assert max(load.values()) - min(load.values()) <= 1


def test_scheduling_is_deterministic_and_keeps_what_was_planned_before_4_2_5_3() -> None:
    staff = [StaffRecord(m) for m in example_staff(SCHEMA)]
    first = supervision_audits_for_year(staff, 2027, SETTINGS, CALENDAR)
    assert supervision_audits_for_year(staff, 2027, SETTINGS, CALENDAR) == first
    already = {i.key: (i.lead_email, AuditMonth.of(i.due)) for i in first.items[:3]}
    again = supervision_audits_for_year(staff, 2027, SETTINGS, CALENDAR, already)
    kept = {i.key: (i.lead_email, AuditMonth.of(i.due)) for i in again.items if i.key in already}
    assert kept == already


def test_balance_load_evens_out_a_leads_months() -> None:
    months = tuple(AuditMonth(2027, m) for m in (1, 2, 3))
    work = [WorkToPlace(f"k{n}", ("a@example.org",), months) for n in range(6)]
    placed = balance_load(work, [("a@example.org", months[0])])
    assert Counter(m for _, m in placed.values()) == Counter({months[1]: 2, months[2]: 2, months[0]: 2})


def test_newly_qualified_supervision_is_weekly_then_fortnightly_then_monthly_5_2() -> None:
    member = worker(asye_start=D(2027, 1, 4))
    assert supervision_frequency(member, D(2027, 1, 20), SETTINGS) == "week"
    assert supervision_frequency(member, D(2027, 4, 1), SETTINGS) == "fortnight"
    assert supervision_frequency(member, D(2027, 9, 1), SETTINGS) == "month"
    assert supervision_frequency(worker(), D(2027, 1, 20), SETTINGS) == "month"
    # 6 weekly sessions, then fortnightly to week 26 (10), then monthly.
    assert supervision_sessions_expected(member, D(2027, 1, 4), D(2027, 7, 4), SETTINGS) == 6 + 10
    assert supervision_sessions_expected(worker(), D(2027, 1, 1), D(2027, 6, 30), SETTINGS) == 6


def test_reflective_review_is_due_by_the_next_supervision_6_5() -> None:
    assert next_supervision_by(worker(), D(2027, 2, 22), SETTINGS, CALENDAR) == D(2027, 3, 22)
    newly = worker(asye_start=D(2027, 2, 1))
    assert next_supervision_by(newly, D(2027, 2, 22), SETTINGS, CALENDAR) == D(2027, 3, 1)


def _audit(team: str, day: dt.date, weak_d3: bool, findings: tuple[str, ...] = ()) -> ReturnedAudit:
    grades: Mapping[str, Grade | None] = {
        "d1": Grade.GOOD,
        "d3": Grade.REQUIRES_IMPROVEMENT if weak_d3 else Grade.GOOD,
    }
    return ReturnedAudit(team, day, grades, findings)


def test_theme_suggestion_is_the_domain_with_the_highest_share_of_weak_grades_with_evidence_3_1() -> None:
    audits = [
        _audit("East", D(2027, 1, 10), True),
        _audit("East", D(2027, 2, 10), True),
        _audit("West", D(2027, 3, 10), True),
        _audit("West", D(2027, 3, 11), False),
        _audit("West", D(2026, 9, 1), True),  # outside the last three months
    ]
    (suggestion,) = suggest_themes(audits, AuditMonth(2027, 3), SCHEMA)
    assert suggestion.theme.startswith("Planning")
    assert (suggestion.count, suggestion.total, suggestion.teams) == (3, 4, ("East", "West"))
    assert suggestion.months == (AuditMonth(2027, 1), AuditMonth(2027, 2), AuditMonth(2027, 3))
    assert "3 of 4 audits (75%)" in suggestion.evidence
    assert "East 2 of 2, West 1 of 2" in suggestion.evidence


def test_theme_suggestion_for_a_finding_recurring_across_teams_3_1() -> None:
    finding = "2. Must fix: Action 1 has no measure of success. (2.8)"
    audits = [
        _audit("East", D(2027, 2, 1), False, (finding,)),
        _audit("West", D(2027, 3, 1), False, ("1. Must fix: Action 1 has no measure of success. (2.8)",)),
        _audit("West", D(2027, 3, 2), False, ("1. For the QA check: only in one team (2.7)",)),
    ]
    suggestions = suggest_themes(audits, AuditMonth(2027, 3), SCHEMA)
    recurring = [s for s in suggestions if s.key.startswith("recurring-finding/")]
    assert len(recurring) == 1
    assert recurring[0].teams == ("East", "West")
    assert "Found in 2 of 3 audits across 2 teams" in recurring[0].evidence


def _raw() -> dict[str, Any]:
    import tomllib

    return tomllib.loads(DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        (("observations", "asye_months"), [6, 3], "programme.observations.asye_months"),
        (
            ("observations", "experienced_interval_months"),
            0,
            "programme.observations.experienced_interval_months",
        ),
        (("case_discussions", "per_year"), 5, "programme.case_discussions.per_year"),
        (("supervision_audits", "auditor_roles"), ["Wizard"], "programme.supervision_audits.auditor_roles"),
        (("supervision", "experienced_every"), "daily", "programme.supervision.experienced_every"),
        (("observations", "observed_by"), {"Team Manager": "Wizard"}, "programme.observations.observed_by"),
    ],
)
def test_a_bad_programme_setting_is_refused_naming_the_key(
    path: tuple[str, str], value: Any, named: str
) -> None:
    raw = _raw()
    raw["programme"][path[0]][path[1]] = value
    with pytest.raises(SchemaError, match=named.replace(".", r"\.")):
        parse_schema(raw)


def test_the_programme_defaults_are_the_framework_and_domain_notes_numbers() -> None:
    raw = _raw()
    del raw["programme"]
    assert parse_schema(raw).programme == SETTINGS
