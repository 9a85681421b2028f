"""Grade consistency (2.7, 7.2): local moderation rules between domain grades and the overall
judgement. A rule that fires is a flag for the QA check (2.11); it never changes a grade."""

from __future__ import annotations

from shared.core.findings import Finding
from shared.core.grades import Grade
from shared.core.record import AuditRecord
from shared.core.schema import AuditSchema


def check_grade_consistency(record: AuditRecord, schema: AuditSchema) -> list[Finding]:
    rules = schema.consistency
    overall = record.overall_grade
    graded = record.graded_domains
    found: list[Finding] = []

    rule = rules["weak_domain_needs_action"]
    if rule.enabled:
        linked = {a.domain.id for a in record.actions if a.domain is not None}
        for judgement in graded:
            assert judgement.grade is not None
            if judgement.grade.is_weak and judgement.domain.id not in linked:
                found.append(
                    Finding(
                        "weak-domain-without-action",
                        f"{judgement.domain.id}_grade",
                        rule.severity,
                        f"{judgement.domain.title} is graded {judgement.grade.value} but no "
                        "improvement action is linked to it: add an action with an owner and a "
                        "due date.",
                        "2.8",
                    )
                )

    if overall is None or not graded:
        return found

    rule = rules["outstanding_needs_good_domains"]
    floor = rule.at_least or Grade.GOOD
    if rule.enabled and overall is Grade.OUTSTANDING:
        below = [j for j in graded if j.grade is not None and not j.grade.at_least(floor)]
        if below:
            names = "; ".join(f"{j.domain.title} {j.grade.value}" for j in below if j.grade)
            found.append(
                Finding(
                    "outstanding-with-weaker-domains",
                    "overall_grade",
                    rule.severity,
                    f"Overall judgement is Outstanding but not every domain is {floor.value} or "
                    f"better ({names}). Check the overall judgement or the domain grades, and "
                    "explain the judgement in the rationale.",
                    "7.2",
                )
            )

    rule = rules["good_overall_with_inadequate_domain"]
    if rule.enabled and overall.at_least(Grade.GOOD):
        inadequate = [j for j in graded if j.grade is Grade.INADEQUATE]
        if inadequate:
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
    if (
        rule.enabled
        and overall is Grade.INADEQUATE
        and all(j.grade is not None and j.grade.at_least(Grade.GOOD) for j in graded)
    ):
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
