"""What the SharePoint adapter takes from its environment: the proxy and CA bundle (read once,
not on every request, issue 19), and never a ~/.netrc password in place of the app's token."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from shared.adapters.lists.sharepoint_store import RetryPolicy
from shared.adapters.lists.sp_http import Unreachable
from shared.services.ports.lists import Query
from tests.lists.conftest import sharepoint_store
from tests.sharepoint_server.server import LoopbackSharePoint

ALLOCATIONS = "Audit Allocations"
PROXY_VARIABLES = (
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_proxy_named_in_the_environment_carries_every_request(
    sharepoint: LoopbackSharePoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # A proxy that is not there: a store that uses it cannot reach the site at all.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")

    with sharepoint_store(sharepoint, RetryPolicy(max_attempts=1)) as store, pytest.raises(Unreachable):
        store.query(Query(ALLOCATIONS))

    monkeypatch.delenv("HTTP_PROXY")
    with sharepoint_store(sharepoint) as store:
        assert store.query(Query(ALLOCATIONS)).items == ()


def test_a_netrc_entry_for_the_site_never_replaces_the_apps_token(
    sharepoint: LoopbackSharePoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password fictional-password\n")
    monkeypatch.setenv("NETRC", str(netrc))
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    with sharepoint_store(sharepoint) as store:
        store.query(Query(ALLOCATIONS))

    sent = [r.headers.get("Authorization", "") for r in sharepoint.recorded]
    assert sent
    assert all(value.startswith("Bearer ") for value in sent)
