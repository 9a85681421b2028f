"""Fixtures: Azurite and the loopback SharePoint server, the app's functions as Azure calls them,
and the app settings a deployed Functions app would have, pointed at both."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func
import pytest
from azure.functions.queue import QueueMessage

from shared.adapters.azure.storage import CHANGES_QUEUE, POISON_QUEUE, ensure_queue, queue_client
from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import formatted_definitions
from shared.adapters.lists.provision import provision
from shared.config import AzureStorageSettings
from shared.services.workflow.clock import Clock
from tests.functions.azurite import Azurite, AzuriteUnavailable
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import SCHEMA, sharepoint_for

CLIENT_STATE = "fictional-client-state-for-tests"
Functions = dict[str, Callable[..., Any]]


class Context(func.Context):
    """What the Functions worker passes as ``context``: here only the invocation id matters."""

    def __init__(self) -> None:
        self._id = str(uuid.uuid4())

    @property
    def invocation_id(self) -> str:
        return self._id

    @property
    def thread_local_storage(self) -> type[threading.local]:
        return threading.local

    @property
    def function_name(self) -> str:
        return "test"

    @property
    def function_directory(self) -> str:
        return str(Path.cwd())

    @property
    def trace_context(self) -> Any:
        return None

    @property
    def retry_context(self) -> Any:
        return None


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    try:
        emulator = Azurite(tmp_path_factory.mktemp("azurite")).start()
    except AzuriteUnavailable as missing:
        pytest.skip(str(missing))
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def indexed_functions() -> list[Any]:
    """The app's functions as the Functions host indexes them (get_functions works once)."""
    from function_app import app

    return list(app.get_functions())


@pytest.fixture(scope="session")
def functions(indexed_functions: list[Any]) -> dict[str, Callable[..., Any]]:
    """Every function of the app, by name."""
    return {str(f.get_function_name()): f.get_user_function() for f in indexed_functions}


@pytest.fixture(scope="session")
def sharepoint_site() -> Iterator[LoopbackSharePoint]:
    with LoopbackSharePoint() as server:
        with sharepoint_for(server) as store:
            provision(provisioner_of(store), formatted_definitions(SCHEMA))
        yield server


@dataclass
class App:
    """A deployed Functions app, as far as the tests can tell: its settings, queues and clock."""

    functions: dict[str, Callable[..., Any]]
    sharepoint: LoopbackSharePoint
    home: Path
    monkeypatch: pytest.MonkeyPatch
    webhook_url: str = ""

    @property
    def storage(self) -> AzureStorageSettings:
        return AzureStorageSettings.from_environment()

    def today(self, day: dt.date) -> App:
        self.monkeypatch.setattr("shared.entry.functions.wiring.default_clock", lambda: Clock(day))
        return self

    # --- invoking functions as the host does -------------------------------------------------
    def post_webhook(self, body: bytes, params: dict[str, str] | None = None) -> func.HttpResponse:
        request = func.HttpRequest(
            "POST", "http://localhost/api/sharepoint/webhook", params=params or {}, body=body
        )
        response: func.HttpResponse = self.functions["sharepoint_webhook"](request, Context())
        return response

    def notify(self, notification: dict[str, Any]) -> func.HttpResponse:
        return self.post_webhook(json.dumps(notification).encode())

    def queued(self, queue: str = CHANGES_QUEUE) -> list[tuple[bytes, int]]:
        """Take every message off ``queue``: (body as the trigger sees it, dequeue count)."""
        client = ensure_queue(queue_client(self.storage, queue))
        taken = []
        for _ in range(100):
            batch = list(client.receive_messages(max_messages=32, visibility_timeout=1))
            if not batch:
                break
            for message in batch:
                taken.append((bytes(message.content), int(message.dequeue_count or 1)))
                client.delete_message(message)
        return taken

    def work(self, body: bytes, dequeue_count: int = 1) -> None:
        message = QueueMessage(id=str(uuid.uuid4()), body=body, dequeue_count=dequeue_count)  # type: ignore[no-untyped-call]
        self.functions["process_changes"](message, Context())

    def work_queue(self) -> int:
        """Run the worker on every queued message, as the host would; how many it ran."""
        taken = self.queued()
        for body, count in taken:
            self.work(body, count)
        return len(taken)

    def fire(self, timer: str, past_due: bool = False) -> None:
        from azure.functions.timer import TimerRequest

        self.functions[timer](TimerRequest(past_due=past_due), Context())


@pytest.fixture
def app(
    azurite: Azurite,
    sharepoint_site: LoopbackSharePoint,
    functions: dict[str, Callable[..., Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    sharepoint_site.clear_items()
    sharepoint_site.reset_counts()
    suffix = uuid.uuid4().hex[:12]
    for name in [n for n in os.environ if n.startswith(("AUDITDESK_", "AzureWebJobs"))]:
        monkeypatch.delenv(name)
    settings = {
        "AUDITDESK_HOME": str(tmp_path / "home"),
        "AUDITDESK_SP_SITE_URL": sharepoint_site.url,
        "AUDITDESK_SP_ACCESS_TOKEN": "fictional-test-token",
        "AzureWebJobsStorage": azurite.connection_string,
        "AUDITDESK_STATE_TABLE": f"state{suffix}",
        "AUDITDESK_SENT_MAIL_TABLE": f"sent{suffix}",
        "AUDITDESK_WEBHOOK_CLIENT_STATE": CLIENT_STATE,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    _fill_settings_list()
    made = App(functions, sharepoint_site, tmp_path / "home", monkeypatch)
    made.queued(CHANGES_QUEUE)
    made.queued(POISON_QUEUE)
    yield made
    sharepoint_site.clear_items()


@pytest.fixture
def public_webhook(app: App) -> Iterator[str]:
    """The webhook reachable over HTTP on loopback, as SharePoint reaches it when subscribing."""
    functions = app.functions

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = func.HttpRequest(
                "POST",
                f"http://127.0.0.1{parts.path}",
                params=dict(parse_qsl(parts.query)),
                headers=dict(self.headers.items()),
                body=self.rfile.read(length) if length else b"",
            )
            response = functions["sharepoint_webhook"](request, Context())
            payload = response.get_body()
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.mimetype or "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/sharepoint/webhook"
    app.monkeypatch.setenv("AUDITDESK_WEBHOOK_URL", url)
    app.webhook_url = url
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _fill_settings_list() -> None:
    """What QA does once after provisioning: the distribution lists in the Settings list."""
    from shared.entry.functions.wiring import open_services
    from shared.services.workflow.dependencies import DEFAULT_SETTINGS

    services = open_services()
    try:
        for key, value in DEFAULT_SETTINGS.items():
            services.set_setting(key, value)
    finally:
        services.close()
