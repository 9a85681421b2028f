"""Moderation of accepted audits and the calibration of auditors (7.2, 8.1).

"It is important that the quality of auditing is consistent and audits are graded
accurately, based on evidence" (7.2). Each month a sample of accepted audits is moderated:
every audit whose overall judgement is one of ``always_moderate`` (Outstanding and
Inadequate by default), and a seeded random share of the rest. A moderator, never the
audit's own auditor nor the case's worker or Team Manager (1.4), agrees with each judgement
or gives a different grade with a reason. The auditor's judgement is never changed: the
moderated one is recorded beside it, and agreement is counted per auditor and per domain.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.core.eligibility import StaffMember
from shared.core.findings import Finding, error
from shared.core.grades import NOT_APPLICABLE, Grade, parse_grade
from shared.core.schema import AGREE, AuditSchema, ModerationSettings

OVERALL = "overall"
# A judgement as recorded: a grade, "Not applicable" (domains only), or None when not given.
Judgement = Grade | str | None


@dataclass(frozen=True, slots=True)
class AcceptedAudit:
    """An audit the QA team accepted (2.11), as moderation sees it."""

    key: str  # the allocation key, e.g. 'DEMO-0001/2026-11'
    case_ref: str
    team: str
    auditor_email: str
    allocated_worker_email: str
    team_manager_email: str
    overall_grade: Grade | None


@dataclass(frozen=True, slots=True)
class ModerationPick:
    """An audit drawn for moderation, with why: anyone can repeat the draw from seed and key."""

    audit: AcceptedAudit
    reason: str
    draw: float | None  # the random draw in [0, 1); None when drawn by its judgement
    seed: str


def moderation_seed(settings: ModerationSettings, month: str) -> str:
    """The seed of a month's draw: the schema's seed and the month ('hull-moderation/2026-11')."""
    return f"{settings.seed}/{month}"


def seeded_draw(seed: str, key: str) -> float:
    """A number in [0, 1) fixed by ``seed`` and ``key``: the same audit always draws the same
    number in the same month, whatever else was accepted, so drawing twice adds nothing."""
    digest = hashlib.sha256(f"{seed}|{key.strip().upper()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_for_moderation(
    audits: Sequence[AcceptedAudit], settings: ModerationSettings, month: str
) -> list[ModerationPick]:
    """The month's moderation sample (7.2): every audit judged one of ``always_moderate``, and
    each other audit whose seeded draw is under ``random_share``. In the order given."""
    seed = moderation_seed(settings, month)
    picks = []
    for audit in audits:
        grade = audit.overall_grade
        if grade is not None and grade in settings.always_moderate:
            picks.append(
                ModerationPick(audit, f"Every audit judged {grade.value} is moderated (7.2).", None, seed)
            )
            continue
        draw = seeded_draw(seed, audit.key)
        if draw < settings.random_share:
            picks.append(
                ModerationPick(
                    audit,
                    f"Drawn at random: draw {draw:.4f} is under the share {settings.random_share:.2f} "
                    f"(seed '{seed}').",
                    draw,
                    seed,
                )
            )
    return picks


def reasons_moderator_is_not_eligible(
    moderator: StaffMember, audit: AcceptedAudit, settings: ModerationSettings
) -> list[str]:
    """Empty when ``moderator`` may moderate ``audit``; otherwise each reason, in plain words."""
    reasons = []
    name = moderator.name or moderator.email
    if not moderator.active:
        reasons.append(f"{name} is no longer active in the Staff register.")
    if moderator.role not in settings.moderator_roles:
        reasons.append(
            f"{name} is a {moderator.role}; audits are moderated by: "
            + ", ".join(settings.moderator_roles)
            + "."
        )
    own = moderator.email.casefold()
    if own == audit.auditor_email.casefold():
        reasons.append(f"{name} audited this case and cannot moderate their own audit (7.2).")
    if own == audit.allocated_worker_email.casefold():
        reasons.append(f"{name} is the case's allocated worker (1.4).")
    if own == audit.team_manager_email.casefold():
        reasons.append(f"{name} manages the case (1.4).")
    return reasons


def choose_moderator(
    audit: AcceptedAudit,
    staff: Sequence[StaffMember],
    load: Mapping[str, int],
    settings: ModerationSettings,
) -> StaffMember | None:
    """The eligible moderator with the fewest moderations (ties by email), or None."""
    eligible = [m for m in staff if not reasons_moderator_is_not_eligible(m, audit, settings)]
    if not eligible:
        return None
    return min(eligible, key=lambda m: (load.get(m.email, 0), m.email))


# --- the moderator's judgements ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModeratedJudgement:
    """One domain's (or the overall) judgement: the auditor's and the moderator's, side by side."""

    part: str  # a domain id, or 'overall'
    auditor: Judgement
    moderated: Judgement
    reason: str = ""

    @property
    def agreed(self) -> bool:
        return self.auditor == self.moderated

    @property
    def compared(self) -> bool:
        """Both gave a grade (Not applicable on both sides counts as agreement, not a comparison)."""
        return isinstance(self.auditor, Grade) and isinstance(self.moderated, Grade)

    @property
    def moderated_lower(self) -> bool:
        """The moderator graded worse than the auditor: the auditor was more lenient."""
        return (
            isinstance(self.auditor, Grade)
            and isinstance(self.moderated, Grade)
            and self.moderated.rank > self.auditor.rank
        )

    @property
    def moderated_higher(self) -> bool:
        return (
            isinstance(self.auditor, Grade)
            and isinstance(self.moderated, Grade)
            and self.moderated.rank < self.auditor.rank
        )


