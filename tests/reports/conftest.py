"""Small hand-made lists for the aggregation tests, and a desk of real adapters for publishing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import MemorySentLog
from shared.adapters.state.sqlite_state import SqliteStateStore
from shared.bootstrap import bootstrap
from shared.config import Settings
from shared.core.deadlines import Deadlines
from shared.core.schema_reader import load_schema
from shared.services.ports.lists import FieldValue, ListItem
from shared.services.ports.mail import Mailer
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import Services
from tests.mail.conftest import graph_server, smtp_server

__all__ = ["graph_server", "smtp_server"]

SCHEMA = load_schema()
DEADLINES = Deadlines.for_schema(SCHEMA)
DOMAINS = SCHEMA.domains
D = dt.date


def allocation(item_id: int, case: str, month: str, **fields: FieldValue) -> ListItem:
    base: dict[str, FieldValue] = {
        "case_ref": case,
        "audit_month": month,
        "team": "Demo Team East",
        "due_date": D(2026, 11, 30),
        # A graded audit here has been accepted by the QA team unless a test says otherwise (2.11).
        "status": "Findings shared" if fields.get("overall_grade") else "Allocated",
    }
    return ListItem(item_id, "1", {**base, **fields})


def submission(item_id: int, allocation_id: int, overall: str, **fields: FieldValue) -> ListItem:
    grades: dict[str, FieldValue] = {f"{d.id}_grade": overall for d in DOMAINS}
    base: dict[str, FieldValue] = {
        "allocation": allocation_id,
        "overall_grade": overall,
        "outcome": "Waiting for the QA check",
    }
    return ListItem(item_id, "1", {**base, **grades, **fields})


def task(item_id: int, task_type: str, due: dt.date, status: str = "Open", **fields: FieldValue) -> ListItem:
    return ListItem(item_id, "1", {"task_type": task_type, "due_date": due, "status": status, **fields})


def make_services(home: Path, mailer: Mailer | None = None, today: dt.date | None = None) -> Services:
    # The one bootstrap (the embedded store's settings, its lease and change tracking), given
    # these lists, this mailer and a state file of the test's own.
    store = SqliteListStore(home, definitions_by_title(SCHEMA))
    provision(provisioner_of(store), formatted_definitions(SCHEMA))
    return bootstrap(
        Settings(home=home),
        SCHEMA,
        DEADLINES,
        Clock(today or D(2026, 12, 10)),
        store=store,
        mailer=mailer or OutboxMailer(home / "outbox", MemorySentLog()),
        state=SqliteStateStore(home / "state.sqlite3"),
    )


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    made = make_services(tmp_path / "home")
    yield made
    made.close()
