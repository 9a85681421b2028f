"""The service's own state (change tokens, effect keys) and the writer lease: the two ports
every unit of work is given besides the lists and the mailer.

:meth:`StateStore.claim` is the one conditional write: it stores a value only when the key is
absent, atomically, so two workers that race for the same effect cannot both win. The lease
(:class:`WriterLease`) lets one unit of work change the lists at a time, across processes and
instances; the adapters (a lock file, an Azure Table entity) are in
:mod:`shared.adapters.state.lease`, and why it is needed is said there.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping


class StateStore(ABC):
    @abstractmethod
    def get(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""

    @abstractmethod
    def put(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing what was there."""

    @abstractmethod
    def claim(self, key: str, value: str) -> bool:
        """Store ``value`` under ``key`` only if the key is absent; True when this call stored it."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget ``key`` (nothing happens when it is absent)."""

    def claim_many(self, keys: Iterable[str], value: str) -> set[str]:
        """Claim each key as :meth:`claim` does; returns the keys this call stored. Stores
        that can write many keys at once override it (one commit, not one per key)."""
        return {key for key in keys if self.claim(key, value)}

    def put_many(self, values: Mapping[str, str]) -> None:
        """Store every value, as :meth:`put` does, at once where the store can."""
        for key, value in values.items():
            self.put(key, value)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


DEFAULT_WAIT_SECONDS = 600.0


class LeaseBusy(RuntimeError):
    """Another writer held the lease for longer than this one would wait."""


class LeaseLost(RuntimeError):
    """The lease ran out while this writer still worked (it could not be renewed)."""


class WriterLease(ABC):
    """Held by one unit of work at a time, across processes and instances."""

    def __init__(self) -> None:
        self._depth = 0
        self._local = threading.RLock()

    @contextlib.contextmanager
    def hold(self, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Iterator[None]:
        """Wait up to ``wait_seconds`` for the lease and hold it for the block."""
        if not self._local.acquire(timeout=wait_seconds):
            raise LeaseBusy(f"Another run in this process kept the lease for {wait_seconds:.0f} s.")
        try:
            self._depth += 1
            if self._depth == 1:
                self._acquire(wait_seconds)
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._release()
        finally:
            self._local.release()

    @property
    def held(self) -> bool:
        return self._depth > 0

    @property
    def depth(self) -> int:
        """How many nested holds this process has (1 for the outermost unit of work)."""
        return self._depth

    @abstractmethod
    def _acquire(self, wait_seconds: float) -> None: ...

    @abstractmethod
    def _release(self) -> None: ...
