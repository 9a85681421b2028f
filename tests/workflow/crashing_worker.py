"""`auditdesk`, run as a real process that kills itself with SIGKILL at a chosen write.

    python -m tests.workflow.crashing_worker BOUNDARY COUNT_FILE -- auditdesk arguments...

Every write the service makes on the embedded default is a boundary: a list write (add, update,
batched or not, a file added to the library), a state write (a claim, a put, a delete), a sent-log
write, and handing a message to the outbox. ``BOUNDARY`` is ``before:N`` (killed just before the
Nth write), ``after:N`` (just after it) or ``none``; the number of boundaries passed is written to
``COUNT_FILE`` as the process goes, so a clean run says how many there are.
SIGKILL is what Azure does to an instance that timed out or was scaled in: no handler runs.

Submissions are checked and written back in chunks of :data:`CHUNK` here, not 100, so that the
tests' month of 14 files crosses chunk boundaries and a kill can fall between two chunks.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import SqliteSentLog
from shared.adapters.state.sqlite_state import SqliteStateStore

WRITES: list[tuple[type, tuple[str, ...]]] = [
    (SqliteListStore, ("add", "add_many", "update", "update_many", "add_file")),
    (SqliteStateStore, ("put", "claim", "delete")),
    (SqliteSentLog, ("claim", "record", "release")),
    (OutboxMailer, ("_deliver",)),
]
CHUNK = 5


def install(boundary: str, count_file: Path) -> None:
    mode, _, number = boundary.partition(":")
    target = int(number) if number else 0
    passed = 0

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def write(*args: Any, **kwargs: Any) -> Any:
            nonlocal passed
            passed += 1
            count_file.write_text(str(passed))
            if mode == "before" and passed == target:
                os.kill(os.getpid(), signal.SIGKILL)
            result = original(*args, **kwargs)
            if mode == "after" and passed == target:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return write

    for cls, names in WRITES:
        for name in names:
            setattr(cls, name, wrap(getattr(cls, name)))


def main() -> None:
    boundary, count_file, separator, *arguments = sys.argv[1:]
    assert separator == "--"
    install(boundary, Path(count_file))
    from shared.services.workflow import intake

    intake._CHUNK = CHUNK
    from shared.entry.cli.main import main as auditdesk

    sys.argv = ["auditdesk", *arguments]
    auditdesk()


if __name__ == "__main__":
    main()
