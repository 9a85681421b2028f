"""The thematic audit schedule (3.1): themes QA enters from Serious Case Reviews and
performance information, and suggestions drawn from single case file audits, with evidence."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.list_titles import SUBMISSIONS, THEMATIC_AUDITS
from shared.core.programme_themes import ReturnedAudit, ThemeSuggestion, lookback_months, suggest_themes
from shared.core.record import grade_of, text_of
from shared.services.ports.lists import FieldValue, Query, where
from shared.services.programme.schedule import as_date
from shared.services.workflow.dependencies import Services

SERIOUS_CASE_REVIEW = "Serious Case Review"
PERFORMANCE_INFORMATION = "Performance information"
SINGLE_CASE_AUDITS = "Single case file audits"
QA_SOURCES = (SERIOUS_CASE_REVIEW, PERFORMANCE_INFORMATION)


@dataclass(frozen=True, slots=True)
class ThematicAudit:
    theme: str
    source: str
    month: str
    lead_email: str
    status: str
    evidence: str


def returned_audits(services: Services, through: AuditMonth) -> list[ReturnedAudit]:
    """Single case file audits returned in the look-back window (from Audit Submissions)."""
    window = lookback_months(through, services.schema.programme.themes.lookback_months)
    # checked_on is indexed: fetch what was checked since a month before the window opened.
    since = dt.datetime.combine(window[0].preceding().first_day, dt.time(), tzinfo=dt.UTC)
    query = Query(SUBMISSIONS, (where("checked_on", "ge", since),), page_size=500)
    audits = []
    for item in services.store.query_all(query):
        f = item.fields
        audit_date = as_date(f.get("audit_date"))
        if audit_date is None or AuditMonth.of(audit_date) not in window:
            continue
        grades = {d.id: grade_of(f.get(f"{d.id}_grade")) for d in services.schema.domains}
        findings = tuple(line for line in text_of(f.get("findings_text")).splitlines() if line.strip())
        audits.append(ReturnedAudit(text_of(f.get("team")), audit_date, grades, findings))
    return audits


def theme_suggestions(services: Services, through: AuditMonth) -> list[ThemeSuggestion]:
    """3.1: suggestions from the single case file audits up to ``through``, each with evidence."""
    return suggest_themes(returned_audits(services, through), through, services.schema)


def add_theme(
    services: Services,
    theme: str,
    source: str,
    month: AuditMonth,
    lead_email: str = "",
    evidence: str = "",
    key: str | None = None,
) -> bool:
    """Put a theme on the schedule (Planned). Once per key: False when it is already there."""
    if source not in (*QA_SOURCES, SINGLE_CASE_AUDITS):
        raise ValueError(
            f"'{source}' is not a source of thematic audits: use one of {', '.join(QA_SOURCES)} (3.1)."
        )
    if not theme.strip():
        raise ValueError("A thematic audit needs a theme (3.1).")
    key = key or f"qa/{month}/" + hashlib.sha256(theme.strip().casefold().encode()).hexdigest()[:12]
    query = Query(THEMATIC_AUDITS, (where("theme_key", "eq", key),))
    if any(True for _ in services.store.query_all(query)):
        return False
    fields: dict[str, FieldValue] = {
        "Title": theme.strip()[:255],
        "theme": theme.strip()[:255],
        "source": source,
        "audit_month": str(month),
        "lead_email": lead_email.strip().lower() or None,
        "status": "Planned",
        "evidence": evidence or None,
        "theme_key": key,
    }
    services.store.add(THEMATIC_AUDITS, fields)
    return True


def schedule_suggestion(services: Services, suggestion: ThemeSuggestion, month: AuditMonth) -> bool:
    """Put a suggestion QA has taken up on the schedule, with its evidence."""
    return add_theme(
        services,
        suggestion.theme,
        SINGLE_CASE_AUDITS,
        month,
        evidence=suggestion.evidence,
        key=suggestion.key,
    )


def thematic_schedule(services: Services) -> list[ThematicAudit]:
    audits = [
        ThematicAudit(
            text_of(i.fields.get("theme")),
            text_of(i.fields.get("source")),
            text_of(i.fields.get("audit_month")),
            text_of(i.fields.get("lead_email")),
            text_of(i.fields.get("status")),
            text_of(i.fields.get("evidence")),
        )
        for i in services.store.query_all(Query(THEMATIC_AUDITS, page_size=500))
    ]
    return sorted(audits, key=lambda a: (a.month, a.theme))
