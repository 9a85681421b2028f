"""What the queue worker costs on the Functions path (issue 19): peak memory per invocation, and the
time from an upload to the auditor's feedback email.

Run: .venv/bin/python benchmarks/bench_worker.py [--batch 100] [--uploads 200]

Against Azurite (Azure Storage, from npm) and the loopback SharePoint site, with the app settings a
deployed app has. Figures:
- peak RSS of one worker invocation that processes a batch of ``--batch`` submissions, in a fresh
  interpreter, against the baseline of a fresh interpreter that only imports ``function_app``
  (the Functions host loads it before any invocation). Goal: at most 300 MB, so the app fits the
  512 MB Flex Consumption instance.
- latency, upload to feedback email (returned to the auditor, or waiting for the QA check), for
  ``--uploads`` uploads one after another: each is enqueued as the webhook does and the worker
  runs as the host would. SharePoint's own notification delay and the host's queue polling (at
  most ``maxPollingInterval``, 2 s in host.json) are not included. All data is fictional.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.goals import goal
from shared.adapters.forms.word import fill_word_form
from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import formatted_definitions
from shared.adapters.lists.provision import provision
from shared.demo.examples import good_audit, half_filled_audit
from shared.services.workflow.intake import submit_file
from tests.functions.azurite import Azurite, AzuriteUnavailable
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import SCHEMA, TEMPLATES, make_desk, sharepoint_for

ROOT = Path(__file__).resolve().parent.parent
MEMORY_GOAL_MB = 300
SUBSCRIPTION = "5ee4ec6b-0000-4000-8000-000000000001"

# VmHWM: the peak resident set of this process's own memory. (ru_maxrss would also count the
# parent's peak, which Linux carries into a child across fork and exec.)
_PEAK = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
_WORKER = """
import sys, time
import function_app  # what the host loads first
from shared.entry.functions.notifications import Notification
from shared.entry.functions.worker import handle_change_message
started = time.perf_counter()
message = Notification(sys.argv[1], "list", "/sites/qa", "web").to_message().encode()
outcome = handle_change_message(message, 1, "benchmark")
print(PEAK, time.perf_counter() - started, outcome.value)
""".replace("PEAK", _PEAK)
_BASELINE = """
import function_app
print(PEAK)
""".replace("PEAK", _PEAK)


def _settings(azurite: Azurite, server: LoopbackSharePoint, home: Path) -> dict[str, str]:
    return {
        "AUDITDESK_HOME": str(home),
        "AUDITDESK_SP_SITE_URL": server.url,
        "AUDITDESK_SP_ACCESS_TOKEN": "fictional-test-token",
        "AzureWebJobsStorage": azurite.connection_string,
        "AUDITDESK_STATE_TABLE": f"state{os.getpid()}{int(time.time())}",
        "AUDITDESK_SENT_MAIL_TABLE": f"sent{os.getpid()}{int(time.time())}",
        "AUDITDESK_WEBHOOK_CLIENT_STATE": "fictional-client-state-for-benchmarks",
    }


def _open_app_services() -> None:
    """What QA does once: the Settings list filled, and the app's change tracking started."""
    from shared.entry.functions.wiring import open_services
    from shared.services.workflow.dependencies import DEFAULT_SETTINGS

    services = open_services()
    try:
        for key, value in DEFAULT_SETTINGS.items():
            services.set_setting(key, value)
    finally:
        services.close()


def _form(case: str, number: int) -> bytes:
    fields = (half_filled_audit if number % 4 == 3 else good_audit)()
    fields["case_ref"] = case
    return fill_word_form(TEMPLATES / "case-file-audit.docx", fields)


def _rss_mb(script: str, *args: str) -> tuple[float, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode(errors="replace")[-2000:])
    fields = done.stdout.decode().split()
    return int(fields[0]) / 1024, fields[1:]


