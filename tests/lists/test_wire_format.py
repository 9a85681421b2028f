"""The adapter sends what office365-rest-python-client 3.3.0 sends for the same operation.

Both talk to the loopback server, which records every request (and every ``$batch`` part);
each test runs the client's own API and the adapter, then compares method, URL, the headers
that matter and the body (form digests, request ids and boundaries aside). Where the adapter
knowingly differs from the client, the test says why and asserts the documented form instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from office365.sharepoint.changes.query import ChangeQuery
from office365.sharepoint.changes.token import ChangeToken
from office365.sharepoint.client_context import ClientContext

from shared.adapters.lists.sharepoint_store import SharePointListStore
from shared.services.ports.lists import ItemUpdate
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import FIXTURE_TOKEN, LoopbackSharePoint, Recorded

LIBRARY = "Audit Submissions"
AWKWARD = "O'Brien #1 50% (draft).docx"


def client_for(server: LoopbackSharePoint) -> ClientContext:
    return ClientContext(server.url).with_access_token(
        lambda: {"access_token": FIXTURE_TOKEN, "token_type": "Bearer", "expires_in": 3600}
    )


@pytest.fixture
def store(sharepoint: LoopbackSharePoint) -> Iterator[SharePointListStore]:
    with sharepoint_store(sharepoint) as opened:
        yield opened


def _path(url: str) -> str:
    """A request URL without scheme and host, decoded, path case-folded (SharePoint ignores case
    in resource names, e.g. ``Web`` vs ``web``); query strings and literals compared as sent."""
    path = url.split("://", 1)[-1]
    path = path[path.index("/") :]
    head, sep, tail = path.partition("?")
    return unquote(head).lower() + sep + unquote(tail)


def _headers(record: Recorded, *names: str) -> dict[str, str | None]:
    lower = {k.lower(): v for k, v in record.headers.items()}
    return {name: lower.get(name.lower()) for name in names}


def _json(body: bytes) -> Any:
    return json.loads(body.strip()) if body.strip() else None


def _parts(server: LoopbackSharePoint, method: str) -> list[Recorded]:
    return [p for p in server.recorded_parts if p.method == method]


def test_a_batched_update_puts_merge_and_if_match_on_the_request_line_as_the_client_does(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    item = store.add("Tasks", {"Title": "fictional task", "status": "Open"})
    sharepoint.reset_counts()
    ctx = client_for(sharepoint)
    theirs_item = ctx.web.lists.get_by_title("Tasks").items.get_by_id(item.id)
    theirs_item.set_property("status", "Done")  # type: ignore[no-untyped-call]
    theirs_item.update()
    ctx.execute_batch()
    (theirs,) = _parts(sharepoint, "MERGE")

    sharepoint.reset_counts()
    store.update_many("Tasks", [ItemUpdate(item.id, {"status": "Done"}, None)])
    (ours,) = _parts(sharepoint, "MERGE")

    assert not _parts(sharepoint, "POST"), "no POST + X-HTTP-Method inside the changeset"
    assert _path(ours.path) == _path(theirs.path)
    wanted = ("IF-MATCH", "X-HTTP-Method", "Content-Type", "Accept")
    assert _headers(ours, *wanted) == _headers(theirs, *wanted)
    assert _json(ours.body) == _json(theirs.body)


def test_a_batched_update_with_an_etag_sends_it_in_if_match(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    item = store.add("Tasks", {"Title": "fictional task", "status": "Open"})
    sharepoint.reset_counts()
    store.update_many("Tasks", [ItemUpdate(item.id, {"status": "Done"}, item.etag)])
    (ours,) = _parts(sharepoint, "MERGE")
    assert _headers(ours, "IF-MATCH") == {"IF-MATCH": item.etag}


def test_a_batched_add_sends_the_clients_body_and_address(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    ctx = client_for(sharepoint)
    ctx.web.lists.get_by_title("Tasks").add_item({"Title": "fictional task", "status": "Open"})
    ctx.execute_batch()
    theirs = [p for p in _parts(sharepoint, "POST") if p.path.lower().endswith("/items")][-1]

    sharepoint.reset_counts()
    store.add_many("Tasks", [{"Title": "fictional task", "status": "Open"}])
    (ours,) = [p for p in _parts(sharepoint, "POST") if p.path.lower().endswith("/items")]

    assert _path(ours.path) == _path(theirs.path)
    assert _headers(ours, "Content-Type", "Accept") == _headers(theirs, "Content-Type", "Accept")
    assert _json(ours.body) == _json(theirs.body)


def test_get_changes_asks_what_the_client_asks_plus_restore_with_a_change_token_object(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    token = store.current_change_token("Tasks")
    sharepoint.reset_counts()
    ctx = client_for(sharepoint)
    query = ChangeQuery(
        Item=True,
        Add=True,
        Update=True,
        DeleteObject=True,
        Restore=True,
        FetchLimit=1000,  # type: ignore[arg-type]
        ChangeTokenStart=ChangeToken(token),  # type: ignore[arg-type]
    )
    ctx.web.lists.get_by_title("Tasks").get_changes(query).execute_query()
    (theirs,) = [r for r in sharepoint.recorded if r.path.lower().endswith("/getchanges")]

    sharepoint.reset_counts()
    store.changes_since("Tasks", token)
    (ours,) = [r for r in sharepoint.recorded if r.path.lower().endswith("/getchanges")]

    assert (ours.method, _path(ours.path)) == (theirs.method, _path(theirs.path))
    assert _headers(ours, "Content-Type", "Accept") == _headers(theirs, "Content-Type", "Accept")
    mine, client = _json(ours.body)["query"], _json(theirs.body)["query"]
    asked = {k for k, v in mine.items() if v is True}
    # The client asks for more kinds (SystemUpdate, role changes) by default; ours is a subset,
    # and everything ours asks for the client asks for too.
    assert asked == {"Item", "Add", "Update", "DeleteObject", "Restore"}
    assert all(client.get(k) is True for k in asked)
    assert mine["FetchLimit"] == client["FetchLimit"] == 1000
    # Given a ChangeToken object (not a str: shared/notes/microsoft365.md) the client sends the
    # typed SP.ChangeToken, as we do.
    assert mine["ChangeTokenStart"] == client["ChangeTokenStart"]
    assert mine["ChangeTokenStart"] == {"__metadata": {"type": "SP.ChangeToken"}, "StringValue": token}


def test_reading_a_file_with_an_awkward_name_uses_the_clients_resource_path_url(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    store.add_file(LIBRARY, AWKWARD, b"PK\x03\x04 fictional")
    path = f"{sharepoint.site_path}/AuditSubmissions/{AWKWARD}"
    sharepoint.reset_counts()
    content = client_for(sharepoint).web.get_file_by_server_relative_path(path).get_content().execute_query()
    (theirs,) = [r for r in sharepoint.recorded if r.method == "GET"]
    sharepoint.reset_counts()
    assert store.read_file(LIBRARY, AWKWARD) == content.value == b"PK\x03\x04 fictional"
    (ours,) = [r for r in sharepoint.recorded if r.method == "GET"]
    assert ours.method == theirs.method == "GET"
    assert ours.path.lower() == theirs.path.lower()  # as sent, still encoded: %23, %25, ''
    assert "O''Brien%20%231%2050%25" in ours.path


def test_uploading_uses_the_clients_folder_path_and_the_documented_add_using_path(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    folder = f"{sharepoint.site_path}/AuditSubmissions"
    client_for(sharepoint).web.get_folder_by_server_relative_path(folder).files.add(
        "plain.docx", b"x", True
    ).execute_query()
    (theirs,) = [r for r in sharepoint.recorded if "/files/" in r.path.lower()]
    sharepoint.reset_counts()
    store.add_file(LIBRARY, AWKWARD, b"y")
    (ours,) = [r for r in sharepoint.recorded if "/files/" in r.path.lower()]
    theirs_folder = theirs.path.lower().split("/files/")[0]
    assert ours.path.lower().split("/files/")[0] == theirs_folder
    # The client 3.3.0 has no AddUsingPath on files; the ResourcePath doc's form
    # (learn.microsoft.com/sharepoint/dev/solution-guidance/supporting-and-in-file-and-folder-with-the-resourcepath-api):
    assert (
        "/Files/AddUsingPath(DecodedUrl='O''Brien%20%231%2050%25%20(draft).docx',Overwrite=true)" in ours.path
    )


def test_the_legacy_add_the_client_sends_loses_a_hash_where_add_using_path_keeps_it(
    sharepoint: LoopbackSharePoint, store: SharePointListStore
) -> None:
    folder = f"{sharepoint.site_path}/AuditSubmissions"
    client_for(sharepoint).web.get_folder_by_server_relative_path(folder).files.add(
        "report #2.docx", b"legacy", True
    ).execute_query()
    assert f"{folder}/report " in sharepoint.files  # cut at '#', as the string-based API does
    store.add_file(LIBRARY, "report #2.docx", b"resource path")
    assert sharepoint.files[f"{folder}/report #2.docx"] == b"resource path"


def test_subscriptions_are_created_and_renewed_with_json_accept_as_the_webhook_docs_show(
    sharepoint: LoopbackSharePoint, store: SharePointListStore, webhook_endpoint: str
) -> None:
    import datetime as dt

    sub_id = store.webhooks().subscribe("Tasks", webhook_endpoint, "fictional-client-state", days=30)
    (created,) = [
        r for r in sharepoint.recorded if r.path.lower().endswith("/subscriptions") and r.method == "POST"
    ]
    assert _headers(created, "Accept", "Content-Type") == {
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    assert set(_json(created.body)) == {"resource", "notificationUrl", "expirationDateTime", "clientState"}
    store.webhooks().renew_subscription("Tasks", sub_id, dt.datetime.now(dt.UTC) + dt.timedelta(days=60))
    (renewed,) = [r for r in sharepoint.recorded if r.method == "PATCH"]
    assert _headers(renewed, "Accept") == {"Accept": "application/json"}
    store.webhooks().delete_subscription("Tasks", sub_id)
    assert store.webhooks().subscriptions("Tasks") == []
