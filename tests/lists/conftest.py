"""Fixtures: the two list-store adapters, and the loopback SharePoint server behind one of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import SharePointSettings
from shared.core.schema import load_schema
from shared.lists.definitions import definitions_by_title, list_definitions
from shared.lists.factory import open_sharepoint_store
from shared.lists.port import ListStore
from shared.lists.provision import provision
from shared.lists.sharepoint_store import RetryPolicy, SharePointListStore
from shared.lists.sqlite_store import SqliteListStore
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
            provision(store, list_definitions(load_schema()))
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
