"""Improvement actions followed through (2.8, 2.10, 2.12, 8.1): the rules, pure.

The auditor's SMART plan (2.8) says what will be done, by whom and by when. Once QA accepts the
audit each plan row becomes an improvement action the owner is reminded of, that is recorded
done (or not done), and that the next re-audit of the case (2.12) looks at again. This module
holds what the framework asks of them; the workflow (shared/services/workflow/actions.py) writes them.

- :func:`resolve_owner`: the plan's owner is a person in the Staff register (name or email),
  or a finding for the auditor.
- :func:`action_key` and :func:`reconcile`: one action per plan row of an accepted audit,
  keyed by the audit and the row; a changed plan updates or supersedes, never duplicates.
- :func:`reminder_step`: before the due date, on the day, overdue (to the owner's Team Manager).
- :func:`completion`: done on time, done late, overdue, by team and by domain (8.1).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from shared.core.findings import Finding, error
from shared.core.record import ImprovementAction


class ActionStatus(StrEnum):
    OPEN = "Open"
    DONE = "Done"
    NOT_DONE = "Not done"
    SUPERSEDED = "Superseded"


ACTION_STATUSES = tuple(s.value for s in ActionStatus)
# What the Senior Manager answers per action on the re-audit (2.12).
REAUDIT_ANSWERS = ("Done, made a difference", "Done, no difference yet", "Not done")


class ReminderStep(Enum):
    """The three messages an action's owner can get, each once (2.8)."""

    BEFORE = "before"  # due within the reminder lead
    ON_THE_DAY = "on the day"
    OVERDUE = "overdue"  # and to the owner's Team Manager


# --- owners are people ------------------------------------------------------------------

_PARENTHESES = re.compile(r"\s*\([^)]*\)\s*")
_SPACES = re.compile(r"\s+")


def _name_key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def _bare_name(text: str) -> str:
    """A name without what people add in brackets: 'Alex Example (SW)' -> 'alex example'."""
    return _name_key(_PARENTHESES.sub(" ", text))


