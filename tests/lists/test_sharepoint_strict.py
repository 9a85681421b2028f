"""The adapter against a loopback SharePoint as strict as SharePoint Online (each behaviour's
source is cited in tests/sharepoint_server/server.py): site time zone, the list view threshold,
URL length, the change log, file names, dropped connections and Sites.Selected permissions."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from shared.adapters.lists.sharepoint_store import SharePointError, SharePointListStore
from shared.services.ports.lists import (
    ChangeKind,
    ChangeTokenExpired,
    InvalidQuery,
    ListStoreError,
    Query,
    WriteOutcomeUnknown,
    where,
)
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import (
    FIXTURE_TOKEN,
    FaultPlan,
    LoopbackSharePoint,
    SPItem,
    app_token,
)

TASKS = "Tasks"
SUBMISSIONS = "Audit Submissions"


def token_store(server: LoopbackSharePoint, token: str) -> SharePointListStore:
    from shared.adapters.lists.factory import open_sharepoint_store
    from shared.config import SharePointSettings
    from tests.lists.conftest import DEFINITIONS

    store = open_sharepoint_store(
        SharePointSettings(server.url),
        DEFINITIONS,
        lambda: {"access_token": token, "token_type": "Bearer", "expires_in": 3600},
    )
    assert isinstance(store, SharePointListStore)
    return store


# --- dates (sp-dev-docs 6083) -----------------------------------------------------------------
@pytest.mark.parametrize("day", [dt.date(2026, 6, 15), dt.date(2026, 1, 15)])
def test_a_due_date_typed_in_the_sharepoint_ui_reads_back_as_that_date_summer_and_winter(
    sharepoint: LoopbackSharePoint, day: dt.date
) -> None:
    with sharepoint_store(sharepoint) as store:
        task = store.add(TASKS, {"Title": "fictional", "status": "Open"})
        sharepoint.type_date_in_ui(TASKS, task.id, "due_date", day)
        assert store.get(TASKS, task.id)["due_date"] == day


def test_a_date_written_by_the_service_is_stored_as_the_ui_stores_it_and_filters_match_both(
    sharepoint: LoopbackSharePoint,
) -> None:
    summer = dt.date(2026, 6, 15)
    with sharepoint_store(sharepoint) as store:
        ours = store.add(TASKS, {"Title": "by the service", "status": "Open", "due_date": summer})
        typed = store.add(TASKS, {"Title": "typed in the UI", "status": "Open"})
        sharepoint.type_date_in_ui(TASKS, typed.id, "due_date", summer)
        stored = sharepoint.lists[TASKS].items[ours.id].values["due_date"]
        assert stored == "2026-06-14T23:00:00Z"  # the UK's midnight in summer, in UTC
        found = store.query(Query(TASKS, (where("due_date", "eq", summer),)))
        assert {i.id for i in found.items} == {ours.id, typed.id}
        before = store.query(Query(TASKS, (where("due_date", "lt", summer),)))
        assert before.items == ()


def test_the_site_time_zone_is_read_once_per_store_and_costs_no_extra_request(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add(TASKS, {"Title": "fictional", "status": "Open", "due_date": dt.date(2026, 6, 1)})
        store.query(Query(TASKS))
        store.query(Query(TASKS))
    zone_reads = [p for p in sharepoint.recorded_parts if "regionalsettings/timezone" in p.path.lower()]
    assert len(zone_reads) == 1
    assert not [r for r in sharepoint.recorded if "regionalsettings" in r.path.lower()]


# --- URL length (sp-dev-docs 7848) ------------------------------------------------------------
def test_long_id_filters_are_split_so_no_url_passes_two_thousand_characters(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint) as store:
        added = store.add_many(TASKS, [{"Title": f"t{n}", "status": "Open"} for n in range(300)])
        ids = [i.id for i in added]
        page = store.query(Query(TASKS, (where("Id", "in", ids),), page_size=300))
        assert sorted(i.id for i in page.items) == sorted(ids)
    longest = max(len(p.path) for p in sharepoint.recorded_parts)
    assert longest < 2000
    raw = requests.get(
        f"{sharepoint.url}/_api/web/lists/GetByTitle('Tasks')/items?$filter="
        + " or ".join(f"Id eq {i}" for i in ids),
        headers={"Authorization": f"Bearer {FIXTURE_TOKEN}"},
        timeout=5,
    )
    assert raw.status_code == 414


# --- the list view threshold (sp-dev-docs 7149) -------------------------------------------------
def _fill(server: LoopbackSharePoint, title: str, count: int) -> None:
    sp_list = server.lists[title]
    for n in range(count):
        item_id = sp_list.next_id
        sp_list.items[item_id] = SPItem(
            item_id,
            1,
            {
                "Title": f"fictional {n}",
                "status": "Open",
                "task_type": "Reminder",
                "task_key": f"K{n}",
                "Created": "2026-11-01T09:00:00Z",
                "Modified": "2026-11-01T09:00:00Z",
            },
        )
        sp_list.next_id += 1


def test_on_a_six_thousand_item_list_the_first_clause_sent_is_the_selective_one(
    sharepoint: LoopbackSharePoint,
) -> None:
    _fill(sharepoint, TASKS, 6000)
    with sharepoint_store(sharepoint) as store:
        # "status ne Done" matches all 6,000: sent first, SharePoint would refuse the query.
        query = Query(TASKS, (where("status", "ne", "Done"), where("task_key", "eq", "K42")))
        assert [i["task_key"] for i in store.query(query).items] == ["K42"]
        with pytest.raises(InvalidQuery, match="more selective indexed column"):
            store.query(Query(TASKS, (where("status", "eq", "Open"),)))
    raw = requests.get(
        f"{sharepoint.url}/_api/web/lists/GetByTitle('Tasks')/items?$filter=status ne 'Done' and task_key eq 'K42'",
        headers={"Authorization": f"Bearer {FIXTURE_TOKEN}"},
        timeout=5,
    )
    assert raw.status_code == 500


def test_person_filters_use_the_user_id_which_a_big_list_allows(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        mine = store.add(TASKS, {"Title": "x", "status": "Open", "assigned_to": "qa.lead@example.org"})
        _fill(sharepoint, TASKS, 6000)
        found = store.query(Query(TASKS, (where("assigned_to", "eq", "QA.Lead@example.org"),)))
        assert [i.id for i in found.items] == [mine.id]
        assert store.query(Query(TASKS, (where("assigned_to", "eq", "nobody@example.org"),))).items == ()
    sent = [p.path for p in sharepoint.recorded_parts] + [r.path for r in sharepoint.recorded]
    assert not [u for u in sent if "/EMail%20eq" in u or "/EMail eq" in u]


# --- the change log ---------------------------------------------------------------------------
def test_changes_are_read_until_drained_past_the_fetch_limit(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        token = store.current_change_token(TASKS)
        store.add_many(TASKS, [{"Title": f"t{n}", "status": "Open"} for n in range(2100)])
        sharepoint.reset_counts()
        changes, new_token = store.changes_since(TASKS, token)
        assert len(changes) == 2100
        assert len([r for r in sharepoint.recorded if r.path.lower().endswith("/getchanges")]) == 3
        assert store.changes_since(TASKS, new_token) == ([], new_token)


def test_a_restored_item_is_reported_as_added_again(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        item = store.add(TASKS, {"Title": "fictional", "status": "Open"})
        requests.delete(
            f"{sharepoint.url}/_api/web/lists/GetByTitle('Tasks')/items({item.id})",
            headers={"Authorization": f"Bearer {FIXTURE_TOKEN}"},
            timeout=5,
        )
        token = store.current_change_token(TASKS)
        sharepoint.restore_item(TASKS, item.id)
        changes, _ = store.changes_since(TASKS, token)
        assert [(c.item_id, c.kind) for c in changes] == [(item.id, ChangeKind.ADDED)]


def test_a_token_older_than_the_change_log_raises_change_token_expired_and_resync_recovers(
    sharepoint: LoopbackSharePoint,
) -> None:
    with sharepoint_store(sharepoint) as store:
        token = store.current_change_token(TASKS)
        added = store.add_many(TASKS, [{"Title": f"t{n}", "status": "Open"} for n in range(3)])
        sharepoint.age_change_log()
        with pytest.raises(ChangeTokenExpired):
            store.changes_since(TASKS, token)
        new_token, ids = store.resync(TASKS)
        assert sorted(ids) == sorted(i.id for i in added)
        assert store.changes_since(TASKS, new_token) == ([], new_token)


def test_a_token_older_than_sixty_days_is_expired_without_asking(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        token = store.current_change_token(TASKS)
        bits = token.split(";")
        bits[3] = str(int(bits[3]) - 70 * 86400 * 10_000_000)
        sharepoint.reset_counts()
        with pytest.raises(ChangeTokenExpired):
            store.changes_since(TASKS, ";".join(bits))
        assert sharepoint.recorded == []


# --- file names -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["O'Brien.docx", "50% done.docx", "case #12.docx", "a&b+c (1).xlsx"])
def test_awkward_file_names_round_trip(sharepoint: LoopbackSharePoint, name: str) -> None:
    with sharepoint_store(sharepoint) as store:
        item = store.add_file(SUBMISSIONS, name, b"PK\x03\x04" + name.encode())
        assert item["FileLeafRef"] == name
        assert store.read_file(SUBMISSIONS, name) == b"PK\x03\x04" + name.encode()


def test_names_sharepoint_refuses_are_refused_before_sending(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store, pytest.raises(ListStoreError, match="rename the file"):
        store.add_file(SUBMISSIONS, "2026/11 audit.docx", b"x")


# --- dropped connections ----------------------------------------------------------------------
def test_a_read_only_batch_is_retried_after_a_dropped_connection(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        added = store.add_many(TASKS, [{"Title": "t", "status": "Open"}])
        sharepoint.set_faults(FaultPlan(at_request={1: "drop-before"}))
        assert store.query(Query(TASKS, (where("Id", "in", [added[0].id]),))).items[0].id == added[0].id


@pytest.mark.parametrize(("fault", "applied"), [("drop-before", 0), ("drop-after", 1)])
def test_a_write_whose_connection_dropped_says_its_outcome_is_unknown(
    sharepoint: LoopbackSharePoint, fault: str, applied: int
) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add(TASKS, {"Title": "warm-up", "status": "Open"})  # digest and entity type known
        sharepoint.set_faults(FaultPlan(at_request={1: fault}))
        with pytest.raises(WriteOutcomeUnknown):
            store.add_many(TASKS, [{"Title": "in flight", "status": "Open"}])
    titles = [i.values["Title"] for i in sharepoint.lists[TASKS].items.values()]
    assert titles.count("in flight") == applied


# --- permissions (Sites.Selected) ---------------------------------------------------------------
def test_a_read_grant_reads_but_cannot_write(sharepoint: LoopbackSharePoint) -> None:
    sharepoint.site_grants["reader-app"] = "read"
    with token_store(sharepoint, app_token("reader-app")) as store:
        assert store.query(Query(TASKS)).items == ()
        with pytest.raises(SharePointError) as denied:
            store.add(TASKS, {"Title": "x", "status": "Open"})
        assert "Access denied" in str(denied.value)


def test_a_write_grant_writes_but_cannot_provision(sharepoint: LoopbackSharePoint) -> None:
    from shared.adapters.lists.formatted import definitions_by_title

    sharepoint.site_grants["writer-app"] = "write"
    with token_store(sharepoint, app_token("writer-app")) as store:
        store.add(TASKS, {"Title": "x", "status": "Open"})
        definition = next(
            iter(
                definitions_by_title(
                    __import__("shared.core.schema_reader").core.schema_reader.load_schema()
                ).values()
            )
        )
        with pytest.raises(SharePointError, match="Access denied"):
            store.provisioner().create_list(definition)


def test_sites_selected_without_a_site_grant_reads_nothing_and_other_tokens_are_refused(
    sharepoint: LoopbackSharePoint,
) -> None:
    with (
        token_store(sharepoint, app_token("ungranted-app")) as store,
        pytest.raises(SharePointError, match="403"),
    ):
        store.query(Query(TASKS))
    with (
        token_store(sharepoint, app_token("mail-app", roles=("Mail.Send",))) as store,
        pytest.raises(SharePointError, match="401"),
    ):
        store.query(Query(TASKS))


# --- answer shapes ----------------------------------------------------------------------------
def test_the_answer_shape_follows_the_accept_header(sharepoint: LoopbackSharePoint) -> None:
    url = f"{sharepoint.url}/_api/web/lists/GetByTitle('Tasks')/items"
    auth = {"Authorization": f"Bearer {FIXTURE_TOKEN}"}
    verbose = requests.get(url, headers={**auth, "Accept": "application/json;odata=verbose"}, timeout=5)
    light = requests.get(url, headers={**auth, "Accept": "application/json;odata=nometadata"}, timeout=5)
    assert "d" in verbose.json()
    assert "value" in light.json()


def test_an_in_filter_of_unknown_shape_is_refused_with_a_message(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store, pytest.raises(InvalidQuery):
        store.query(Query(TASKS, (where("task_key", "in", ["k" * 3000]),)))


def test_the_server_itself_refuses_a_token_older_than_its_change_log(sharepoint: LoopbackSharePoint) -> None:
    with sharepoint_store(sharepoint) as store:
        bits = store.current_change_token(TASKS).split(";")
    bits[3] = str(int(bits[3]) - 61 * 86400 * 10_000_000)
    answer = requests.post(
        f"{sharepoint.url}/_api/web/lists/GetByTitle('Tasks')/getchanges",
        json={"query": {"Item": True, "Add": True, "ChangeTokenStart": ";".join(bits)}},
        headers={"Authorization": f"Bearer {FIXTURE_TOKEN}", "Accept": "application/json;odata=verbose"},
        timeout=5,
    )
    assert answer.status_code == 500
    assert "SPInvalidChangeTokenException" in answer.json()["error"]["code"]
