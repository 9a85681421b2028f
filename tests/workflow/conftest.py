"""A desk to replay the audit workflow on: real stores (SQLite, or SharePoint through the loopback
server), a real outbox, real forms filled from the shipped templates, and a clock the test moves."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.word import fill_word_form
from shared.adapters.lists.factory import open_sharepoint_store, provisioner_of
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import MemorySentLog
from shared.bootstrap import bootstrap
from shared.config import Settings, SharePointSettings
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.list_titles import ALLOCATIONS, TASKS, TRAIL
from shared.core.record import FieldValue
from shared.core.schema_reader import load_schema
from shared.demo.example_registers import example_staff
from shared.services.ports.lists import ListStore, Query, where
from shared.services.workflow import allocations, qa
from shared.services.workflow.changes import ProcessResult, process_changes
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import DEFAULT_SETTINGS, Services
from shared.services.workflow.intake import submit_file
from shared.services.workflow.lists import Allocation, Task
from shared.services.workflow.people import StaffDirectory, import_staff
from shared.services.workflow.unit_of_work import unit_of_work
from shared.services.workflow.workflow_run import Run
from tests.sharepoint_server.server import LoopbackSharePoint

SCHEMA = load_schema()
DEADLINES = Deadlines.for_schema(SCHEMA)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOVEMBER = AuditMonth(2026, 11)

# From the example Staff register (all fictional).
EAST_MANAGER = "morgan.example@example.org"
WEST_MANAGER = "riley.sample@example.org"
EAST_WORKER = "alex.example@example.org"
WEST_WORKER = "casey.example@example.org"
SENIOR_MANAGERS = ("harper.example@example.org", "jordan.sample@example.org")
QA_TEAM = "quality-assurance@example.org"


@dataclass
class Desk:
    services: Services
    home: Path

    def at(self, day: dt.date) -> Desk:
        self.services.clock = Clock(day)
        return self

    @property
    def store(self) -> ListStore:
        return self.services.store

    def run(self) -> Run:
        return Run(self.services)

    def unit(self) -> AbstractContextManager[Run]:
        """A unit of work: the run's steps, tasks and trail are written when the block ends."""
        return unit_of_work(self.services)

    def allocate(
        self, case: str, auditor: str = WEST_MANAGER, worker: str = EAST_WORKER, manager: str = EAST_MANAGER
    ) -> allocations.AllocationResult:
        with unit_of_work(self.services) as run:
            return allocations.allocate(
                run,
                AllocationRequest(case, "Demo Team East", worker, manager, auditor, NOVEMBER),
                StaffDirectory.load(self.services),
            )

    def submit(self, name: str, fields: Mapping[str, FieldValue] | bytes) -> ProcessResult:
        path = self.home / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(fields, bytes):
            path.write_bytes(fields)
        elif name.endswith(".xlsx"):
            path.write_bytes(fill_excel_form(TEMPLATES / "case-file-audit.xlsx", fields))
        else:
            path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", fields))
        submit_file(self.services, path)
        return self.process()

    def process(self) -> ProcessResult:
        return process_changes(self.services)

    def qa(self, action: str, case: str, text: str = "") -> qa.QaResult:
        with unit_of_work(self.services) as run:
            return qa.take(run, qa.allocation_by_case(run, case), action, text)

    def allocation(self, case: str, month: AuditMonth = NOVEMBER) -> Allocation:
        query = Query(ALLOCATIONS, (where("case_ref", "eq", case), where("audit_month", "eq", str(month))))
        (item,) = list(self.store.query_all(query))
        return Allocation.from_item(item)

    def tasks(self, task_type: str | None = None) -> list[Task]:
        found = [Task.from_item(i) for i in self.store.query_all(Query(TASKS, page_size=500))]
        return [t for t in found if task_type is None or t.task_type == task_type]

    def trail_count(self) -> int:
        return sum(1 for _ in self.store.query_all(Query(TRAIL, page_size=500)))

    def emails(self) -> list[EmailMessage]:
        folder = self.home / "outbox"
        messages = []
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            messages.append(message)
        return messages

    def emails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.emails() if address in str(m.get("To", "")) + str(m.get("Cc", ""))]


def make_desk(store: ListStore, home: Path) -> Desk:
    # The one bootstrap, given this desk's store and a mailer whose sent log lives as long as the
    # test; the state store and the writer lease are the real ones under ``home``.
    services = bootstrap(
        Settings(home=home),
        SCHEMA,
        DEADLINES,
        Clock(dt.date(2026, 11, 2)),
        store=store,
        mailer=OutboxMailer(home / "outbox", MemorySentLog()),
    )
    for key, value in DEFAULT_SETTINGS.items():  # as QA would fill in the Settings list
        services.set_setting(key, value)
    import_staff(services, example_staff(SCHEMA))
    return Desk(services, home)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    store = SqliteListStore(tmp_path / "home", definitions_by_title(SCHEMA))
    provision(provisioner_of(store), formatted_definitions(SCHEMA))
    made = make_desk(store, tmp_path)
    yield made
    made.services.close()


@pytest.fixture(scope="session")
def loopback_sharepoint() -> Iterator[LoopbackSharePoint]:
    with LoopbackSharePoint() as server:
        with sharepoint_for(server) as store:
            provision(provisioner_of(store), formatted_definitions(SCHEMA))
        yield server


def sharepoint_for(server: LoopbackSharePoint) -> ListStore:
    def token() -> dict[str, object]:
        return {"access_token": "fictional-test-token", "token_type": "Bearer", "expires_in": 3600}

    return open_sharepoint_store(SharePointSettings(server.url), definitions_by_title(SCHEMA), token)


@pytest.fixture(params=["sqlite", "sharepoint"])
def any_desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """The same desk on the embedded store and on SharePoint (through the loopback server)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("desk")
        return
    server: LoopbackSharePoint = request.getfixturevalue("loopback_sharepoint")
    server.clear_items()
    server.reset_counts()
    made = make_desk(sharepoint_for(server), tmp_path)
    yield made
    made.services.close()
    server.clear_items()


def body(message: EmailMessage) -> str:
    """The plain-text body a person reads."""
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())
