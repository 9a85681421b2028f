"""Moderation and calibration rules (7.2): the sample, who may moderate, the moderator's
judgements beside the auditor's, and the calibration flag. Pure: no store, no clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.core.eligibility import StaffMember
from shared.core.grades import Grade
from shared.core.moderation import (
    OVERALL,
    AcceptedAudit,
    ModeratedAudit,
    ModeratedJudgement,
    calibrate,
    choose_for_moderation,
    choose_moderator,
    read_moderation,
    reasons_moderator_is_not_eligible,
)
from shared.core.schema_reader import DEFAULT_SCHEMA_PATH, SchemaError, load_schema

SCHEMA = load_schema()
SETTINGS = SCHEMA.moderation
GRADES = list(Grade)


def _audit(n: int, grade: Grade | None, auditor: str = "auditor@example.org") -> AcceptedAudit:
    return AcceptedAudit(
        f"FIC-{n:05d}/2026-11",
        f"FIC-{n:05d}",
        "Fictional Team A",
        auditor,
        "w@example.org",
        "m@example.org",
        grade,
    )


def test_7_2_every_outstanding_and_inadequate_audit_and_a_seeded_share_of_the_rest_is_moderated() -> None:
    audits = [_audit(n, GRADES[n % 4]) for n in range(400)]
    picks = choose_for_moderation(audits, SETTINGS, "2026-11")
    picked = {p.audit.key for p in picks}
    for audit in audits:
        if audit.overall_grade in (Grade.OUTSTANDING, Grade.INADEQUATE):
            assert audit.key in picked
    rest = [a for a in audits if a.overall_grade in (Grade.GOOD, Grade.REQUIRES_IMPROVEMENT)]
    drawn = [p for p in picks if p.draw is not None]
    assert 0.15 < len(drawn) / len(rest) < 0.35  # the share is 0.25
    assert all(
        p.draw is not None and p.draw < SETTINGS.random_share and "seed 'hull-moderation/2026-11'" in p.reason
        for p in drawn
    )
    # Repeatable, and an audit's place does not depend on what else was accepted.
    again = choose_for_moderation(list(reversed(audits[:200])), SETTINGS, "2026-11")
    assert {p.audit.key for p in again} == {k for k in picked if int(k[4:9]) < 200}


def test_7_2_a_moderator_is_never_the_auditor_the_worker_or_the_manager_and_holds_a_moderator_role() -> None:
    audit = _audit(1, Grade.GOOD, auditor="senior.a@example.org")
    own = StaffMember("senior.a@example.org", "Senior A", "Senior Manager")
    manager = StaffMember("m@example.org", "Manager", "Group Manager")
    worker_role = StaffMember("sw@example.org", "Worker", "Social Worker")
    other = StaffMember("senior.b@example.org", "Senior B", "Senior Manager")
    assert reasons_moderator_is_not_eligible(own, audit, SETTINGS)
    assert reasons_moderator_is_not_eligible(manager, audit, SETTINGS)
    assert reasons_moderator_is_not_eligible(worker_role, audit, SETTINGS)
    assert choose_moderator(audit, [own, manager, worker_role, other], {}, SETTINGS) == other


def test_7_2_agree_takes_the_auditors_judgement_and_a_different_grade_needs_a_reason() -> None:
    auditor = {d.id: Grade.GOOD for d in SCHEMA.domains} | {OVERALL: Grade.GOOD}
    verdicts: dict[str, object] = {f"{d.id}_verdict": "Agree" for d in SCHEMA.domains}
    verdicts |= {"d3_verdict": "Requires Improvement", "overall_verdict": "Requires Improvement"}
    _, findings = read_moderation(verdicts, auditor, SCHEMA)
    assert {f.field for f in findings} == {"d3_reason", "overall_reason"}
    verdicts |= {"d3_reason": "No plan review since May.", "overall_reason": "Plan not reviewed."}
    judgements, findings = read_moderation(verdicts, auditor, SCHEMA)
    assert not findings
    by_part = {j.part: j for j in judgements}
    assert by_part["d1"].agreed
    assert by_part["d1"].moderated is Grade.GOOD
    assert by_part["d3"].auditor is Grade.GOOD  # the auditor's judgement stays on record
    assert by_part["d3"].moderated is Grade.REQUIRES_IMPROVEMENT
    assert by_part[OVERALL].moderated_lower


def test_7_2_a_missing_or_unreadable_verdict_is_a_finding() -> None:
    _, findings = read_moderation({"overall_verdict": "Excellent"}, {}, SCHEMA)
    codes = {f.code for f in findings}
    assert codes == {"moderation-missing", "moderation-unreadable"}


def _moderated(n: int, auditor: str, given: Grade, moderated: Grade) -> ModeratedAudit:
    judgements = [
        ModeratedJudgement(d.id, given, moderated, "" if given == moderated else "r") for d in SCHEMA.domains
    ]
    judgements.append(ModeratedJudgement(OVERALL, given, moderated, "" if given == moderated else "r"))
    return ModeratedAudit(f"K{n}", auditor, "T", tuple(judgements))


def test_7_2_calibration_flags_an_auditor_who_grades_higher_than_moderation() -> None:
    moderated = [
        _moderated(n, "lenient@example.org", Grade.GOOD, Grade.REQUIRES_IMPROVEMENT) for n in range(4)
    ]
    moderated += [_moderated(10 + n, "steady@example.org", Grade.GOOD, Grade.GOOD) for n in range(4)]
    moderated.append(_moderated(20, "steady@example.org", Grade.GOOD, Grade.OUTSTANDING))
    accepted = [("lenient@example.org", Grade.OUTSTANDING)] * 5 + [("steady@example.org", Grade.GOOD)] * 5
    table = calibrate(moderated, accepted, SETTINGS, [d.id for d in SCHEMA.domains])
    rows = {r.auditor_email: r for r in table.auditors}
    assert table.flagged == ("lenient@example.org",)
    assert "graded higher than the moderator in 4" in rows["lenient@example.org"].flag
    assert rows["steady@example.org"].overall.rate == pytest.approx(0.8)
    assert rows["lenient@example.org"].domains["d1"].agreed == 0
    assert rows["lenient@example.org"].grades[Grade.OUTSTANDING] == 5
    assert table.service_grades[Grade.GOOD] == 5


def test_7_2_too_few_moderated_audits_are_not_flagged() -> None:
    moderated = [_moderated(n, "new@example.org", Grade.GOOD, Grade.INADEQUATE) for n in range(2)]
    table = calibrate(moderated, [], SETTINGS, [d.id for d in SCHEMA.domains])
    assert table.flagged == ()


def test_the_moderation_section_of_the_schema_is_checked(tmp_path: Path) -> None:
    edited = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8").replace(
        "random_share = 0.25", "random_share = 25"
    )
    path = tmp_path / "hull.toml"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(SchemaError, match=r"moderation\.random_share"):
        load_schema(path)
    edited = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8").replace(
        'always_moderate = ["Outstanding", "Inadequate"]', 'always_moderate = ["Excellent"]'
    )
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(SchemaError, match="always_moderate"):
        load_schema(path)
