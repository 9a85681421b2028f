"""Thematic audit suggestions drawn from single case file audits (3.1), each with its evidence.

3.1: the themed audit schedule is based on Serious Case Review recommendations, performance
information and single case file audits. QA enters the first two; from the third, Audit
Desk suggests the domain most often graded Requires Improvement or Inadequate over the last
months, and findings that recur across teams. A suggestion is never a decision: QA records
the ones it takes up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.core.deadlines import AuditMonth
from shared.core.grades import Grade
from shared.core.schema import AuditSchema, Domain

WEAK_GRADES = (Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE)
_NUMBERING = re.compile(r"^\s*\d+\.\s*")
_KIND = re.compile(r"^(must fix|for the qa check):\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReturnedAudit:
    """What a suggestion needs from one returned single case file audit."""

    team: str
    audit_date: dt.date
    domain_grades: Mapping[str, Grade | None]
    findings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    """A theme and the evidence behind it: how many audits, what share, which teams and months."""

    key: str
    theme: str
    evidence: str
    count: int
    total: int
    teams: tuple[str, ...]
    months: tuple[AuditMonth, ...]

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0


def lookback_months(through: AuditMonth, months: int) -> tuple[AuditMonth, ...]:
    """The ``months`` months ending with ``through``, oldest first."""
    window = [through]
    while len(window) < months:
        window.append(window[-1].preceding())
    return tuple(reversed(window))


def suggest_themes(
    audits: Sequence[ReturnedAudit], through: AuditMonth, schema: AuditSchema
) -> list[ThemeSuggestion]:
    """3.1: suggestions from the audits of the last ``lookback_months`` months up to ``through``:
    the domain with the highest share of Requires Improvement or Inadequate, then every
    finding seen in at least ``min_teams`` teams."""
    settings = schema.programme.themes
    window = lookback_months(through, settings.lookback_months)
    recent = [a for a in audits if AuditMonth.of(a.audit_date) in window]
    suggestions = []
    weakest = weakest_domain(recent, window, schema)
    if weakest is not None:
        suggestions.append(weakest)
    suggestions.extend(recurring_findings(recent, window, settings.min_teams))
    return suggestions


def weakest_domain(
    audits: Sequence[ReturnedAudit], window: tuple[AuditMonth, ...], schema: AuditSchema
) -> ThemeSuggestion | None:
    """3.1: the domain graded Requires Improvement or Inadequate in the highest share of the
    audits that graded it (at least ``min_audits`` of them); ties go to the most audits."""
    best: tuple[float, int, int, Domain] | None = None
    for domain in schema.domains:
        graded = [a for a in audits if a.domain_grades.get(domain.id) is not None]
        weak = [a for a in graded if a.domain_grades.get(domain.id) in WEAK_GRADES]
        if len(graded) < schema.programme.themes.min_audits or not weak:
            continue
        candidate = (len(weak) / len(graded), len(weak), -domain.number, domain)
        if best is None or candidate[:3] > best[:3]:
            best = candidate
    if best is None:
        return None
    domain = best[3]
    graded = [a for a in audits if a.domain_grades.get(domain.id) is not None]
    weak = [a for a in graded if a.domain_grades.get(domain.id) in WEAK_GRADES]
    by_team = Counter(a.team or "(no team)" for a in weak)
    graded_by_team = Counter(a.team or "(no team)" for a in graded)
    months = tuple(sorted({AuditMonth.of(a.audit_date) for a in weak}))
    evidence = (
        f"{len(weak)} of {len(graded)} audits ({len(weak) / len(graded):.0%}) graded {domain.title} "
        f"Requires Improvement or Inadequate, {_period(window)}: the highest share of any domain. "
        "By team: "
        + ", ".join(f"{team} {by_team[team]} of {graded_by_team[team]}" for team in sorted(by_team))
        + ". Months: "
        + ", ".join(m.label for m in months)
        + "."
    )
    return ThemeSuggestion(
        key=f"weak-domain/{window[-1]}/{domain.id}",
        theme=f"{domain.name}: the weakest domain in single case file audits",
        evidence=evidence,
        count=len(weak),
        total=len(graded),
        teams=tuple(sorted(by_team)),
        months=months,
    )


def recurring_findings(
    audits: Sequence[ReturnedAudit], window: tuple[AuditMonth, ...], min_teams: int
) -> list[ThemeSuggestion]:
    """3.1: a finding seen in audits of at least ``min_teams`` teams, most teams first."""
    seen: dict[str, list[ReturnedAudit]] = defaultdict(list)
    wording: dict[str, str] = {}
    for audit in audits:
        for text in dict.fromkeys(normalised_finding(f) for f in audit.findings):
            if text:
                key = text.casefold()
                seen[key].append(audit)
                wording.setdefault(key, text)
    suggestions = []
    for key, found in seen.items():
        teams = Counter(a.team or "(no team)" for a in found)
        if len(teams) < min_teams:
            continue
        months = tuple(sorted({AuditMonth.of(a.audit_date) for a in found}))
        text = wording[key]
        evidence = (
            f"Found in {len(found)} of {len(audits)} audits across {len(teams)} teams, {_period(window)}. "
            "By team: "
            + ", ".join(f"{team} {teams[team]}" for team in sorted(teams))
            + ". Months: "
            + ", ".join(m.label for m in months)
            + "."
        )
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        suggestions.append(
            ThemeSuggestion(
                key=f"recurring-finding/{window[-1]}/{digest}",
                theme=f"Recurring finding: {text}",
                evidence=evidence,
                count=len(found),
                total=len(audits),
                teams=tuple(sorted(teams)),
                months=months,
            )
        )
    return sorted(suggestions, key=lambda s: (-len(s.teams), -s.count, s.theme))


def normalised_finding(line: str) -> str:
    """A finding as listed on a submission ('2. Must fix: ... (2.8)') without its number and kind."""
    return _KIND.sub("", _NUMBERING.sub("", line)).strip()


def _period(window: tuple[AuditMonth, ...]) -> str:
    if len(window) == 1:
        return f"in {window[0].label}"
    return f"{window[0].label} to {window[-1].label}"
