"""Improvement actions in the managers' reports (2.8, 8.1): how many actions due in the period were
done on time, done late, not done or are overdue, by team and by domain, and which domains' actions
most often slip. The figures come from the Improvement Actions list (shared/core/actions.py counts
them), so they match the list. Owners are named only in the managers' reports (the Audit
Highlights Report's overdue list), never in the learning bulletin, which does not use this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from shared.core.actions import (
    LATE,
    NOT_DONE,
    NOT_YET_DUE,
    ON_TIME,
    OVERDUE,
    ActionRecord,
    ActionStatus,
    Completion,
    CompletionMeasures,
    completion,
)
from shared.services.ports.documents import DataTable, ReportContent
from shared.services.workflow.actions import ActionItem, all_actions
from shared.services.workflow.dependencies import Services

SECTION_TITLE = "Improvement plan actions (2.8)"
HEADERS = ("Team or domain", "Due", "Done on time", "Done late", "Not done", "Overdue", "Not yet due")


def records(actions: Sequence[ActionItem], carried: frozenset[str] = frozenset()) -> list[ActionRecord]:
    """``carried``: keys of the actions a re-audit carried forward (2.12)."""
    return [
        ActionRecord(a.team, a.domain, a.owner_email, a.status, a.due, a.done_on, a.key in carried)
        for a in actions
    ]


def due_between(actions: Sequence[ActionItem], first: dt.date, last: dt.date) -> list[ActionItem]:
    """The actions due in the period."""
    return [a for a in actions if a.due is not None and first <= a.due <= last]


def measures(
    actions: Sequence[ActionItem], first: dt.date, last: dt.date, as_of: dt.date
) -> CompletionMeasures:
    carried = frozenset(a.carried_from for a in actions if a.carried_from)
    return completion(records(due_between(actions, first, last), carried), as_of)


def _share(part: int, whole: int, minimum: int) -> str:
    if not whole:
        return "none"
    if whole < minimum:
        return f"{part} of {whole}"
    return f"{round(100 * part / whole)}% ({part} of {whole})"


def _row(name: str, c: Completion) -> list[str | int | None]:
    k = c.counts
    return [name, c.total, k[ON_TIME], k[LATE], k[NOT_DONE], k[OVERDUE], k[NOT_YET_DUE]]


def section(
    m: CompletionMeasures,
    period_label: str,
    minimum: int,
    overdue: Sequence[ActionItem] = (),
    names: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """The report section: a heading, sentences a manager reads, and the table for the data pack.
    ``overdue`` with ``names`` lists who owns each overdue action (managers' reports only)."""
    o = m.overall
    if not o.total:
        paragraphs = [f"No improvement plan action was due in {period_label}."]
    else:
        settled = o.due
        paragraphs = [
            f"{o.total} improvement plan action(s) were due in {period_label} (2.8): "
            f"{_share(o.counts[ON_TIME], settled, minimum)} done on time, {o.counts[LATE]} done late, "
            f"{o.counts[NOT_DONE]} not done and {o.counts[OVERDUE]} overdue; "
            f"{o.counts[NOT_YET_DUE]} not yet due.",
        ]
        slipping = m.slipping_domains()
        if slipping:
            worst = ", ".join(f"{d} ({c.slipped} of {c.due})" for d, c in slipping[:3])
            paragraphs.append(f"Domains whose actions most often slip (late, not done or overdue): {worst}.")
        teams = [
            f"{t}: {_share(c.counts[ON_TIME], c.due, minimum)} on time" for t, c in m.by_team.items() if c.due
        ]
        if teams:
            paragraphs.append(
                "By team, of the actions due so far: " + "; ".join(teams) + ". Every team and domain "
                "is in the data pack (sheet improvement_plan_actions)."
            )
    if overdue:
        names = names or {}
        lines = [
            f"Case {a.case_ref}, {a.domain}: due {a.due:%d/%m/%Y}, owner "
            f"{names.get(a.owner_email) or a.owner_email or a.owner}"
            for a in sorted(overdue, key=lambda a: (a.due or dt.date.min, a.case_ref, a.row))
        ]
        paragraphs.append(
            "Overdue now, with their owners (for the owners' managers): " + "; ".join(lines) + "."
        )
    rows: list[list[str | int | None]] = [_row("All teams", o)]
    rows += [_row(f"Team: {t}", c) for t, c in m.by_team.items()]
    rows += [_row(f"Domain: {d}", c) for d, c in m.by_domain.items()]
    return {
        "key": "improvement_plan_actions",
        "title": SECTION_TITLE,
        "paragraphs": paragraphs,
        "headers": list(HEADERS),
        "rows": rows,
    }


def report_section(
    services: Services,
    first: dt.date,
    last: dt.date,
    period_label: str,
    minimum: int,
    name_owners: bool,
) -> dict[str, object]:
    """The section as the report builders add it, read from the Improvement Actions list."""
    actions = all_actions(services)
    m = measures(actions, first, last, services.clock.today())
    overdue: list[ActionItem] = []
    names: dict[str, str] = {}
    if name_owners:
        today = services.clock.today()
        overdue = [
            a for a in actions if a.status is ActionStatus.OPEN and a.due is not None and a.due < today
        ]
        from shared.services.workflow.people import StaffDirectory

        names = {e: m.name for e, m in StaffDirectory.load(services).by_email.items() if m.name}
    return section(m, period_label, minimum, overdue, names)


def add_to_report(content: ReportContent, part: Mapping[str, object]) -> None:
    """Print ``part`` as a section of the report (heading and sentences) and put its table in the
    data pack: the hook the highlights and quarterly builders call."""
    paragraphs = [str(p) for p in part.get("paragraphs", ()) or ()]  # type: ignore[attr-defined]
    sections = content.context.setdefault("extra_sections", [])
    assert isinstance(sections, list)
    sections.append({"title": str(part["title"]), "paragraphs": paragraphs})
    headers, rows = part.get("headers"), part.get("rows")
    if isinstance(headers, list) and isinstance(rows, list):
        content.tables.append(DataTable(str(part["key"]), str(part["title"]), tuple(map(str, headers)), rows))
