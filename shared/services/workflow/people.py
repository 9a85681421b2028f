"""The Staff register as the workflow reads it: who is who, by email address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shared.core.eligibility import StaffMember
from shared.core.list_titles import STAFF
from shared.services.ports.lists import FieldValue, ListItem, Query
from shared.services.workflow.dependencies import Services


def staff_from_item(item: ListItem) -> StaffMember:
    f = item.fields
    start = f.get("asye_start")
    return StaffMember(
        email=str(f.get("email") or "").lower(),
        name=str(f.get("Title") or ""),
        role=str(f.get("role") or ""),
        team=str(f.get("team") or ""),
        manager_email=str(f.get("manager_email") or "").lower(),
        asye_start=start if isinstance(start, dt.date) else None,
        needs_support=bool(f.get("needs_support")),
        active=f.get("active") is not False,
        form_preference=str(f.get("form_preference") or ""),
    )


def staff_fields(member: StaffMember) -> dict[str, FieldValue]:
    return {
        "Title": member.name,
        "email": member.email.lower(),
        "role": member.role,
        "team": member.team,
        "manager_email": member.manager_email.lower() or None,
        "asye_start": member.asye_start,
        "needs_support": member.needs_support,
        "active": member.active,
        "form_preference": member.form_preference or None,
    }


@dataclass
class StaffDirectory:
    by_email: dict[str, StaffMember]

    @classmethod
    def load(cls, services: Services) -> StaffDirectory:
        members = (staff_from_item(i) for i in services.store.query_all(Query(STAFF, page_size=500)))
        return cls({m.email: m for m in members if m.email})

    def get(self, email: str) -> StaffMember | None:
        return self.by_email.get(email.strip().lower())

    def senior_managers(self, services: Services) -> list[StaffMember]:
        return sorted(
            (m for m in self.by_email.values() if m.active and m.is_senior_manager(services.schema)),
            key=lambda m: m.email,
        )


@dataclass(frozen=True, slots=True)
class StaffImportResult:
    added: int
    updated: int
    unchanged: int


def import_staff(services: Services, members: Iterable[StaffMember]) -> StaffImportResult:
    """Add or update Staff list items by email. Running it twice changes nothing the second time."""
    store = services.store
    current = {
        str(item.fields.get("email") or "").lower(): item
        for item in store.query_all(Query(STAFF, page_size=500))
    }
    added = updated = unchanged = 0
    new_rows = []
    for member in members:
        fields = staff_fields(member)
        item = current.get(member.email.lower())
        if item is None:
            new_rows.append(fields)
            continue
        changed = {k: v for k, v in fields.items() if item.fields.get(k) != v}
        if changed:
            store.update(STAFF, item.id, changed, item.etag)
            updated += 1
        else:
            unchanged += 1
    if new_rows:
        store.add_many(STAFF, new_rows)
        added = len(new_rows)
    return StaffImportResult(added, updated, unchanged)
