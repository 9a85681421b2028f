"""office365-rest-python-client 3.3.0's own high-level API against the loopback SharePoint.

The server was written with the adapter; here code its authors did not write (the client
Microsoft-community developers use on real tenants) drives it: items add, update and delete,
``execute_batch``, paging, ``get_changes``, files, fields and views. If the server answered in
shapes only the adapter understands, these would fail.
"""

from __future__ import annotations

import pytest
from office365.sharepoint.changes.query import ChangeQuery
from office365.sharepoint.changes.token import ChangeToken
from office365.sharepoint.client_context import ClientContext

from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import FIXTURE_TOKEN, LoopbackSharePoint


@pytest.fixture
def ctx(sharepoint: LoopbackSharePoint) -> ClientContext:
    return ClientContext(sharepoint.url).with_access_token(
        lambda: {"access_token": FIXTURE_TOKEN, "token_type": "Bearer", "expires_in": 3600}
    )


def test_items_add_update_and_delete(sharepoint: LoopbackSharePoint, ctx: ClientContext) -> None:
    tasks = ctx.web.lists.get_by_title("Tasks")
    item = tasks.add_item({"Title": "fictional task", "status": "Open"}).execute_query()
    item_id = item.id
    assert item_id is not None
    item.set_property("status", "Done").update().execute_query()  # type: ignore[no-untyped-call]
    read = tasks.get_item_by_id(item_id).get().execute_query()
    assert read.properties["status"] == "Done"
    read.delete_object().execute_query()
    assert item_id not in sharepoint.lists["Tasks"].items


def test_execute_batch_adds_several_items(sharepoint: LoopbackSharePoint, ctx: ClientContext) -> None:
    tasks = ctx.web.lists.get_by_title("Tasks")
    for n in range(5):
        tasks.add_item({"Title": f"fictional {n}", "status": "Open"})
    ctx.execute_batch()
    titles = sorted(i.values["Title"] for i in sharepoint.lists["Tasks"].items.values())
    assert titles == [f"fictional {n}" for n in range(5)]


def test_paging_follows_the_servers_next_links(sharepoint: LoopbackSharePoint, ctx: ClientContext) -> None:
    with sharepoint_store(sharepoint) as store:
        store.add_many("Tasks", [{"Title": f"t{n}", "status": "Open"} for n in range(7)])
    items = ctx.web.lists.get_by_title("Tasks").items.get_all(page_size=3).execute_query()
    assert len(items) == 7


def test_get_changes_reads_what_happened(sharepoint: LoopbackSharePoint, ctx: ClientContext) -> None:
    with sharepoint_store(sharepoint) as store:
        token = store.current_change_token("Tasks")
        store.add_many("Tasks", [{"Title": f"t{n}", "status": "Open"} for n in range(3)])
    query = ChangeQuery(Item=True, Add=True, Update=True, ChangeTokenStart=ChangeToken(token))  # type: ignore[arg-type]
    changes = ctx.web.lists.get_by_title("Tasks").get_changes(query).execute_query()
    assert len(changes) == 3


def test_files_upload_and_download_with_awkward_names(
    sharepoint: LoopbackSharePoint, ctx: ClientContext
) -> None:
    folder = ctx.web.get_folder_by_server_relative_path(f"{sharepoint.site_path}/AuditSubmissions")
    folder.files.add("O'Brien notes.docx", b"PK\x03\x04 fictional", True).execute_query()
    path = f"{sharepoint.site_path}/AuditSubmissions/O'Brien notes.docx"
    content = ctx.web.get_file_by_server_relative_path(path).get_content().execute_query()
    assert content.value == b"PK\x03\x04 fictional"


def test_fields_and_views_are_listed(ctx: ClientContext) -> None:
    tasks = ctx.web.lists.get_by_title("Tasks")
    fields = tasks.fields.get().execute_query()
    assert "due_date" in {f.internal_name for f in fields}
    views = tasks.views.get().execute_query()
    assert len(views) >= 1
