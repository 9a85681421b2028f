"""What every workflow step is given: the rules, the stores, the mailer and the clock.

:func:`shared.bootstrap.bootstrap` wires the adapters, for the command line, the Functions app
and the tests alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from shared.config import SHIPPED_TEMPLATES
from shared.core.deadlines import Deadlines
from shared.core.list_titles import SETTINGS
from shared.core.schema import AuditSchema
from shared.core.working_days import WorkingDayCalendar
from shared.services.ports.documents import ReportDocuments
from shared.services.ports.forms import AuditForms
from shared.services.ports.lists import ListStore, ListStoreError, Query, where
from shared.services.ports.mail import Mailer
from shared.services.ports.registers import Registers
from shared.services.ports.state import StateStore, WriterLease
from shared.services.workflow.clock import Clock
from shared.services.workflow.effects import Effects
from shared.services.workflow.extensions import WorkflowExtensions

log = logging.getLogger(__name__)

TEMPLATES = SHIPPED_TEMPLATES

# Settings list keys (the QA team edits these in SharePoint). The fictional defaults serve the
# embedded store only: on SharePoint a missing key is an error that says what to add, never a
# message quietly sent to example.org.
DEFAULT_SETTINGS = {
    "qa_team_email": "quality-assurance@example.org",
    "safeguarding_contact_email": "safeguarding-duty@example.org",
    "senior_leadership_email": "senior-leadership@example.org",
    "wider_leadership_email": "wider-leadership@example.org",
    "all_staff_email": "all-staff@example.org",
    "reminder_working_days": "2",
    "report_minimum_count": "5",
}
SETTING_PURPOSES = {
    "qa_team_email": "the Quality Assurance Team's shared mailbox",
    "safeguarding_contact_email": (
        "who is told at once of a ticked safeguarding concern on a form that cannot be matched to an "
        "allocation (2.6), e.g. the safeguarding duty mailbox"
    ),
    "senior_leadership_email": "the Senior Leadership Team's distribution list (highlights and quarterly reports)",
    "wider_leadership_email": "the Wider Leadership meeting's distribution list (quarterly report)",
    "all_staff_email": "the all-staff distribution list (learning bulletins)",
    "reminder_working_days": "how many working days before a due date reminders go (e.g. 2)",
    "report_minimum_count": "the fewest audits a percentage is shown for in reports (below it, counts only; e.g. 5)",
}


class MissingSetting(ListStoreError):
    """A Settings list entry the service needs is not there."""


@dataclass
class Services:
    schema: AuditSchema
    deadlines: Deadlines
    store: ListStore
    mailer: Mailer
    state: StateStore
    clock: Clock
    # True on the embedded store, where fictional defaults stand in for missing settings. No
    # default: a Services built anywhere but bootstrap must say so, never mail example.org by omission.
    embedded: bool = field(kw_only=True)
    # The reports' Word and Excel files.
    documents: ReportDocuments = field(kw_only=True)
    # One writer at a time (see shared.adapters.state.lease); bootstrap gives a file or Table lease.
    lease: WriterLease = field(kw_only=True)
    # The Word and Excel forms: read when returned, filled as drafts and moderation requests.
    forms: AuditForms = field(kw_only=True)
    # The case management export and the allocation sheet (case selection, 2.1).
    registers: Registers = field(kw_only=True)
    # What the programme, moderation and reports add to intake, the sweep and change processing.
    extensions: WorkflowExtensions = field(kw_only=True)
    actor: str = "Audit Desk"
    lease_wait_seconds: float = 600.0
    _settings_cache: dict[str, str] | None = field(default=None, repr=False)

    @property
    def effects(self) -> Effects:
        return Effects(self.state)

    def setting(self, key: str) -> str:
        """A value from the Settings list (read once per run); on the embedded store, its default."""
        if self._settings_cache is None:
            cache = dict(DEFAULT_SETTINGS) if self.embedded else {}
            for item in self.store.query_all(Query(SETTINGS, page_size=500)):
                name, value = item.fields.get("key"), item.fields.get("value")
                if isinstance(name, str) and isinstance(value, str) and value.strip():
                    cache[name] = value.strip()
            self._settings_cache = cache
        value = self._settings_cache.get(key)
        if value is None:
            raise MissingSetting(
                f"The Settings list has no '{key}': add an item with Setting '{key}' and, as its Value, "
                f"{SETTING_PURPOSES.get(key, 'the value to use')}."
            )
        return value

    def use_local_closure_days(self) -> None:
        """Working days less the Settings list's local closure days (ISO dates, comma-separated),
        on top of the schema's: QA adds a council closure day without a release. Read once per
        run with the other settings."""
        try:
            text = self.setting("local_closure_days")
        except MissingSetting:
            text = ""
        days = set(self.schema.calendar.local_closure_days)
        for part in text.split(","):
            try:
                days.add(dt.date.fromisoformat(part.strip()))
            except ValueError:
                continue  # refused when set (auditdesk settings set); a hand edit's bad date is skipped
        if days != set(self.deadlines.calendar.local_closure_days):
            calendar = self.deadlines.calendar
            self.deadlines = Deadlines(
                self.schema, WorkingDayCalendar(calendar.country, calendar.subdivision, sorted(days))
            )

    def set_setting(self, key: str, value: str) -> None:
        existing = list(self.store.query_all(Query(SETTINGS, (where("key", "eq", key),))))
        if existing:
            self.store.update(SETTINGS, existing[0].id, {"value": value}, existing[0].etag)
        else:
            self.store.add(SETTINGS, {"Title": key, "key": key, "value": value})
        self._settings_cache = None

    def close(self) -> None:
        self.store.close()
        self.state.close()
        self.mailer.close()


def start_change_tracking(services: Services) -> None:
    """Remember where each watched list's changes start, the first time the service runs, so
    nothing added before the first `process` is missed."""
    from shared.services.workflow.changes import WATCHED

    for list_name in WATCHED:
        key = f"change-token:{list_name}"
        if services.state.get(key) is None:
            services.state.put(key, services.store.current_change_token(list_name))