def _judgement_text(value: Judgement) -> str:
    if isinstance(value, Grade):
        return value.value
    return value or "(none)"


def read_moderation(
    verdicts: Mapping[str, object],
    auditor_grades: Mapping[str, Judgement],
    schema: AuditSchema,
) -> tuple[tuple[ModeratedJudgement, ...], tuple[Finding, ...]]:
    """The moderator's judgements from ``verdicts`` ({d}_verdict, {d}_reason, overall_verdict,
    overall_reason: the moderation form's fields and the Moderation list's columns) beside the
    auditor's ``auditor_grades`` (domain id or 'overall' -> judgement).

    Agree takes the auditor's judgement; a different grade needs a reason. Findings say what
    to fix; nothing is recorded while there is an error."""
    judgements = []
    findings: list[Finding] = []
    parts = [(d.id, d.title) for d in schema.domains] + [(OVERALL, "The overall judgement")]
    for part, title in parts:
        verdict_field, reason_field = f"{part}_verdict", f"{part}_reason"
        raw = verdicts.get(verdict_field)
        text = raw.strip() if isinstance(raw, str) else ""
        reason = verdicts.get(reason_field)
        reason_text = reason.strip() if isinstance(reason, str) else ""
        auditor = auditor_grades.get(part)
        if not text:
            findings.append(
                error(
                    "moderation-missing",
                    verdict_field,
                    f"{title}: choose Agree, or the grade you would give.",
                    "7.2",
                )
            )
            continue
        moderated: Judgement
        if text.casefold() == AGREE.casefold():
            moderated = auditor
        else:
            moderated = parse_grade(text)
            if moderated is None or (part == OVERALL and moderated == NOT_APPLICABLE):
                choices = "Agree, " + ", ".join(g.value for g in Grade)
                findings.append(
                    error(
                        "moderation-unreadable",
                        verdict_field,
                        f"{title}: '{text[:40]}' is not a judgement. Choose one of: {choices}"
                        + (", Not applicable." if part != OVERALL else "."),
                        "7.2",
                    )
                )
                continue
        if moderated != auditor and not reason_text:
            findings.append(
                error(
                    "moderation-reason-missing",
                    reason_field,
                    f"{title}: you gave {_judgement_text(moderated)} where the auditor gave "
                    f"{_judgement_text(auditor)}. Give your reason, with the evidence (7.2).",
                    "7.2",
                )
            )
            continue
        judgements.append(
            ModeratedJudgement(part, auditor, moderated, reason_text if moderated != auditor else "")
        )
    return tuple(judgements), tuple(findings)


# --- calibration (7.2) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModeratedAudit:
    """A moderated audit: whose it was and every judgement side by side."""

    key: str
    auditor_email: str
    team: str
    judgements: tuple[ModeratedJudgement, ...]

    def judgement(self, part: str) -> ModeratedJudgement | None:
        for judgement in self.judgements:
            if judgement.part == part:
                return judgement
        return None


