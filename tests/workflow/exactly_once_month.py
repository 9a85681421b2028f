"""A home with a month's submissions waiting, and what processing it leaves behind: the fixture of
the exactly-once tests (concurrent workers, crashes) and of the concurrency benchmark.

Every person, case and child is fictional (the example Staff register; cases DEMO-1000 on).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from shared.adapters.forms.excel import fill_excel_form
from shared.adapters.forms.word import fill_word_form
from shared.adapters.lists.formatted import definitions_by_title
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.bootstrap import bootstrap
from shared.config import Settings
from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.list_titles import ALLOCATIONS, IMPROVEMENT_ACTIONS, SUBMISSIONS, TASKS, TRAIL
from shared.core.record import FieldValue
from shared.core.schema_reader import load_schema
from shared.demo import hostile_forms as hostile
from shared.demo.example_registers import example_allocations, example_staff
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.demo.month import _fields_for
from shared.services.ports.lists import Query
from shared.services.workflow import allocations
from shared.services.workflow.clock import Clock
from shared.services.workflow.intake import submit_file
from shared.services.workflow.people import StaffDirectory, import_staff
from shared.services.workflow.unit_of_work import unit_of_work

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SCHEMA = load_schema()
DEADLINES = Deadlines.for_schema(SCHEMA)
NOVEMBER = AuditMonth(2026, 11)
ALLOCATED_ON = dt.date(2026, 11, 2)
SUBMITTED_ON = dt.date(2026, 11, 20)
# Columns that differ between two correct runs: times of day, ETags, and the steps an
# allocation carries for the trail (their entries are compared as the Audit Trail itself).
VOLATILE = {"Created", "Modified", "etag", "recent_steps", "__metadata"}


def _kinds() -> Sequence[tuple[str, Callable[[], dict[str, FieldValue]]]]:
    return (
        ("docx", good_audit),
        ("xlsx", good_audit),
        ("docx", half_filled_audit),  # returned to the auditor with its findings (2.11)
        ("docx", inadequate_audit_with_safeguarding_concern),  # alert and same-day task (2.6)
        ("xlsx", inadequate_audit_with_safeguarding_concern),
        ("docm", good_audit),  # macro-enabled: quarantined
    )


def prepare_home(home: Path, cases: int = 12) -> Path:
    """Staff imported, ``cases`` audits allocated on 2 November, and on the 20th one form per
    case uploaded (good, returned, safeguarding, hostile), a stray and a duplicate: nothing
    processed yet."""
    services = bootstrap(Settings(home=home), SCHEMA, DEADLINES, Clock(ALLOCATED_ON))
    try:
        staff = example_staff(SCHEMA)
        people = {member.email: member for member in staff}
        import_staff(services, staff)
        base = example_allocations(staff, NOVEMBER)
        requests = [replace(base[i % len(base)], case_ref=f"DEMO-{1000 + i}") for i in range(cases)]
        directory = StaffDirectory.load(services)
        with unit_of_work(services) as run:
            for request in requests:
                assert not allocations.allocate(run, request, directory).problems
        services.clock = Clock(SUBMITTED_ON)
        uploads = home.parent / f"{home.name}-uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        kinds = _kinds()
        first: Path | None = None
        for number, request in enumerate(requests):
            suffix, make = kinds[number % len(kinds)]
            fields = _fields_for(request, people, make(), dt.date(2026, 11, 19))
            if suffix == "xlsx":
                content = fill_excel_form(TEMPLATES / "case-file-audit.xlsx", fields)
            else:
                content = fill_word_form(TEMPLATES / "case-file-audit.docx", fields)
                if suffix == "docm":
                    content = hostile.macro_enabled(content)
            path = uploads / f"{request.case_ref} audit.{suffix}"
            path.write_bytes(content)
            submit_file(services, path)
            first = first or path
        stray = dict(
            _fields_for(requests[0], people, good_audit(), dt.date(2026, 11, 19)), case_ref="DEMO-9999"
        )
        (uploads / "DEMO-9999 audit.docx").write_bytes(
            fill_word_form(TEMPLATES / "case-file-audit.docx", stray)
        )
        submit_file(services, uploads / "DEMO-9999 audit.docx")
        assert first is not None
        copy = uploads / "copy of the first audit.docx"
        copy.write_bytes(first.read_bytes())
        submit_file(services, copy)
    finally:
        services.close()
    return home


def copy_home(template: Path, to: Path) -> Path:
    shutil.copytree(template, to)
    return to


def worker(home: Path, boundary: str = "none", count_file: Path | None = None) -> list[str]:
    """The command line of one `auditdesk process` worker (a real process), optionally killing
    itself at a write boundary (tests/workflow/crashing_worker.py)."""
    counts = count_file or home.parent / f"{home.name}-writes.txt"
    return [
        sys.executable,
        "-m",
        "tests.workflow.crashing_worker",
        boundary,
        str(counts),
        "--",
        "--home",
        str(home),
        "--today",
        SUBMITTED_ON.isoformat(),
        "process",
    ]


def run_worker(home: Path, boundary: str = "none", count_file: Path | None = None) -> int:
    done = subprocess.run(
        worker(home, boundary, count_file), cwd=ROOT, env=_env(), capture_output=True, timeout=300
    )
    if done.returncode not in (0, -9):
        raise AssertionError(done.stderr.decode(errors="replace")[-3000:])
    return done.returncode


def start_worker(home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        worker(home), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITDESK_", "AzureWebJobs"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def snapshot(home: Path) -> dict[str, Any]:
    """Everything a person could see afterwards: every list item (but what differs between two
    correct runs), every email (recipients, subject, body) with how many times it went, and any
    half-written file."""
    store = SqliteListStore(home, definitions_by_title(SCHEMA))
    lists: dict[str, Any] = {}
    try:
        for list_name in (ALLOCATIONS, SUBMISSIONS, TASKS, TRAIL, IMPROVEMENT_ACTIONS):
            items = store.query_all(Query(list_name, page_size=500))
            lists[list_name] = sorted(
                repr(sorted((k, _plain(v)) for k, v in item.fields.items() if k not in VOLATILE))
                for item in items
            )
    finally:
        store.close()
    emails: Counter[tuple[str, str, str, str]] = Counter()
    for path in sorted((home / "outbox").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",))
        emails[
            (
                str(message["To"]),
                str(message.get("Cc", "")),
                str(message["Subject"]),
                str(body.get_content() if body else ""),
            )
        ] += 1
    half_written = sorted(
        str(p.relative_to(home)) for p in home.rglob("*.part") if ".outbox-sending" not in str(p)
    )
    return {"lists": lists, "emails": emails, "half_written": half_written}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
