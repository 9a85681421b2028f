"""Case selection for the month (2.1): a fair, seeded and explained sample of cases to audit.

The Quality Assurance Team allocates audits (2.1). From the case management system's list of
cases, the month's proposal is a sample stratified by team and case type (every team and
case type with a case to audit gets at least ``min_per_stratum``; the rest in proportion to
how many cases each has), with no case audited in the last ``exclude_audited_within_months``
months, and every open re-audit of an Inadequate case (2.12) on top. Each case gets the least
loaded auditor who may audit it (1.4: an auditor's role, never the case's worker or their
manager; a Senior Manager for a re-audit). The draw is seeded by the schema's seed and the
month, so it can be repeated; each chosen case says why it was chosen.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.deadlines import AuditMonth
from shared.core.eligibility import CaseHolders, StaffMember, reasons_auditor_is_not_eligible
from shared.core.schema import AuditSchema, SamplingSettings


@dataclass(frozen=True, slots=True)
class ExportedCase:
    """One case from the case management export (Liquidlogic ID, not a name)."""

    case_ref: str
    child_ref: str
    team: str
    case_type: str
    worker_email: str
    manager_email: str
    opened: dt.date | None = None
    closed: dt.date | None = None

    @property
    def stratum(self) -> tuple[str, str]:
        return (self.team, self.case_type)


@dataclass(frozen=True, slots=True)
class OpenReaudit:
    """An Inadequate case to be re-audited this month (2.12); ``auditor_email`` is '' when no
    Senior Manager has been allocated yet."""

    case_ref: str
    team: str
    worker_email: str
    manager_email: str
    auditor_email: str
    previous_month: AuditMonth


@dataclass(frozen=True, slots=True)
class ChosenCase:
    case_ref: str
    team: str
    case_type: str
    worker_email: str
    manager_email: str
    auditor_email: str  # '' when no auditor may audit it: QA chooses one
    reason: str
    is_reaudit: bool = False


@dataclass(frozen=True, slots=True)
class Stratum:
    """One team and case type: how many cases, how many could be audited, how many drawn."""

    team: str
    case_type: str
    cases: int
    eligible: int
    drawn: int


@dataclass
class SampleProposal:
    month: AuditMonth
    seed: str
    chosen: list[ChosenCase] = field(default_factory=list)
    strata: list[Stratum] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def load(self) -> dict[str, int]:
        """Cases proposed per auditor."""
        counts: dict[str, int] = {}
        for case in self.chosen:
            if case.auditor_email:
                counts[case.auditor_email] = counts.get(case.auditor_email, 0) + 1
        return counts


def sample_seed(settings: SamplingSettings, month: AuditMonth) -> str:
    return f"{settings.seed}/{month}"


def months_between(earlier: AuditMonth, later: AuditMonth) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def recently_audited(
    case_ref: str, month: AuditMonth, audited: Mapping[str, AuditMonth], within: int
) -> AuditMonth | None:
    """The month ``case_ref`` was last audited, when that is this month or fewer than ``within``
    months before it; None when the case may be audited."""
    last = audited.get(case_ref.strip().upper())
    if last is None:
        return None
    gap = months_between(last, month)
    return last if gap < max(within, 1) else None


def draw_case_sample(
    cases: Sequence[ExportedCase],
    month: AuditMonth,
    audited: Mapping[str, AuditMonth],
    reaudits: Sequence[OpenReaudit],
    auditors: Sequence[StaffMember],
    load: Mapping[str, int],
    schema: AuditSchema,
) -> SampleProposal:
    """The month's proposed allocation (2.1, 1.4, 2.12).

    ``audited``: each case reference's latest audit month (upper case). ``load``: audits each
    auditor already has in ``month`` (re-audits already allocated included). The same inputs
    always give the same proposal, whatever order the export lists the cases in."""
    settings = schema.sampling
    seed = sample_seed(settings, month)
    rng = random.Random(seed)  # noqa: S311 - a repeatable draw, not a secret
    proposal = SampleProposal(month, seed)
    within = settings.exclude_audited_within_months
    reaudit_refs = {r.case_ref.strip().upper() for r in reaudits}

    strata: dict[tuple[str, str], list[ExportedCase]] = {}
    eligible: dict[tuple[str, str], list[ExportedCase]] = {}
    for case in sorted(cases, key=lambda c: c.case_ref):
        strata.setdefault(case.stratum, []).append(case)
        ref = case.case_ref.strip().upper()
        if ref in reaudit_refs or recently_audited(ref, month, audited, within) is not None:
            continue
        if case.closed is not None and case.closed < month.first_day:
            continue
        eligible.setdefault(case.stratum, []).append(case)

    quotas = _quotas({key: len(eligible.get(key, [])) for key in sorted(strata)}, settings)
    current = dict(load)
    _place_reaudits(proposal, reaudits, auditors, current, schema)
    for key in sorted(strata):
        pool = list(eligible.get(key, []))
        rng.shuffle(pool)
        quota = quotas.get(key, 0)
        team, case_type = key
        proposal.strata.append(Stratum(team, case_type, len(strata[key]), len(pool), quota))
        if not pool:
            proposal.problems.append(
                f"{case_type}, {team}: no case to audit this month ({len(strata[key])} case(s), each "
                f"audited in the last {within} months, closed, or an open re-audit)."
            )
            continue
        for rank, case in enumerate(pool[:quota], start=1):
            reason = (
                f"{case_type}, {team}: {rank} of {quota} drawn at random from {len(pool)} case(s) "
                f"not audited in the last {within} months (seed '{seed}')."
            )
            auditor = _least_loaded(
                auditors, CaseHolders(case.worker_email, case.manager_email), current, schema, False
            )
            if auditor is None:
                proposal.problems.append(
                    f"Case {case.case_ref}: no auditor in the Staff register may audit it (1.4); choose one."
                )
            else:
                current[auditor.email] = current.get(auditor.email, 0) + 1
            proposal.chosen.append(
                ChosenCase(
                    case.case_ref,
                    team,
                    case_type,
                    case.worker_email,
                    case.manager_email,
                    auditor.email if auditor else "",
                    reason,
                )
            )
    return proposal


def _quotas(
    eligible: Mapping[tuple[str, str], int], settings: SamplingSettings
) -> dict[tuple[str, str], int]:
    """Cases to draw per stratum: at least ``min_per_stratum`` from each stratum with a case to
    audit, then the rest of ``cases_per_month`` one at a time to the stratum with the most
    eligible cases per case already drawn (proportional, ties in stratum order), never more
    than a stratum has."""
    quotas = {key: min(count, settings.min_per_stratum) for key, count in eligible.items()}
    remaining = settings.cases_per_month - sum(quotas.values())
    while remaining > 0:
        open_strata = [key for key, count in eligible.items() if count > quotas[key]]
        if not open_strata:
            break
        best = max(open_strata, key=lambda key: (eligible[key] / (quotas[key] + 1), _reverse(key)))
        quotas[best] += 1
        remaining -= 1
    return quotas


def _reverse(key: tuple[str, str]) -> tuple[tuple[int, ...], ...]:
    """Sorts ``key`` descending, so that max() breaks ties in ascending stratum order."""
    return tuple(tuple(-ord(ch) for ch in part) for part in key)


def _least_loaded(
    auditors: Sequence[StaffMember],
    case: CaseHolders,
    load: Mapping[str, int],
    schema: AuditSchema,
    is_reaudit: bool,
) -> StaffMember | None:
    candidates = [a for a in auditors if not reasons_auditor_is_not_eligible(a, case, schema, is_reaudit)]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (load.get(a.email, 0), a.email))


def _place_reaudits(
    proposal: SampleProposal,
    reaudits: Sequence[OpenReaudit],
    auditors: Sequence[StaffMember],
    load: dict[str, int],
    schema: AuditSchema,
) -> None:
    """Every open re-audit (2.12) is on the list, with its Senior Manager (chosen when none yet)."""
    for reaudit in sorted(reaudits, key=lambda r: r.case_ref):
        auditor_email = reaudit.auditor_email
        if not auditor_email:
            chosen = _least_loaded(
                auditors, CaseHolders(reaudit.worker_email, reaudit.manager_email), load, schema, True
            )
            if chosen is None:
                proposal.problems.append(
                    f"Case {reaudit.case_ref}: no Senior Manager in the Staff register may re-audit it (2.12)."
                )
            else:
                auditor_email = chosen.email
                load[chosen.email] = load.get(chosen.email, 0) + 1
        proposal.chosen.append(
            ChosenCase(
                reaudit.case_ref,
                reaudit.team,
                "",
                reaudit.worker_email,
                reaudit.manager_email,
                auditor_email,
                f"Open re-audit (2.12): judged Inadequate in {reaudit.previous_month.label}; re-audited "
                "by a Senior Manager until the judgement improves.",
                is_reaudit=True,
            )
        )