@dataclass(frozen=True, slots=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class OwnerResolution:
    email: str  # '' when not resolved
    problem: str = ""  # why not, in the auditor's words


def resolve_owner(owner: str, people: Iterable[Person]) -> OwnerResolution:
    """The Staff register's person the plan names as owner: by email, by full name, or by the
    name without what is in brackets. Two people of that name, or nobody, is a problem."""
    text = owner.strip()
    if not text:
        return OwnerResolution("", "has no owner: name the person who will do it.")
    everyone = list(people)
    if "@" in text:
        wanted = text.lower()
        found = [p for p in everyone if p.email.lower() == wanted]
    else:
        found = [p for p in everyone if _name_key(p.name) == _name_key(text)]
        if not found and _bare_name(text):
            found = [p for p in everyone if _bare_name(p.name) == _bare_name(text)]
    emails = sorted({p.email.lower() for p in found if p.email})
    if len(emails) == 1:
        return OwnerResolution(emails[0])
    if len(emails) > 1:
        return OwnerResolution(
            "",
            f"names '{text}' as owner, and more than one person in the Staff register has that name: "
            "give the owner's email address instead.",
        )
    return OwnerResolution(
        "",
        f"names '{text}' as owner, who is not in the Staff register: name a person in the register "
        "(their name as the register spells it, or their email address), or ask QA to add them.",
    )


def owner_findings(actions: Sequence[ImprovementAction], people: Iterable[Person]) -> list[Finding]:
    """2.8: each action's owner must be a person Audit Desk can remind; one finding per row that
    names someone it cannot find (an empty owner is already the SMART check's finding)."""
    everyone = list(people)
    found = []
    for action in actions:
        if not action.owner.strip():
            continue
        resolution = resolve_owner(action.owner, everyone)
        if resolution.problem:
            found.append(
                error(
                    "action-owner-unknown",
                    f"a{action.row}_owner",
                    f"Improvement plan row {action.row} {resolution.problem}",
                    "2.8",
                )
            )
    return found


# --- one action per plan row --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One row of an accepted audit's plan, as it is tracked: the owner resolved to a person."""

    row: int
    action: str
    domain_id: str
    domain_name: str
    owner: str  # as the auditor wrote it
    owner_email: str
    due: dt.date | None
    measure: str

    def fields(self) -> dict[str, object]:
        """What the plan says, as compared when a plan changes."""
        return {
            "action": self.action,
            "domain_id": self.domain_id,
            "owner_email": self.owner_email,
            "due": self.due,
            "measure": self.measure,
        }

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "action": self.action,
            "domain_id": self.domain_id,
            "domain_name": self.domain_name,
            "owner": self.owner,
            "owner_email": self.owner_email,
            "due": self.due.isoformat() if self.due else None,
            "measure": self.measure,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> PlannedAction:
        due = data.get("due")
        row = data.get("row")
        return cls(
            row=int(row) if isinstance(row, int | str) else 0,
            action=str(data.get("action") or ""),
            domain_id=str(data.get("domain_id") or ""),
            domain_name=str(data.get("domain_name") or ""),
            owner=str(data.get("owner") or ""),
            owner_email=str(data.get("owner_email") or ""),
            due=dt.date.fromisoformat(due) if isinstance(due, str) and due else None,
            measure=str(data.get("measure") or ""),
        )


def planned_actions(actions: Sequence[ImprovementAction], people: Iterable[Person]) -> list[PlannedAction]:
    everyone = list(people)
    return [
        PlannedAction(
            row=a.row,
            action=a.action,
            domain_id=a.domain.id if a.domain else "",
            domain_name=a.domain.name if a.domain else a.domain_text,
            owner=a.owner,
            owner_email=resolve_owner(a.owner, everyone).email,
            due=a.due,
            measure=a.measure,
        )
        for a in actions
    ]


def action_key(allocation_key: str, row: int) -> str:
    """The action's deterministic key: the accepted audit (its allocation) and the plan row."""
    return f"action/{allocation_key}/{row}"


@dataclass(frozen=True, slots=True)
class TrackedAction:
    """An item of the Improvement Actions list, as the rules need it."""

    key: str
    row: int
    status: ActionStatus
    plan: PlannedAction


@dataclass
class PlanChanges:
    add: list[PlannedAction] = field(default_factory=list)
    update: list[tuple[TrackedAction, PlannedAction]] = field(default_factory=list)
    supersede: list[TrackedAction] = field(default_factory=list)


def reconcile(
    allocation_key: str, existing: Iterable[TrackedAction], plan: Sequence[PlannedAction]
) -> PlanChanges:
    """What the list needs so it holds exactly ``plan``: new rows added, changed open rows
    updated, rows no longer in the plan superseded. Done and not-done rows are history: never
    changed. Running it again on its own result changes nothing."""
    changes = PlanChanges()
    by_key = {a.key: a for a in existing}
    wanted = {action_key(allocation_key, p.row): p for p in plan}
    for key, planned in wanted.items():
        current = by_key.get(key)
        if current is None:
            changes.add.append(planned)
        elif current.status is ActionStatus.OPEN and current.plan.fields() != planned.fields():
            changes.update.append((current, planned))
    for key, current in sorted(by_key.items()):
        if key not in wanted and current.status is ActionStatus.OPEN:
            changes.supersede.append(current)
    return changes


# --- reminders ----------------------------------------------------------------------------


def reminder_step(due: dt.date, today: dt.date, remind_until: dt.date) -> ReminderStep | None:
    """Which message is due today for an open action due on ``due``; ``remind_until`` is the
    last day the reminder lead reaches (today plus so many working days)."""
    if today > due:
        return ReminderStep.OVERDUE
    if today == due:
        return ReminderStep.ON_THE_DAY
    if due <= remind_until:
        return ReminderStep.BEFORE
    return None


def step_still_to_send(step: ReminderStep, sent: Iterable[ReminderStep]) -> bool:
    """One message per action per step; a later step makes an earlier one pointless."""
    order = list(ReminderStep)
    return all(order.index(s) < order.index(step) for s in sent)


# --- the re-audit looks at the last plan (2.12) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ReauditOutcome:
    status: ActionStatus  # what the old action becomes
    carried_forward: bool  # a new action on the re-audit, linked to the old one
    made_a_difference: bool | None


def reaudit_outcome(answer: str, status: ActionStatus) -> ReauditOutcome:
    """The Senior Manager's answer for one action of the last plan (2.12). An action already
    recorded done keeps its status unless the re-audit finds it was not; one still open, or not
    done, that the re-audit does not find done is carried forward: the old one is superseded by
    a new action on the re-audit, linked to it, so nothing is lost and nothing is counted twice."""
    text = answer.strip().casefold()
    if text.startswith("done"):
        made = "made a difference" in text and "no difference" not in text
        return ReauditOutcome(ActionStatus.DONE, False, made)
    if text.startswith("not done"):
        return ReauditOutcome(ActionStatus.SUPERSEDED, True, False)
    # Not answered: an open action is carried forward; a recorded outcome stands.
    if status is ActionStatus.OPEN:
        return ReauditOutcome(ActionStatus.SUPERSEDED, True, None)
    return ReauditOutcome(status, False, None)


# --- completion (8.1) -------------------------------------------------------------------------

ON_TIME, LATE, OVERDUE, NOT_DONE, NOT_YET_DUE = (
    "done on time",
    "done late",
    "overdue",
    "not done",
    "not yet due",
)
COMPLETION_KINDS = (ON_TIME, LATE, OVERDUE, NOT_DONE, NOT_YET_DUE)
SLIPPED = (LATE, OVERDUE, NOT_DONE)


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """An action as the reports count it."""

    team: str
    domain: str
    owner_email: str
    status: ActionStatus
    due: dt.date | None
    done_on: dt.date | None
    carried_forward: bool = False  # superseded by a new action on the re-audit (2.12)


def completion_kind(action: ActionRecord, as_of: dt.date) -> str | None:
    """How an action stands on ``as_of``. One carried forward by a re-audit was not done by then
    (its successor counts again when it falls due); one dropped from a changed plan is not counted."""
    if action.status is ActionStatus.SUPERSEDED:
        return NOT_DONE if action.carried_forward else None
    if action.status is ActionStatus.NOT_DONE:
        return NOT_DONE
    if action.status is ActionStatus.DONE:
        if action.due is None or action.done_on is None or action.done_on <= action.due:
            return ON_TIME
        return LATE
    if action.due is not None and action.due < as_of:
        return OVERDUE
    return NOT_YET_DUE


@dataclass
class Completion:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPLETION_KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def due(self) -> int:
        """Actions whose due date has come (or that were settled): the base for rates."""
        return self.total - self.counts[NOT_YET_DUE]

    @property
    def slipped(self) -> int:
        return sum(self.counts[k] for k in SLIPPED)

    def slip_rate(self) -> float | None:
        return self.slipped / self.due if self.due else None


@dataclass
class CompletionMeasures:
    overall: Completion
    by_team: dict[str, Completion]
    by_domain: dict[str, Completion]

    def slipping_domains(self, minimum: int = 1) -> list[tuple[str, Completion]]:
        """Domains whose actions most often slip: most slipped first, then the higher rate."""
        ranked = [(d, c) for d, c in self.by_domain.items() if c.slipped and c.due >= minimum]
        return sorted(ranked, key=lambda dc: (-dc[1].slipped, -(dc[1].slip_rate() or 0.0), dc[0]))


def completion(actions: Iterable[ActionRecord], as_of: dt.date) -> CompletionMeasures:
    overall = Completion()
    by_team: dict[str, Completion] = {}
    by_domain: dict[str, Completion] = {}
    for action in actions:
        kind = completion_kind(action, as_of)
        if kind is None:
            continue
        overall.counts[kind] += 1
        by_team.setdefault(action.team or "(no team)", Completion()).counts[kind] += 1
        by_domain.setdefault(action.domain or "(no domain)", Completion()).counts[kind] += 1
    return CompletionMeasures(overall, dict(sorted(by_team.items())), dict(sorted(by_domain.items())))
