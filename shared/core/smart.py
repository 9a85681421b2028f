"""SMART improvement plan checks (2.8), made without judging the auditor's prose.

Specific and measurable: an action of more than a few words, and a measure of success.
Owned: a named owner. Time-bound: an absolute due date, on a working day, after the audit,
within a sensible horizon, and before the re-audit when the case is Inadequate (2.12).
Linked: every action names the domain it improves. Vague wording is flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from shared.core.findings import Finding, error, warning
from shared.core.grades import Grade
from shared.core.record import AuditRecord, ImprovementAction
from shared.core.schema import AuditSchema
from shared.core.working_days import WorkingDayCalendar


@lru_cache(maxsize=8)
def _vague_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    # Matched against case-folded text: a case-insensitive pattern is three times slower.
    return re.compile(rf"\b(?:{alternatives})\b")


def check_improvement_plan(
    record: AuditRecord,
    schema: AuditSchema,
    calendar: WorkingDayCalendar,
    reaudit_due: dt.date | None,
) -> list[Finding]:
    """Findings about the improvement plan rows the auditor filled in."""
    findings: list[Finding] = []
    rules = schema.smart
    vague = _vague_pattern(rules.vague_phrases)
    inadequate = record.overall_grade is Grade.INADEQUATE
    for action in record.actions:
        findings.extend(_check_action(action, record, schema, calendar, vague))
        if (
            inadequate
            and rules.due_before_reaudit_when_inadequate
            and reaudit_due is not None
            and action.due is not None
            and action.due > reaudit_due
        ):
            findings.append(
                warning(
                    "action-due-after-reaudit",
                    f"a{action.row}_due",
                    f"Improvement plan row {action.row}: due {action.due:%d/%m/%Y}, after the "
                    f"re-audit due {reaudit_due:%d/%m/%Y}. The case is Inadequate: set a date "
                    "before the re-audit so it can show whether practice improved.",
                    "2.12",
                )
            )
    return findings


def _check_action(
    action: ImprovementAction,
    record: AuditRecord,
    schema: AuditSchema,
    calendar: WorkingDayCalendar,
    vague: re.Pattern[str] | None,
) -> list[Finding]:
    rules = schema.smart
    row = action.row
    where = f"Improvement plan row {row}"
    found: list[Finding] = []
    if not action.action:
        found.append(
            error(
                "action-missing",
                f"a{row}_action",
                f"{where} has no action: say what will be done, or clear the row.",
                "2.8",
            )
        )
    elif len(action.action.split()) < rules.min_action_words:
        found.append(
            warning(
                "action-not-specific",
                f"a{row}_action",
                f"{where}: '{action.action}' is too brief to be specific. Say what will be done, "
                "for whom and how.",
                "2.8",
            )
        )
    if action.domain is None and not action.domain_text:
        found.append(
            error(
                "action-domain-missing",
                f"a{row}_domain",
                f"{where} is not linked to a domain: choose the domain it improves.",
                "2.8",
            )
        )
    if not action.owner:
        found.append(
            error(
                "action-owner-missing",
                f"a{row}_owner",
                f"{where} has no owner: name the person who will do it.",
                "2.8",
            )
        )
    if not action.measure:
        found.append(
            error(
                "action-measure-missing",
                f"a{row}_measure",
                f"{where} has no measure of success: say what will show the action has worked.",
                "2.8",
            )
        )
    elif len(action.measure.split()) < rules.min_measure_words:
        found.append(
            warning(
                "measure-not-specific",
                f"a{row}_measure",
                f"{where}: the measure '{action.measure}' is too brief to be checked. Say what "
                "will be seen, and where, when it has worked.",
                "2.8",
            )
        )
    found.extend(_check_due(action, record, calendar, rules.horizon_days))
    if vague is not None:
        for part, text in (("action", action.action), ("measure", action.measure)):
            match = vague.search(text.casefold())
            if match:
                found.append(
                    warning(
                        "vague-wording",
                        f"a{row}_{part}",
                        f"{where}: '{match.group(0)}' is vague. Replace it with a specific step and a date.",
                        "2.8",
                    )
                )
    return found


def _check_due(
    action: ImprovementAction,
    record: AuditRecord,
    calendar: WorkingDayCalendar,
    horizon_days: int,
) -> list[Finding]:
    row = action.row
    field = f"a{row}_due"
    where = f"Improvement plan row {row}"
    if action.due is None:
        return [
            error(
                "action-due-missing",
                field,
                f"{where} has no due date: give the date it must be done by.",
                "2.8",
            )
        ]
    found = []
    if record.audit_date is not None:
        if action.due <= record.audit_date:
            found.append(
                error(
                    "action-due-before-audit",
                    field,
                    f"{where}: due {action.due:%d/%m/%Y}, which is not after the audit date "
                    f"{record.audit_date:%d/%m/%Y}. Give a future date.",
                    "2.8",
                )
            )
        elif (action.due - record.audit_date).days > horizon_days:
            found.append(
                warning(
                    "action-due-too-far",
                    field,
                    f"{where}: due {action.due:%d/%m/%Y}, more than {horizon_days} days after the "
                    "audit. Set a nearer date so progress can be seen quickly.",
                    "2.8",
                )
            )
    if not calendar.is_working_day(action.due):
        reason = calendar.holiday_name(action.due) or action.due.strftime("%A")
        found.append(
            warning(
                "action-due-not-working-day",
                field,
                f"{where}: due {action.due:%d/%m/%Y}, which is not a working day ({reason}). "
                f"Choose a working day such as {calendar.next_working_day_on_or_after(action.due):%d/%m/%Y}.",
                "2.8",
            )
        )
    return found
