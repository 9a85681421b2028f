"""What every workflow step is given: the rules, the stores, the mailer and the clock.

:func:`bootstrap` wires the real adapters from settings: the embedded store (SQLite lists,
a folder library, an outbox) by default; SharePoint and Graph or SMTP when configured.
Tests wire their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import Settings
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.lists.port import ListStore, ListStoreError, Query, where
from shared.mail.port import Mailer
from shared.mail.sent_log import SentLog
from shared.workflow.clock import Clock
from shared.workflow.effects import Effects
from shared.workflow.lists import SETTINGS
from shared.workflow.state import StateStore

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Settings list keys (the QA team edits these in SharePoint). The fictional defaults serve the
# embedded store only: on SharePoint a missing key is an error that says what to add, never a
# message quietly sent to example.org.
DEFAULT_SETTINGS = {
    "qa_team_email": "quality-assurance@example.org",
    "senior_leadership_email": "senior-leadership@example.org",
    "wider_leadership_email": "wider-leadership@example.org",
    "all_staff_email": "all-staff@example.org",
    "reminder_working_days": "2",
    "report_minimum_count": "5",
}
SETTING_PURPOSES = {
    "qa_team_email": "the Quality Assurance Team's shared mailbox",
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
    actor: str = "Audit Desk"
    # True on the embedded store, where fictional defaults stand in for missing settings.
    embedded: bool = True
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


def bootstrap(settings: Settings, schema: AuditSchema, deadlines: Deadlines, clock: Clock) -> Services:
    """Real adapters from ``settings``; the embedded default needs no configuration: its lists
    are created on first use, and state and the sent-mail log live in SQLite under ``home``
    (Azure Tables when Azure Storage is configured, as in the Functions app)."""
    from shared.lists.definitions import list_definitions
    from shared.lists.factory import open_list_store, provisioner_of
    from shared.lists.provision import provision
    from shared.mail.factory import open_mailer

    store = open_list_store(settings, schema)
    if settings.sharepoint is None:
        provision(provisioner_of(store), list_definitions(schema))
    state, sent_log = open_state(settings)
    services = Services(schema, deadlines, store, open_mailer(settings, sent_log), state, clock)
    services.embedded = settings.sharepoint is None
    start_change_tracking(services)
    return services


def open_state(settings: Settings) -> tuple[StateStore, SentLog]:
    """Where change tokens, effect keys and the sent-mail log are kept."""
    from shared.mail.factory import SENT_LOG_FILE
    from shared.mail.sent_log import SqliteSentLog
    from shared.workflow.state import SqliteStateStore

    azure = settings.azure
    if azure.tables_configured:
        from shared.azure.storage import table_client
        from shared.mail.sent_log_azure import AzureTableSentLog
        from shared.workflow.state_azure import AzureTableStateStore

        return (
            AzureTableStateStore(table_client(azure, azure.state_table)),
            AzureTableSentLog(table_client(azure, azure.sent_mail_table)),
        )
    return SqliteStateStore(settings.home / "state.sqlite3"), SqliteSentLog(settings.home / SENT_LOG_FILE)


def start_change_tracking(services: Services) -> None:
    """Remember where each watched list's changes start, the first time the service runs, so
    nothing added before the first `process` is missed."""
    from shared.workflow.lists import ALLOCATIONS, SUBMISSIONS, TASKS

    for list_name in (ALLOCATIONS, SUBMISSIONS, TASKS):
        key = f"change-token:{list_name}"
        if services.state.get(key) is None:
            services.state.put(key, services.store.current_change_token(list_name))