@dataclass(frozen=True, slots=True)
class Agreement:
    """How often the auditor's and the moderator's judgements agreed."""

    agreed: int = 0
    compared: int = 0
    moderated_lower: int = 0  # the moderator graded worse: the auditor was more lenient
    moderated_higher: int = 0

    @property
    def rate(self) -> float | None:
        return self.agreed / self.compared if self.compared else None

    def add(self, judgement: ModeratedJudgement) -> Agreement:
        if not judgement.compared:
            return self
        return Agreement(
            self.agreed + judgement.agreed,
            self.compared + 1,
            self.moderated_lower + judgement.moderated_lower,
            self.moderated_higher + judgement.moderated_higher,
        )


@dataclass(frozen=True, slots=True)
class AuditorCalibration:
    """One auditor: agreement with moderation overall and per domain, and their grade spread."""

    auditor_email: str
    moderated: int
    overall: Agreement
    domains: Mapping[str, Agreement]
    # Overall judgements this auditor gave on accepted audits in the period, by grade.
    grades: Mapping[Grade, int]
    flag: str = ""  # why this auditor's grading needs a look; empty when it does not

    @property
    def audits(self) -> int:
        return sum(self.grades.values())


@dataclass(frozen=True, slots=True)
class Calibration:
    """The calibration table (7.2): per auditor, per domain, and the service's grade spread."""

    auditors: tuple[AuditorCalibration, ...]
    domains: Mapping[str, Agreement]
    overall: Agreement
    service_grades: Mapping[Grade, int]
    flag_above: float
    min_moderated: int
    moderated: int = 0
    flagged: tuple[str, ...] = field(default=())


def share(count: int, total: int) -> float | None:
    return count / total if total else None


def calibrate(
    moderated: Sequence[ModeratedAudit],
    accepted_grades: Sequence[tuple[str, Grade]],
    settings: ModerationSettings,
    domain_ids: Sequence[str],
) -> Calibration:
    """Agreement with moderation per auditor and per domain, and each auditor's overall grades
    against the service's (``accepted_grades``: auditor email and overall judgement of every
    accepted audit in the period). An auditor is flagged when their overall judgement differs
    from moderation in more than ``flag_above`` of at least ``min_moderated`` moderated audits;
    the flag says in which direction."""
    by_auditor: dict[str, list[ModeratedAudit]] = {}
    for audit in moderated:
        by_auditor.setdefault(audit.auditor_email, []).append(audit)
    grades_by_auditor: dict[str, Counter[Grade]] = {}
    service: Counter[Grade] = Counter()
    for email, grade in accepted_grades:
        grades_by_auditor.setdefault(email, Counter())[grade] += 1
        service[grade] += 1
    rows = []
    service_domains = {d: Agreement() for d in domain_ids}
    service_overall = Agreement()
    for email in sorted(set(by_auditor) | set(grades_by_auditor)):
        audits = by_auditor.get(email, [])
        overall = Agreement()
        domains = {d: Agreement() for d in domain_ids}
        for audit in audits:
            for judgement in audit.judgements:
                if judgement.part == OVERALL:
                    overall = overall.add(judgement)
                    service_overall = service_overall.add(judgement)
                elif judgement.part in domains:
                    domains[judgement.part] = domains[judgement.part].add(judgement)
                    service_domains[judgement.part] = service_domains[judgement.part].add(judgement)
        counts = grades_by_auditor.get(email, Counter())
        rows.append(
            AuditorCalibration(
                email,
                len(audits),
                overall,
                domains,
                {g: counts[g] for g in Grade},
                _flag(overall, len(audits), settings),
            )
        )
    return Calibration(
        tuple(rows),
        service_domains,
        service_overall,
        {g: service[g] for g in Grade},
        settings.flag_above,
        settings.min_moderated,
        len(moderated),
        tuple(row.auditor_email for row in rows if row.flag),
    )


def _flag(overall: Agreement, moderated: int, settings: ModerationSettings) -> str:
    if moderated < settings.min_moderated or not overall.compared:
        return ""
    differed = overall.compared - overall.agreed
    rate = differed / overall.compared
    if rate <= settings.flag_above:
        return ""
    if overall.moderated_lower > overall.moderated_higher:
        direction = f"graded higher than the moderator in {overall.moderated_lower}"
    elif overall.moderated_higher > overall.moderated_lower:
        direction = f"graded lower than the moderator in {overall.moderated_higher}"
    else:
        direction = "graded differently in both directions"
    return (
        f"Overall judgement differs from moderation in {differed} of {overall.compared} moderated "
        f"audits ({rate:.0%}, above the {settings.flag_above:.0%} threshold): {direction}."
    )
