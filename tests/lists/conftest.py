"""Fixtures: the two list-store adapters, and the loopback SharePoint server behind one of them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.adapters.lists.factory import open_sharepoint_store
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sharepoint_store import RetryPolicy, SharePointListStore
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.config import SharePointSettings
from shared.core.schema_reader import load_schema
from shared.services.ports.lists import ListStore
from tests.sharepoint_server.server import LoopbackSharePoint

DEFINITIONS = definitions_by_title(load_schema())


def fake_token() -> dict[str, object]:
    return {"access_token": "fictional-test-token", "token_type": "Bearer", "expires_in": 3600}


def sharepoint_store(server: LoopbackSharePoint, retry: RetryPolicy | None = None) -> SharePointListStore:
    store = open_sharepoint_store(SharePointSettings(server.url), DEFINITIONS, fake_token)
    assert isinstance(store, SharePointListStore)
    if retry is not None:
        store.retry = retry
    return store


@pytest.fixture(scope="session")
def provisioned_server() -> Iterator[LoopbackSharePoint]:
    with LoopbackSharePoint() as server:
        with sharepoint_store(server) as store:
            assert isinstance(store, SharePointListStore)
            provision(store.provisioner(), formatted_definitions(load_schema()))
        yield server


@pytest.fixture
def sharepoint(provisioned_server: LoopbackSharePoint) -> Iterator[LoopbackSharePoint]:
    provisioned_server.clear_items()
    provisioned_server.reset_counts()
    yield provisioned_server
    provisioned_server.clear_items()


@pytest.fixture(params=["sqlite", "sharepoint"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ListStore]:
    if request.param == "sqlite":
        with SqliteListStore(tmp_path / "home", DEFINITIONS) as embedded:
            yield embedded
    else:
        server = request.getfixturevalue("sharepoint")
        with sharepoint_store(server) as remote:
            yield remote


@pytest.fixture
def webhook_endpoint() -> Iterator[str]:
    class Echo(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            token = parse_qs(urlsplit(self.path).query).get("validationtoken", [""])[0].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(token)))
            self.end_headers()
            self.wfile.write(token)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/hook"
    server.shutdown()
    server.server_close()
