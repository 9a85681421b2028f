"""A plainly fictional audit history for reports, tests and benchmarks.

Many months, several teams, grades that vary by team and domain, Inadequate cases re-audited
month after month until they improve (2.12), safeguarding concerns and their corrective actions
(2.6), findings discussions held on time, late or not yet (2.10), and the compliance tasks of
sections 4 to 6. The good practice auditors highlight is written the way people write: with
the worker's and the child's names, case references, phone numbers and dates of birth in it,
so tests can show that the bulletin redacts them. Every name is invented and marked so on the
Staff list; every address is @example.org; case references start DEMO-.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from shared.core.deadlines import AuditMonth
from shared.core.list_titles import ALLOCATIONS, SUBMISSIONS
from shared.services.ports.lists import FieldValue, ItemUpdate, ListItem, ListStore

_T = TypeVar("_T")

# Invented first names and surnames; combined they name nobody real.
FIRST_NAMES = (
    "Ashlyn", "Bramwell", "Corrie", "Delphine", "Ellery", "Fenwick", "Gwendolen", "Hollis",
    "Ingram", "Jessamy", "Kestrel", "Linnea", "Marisol", "Nevin", "Orla", "Peregrine",
)  # fmt: skip
SURNAMES = (
    "Ashdown", "Brackenby", "Colewort", "Dunmore", "Elderfield", "Fallowby", "Greythorn",
    "Hawksmoor", "Ivybridge", "Juniper", "Kettlewell", "Larkspur",
)  # fmt: skip
CHILD_NAMES = ("Tamsin", "Ozzie", "Wrenna", "Caspian", "Elowen", "Ruairi", "Saffi", "Bexley")
TEAMS = (
    "Demo Team East", "Demo Team West", "Demo Team North", "Demo Team South",
    "Demo Children in Care", "Demo Early Help", "Demo Leaving Care", "Demo Disabled Children",
)  # fmt: skip
GRADES = ("Outstanding", "Good", "Requires Improvement", "Inadequate")
_PRACTICE = (
    "{worker} used {child}'s drawings in direct work and the plan reflects {child}'s wishes.",
    "Clear analysis of risk by {worker}; chronology updated after each visit (see {case}).",
    "{manager} recorded reflective supervision with {worker} every month, with actions.",
    "Multi-agency meeting chaired well; school and health attended. Contact mum on {phone}.",
    "Plan is SMART and reviewed; {child} (DOB {dob}) was seen alone at every visit.",
    "Creative life-story work with {child}; child ref {child_ref} updated on Liquidlogic.",
    "Timely strategy discussion and good management oversight by {manager}.",
    "The worker saw the child alone at every visit and the plan uses the child's own words.",
    "Thorough assessment that weighs history and protective factors and reaches a clear conclusion.",
    "The chronology is current and shows the impact of each significant event on the child.",
    "Supervision notes are reflective and set actions with timescales, which were followed up.",
    "The plan is SMART, the family understand it, and progress is reviewed within timescales.",
)


@dataclass
class FictionalHistory:
    """The lists as items (ids as a fresh store would give them), ready to aggregate or store."""

    staff: list[ListItem] = field(default_factory=list)
    allocations: list[ListItem] = field(default_factory=list)
    submissions: list[ListItem] = field(default_factory=list)
    tasks: list[ListItem] = field(default_factory=list)

    @property
    def all_names(self) -> list[str]:
        return [str(i.fields["Title"]) for i in self.staff] + list(CHILD_NAMES)


def _months_ending(last: AuditMonth, count: int) -> list[AuditMonth]:
    months = [last]
    while len(months) < count:
        months.append(months[-1].preceding())
    return list(reversed(months))


def _last_weekday(month: AuditMonth) -> dt.date:
    day = month.following().first_day - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _add_weekdays(day: dt.date, count: int) -> dt.date:
    """Weekdays only: close enough to working days for fictional data, and fast for 100k audits."""
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def fictional_history(
    audits: int, last_month: AuditMonth, months: int = 12, teams: int = 6, seed: int = 2026
) -> FictionalHistory:
    """About ``audits`` allocations spread over ``months`` months ending ``last_month``."""
    rng = random.Random(seed)  # noqa: S311 - fictional data, not secrets
    history = FictionalHistory()
    team_names = TEAMS[: max(1, min(teams, len(TEAMS)))]
    people: list[tuple[str, str, str]] = []  # (name, email, team)
    for number, (first, last) in enumerate((f, s) for s in SURNAMES for f in FIRST_NAMES):
        if len(people) >= 12 * len(team_names):
            break
        team = team_names[number % len(team_names)]
        email = f"{first.lower()}.{last.lower()}@example.org"
        people.append((f"{first} {last} (fictional)", email, team))
        history.staff.append(
            ListItem(
                len(history.staff) + 1,
                "1",
                {"Title": f"{first} {last} (fictional)", "email": email, "team": team, "active": True},
            )
        )
    by_team = {t: [p for p in people if p[2] == t] for t in team_names}
    # Some teams do better than others, and some domains are harder everywhere.
    team_bias = {t: rng.uniform(-0.15, 0.15) for t in team_names}
    domain_bias = (0.0, 0.05, 0.12, 0.0, -0.05, 0.15, 0.08)
    month_list = _months_ending(last_month, months)
    per_month = max(1, audits // len(month_list))
    pending_reaudits: list[tuple[int, str, str]] = []  # (allocation id, case ref, team)
    case_number = 0
    for month_number, month in enumerate(month_list):
        due = _last_weekday(month)
        reaudits, pending_reaudits = pending_reaudits, []
        count = (
            per_month if month_number < len(month_list) - 1 else audits - per_month * (len(month_list) - 1)
        )
        newest = month_number == len(month_list) - 1
        for slot in range(max(count, len(reaudits))):
            if slot < len(reaudits):
                previous, case_ref, team = reaudits[slot]
            else:
                case_number += 1
                previous, case_ref, team = 0, f"DEMO-{case_number:05d}", rng.choice(team_names)
            members = by_team[team]
            worker, manager, auditor = rng.choice(members), members[0], rng.choice(people)
            allocation_id = len(history.allocations) + 1
            weak = 0.3 + team_bias[team] + (0.15 if previous else 0.0)
            roll = rng.random()
            overall = (
                "Inadequate"
                if roll < weak * 0.3
                else "Requires Improvement"
                if roll < weak
                else "Outstanding"
                if roll > 0.92
                else "Good"
            )
            submitted = (
                None if newest and rng.random() < 0.2 else due - dt.timedelta(days=rng.randint(-4, 14))
            )
            # In the newest month, some returned audits still await the QA check (2.11).
            awaiting = newest and submitted is not None and rng.random() < 0.1
            shared = _add_weekdays(submitted, rng.randint(2, 6)) if submitted and not awaiting else None
            days = 5 if overall == "Inadequate" else 10
            discussion_due = _add_weekdays(shared, days) if shared else None
            held = (
                _add_weekdays(shared, rng.randint(1, days + 4))
                if shared and discussion_due and (not newest or rng.random() < 0.5)
                else None
            )
            safeguarding = overall == "Inadequate" and rng.random() < 0.25
            fields: dict[str, FieldValue] = {
                "Title": f"{case_ref} {month}",
                "case_ref": case_ref,
                "audit_month": str(month),
                "auditor_email": auditor[1],
                "allocated_worker_email": worker[1],
                "team_manager_email": manager[1],
                "team": team,
                "status": "Closed"
                if held
                else "Findings shared"
                if shared
                else "Submitted"
                if awaiting
                else "Allocated",
                "due_date": due,
                "is_reaudit": bool(previous),
                "previous_allocation": previous or None,
                "chain_month": 0,
                "late_allocation": rng.random() < 0.03,
                "submitted_on": submitted,
                "overall_grade": overall if submitted else None,
                "times_returned": 1 if rng.random() < 0.12 else 0,
                "safeguarding_raised": safeguarding and submitted is not None,
                "findings_shared_on": shared,
                "discussion_due": discussion_due,
                "discussion_held_on": held,
            }
            history.allocations.append(ListItem(allocation_id, "1", fields))
            if submitted is None:
                continue
            if overall == "Inadequate":
                pending_reaudits.append((allocation_id, case_ref, team))
            grades: dict[str, FieldValue] = {}
            for position, bias in enumerate(domain_bias, start=1):
                if rng.random() < 0.04:
                    grades[f"d{position}_grade"] = "Not applicable"
                    continue
                r = rng.random()
                w = weak + bias
                grades[f"d{position}_grade"] = (
                    "Inadequate"
                    if r < w * 0.3
                    else "Requires Improvement"
                    if r < w
                    else "Outstanding"
                    if r > 0.93
                    else "Good"
                )
            values = {
                "worker": worker[0].removesuffix(" (fictional)"),
                "manager": manager[0].removesuffix(" (fictional)"),
                "child": rng.choice(CHILD_NAMES),
                "case": case_ref,
                "phone": f"07700 9{rng.randint(10000, 99999)}",
                "dob": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 22)}",
                "child_ref": f"{rng.randint(100000, 999999)}",
            }
            practice = rng.choice(_PRACTICE).format(**values)
            domain_name = ("Planning", "Voice and lived experience of the child", "Multi-agency working")[
                slot % 3
            ]
            history.submissions.append(
                ListItem(
                    len(history.submissions) + 1,
                    "1",
                    {
                        "FileLeafRef": f"{case_ref} {month} audit.docx",
                        "allocation": allocation_id,
                        "case_ref": case_ref,
                        "team": team,
                        "audit_date": submitted,
                        "overall_grade": overall,
                        "safeguarding_concern": safeguarding,
                        "outcome": "Waiting for the QA check",
                        "good_practice": f"{domain_name}: {practice}" if slot % 4 else practice,
                        **grades,
                    },
                )
            )
            if safeguarding:
                action_due = _add_weekdays(submitted, 1)
                done = not newest or rng.random() < 0.6  # older actions were all recorded
                history.tasks.append(
                    _task(
                        len(history.tasks) + 1,
                        "Safeguarding",
                        team,
                        manager[1],
                        action_due,
                        done,
                        allocation_id,
                    )
                )
        for team in team_names:
            for task_type in ("Case discussion", "Supervision audit", "Observation"):
                for _ in range(rng.randint(1, 3)):
                    done = rng.random() < (0.5 if newest else 0.85)
                    manager = by_team[team][0]
                    history.tasks.append(
                        _task(len(history.tasks) + 1, task_type, team, manager[1], due, done, None, rng)
                    )
    return history


def _task(
    number: int,
    task_type: str,
    team: str,
    assigned_to: str,
    due: dt.date,
    done: bool,
    allocation: int | None,
    rng: random.Random | None = None,
) -> ListItem:
    late = rng is not None and rng.random() < 0.2
    return ListItem(
        number,
        "1",
        {
            "Title": f"{task_type} ({team})",
            "task_type": task_type,
            "status": "Done" if done else "Open",
            "assigned_to": assigned_to,
            "due_date": due,
            "completed_on": (due + dt.timedelta(days=3 if late else -1)) if done else None,
            "team": team,
            "allocation": allocation,
            "task_key": f"fictional/{task_type}/{number}",
        },
    )


def store_history(store: ListStore, history: FictionalHistory) -> None:
    """Write the history into a store, keeping the links between items whatever ids it gives."""
    staff_rows = [{k: v for k, v in i.fields.items() if k != "team" or v} for i in history.staff]
    store.add_many("Staff", staff_rows)
    allocation_ids: dict[int, int] = {}
    for chunk in _chunks(history.allocations, 500):
        added = store.add_many(ALLOCATIONS, [{**i.fields, "previous_allocation": None} for i in chunk])
        allocation_ids.update({old.id: new.id for old, new in zip(chunk, added, strict=True)})
    links = [
        ItemUpdate(
            allocation_ids[i.id],
            {"previous_allocation": allocation_ids[int(str(i.fields["previous_allocation"]))]},
        )
        for i in history.allocations
        if i.fields.get("previous_allocation")
    ]
    for chunk_of_links in _chunks(links, 500):
        store.update_many(ALLOCATIONS, chunk_of_links)
    for item in history.submissions:
        fields = dict(item.fields)
        fields["allocation"] = allocation_ids[int(str(fields["allocation"]))]
        name = str(fields.pop("FileLeafRef"))
        store.add_file(SUBMISSIONS, name, b"fictional audit", fields)
    for chunk_of_tasks in _chunks(history.tasks, 500):
        store.add_many(
            "Tasks",
            [
                {**t.fields, "allocation": allocation_ids.get(int(str(t.fields["allocation"])))}
                if t.fields.get("allocation")
                else dict(t.fields)
                for t in chunk_of_tasks
            ],
        )


def _chunks(items: Sequence[_T], size: int) -> list[Sequence[_T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
