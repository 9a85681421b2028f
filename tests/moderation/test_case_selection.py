"""Case selection for the month (2.1) from a fictional case management export of 3,000 cases:
stratified by team and case type, no repeats inside 12 months, open re-audits included (2.12),
auditors balanced and eligible (1.4), seeded and explained; a malformed export refused row by row."""

from __future__ import annotations

import io
from collections import Counter

from openpyxl import Workbook

from shared.adapters.registers.case_export import read_case_export
from shared.core.deadlines import AuditMonth
from shared.core.sampling import OpenReaudit, draw_case_sample, months_between
from shared.core.schema_reader import load_schema
from shared.demo.fictional_cases import CASE_TYPES, TEAMS, export_csv, fictional_case_rows, fictional_staff

SCHEMA = load_schema()
STAFF = fictional_staff()
AUDITORS = [m for m in STAFF if m.role in SCHEMA.roles.auditors]
ROWS = fictional_case_rows(3000)


def _cases() -> list:  # type: ignore[type-arg]
    reading = read_case_export(export_csv(ROWS), "cases.csv", SCHEMA.sampling, STAFF)
    assert not reading.problems, reading.problems[:3]
    return reading.cases


def test_2_1_a_year_of_monthly_samples_never_repeats_a_case_inside_12_months_and_covers_every_stratum() -> (
    None
):
    cases = _cases()
    assert len(cases) == 3000
    audited: dict[str, AuditMonth] = {}
    month = AuditMonth(2026, 1)
    by_ref = {c.case_ref: c for c in cases}
    for _ in range(12):
        proposal = draw_case_sample(cases, month, audited, [], AUDITORS, {}, SCHEMA)
        drawn_strata = {(c.team, c.case_type) for c in proposal.chosen}
        open_strata = {s.team + "|" + s.case_type for s in proposal.strata if s.eligible}
        assert {f"{t}|{k}" for t, k in drawn_strata} == open_strata
        assert len(open_strata) == len(TEAMS) * len(CASE_TYPES)  # every stratum covered every month
        assert len(proposal.chosen) == SCHEMA.sampling.cases_per_month
        for case in proposal.chosen:
            previous = audited.get(case.case_ref)
            assert previous is None or months_between(previous, month) >= 12, case.case_ref
            exported = by_ref[case.case_ref]
            assert exported.closed is None or exported.closed >= month.first_day
            audited[case.case_ref] = month
        month = month.following()
    assert len(audited) == 12 * SCHEMA.sampling.cases_per_month  # no case twice in the year


def test_1_4_auditors_are_balanced_and_never_the_cases_worker_or_manager() -> None:
    cases = _cases()
    proposal = draw_case_sample(cases, AuditMonth(2026, 12), {}, [], AUDITORS, {}, SCHEMA)
    load = Counter(c.auditor_email for c in proposal.chosen)
    assert all(c.auditor_email for c in proposal.chosen)
    for case in proposal.chosen:
        assert case.auditor_email not in (case.worker_email, case.manager_email)
        role = next(m.role for m in STAFF if m.email == case.auditor_email)
        assert role in SCHEMA.roles.auditors
    assert max(load.values()) - min(load.values()) <= 1
    assert set(load) == {m.email for m in AUDITORS}


def test_2_1_the_sample_is_seeded_explained_and_the_same_whatever_the_export_order() -> None:
    cases = _cases()
    month = AuditMonth(2026, 12)
    first = draw_case_sample(cases, month, {}, [], AUDITORS, {}, SCHEMA)
    again = draw_case_sample(list(reversed(cases)), month, {}, [], AUDITORS, {}, SCHEMA)
    assert [c.case_ref for c in first.chosen] == [c.case_ref for c in again.chosen]
    assert first.seed == "hull-case-sample/2026-12"
    assert all("drawn at random" in c.reason and first.seed in c.reason for c in first.chosen)
    other = draw_case_sample(cases, month.following(), {}, [], AUDITORS, {}, SCHEMA)
    assert {c.case_ref for c in other.chosen} != {c.case_ref for c in first.chosen}


def test_2_12_every_open_reaudit_is_included_with_a_senior_manager() -> None:
    cases = _cases()
    month = AuditMonth(2026, 12)
    target = cases[10]
    reaudits = [
        OpenReaudit(
            target.case_ref, target.team, target.worker_email, target.manager_email, "", month.preceding()
        ),
        OpenReaudit(
            "FIC-99999", TEAMS[0], "", "", "fictional.seniormanager.2@example.org", month.preceding()
        ),
    ]
    proposal = draw_case_sample(cases, month, {}, reaudits, AUDITORS, {}, SCHEMA)
    chosen = {c.case_ref: c for c in proposal.chosen}
    assert chosen[target.case_ref].is_reaudit
    assert "re-audit (2.12)" in chosen[target.case_ref].reason
    senior = next(m for m in STAFF if m.email == chosen[target.case_ref].auditor_email)
    assert senior.role in SCHEMA.roles.senior_managers
    assert chosen["FIC-99999"].auditor_email == "fictional.seniormanager.2@example.org"
    assert sum(1 for c in proposal.chosen if c.case_ref == target.case_ref) == 1


def test_2_1_the_export_is_read_from_excel_the_same_way() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Case list exported from the case management system"])
    sheet.append(
        ["Case ID", "Person ID", "Team", "Allocated worker", "Team Manager", "Category", "Start date"]
    )
    for row in ROWS[:50]:
        sheet.append(list(row[:7]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    reading = read_case_export(buffer.getvalue(), "cases.xlsx", SCHEMA.sampling, STAFF)
    assert not reading.problems
    assert [c.case_ref for c in reading.cases] == [r[0] for r in ROWS[:50]]


def test_2_1_a_malformed_export_is_refused_row_by_row_and_nothing_is_loaded() -> None:
    rows = [list(r) for r in ROWS[:20]]
    rows[3][0] = rows[2][0]  # a duplicate reference
    rows[5][2] = "Fictional Team Z"  # an unknown team
    rows[7][6] = "11/30/2025"  # an American date
    rows[8][6] = "30 Nov 2025"  # another format
    rows[9][5] = "Early Help"  # not a case type Audit Desk samples
    rows[11][3] = "Nobody Fictional"  # not in the Staff register
    rows[12][1] = ""  # no child reference
    reading = read_case_export(export_csv(rows), "cases.csv", SCHEMA.sampling, STAFF)
    assert reading.cases == []  # nothing half-loaded
    where = {(p.row, p.column) for p in reading.problems}
    assert where == {
        (5, "Case reference"),
        (7, "Team"),
        (9, "Start date"),
        (10, "Start date"),
        (11, "Case type"),
        (13, "Worker"),
        (14, "Child reference"),
    }
    text = "\n".join(str(p) for p in reading.problems)
    assert "is also on row 4" in text
    assert "'Fictional Team Z' is not a team" in text
    assert "dd/mm/yyyy" in text


def test_2_1_an_export_missing_columns_says_which() -> None:
    header = ("Case reference", "Team", "Worker", "Case type")
    rows = [(r[0], r[2], r[3], r[5]) for r in ROWS[:5]]
    reading = read_case_export(export_csv(rows, header), "cases.csv", SCHEMA.sampling, STAFF)
    (problem,) = reading.problems
    assert "Child reference" in problem.message
    assert "Team Manager" in problem.message
    assert reading.cases == []


def test_2_1_a_file_that_is_not_a_case_list_is_refused_with_a_reason() -> None:
    reading = read_case_export(b"%PDF-1.7 not a case list", "cases.pdf", SCHEMA.sampling, STAFF)
    assert reading.refused
    assert reading.cases == []
