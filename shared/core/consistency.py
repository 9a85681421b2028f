"""Grade consistency (2.7, 7.2): local moderation rules between domain grades and the overall
judgement. A rule that fires is a flag for the QA check (2.11); it never changes a grade."""

from __future__ import annotations

from shared.core.findings import Finding
from shared.core.grades import Grade
from shared.core.record import AuditRecord, DomainJudgement
from shared.core.schema import AuditSchema


def check_grade_consistency(record: AuditRecord, schema: AuditSchema) -> list[Finding]:
    rules = schema.consistency
    overall = record.overall_grade
    outstanding_rule = rules["outstanding_needs_good_domains"]
    floor = outstanding_rule.at_least or Grade.GOOD

    # One pass over the domains (this runs for every form the service reads).
    weak: list[DomainJudgement] = []
    below_floor: list[DomainJudgement] = []
    inadequate: list[DomainJudgement] = []
    graded = 0
    all_good = True
    for judgement in record.domains:
        grade = judgement.grade
        if grade is None:
            continue
        graded += 1
        if grade.is_weak:
            weak.append(judgement)
            all_good = False
            if grade is Grade.INADEQUATE:
                inadequate.append(judgement)
        if not grade.at_least(floor):
            below_floor.append(judgement)

    found: list[Finding] = []
    rule = rules["weak_domain_needs_action"]
    if rule.enabled and weak:
        linked = {a.domain.id for a in record.actions if a.domain is not None}
        for judgement in weak:
            if judgement.domain.id not in linked:
                found.append(
                    Finding(
                        "weak-domain-without-action",
                        f"{judgement.domain.id}_grade",
                        rule.severity,
                        f"{judgement.domain.title} is graded {_grade(judgement)} but no "
                        "improvement action is linked to it: add an action with an owner and a "
                        "due date.",
                        "2.8",
                    )
                )

    if overall is None or not graded:
        return found

    if outstanding_rule.enabled and overall is Grade.OUTSTANDING and below_floor:
        names = "; ".join(f"{j.domain.title} {_grade(j)}" for j in below_floor)
        found.append(
            Finding(
                "outstanding-with-weaker-domains",
                "overall_grade",
                outstanding_rule.severity,
                f"Overall judgement is Outstanding but not every domain is {floor.value} or "
                f"better ({names}). Check the overall judgement or the domain grades, and "
                "explain the judgement in the rationale.",
                "7.2",
            )
        )

    rule = rules["good_overall_with_inadequate_domain"]
    if rule.enabled and inadequate and overall.at_least(Grade.GOOD):
        names = ", ".join(j.domain.title for j in inadequate)
        found.append(
            Finding(
                "good-overall-with-inadequate-domain",
                "overall_grade",
                rule.severity,
                f"Overall judgement is {overall.value} but {names} is graded Inadequate. "
                "Check the overall judgement, and explain it in the rationale.",
                "7.2",
            )
        )

    rule = rules["inadequate_overall_with_all_domains_good"]
    if rule.enabled and all_good and overall is Grade.INADEQUATE:
        found.append(
            Finding(
                "inadequate-overall-with-good-domains",
                "overall_grade",
                rule.severity,
                "Overall judgement is Inadequate but every graded domain is Good or better. "
                "Check the overall judgement or the domain grades, and explain the judgement "
                "in the rationale.",
                "7.2",
            )
        )
    return found


def _grade(judgement: DomainJudgement) -> str:
    return judgement.grade.value if judgement.grade is not None else ""
