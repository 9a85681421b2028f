"""The learning bulletin's QA approval (8.1): nothing reaches all staff until the QA team says so.

A bulletin is first filed as a draft for the QA team: a Learning Bulletins item (status
"Draft for QA") and one Bulletin Excerpts item per excerpt it could quote, each "Awaiting
approval" (or "Withheld", with the reason, when the redactor would not pass it). The QA team
approves excerpts one by one and then the bulletin, in SharePoint or with
``auditdesk report bulletin --approve``. Only then can :func:`shared.services.reports.publish.
publish_approved_bulletin` send it, quoting only the approved excerpts.

Excerpts are matched by a key made from the period and the redacted text, so a draft built
again keeps the decisions already made, and an excerpt that changed needs approving again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shared.core.list_titles import BULLETIN_EXCERPTS, LEARNING_BULLETINS
from shared.services.ports.lists import FieldValue, ListItem, ListStore, Query, where
from shared.services.reports.measures import Excerpt

BULLETINS, EXCERPTS = LEARNING_BULLETINS, BULLETIN_EXCERPTS
DRAFT, APPROVED, SENT = "Draft for QA", "Approved", "Sent"
AWAITING, EXCERPT_APPROVED, NOT_APPROVED, WITHHELD = (
    "Awaiting approval",
    "Approved",
    "Not approved",
    "Withheld",
)


class BulletinNotApproved(PermissionError):
    """A bulletin may go to all staff only once the QA team has approved it."""


@dataclass(frozen=True, slots=True)
class Approval:
    period: str
    approved_by: str
    approved_on: dt.date
    status: str
    item_id: int


def excerpt_key(period: str, excerpt: Excerpt) -> str:
    text = f"{period}\n{excerpt.domain}\n{excerpt.text}".encode()
    return hashlib.sha256(text).hexdigest()[:24]


def _bulletin_item(store: ListStore, period: str) -> ListItem | None:
    found = list(store.query_all(Query(BULLETINS, (where("period", "eq", period),))))
    return found[0] if found else None


def _excerpt_items(store: ListStore, period: str) -> dict[str, ListItem]:
    items = store.query_all(Query(EXCERPTS, (where("period", "eq", period),), page_size=500))
    return {str(i.fields.get("excerpt_key") or ""): i for i in items}


def file_draft(store: ListStore, period: str, label: str, excerpts: Sequence[Excerpt]) -> None:
    """The draft's list items: the bulletin (kept Approved or Sent if it already is) and each
    excerpt, numbered as in the draft document; decisions already made are kept."""
    bulletin = _bulletin_item(store, period)
    if bulletin is None:
        store.add(BULLETINS, {"Title": f"Learning bulletin, {label}", "period": period, "status": DRAFT})
    existing = _excerpt_items(store, period)
    for number, excerpt in enumerate(excerpts, start=1):
        key = excerpt_key(period, excerpt)
        fields: dict[str, FieldValue] = {
            "Title": f"{label}: excerpt {number}",
            "period": period,
            "number": number,
            "domain": excerpt.domain or "Overall",
            "excerpt": excerpt.text,
            "withheld_reason": excerpt.withheld or None,
            "excerpt_key": key,
        }
        item = existing.get(key)
        if item is None:
            store.add(EXCERPTS, {**fields, "decision": WITHHELD if excerpt.withheld else AWAITING})
        elif item.fields.get("number") != number:
            store.update(EXCERPTS, item.id, {"number": number}, None)


def approved_numbers(store: ListStore, period: str, excerpts: Sequence[Excerpt]) -> list[int]:
    """The numbers of the excerpts the QA team approved (never a withheld one)."""
    decisions = {k: i.fields.get("decision") for k, i in _excerpt_items(store, period).items()}
    return [
        number
        for number, excerpt in enumerate(excerpts, start=1)
        if not excerpt.withheld and decisions.get(excerpt_key(period, excerpt)) == EXCERPT_APPROVED
    ]


def record_approval(
    store: ListStore,
    period: str,
    excerpts: Sequence[Excerpt],
    numbers: Iterable[int] | None,
    approver: str,
    today: dt.date,
) -> list[str]:
    """QA approves the bulletin, and the excerpts ``numbers`` (None: the decisions already in the
    list stand). Returns what it could not do (a withheld or unknown number), for the QA team."""
    bulletin = _bulletin_item(store, period)
    if bulletin is None:
        raise BulletinNotApproved(
            f"There is no draft learning bulletin for {period} to approve: build it first "
            f"(auditdesk report bulletin --period {period})."
        )
    problems: list[str] = []
    items = _excerpt_items(store, period)
    if numbers is not None:
        wanted = set(numbers)
        for number, excerpt in enumerate(excerpts, start=1):
            item = items.get(excerpt_key(period, excerpt))
            if item is None:
                continue
            if number in wanted and excerpt.withheld:
                problems.append(f"Excerpt {number} is withheld ({excerpt.withheld}): it cannot be published.")
                continue
            decision = EXCERPT_APPROVED if number in wanted else NOT_APPROVED
            if not excerpt.withheld and item.fields.get("decision") != decision:
                store.update(EXCERPTS, item.id, {"decision": decision}, None)
        unknown = sorted(n for n in wanted if not 1 <= n <= len(excerpts))
        problems.extend(f"There is no excerpt {n} in this bulletin." for n in unknown)
    if bulletin.fields.get("status") != SENT:
        store.update(
            BULLETINS,
            bulletin.id,
            {"status": APPROVED, "approved_by": approver, "approved_on": today},
            None,
        )
    return problems


def approval_of(store: ListStore, period: str) -> Approval | None:
    """The QA team's approval of this period's bulletin, or None while it is a draft."""
    item = _bulletin_item(store, period)
    if item is None or item.fields.get("status") not in (APPROVED, SENT):
        return None
    approved_on = item.fields.get("approved_on")
    if isinstance(approved_on, dt.datetime):
        approved_on = approved_on.date()
    return Approval(
        period,
        str(item.fields.get("approved_by") or "the Quality Assurance Team"),
        approved_on if isinstance(approved_on, dt.date) else dt.date.min,
        str(item.fields.get("status")),
        item.id,
    )


def mark_sent(store: ListStore, approval: Approval, today: dt.date) -> None:
    if approval.status != SENT:
        store.update(BULLETINS, approval.item_id, {"status": SENT, "sent_on": today}, None)
