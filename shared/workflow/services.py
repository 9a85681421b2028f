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
from shared.lists.port import ListStore, Query, where
from shared.mail.port import Mailer
from shared.mail.sent_log import SentLog
from shared.workflow.clock import Clock
from shared.workflow.effects import Effects
from shared.workflow.lists import SETTINGS
from shared.workflow.state import StateStore

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Settings list keys (the QA team edits these in SharePoint) and their fictional defaults for
# the embedded store.
DEFAULT_SETTINGS = {
    "qa_team_email": "quality-assurance@example.org",
    "senior_leadership_email": "senior-leadership@example.org",
    "wider_leadership_email": "wider-leadership@example.org",
    "all_staff_email": "all-staff@example.org",
    "reminder_working_days": "2",
}


@dataclass
class Services:
    schema: AuditSchema
    deadlines: Deadlines
    store: ListStore
    mailer: Mailer
    state: StateStore
    clock: Clock
    actor: str = "Audit Desk"
    _settings_cache: dict[str, str] | None = field(default=None, repr=False)

    @property
    def effects(self) -> Effects:
        return Effects(self.state)

    def setting(self, key: str) -> str:
        """A value from the Settings list, or its default. Read once per run."""
        if self._settings_cache is None:
            cache = dict(DEFAULT_SETTINGS)
            for item in self.store.query_all(Query(SETTINGS, page_size=500)):
                name, value = item.fields.get("key"), item.fields.get("value")
                if isinstance(name, str) and isinstance(value, str) and value.strip():
                    cache[name] = value.strip()
            self._settings_cache = cache
        return self._settings_cache.get(key, DEFAULT_SETTINGS.get(key, ""))

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