def memory(server: LoopbackSharePoint, home: Path, batch: int) -> None:
    desk = make_desk(sharepoint_for(server), home)
    cases = [f"BENCH-{n:04d}" for n in range(1, batch + 1)]
    for case in cases:
        desk.at(dt.date(2026, 11, 2)).allocate(case)
    desk.at(dt.date(2026, 11, 20))
    uploads = home / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    for number, case in enumerate(cases):
        path = uploads / f"{case}.docx"
        path.write_bytes(_form(case, number))
        submit_file(desk.services, path)
    # And one 200 MB upload (a scanned case file put in the wrong library): refused from its size.
    desk.services.store.add_file("Audit Submissions", "whole case file.docx", b"\0" * (200 * 1024 * 1024))
    desk.services.close()
    baseline, _ = _rss_mb(_BASELINE)
    peak, (seconds, outcome) = _rss_mb(_WORKER, SUBSCRIPTION)
    print(f"baseline: a fresh interpreter importing function_app   {baseline:7.1f} MB")
    print(
        f"one invocation: {batch} submission(s) and a 200 MB upload {peak:7.1f} MB peak RSS "
        f"({peak / baseline:.2f}x the baseline; {float(seconds):.1f} s, {outcome})"
    )
    goal(
        f"worker peak RSS, {batch} submissions + a 200 MB upload",
        f"{peak:.1f} MB",
        f"<= {MEMORY_GOAL_MB} MB",
        peak <= MEMORY_GOAL_MB,
    )


def latency(server: LoopbackSharePoint, home: Path, uploads: int) -> None:
    from azure.functions.queue import QueueMessage

    from function_app import app
    from shared.adapters.azure.storage import CHANGES_QUEUE, ensure_queue, queue_client
    from shared.config import AzureStorageSettings
    from shared.entry.functions.enqueue import enqueue_notifications
    from shared.entry.functions.notifications import Notification
    from tests.functions.conftest import Context

    functions = {str(f.get_function_name()): f.get_user_function() for f in app.get_functions()}
    worker = functions["process_changes"]
    queue = ensure_queue(queue_client(AzureStorageSettings.from_environment(), CHANGES_QUEUE))
    desk = make_desk(sharepoint_for(server), home)
    cases = [f"LATE-{n:04d}" for n in range(1, uploads + 1)]
    for case in cases:
        desk.at(dt.date(2026, 11, 2)).allocate(case)
    desk.at(dt.date(2026, 11, 20))
    outbox = Path(os.environ["AUDITDESK_HOME"]) / "outbox"
    folder = home / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    seconds: list[float] = []
    for number, case in enumerate(cases):
        path = folder / f"{case}.docx"
        path.write_bytes(_form(case, number))
        before = len(list(outbox.glob("*.eml"))) if outbox.exists() else 0
        started = time.perf_counter()
        submit_file(desk.services, path)
        enqueue_notifications([Notification(SUBSCRIPTION, "list", "/sites/qa", "web")])
        for message in queue.receive_messages(max_messages=32, visibility_timeout=30):
            worker(QueueMessage(id=message.id, body=bytes(message.content), dequeue_count=1), Context())  # type: ignore[no-untyped-call]
            queue.delete_message(message)
        if len(list(outbox.glob("*.eml"))) <= before:
            raise SystemExit(f"no feedback email for upload {number + 1}")
        seconds.append(time.perf_counter() - started)
    desk.services.close()
    cuts = statistics.quantiles(seconds, n=20)
    print(
        f"upload to feedback email, {uploads} uploads            p50 {statistics.median(seconds) * 1000:5.0f} ms, "
        f"p95 {cuts[18] * 1000:5.0f} ms (plus queue polling, at most 2 s)"
    )
    goal(
        f"upload to feedback email, {uploads} uploads",
        f"p50 {statistics.median(seconds) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms",
        "reported, none set; plus at most 2 s of queue polling",
        None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--uploads", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        (base / "azurite").mkdir()
        try:
            azurite = Azurite(base / "azurite").start()
        except AzuriteUnavailable as missing:
            print(f"skipped: {missing}")
            return
        try:
            steps: tuple[tuple[str, Callable[[LoopbackSharePoint, Path], None]], ...] = (
                ("memory", lambda s, h: memory(s, h, args.batch)),
                ("latency", lambda s, h: latency(s, h, args.uploads)),
            )
            for step, run in steps:
                with LoopbackSharePoint() as server:
                    with sharepoint_for(server) as admin:
                        provision(provisioner_of(admin), formatted_definitions(SCHEMA))
                    home = base / step
                    os.environ.update(_settings(azurite, server, home / "app"))
                    _open_app_services()
                    run(server, home)
        finally:
            azurite.stop()


if __name__ == "__main__":
    main()
