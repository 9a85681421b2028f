"""One writer at a time: the lease every unit of work holds while it changes lists and sends mail.

Azure runs many instances of the worker at once (Flex Consumption scales out; one webhook body
can queue many messages), and a QA officer may run a command while the timer sweeps. Without a
lease two of them read "not done yet" and both do it. The lease makes the second wait until the
first has finished; it then finds the work done (every effect has a key) or only what is new.

- :class:`FileLease`: the embedded default and the command line. ``flock`` on
  ``<home>/writer.lock``: the kernel releases it when the process ends, however it ends, so a
  crashed run never leaves the home locked.
- :class:`TableLease`: the Functions app. One Azure Table entity per site, taken by a
  conditional insert, or by an update with the entity's ETag once the holder's time ran out; the
  holder renews it while it works, so a killed instance blocks others for one lease period at most.
- :class:`MemoryLease`: one process (unit tests).

Leases are re-entrant within a process, so a unit of work may call another (the demo does).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.services.ports.state import LeaseBusy, WriterLease

if TYPE_CHECKING:
    from azure.data.tables import TableClient

log = logging.getLogger(__name__)


class MemoryLease(WriterLease):
    """Within one process only (unit tests of the lease itself)."""

    def _acquire(self, wait_seconds: float) -> None:
        return None

    def _release(self) -> None:
        return None


class FileLease(WriterLease):
    """``flock`` on a file under the home folder (released by the kernel when the process ends)."""

    _POLL_SECONDS = 0.05

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._descriptor: int | None = None

    def _acquire(self, wait_seconds: float) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + wait_seconds
        waited = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    log.warning("another Audit Desk run is changing the lists: waiting for it to finish")
                    waited = True
                if time.monotonic() >= deadline:
                    os.close(descriptor)
                    raise LeaseBusy(
                        f"Another Audit Desk run has been changing the lists in {self.path.parent} for "
                        f"over {wait_seconds:.0f} s. Wait for it to finish and try again."
                    ) from None
                time.sleep(self._POLL_SECONDS)
        self._descriptor = descriptor

    def _release(self) -> None:
        import fcntl

        if self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
            os.close(self._descriptor)
            self._descriptor = None


class TableLease(WriterLease):
    """A lease entity in Azure Table storage, renewed by a background thread while held.

    The entity holds the holder's id and when its lease runs out (UTC). Taking it is a
    conditional insert (409 when it exists); taking over an expired one is an update that sends
    the ETag read (412 when someone else took it first). Times are the instances' own clocks;
    ``duration`` is long against any clock skew between Azure instances.
    """

    PARTITION = "lease"
    _POLL_SECONDS = 0.5

    def __init__(self, table: TableClient, name: str = "writer", duration_seconds: float = 60.0) -> None:
        super().__init__()
        self._table = table
        self._name = name
        self._duration = duration_seconds
        self._holder = ""
        self._etag = ""
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    def _entity(self) -> dict[str, Any]:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self._duration)
        return {
            "PartitionKey": self.PARTITION,
            "RowKey": self._name,
            "holder": self._holder,
            "expires": expires.isoformat(),
        }

    def _try_take(self) -> bool:
        from azure.core import MatchConditions
        from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
        from azure.data.tables import UpdateMode

        try:
            answer = self._table.create_entity(self._entity())
            self._etag = str(answer.get("etag", ""))
            return True
        except ResourceExistsError:
            pass
        try:
            current = self._table.get_entity(self.PARTITION, self._name)
        except ResourceNotFoundError:
            return False  # released meanwhile: try the insert again
        expires = dt.datetime.fromisoformat(str(current.get("expires", "1970-01-01T00:00:00+00:00")))
        if expires > dt.datetime.now(dt.UTC):
            return False
        try:
            answer = self._table.update_entity(
                self._entity(),
                mode=UpdateMode.REPLACE,
                etag=current.metadata["etag"],
                match_condition=MatchConditions.IfNotModified,
            )
        except HttpResponseError as error:
            if error.status_code == 412:
                return False
            raise
        log.warning("writer lease taken over from a holder whose time ran out")
        self._etag = str(answer.get("etag", ""))
        return True

    def _acquire(self, wait_seconds: float) -> None:
        self._holder = uuid.uuid4().hex
        self.lost = False
        deadline = time.monotonic() + wait_seconds
        while not self._try_take():
            if time.monotonic() >= deadline:
                raise LeaseBusy(
                    f"Another instance has held the writer lease for over {wait_seconds:.0f} s; "
                    "the queue will deliver this message again."
                )
            time.sleep(self._POLL_SECONDS)
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name="writer-lease", daemon=True)
        self._renewer.start()

    def _renew(self) -> None:
        from azure.core import MatchConditions
        from azure.data.tables import UpdateMode

        while not self._stop.wait(self._duration / 3):
            try:
                answer = self._table.update_entity(
                    self._entity(),
                    mode=UpdateMode.REPLACE,
                    etag=self._etag,
                    match_condition=MatchConditions.IfNotModified,
                )
                self._etag = str(answer.get("etag", ""))
            except Exception as error:  # the holder learns of it through ``lost``
                self.lost = True
                log.error("writer lease could not be renewed (%s)", type(error).__name__)
                return

    def _release(self) -> None:
        from azure.core import MatchConditions

        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if self.lost:
            return
        with contextlib.suppress(Exception):  # it runs out by itself if this fails
            self._table.delete_entity(
                self.PARTITION, self._name, etag=self._etag, match_condition=MatchConditions.IfNotModified
            )
