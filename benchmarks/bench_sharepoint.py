"""How many SharePoint requests one batch of 100 new submissions costs, and what throttling costs.

Run: .venv/bin/python benchmarks/bench_sharepoint.py

Against the loopback SharePoint server (tests/sharepoint_server), the work one batch causes:
read the changes, read the 100 submissions' metadata, download the 100 files, write back 100
QA-check results, create 200 tasks and append 100 Audit Trail entries. Measured twice in the
same run: the adapter (batched) and the naive path (office365 client defaults, one call per
operation). Then the adapter again with 20% of requests answered 429 Retry-After: 1.
All data is fictional.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.adapters.lists.factory import open_sharepoint_store
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sharepoint_store import SharePointListStore
from shared.config import SharePointSettings
from shared.core.schema_reader import load_schema
from shared.services.ports.lists import Fields, ItemUpdate, ListItem, Query, where
from tests.sharepoint_server.server import FaultPlan, LoopbackSharePoint

SUBMISSIONS = 100
LIBRARY = "Audit Submissions"
DEFINITIONS = definitions_by_title(load_schema())


def token() -> dict[str, object]:
    return {"access_token": "fictional-test-token", "token_type": "Bearer", "expires_in": 3600}


def store_for(server: LoopbackSharePoint) -> SharePointListStore:
    store = open_sharepoint_store(SharePointSettings(server.url), DEFINITIONS, token)
    assert isinstance(store, SharePointListStore)
    return store


def seed(server: LoopbackSharePoint) -> str:
    """100 fictional submissions arrive; returns the change token from before they did."""
    with store_for(server) as store:
        start = store.current_change_token(LIBRARY)
        for n in range(SUBMISSIONS):
            store.add_file(
                LIBRARY, f"FICT-{n:04d}.docx", b"PK\x03\x04" + bytes(2000), {"status": "Submitted"}
            )
    return start


def tasks_for(n: int) -> list[Fields]:
    due = dt.date(2026, 12, 14)
    return [
        {
            "Title": f"Discussion {n}",
            "task_type": "Discussion",
            "status": "Open",
            "due_date": due,
            "assigned_to": f"manager{n % 7}@example.org",
        },
        {
            "Title": f"Reminder {n}",
            "task_type": "Reminder",
            "status": "Open",
            "due_date": due,
            "assigned_to": f"auditor{n % 11}@example.org",
        },
    ]


def trail_for(n: int) -> Fields:
    return {
        "who": "auditdesk",
        "what": "qa check",
        "when": dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        "item_ref": n,
    }


def adapter_path(server: LoopbackSharePoint, start: str) -> tuple[int, int, int]:
    """The adapter: batched writes and reads. Returns (files read, results written, tasks+trail)."""
    with store_for(server) as store:
        changes, _ = store.changes_since(LIBRARY, start)
        ids = sorted({c.item_id for c in changes})
        items: list[ListItem] = []
        for chunk in (ids[i : i + 100] for i in range(0, len(ids), 100)):
            items += store.query(Query(LIBRARY, (where("Id", "in", chunk),), page_size=100)).items
        contents = [store.read_file(LIBRARY, str(item["FileLeafRef"])) for item in items]
        checked = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
        updates = [
            ItemUpdate(
                item.id, {"status": "Accepted by QA", "findings_count": 0, "checked_on": checked}, item.etag
            )
            for item in items
        ]
        written = store.update_many(LIBRARY, updates)
        tasks = store.add_many("Tasks", [t for n in range(len(items)) for t in tasks_for(n)])
        trail = store.add_many("Audit Trail", [trail_for(item.id) for item in items])
        return len(contents), len(written), len(tasks) + len(trail)


def naive_path(server: LoopbackSharePoint, start: str) -> None:
    """The client library's defaults: one call per operation (ensure_user cached per address)."""
    from office365.sharepoint.changes.query import ChangeQuery
    from office365.sharepoint.changes.token import ChangeToken
    from office365.sharepoint.client_context import ClientContext
    from office365.sharepoint.files.file import File

    ctx = ClientContext(server.url).with_access_token(token)
    library = ctx.web.lists.get_by_title(LIBRARY)
    changes = library.get_changes(
        ChangeQuery(Item=True, Add=True, Update=True, ChangeTokenStart=ChangeToken(start))  # type: ignore[arg-type]
    ).execute_query()
    ids = sorted({int(c.properties["ItemId"]) for c in changes})
    for item_id in ids:
        item = library.get_item_by_id(item_id).get().execute_query()
        name = item.properties["FileLeafRef"]
        File.open_binary(ctx, f"{server.site_path}/AuditSubmissions/{name}")
        item.set_property("status", "Accepted by QA")  # type: ignore[no-untyped-call]
        item.set_property("findings_count", 0)  # type: ignore[no-untyped-call]
        item.set_property("checked_on", "2026-12-01T09:00:00Z")  # type: ignore[no-untyped-call]
        item.update().execute_query()
    users: dict[str, int] = {}
    tasks = ctx.web.lists.get_by_title("Tasks")
    for n in range(len(ids)):
        for task in tasks_for(n):
            task = dict(task)
            email = str(task.pop("assigned_to"))
            if email not in users:
                users[email] = int(ctx.web.ensure_user(f"i:0#.f|membership|{email}").execute_query().id or 0)
            body = {**task, "due_date": "2026-12-14T00:00:00Z", "assigned_toId": users[email]}
            tasks.add_item(body).execute_query()
    trail = ctx.web.lists.get_by_title("Audit Trail")
    for item_id in ids:
        trail.add_item(
            {"who": "auditdesk", "what": "qa check", "when": "2026-12-01T00:00:00Z", "item_ref": item_id}
        ).execute_query()


