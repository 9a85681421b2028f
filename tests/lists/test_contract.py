"""The list-store contract: the same behaviour from SQLite and from SharePoint (loopback)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest

from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.services.ports.lists import (
    AppendOnlyList,
    BatchConflict,
    ChangeKind,
    ConcurrencyConflict,
    FieldValue,
    FileNotFoundInLibrary,
    InvalidQuery,
    ItemNotFound,
    ItemUpdate,
    ListStore,
    ListStoreError,
    OrderBy,
    Query,
    where,
)

ALLOCATIONS = "Audit Allocations"


def allocation(n: int, **extra: FieldValue) -> dict[str, FieldValue]:
    row: dict[str, FieldValue] = {
        "Title": f"Fictional allocation {n}",
        "case_ref": f"CASE-{n:04d}",
        "audit_month": "2026-11",
        "auditor_email": f"auditor{n % 3}@example.org",
        "status": "Allocated",
        "due_date": dt.date(2026, 11, 30),
        "is_reaudit": False,
    }
    row.update(extra)
    return row


def test_an_added_allocation_reads_back_with_its_values_id_and_etag(store: ListStore) -> None:
    added = store.add(ALLOCATIONS, allocation(1, team="Fictional Team North"))
    read = store.get(ALLOCATIONS, added.id)
    assert read.id == added.id
    assert read.etag == added.etag
    assert read["case_ref"] == "CASE-0001"
    assert read["due_date"] == dt.date(2026, 11, 30)
    assert read["auditor_email"] == "auditor1@example.org"
    assert read["is_reaudit"] is False
    assert read["team"] == "Fictional Team North"


def test_a_lookup_column_holds_the_id_of_the_previous_audit(store: ListStore) -> None:
    first = store.add(ALLOCATIONS, allocation(1, overall_grade="Inadequate"))
    reaudit = store.add(ALLOCATIONS, allocation(2, is_reaudit=True, previous_allocation=first.id))
    assert store.get(ALLOCATIONS, reaudit.id)["previous_allocation"] == first.id


def test_update_with_the_current_etag_changes_the_item_and_its_etag(store: ListStore) -> None:
    added = store.add(ALLOCATIONS, allocation(1))
    updated = store.update(ALLOCATIONS, added.id, {"status": "Submitted"}, added.etag)
    assert updated["status"] == "Submitted"
    assert updated.etag != added.etag
    assert store.get(ALLOCATIONS, added.id)["case_ref"] == "CASE-0001"


def test_update_with_a_stale_etag_is_a_concurrency_conflict(store: ListStore) -> None:
    added = store.add(ALLOCATIONS, allocation(1))
    store.update(ALLOCATIONS, added.id, {"status": "Submitted"}, added.etag)
    with pytest.raises(ConcurrencyConflict) as conflict:
        store.update(ALLOCATIONS, added.id, {"status": "Accepted by QA"}, added.etag)
    assert conflict.value.item_id == added.id
    assert "read it again" in str(conflict.value)
    assert store.get(ALLOCATIONS, added.id)["status"] == "Submitted"


def test_update_many_writes_the_fresh_and_reports_the_stale(store: ListStore) -> None:
    items = store.add_many(ALLOCATIONS, [allocation(n) for n in range(3)])
    store.update(ALLOCATIONS, items[1].id, {"status": "Submitted"}, items[1].etag)
    updates = [ItemUpdate(i.id, {"status": "Returned for amendment"}, i.etag) for i in items]
    with pytest.raises(BatchConflict) as batch:
        store.update_many(ALLOCATIONS, updates)
    assert [c.item_id for c in batch.value.conflicts] == [items[1].id]
    assert sorted(i.id for i in batch.value.written) == sorted([items[0].id, items[2].id])
    assert store.get(ALLOCATIONS, items[0].id)["status"] == "Returned for amendment"
    assert store.get(ALLOCATIONS, items[1].id)["status"] == "Submitted"


def test_add_many_returns_the_items_in_the_order_given(store: ListStore) -> None:
    items = store.add_many(ALLOCATIONS, [allocation(n) for n in range(5)])
    assert [i["case_ref"] for i in items] == [f"CASE-{n:04d}" for n in range(5)]
    assert len({i.id for i in items}) == 5


def test_a_missing_item_is_item_not_found(store: ListStore) -> None:
    with pytest.raises(ItemNotFound):
        store.get(ALLOCATIONS, 4242)


def test_filters_on_indexed_columns_combine_with_and(store: ListStore) -> None:
    store.add_many(
        ALLOCATIONS,
        [allocation(n, status="Submitted" if n % 2 else "Allocated") for n in range(10)],
    )
    page = store.query(
        Query(
            ALLOCATIONS,
            (where("status", "eq", "Submitted"), where("auditor_email", "eq", "auditor1@example.org")),
        )
    )
    assert sorted(str(i["case_ref"]) for i in page.items) == ["CASE-0001", "CASE-0007"]


def test_in_and_comparison_filters_and_ordering(store: ListStore) -> None:
    store.add_many(
        ALLOCATIONS,
        [
            allocation(
                n, due_date=dt.date(2026, 11, 20 + n), status=("Allocated", "Submitted", "Closed")[n % 3]
            )
            for n in range(6)
        ],
    )
    page = store.query(
        Query(
            ALLOCATIONS,
            (
                where("status", "in", ["Allocated", "Submitted"]),
                where("due_date", "lt", dt.date(2026, 11, 25)),
            ),
            (OrderBy("due_date", descending=True),),
        )
    )
    assert [i["case_ref"] for i in page.items] == ["CASE-0004", "CASE-0003", "CASE-0001", "CASE-0000"]


def test_filters_on_yes_no_columns(store: ListStore) -> None:
    store.add_many(ALLOCATIONS, [allocation(n, is_reaudit=n == 2) for n in range(4)])
    page = store.query(Query(ALLOCATIONS, (where("is_reaudit", "eq", True),)))
    assert [i["case_ref"] for i in page.items] == ["CASE-0002"]


def test_a_filter_on_a_column_without_an_index_is_refused_before_sending(store: ListStore) -> None:
    with pytest.raises(InvalidQuery, match="not indexed"):
        store.query(Query(ALLOCATIONS, (where("previous_grade", "eq", "Good"),)))


def test_paging_returns_every_item_once_past_the_first_hundred(store: ListStore) -> None:
    store.add_many(ALLOCATIONS, [allocation(n) for n in range(130)])
    first = store.query(Query(ALLOCATIONS, page_size=100))
    assert len(first.items) == 100
    assert first.continuation is not None
    every = list(store.query_all(Query(ALLOCATIONS, page_size=50)))
    assert sorted(str(i["case_ref"]) for i in every) == sorted(f"CASE-{n:04d}" for n in range(130))


def test_changes_since_a_token_list_adds_and_updates_and_move_the_token_on(store: ListStore) -> None:
    store.add(ALLOCATIONS, allocation(0))
    token = store.current_change_token(ALLOCATIONS)
    added = store.add(ALLOCATIONS, allocation(1))
    store.update(ALLOCATIONS, added.id, {"status": "Submitted"}, added.etag)
    changes, next_token = store.changes_since(ALLOCATIONS, token)
    assert [(c.item_id, c.kind) for c in changes] == [
        (added.id, ChangeKind.ADDED),
        (added.id, ChangeKind.UPDATED),
    ]
    assert store.changes_since(ALLOCATIONS, next_token) == ([], next_token)


def test_changes_in_another_list_do_not_show(store: ListStore) -> None:
    token = store.current_change_token(ALLOCATIONS)
    store.add("Tasks", {"Title": "Fictional reminder", "task_type": "Reminder", "status": "Open"})
    assert store.changes_since(ALLOCATIONS, token)[0] == []


def test_a_file_added_to_a_library_reads_back_with_its_metadata(store: ListStore) -> None:
    content = b"PK\x03\x04 fictional audit form"
    item = store.add_file(
        "Audit Submissions", "CASE-0001.docx", content, {"case_ref": "CASE-0001", "status": "Submitted"}
    )
    assert store.read_file("Audit Submissions", "CASE-0001.docx") == content
    read = store.get("Audit Submissions", item.id)
    assert read["FileLeafRef"] == "CASE-0001.docx"
    assert read["case_ref"] == "CASE-0001"
    assert read["status"] == "Submitted"


def test_a_library_file_and_a_list_item_each_have_one_link_a_person_opens(store: ListStore) -> None:
    # One link mechanism for drafts (issue 13) and reminders (issue 18): the file itself in its
    # library, the item's own page in a list.
    store.add_file(
        "Audit Drafts", "CASE-0001 November 2026 #2.docx", b"PK fictional", {"case_ref": "CASE-0001"}
    )
    link = unquote(store.item_url("Audit Drafts", file_name="CASE-0001 November 2026 #2.docx"))
    assert link.replace("\\", "/").endswith("/AuditDrafts/CASE-0001 November 2026 #2.docx")
    if isinstance(store, SqliteListStore):  # a path from the Audit Desk home
        assert (store.path.parent / link).read_bytes() == b"PK fictional"
    item = store.add("Tasks", {"Title": "Fictional reminder", "task_type": "Reminder", "status": "Open"})
    assert str(item.id) in store.item_url("Tasks", item.id)


def test_a_file_not_in_the_library_is_reported_by_name(store: ListStore) -> None:
    with pytest.raises(FileNotFoundInLibrary, match=r"no file .missing\.docx."):
        store.read_file("Reports", "missing.docx")


def test_the_audit_trail_is_append_only(store: ListStore) -> None:
    entry = store.add(
        "Audit Trail",
        {
            "who": "qa-officer@example.org",
            "what": "accept",
            "when": dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
            "item_ref": 1,
        },
    )
    assert entry["when"] == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    with pytest.raises(AppendOnlyList):
        store.update("Audit Trail", entry.id, {"what": "changed"}, entry.etag)


def test_values_that_do_not_fit_the_column_are_refused_with_the_column_named(store: ListStore) -> None:
    with pytest.raises(ListStoreError, match="'status' of 'Audit Allocations' is one of"):
        store.add(ALLOCATIONS, allocation(1, status="Lost"))
    with pytest.raises(ListStoreError, match="has no column 'colour'"):
        store.add(ALLOCATIONS, allocation(1, colour="blue"))
    with pytest.raises(ListStoreError, match="Date column"):
        store.add(ALLOCATIONS, allocation(1, due_date="30/11/2026"))
