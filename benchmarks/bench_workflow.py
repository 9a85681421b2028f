"""A month of 500 allocations processed end to end by the workflow engine (issue 5).

Run: .venv/bin/python benchmarks/bench_workflow.py [--allocations 500]

For the embedded store and for SharePoint through the loopback server: allocate 500 cases,
upload 500 filled forms (a mix of complete, half-filled and Inadequate-with-safeguarding),
process them, and accept every one that went to the QA check. Reported: wall time of each
phase, and the SharePoint requests the service made per submission while processing (the
auditors' uploads are counted apart). The floor, measured in the same run, is reading and
checking the same 500 forms with no store at all. All data is fictional.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.adapters.forms.reader import read_form
from shared.adapters.forms.word import fill_word_form
from shared.adapters.forms.word_template import build_word_template
from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.core.allocation import AllocationRequest
from shared.core.deadlines import AuditMonth
from shared.core.record import FieldValue
from shared.core.schema import CASE_FILE_AUDIT
from shared.core.stages import SubmissionOutcome
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import ListStore
from shared.services.workflow import allocations, qa
from shared.services.workflow.changes import process_changes
from shared.services.workflow.clock import Clock
from shared.services.workflow.intake import submit_file
from shared.services.workflow.people import StaffDirectory
from shared.services.workflow.workflow_run import Run
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import DEADLINES, SCHEMA, make_desk, sharepoint_for

MONTH = AuditMonth(2026, 11)
# (auditor, worker, manager): auditors who neither work on nor manage the case (1.4).
PAIRS = [
    ("jordan.sample@example.org", "alex.example@example.org", "morgan.example@example.org"),
    ("harper.example@example.org", "casey.example@example.org", "riley.sample@example.org"),
    ("riley.sample@example.org", "sam.sample@example.org", "morgan.example@example.org"),
    ("morgan.example@example.org", "drew.sample@example.org", "riley.sample@example.org"),
    ("skyler.example@example.org", "jamie.example@example.org", "riley.sample@example.org"),
]
KINDS: list[Callable[[], dict[str, FieldValue]]] = [
    good_audit,
    good_audit,
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
]


def forms(count: int) -> list[tuple[str, bytes]]:
    template = build_word_template(SCHEMA.forms[CASE_FILE_AUDIT], SCHEMA)
    made = []
    for n in range(1, count + 1):
        fields = KINDS[n % len(KINDS)]()
        fields["case_ref"] = f"BENCH-{n:04d}"
        made.append((f"BENCH-{n:04d}.docx", fill_word_form(template, fields)))
    return made


def month(
    store: ListStore, home: Path, filled: list[tuple[str, bytes]], count: Callable[[], int]
) -> dict[str, float]:
    desk = make_desk(store, home)
    services = desk.services
    figures: dict[str, float] = {}
    started = time.perf_counter()
    run = Run(services)
    staff = StaffDirectory.load(services)
    for n in range(1, len(filled) + 1):
        auditor, worker, manager = PAIRS[n % len(PAIRS)]
        request = AllocationRequest(f"BENCH-{n:04d}", "Bench Team", worker, manager, auditor, MONTH)
        allocated = allocations.allocate(run, request, staff)
        assert allocated.created, allocated.problems
    run.finish()
    figures["allocate"] = time.perf_counter() - started

    services.clock = Clock(dt.date(2026, 11, 20))
    uploads = home / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for name, content in filled:
        path = uploads / name
        path.write_bytes(content)
        submit_file(services, path)
    figures["upload"] = time.perf_counter() - started

    before = count()
    started = time.perf_counter()
    processed = process_changes(services)
    figures["process"] = time.perf_counter() - started
    figures["requests_per_submission"] = (count() - before) / len(filled)
    assert len(processed.submissions) == len(filled)
    waiting = [s for s in processed.submissions if s.outcome == SubmissionOutcome.WAITING_FOR_QA]

    services.clock = Clock(dt.date(2026, 11, 24))
    started = time.perf_counter()
    run = Run(services)
    for submission in waiting:
        allocation = qa.allocation_by_case(run, f"BENCH-{submission.file_name[6:10]}")
        qa.accept(run, allocation)
    run.finish()
    figures["qa_accept"] = time.perf_counter() - started
    figures["waiting"] = len(waiting)
    services.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--allocations", type=int, default=500)
    args = parser.parse_args()
    filled = forms(args.allocations)

    started = time.perf_counter()
    for name, content in filled:
        read_form(content, name, SCHEMA, DEADLINES)
    floor = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "embedded"
        store = SqliteListStore(home / "home", definitions_by_title(SCHEMA))
        provision(provisioner_of(store), formatted_definitions(SCHEMA))
        embedded = month(store, home, filled, lambda: 0)

        with LoopbackSharePoint() as server:
            with sharepoint_for(server) as admin:
                provision(provisioner_of(admin), formatted_definitions(SCHEMA))
            remote = month(
                sharepoint_for(server), Path(folder) / "sharepoint", filled, lambda: len(server.requests)
            )

    print(f"allocations                         {args.allocations}")
    print(f"floor: read + check the forms only  {floor:7.2f} s")
    for label, figures in (("embedded (SQLite)", embedded), ("SharePoint (loopback)", remote)):
        total = figures["allocate"] + figures["process"] + figures["qa_accept"]
        print(f"\n{label}")
        print(f"  allocate and notify               {figures['allocate']:7.2f} s")
        print(f"  auditors' uploads                 {figures['upload']:7.2f} s")
        print(
            f"  process the submissions           {figures['process']:7.2f} s  ({figures['process'] / floor:.1f}x the floor)"
        )
        print(f"  QA accepts {int(figures['waiting']):3d}                    {figures['qa_accept']:7.2f} s")
        print(f"  service wall time                 {total:7.2f} s")
        if label.startswith("SharePoint"):
            print(
                f"  requests per submission (process) {figures['requests_per_submission']:7.2f}   (target <= 3)"
            )


if __name__ == "__main__":
    main()