def main() -> None:
    print(f"SharePoint requests for one batch of {SUBMISSIONS} new submissions (loopback server)")
    with LoopbackSharePoint() as server:
        with store_for(server) as admin:
            provision(admin.provisioner(), formatted_definitions(load_schema()))

        def run(label: str, work: str) -> tuple[int, float]:
            server.clear_items()
            start = seed(server)
            server.reset_counts()
            began = time.monotonic()
            if work == "naive":
                naive_path(server, start)
            else:
                files, written, added = adapter_path(server, start)
                assert (files, written, added) == (SUBMISSIONS, SUBMISSIONS, 3 * SUBMISSIONS), "work was lost"
            elapsed = time.monotonic() - began
            count = len(server.requests)
            print(
                f"  {label:<44} {count:5d} requests  {count / SUBMISSIONS:5.2f} per submission  {elapsed:6.2f} s"
            )
            return count, elapsed

        naive, _ = run("naive (client defaults, one call per op)", "naive")
        batched, quiet_seconds = run("adapter (batched)", "adapter")
        print(
            f"  saving: {naive / batched:.1f}x fewer requests; target <= 3 per submission: "
            f"{'met' if batched / SUBMISSIONS <= 3 else 'NOT met'}"
        )

        print("\nWith 20% of requests answered 429 Retry-After: 1 (seeded, reproducible)")
        server.clear_items()
        start = seed(server)
        server.reset_counts()
        server.set_faults(FaultPlan(throttle_ratio=0.2, retry_after=1, seed=2026))
        began = time.monotonic()
        with store_for(server) as store:
            # the same work as adapter_path, through a store whose stats we keep
            changes, _ = store.changes_since(LIBRARY, start)
            ids = sorted({c.item_id for c in changes})
            items = store.query(Query(LIBRARY, (where("Id", "in", ids),), page_size=100)).items
            files = [store.read_file(LIBRARY, str(i["FileLeafRef"])) for i in items]
            written = store.update_many(
                LIBRARY, [ItemUpdate(i.id, {"status": "Accepted by QA"}, i.etag) for i in items]
            )
            tasks = store.add_many("Tasks", [t for n in range(len(items)) for t in tasks_for(n)])
            trail = store.add_many("Audit Trail", [trail_for(i.id) for i in items])
            stats = store.stats()
        elapsed = time.monotonic() - began
        server.set_faults(FaultPlan())
        lost = (
            (SUBMISSIONS - len(files))
            + (SUBMISSIONS - len(written))
            + (3 * SUBMISSIONS - len(tasks) - len(trail))
        )
        stored_tasks = len(server.lists["Tasks"].items)
        stored_trail = len(server.lists["Audit Trail"].items)
        throttled = len(server.waits_announced)
        print(f"  requests seen {len(server.requests)}, of which answered 429: {throttled}")
        print(
            f"  items lost: {lost}; tasks stored {stored_tasks}/200, trail entries stored {stored_trail}/100"
        )
        print(
            f"  sum of Retry-After waits honoured: {stats.waited_seconds:.1f} s over {stats.retries} retries"
        )
        print(f"  extra wall time vs. the quiet run: {elapsed - quiet_seconds:.1f} s (total {elapsed:.1f} s)")


if __name__ == "__main__":
    main()
