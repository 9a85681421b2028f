"""Effects made at most once, by deterministic key.

The normal path costs no request to SharePoint: the key's state says whether the effect was
made. A run that crashed between "started" and "done" asks the list (``already_there``)
whether the write happened before making it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.workflow.state import StateStore

T = TypeVar("T")

STARTED = "started"
DONE = "done"


class Effects:
    def __init__(self, state: StateStore) -> None:
        self.state = state

    def is_done(self, key: str) -> bool:
        return self.state.get(f"effect:{key}") == DONE

    def once(self, key: str, make: Callable[[], object], already_there: Callable[[], bool]) -> bool:
        """Run ``make`` unless the effect ``key`` was made before. True when it ran now."""
        state_key = f"effect:{key}"
        status = self.state.get(state_key)
        if status == DONE:
            return False
        if status == STARTED and already_there():
            self.state.put(state_key, DONE)
            return False
        self.state.put(state_key, STARTED)
        make()
        self.state.put(state_key, DONE)
        return True

    def mark_done(self, key: str) -> None:
        self.state.put(f"effect:{key}", DONE)

    def mark_started(self, key: str) -> None:
        self.state.put(f"effect:{key}", STARTED)

    def claim_many(self, keys: list[str]) -> set[str]:
        """Claim each effect at once; returns the keys this caller may make."""
        prefixed = {f"effect:{key}": key for key in keys}
        return {prefixed[k] for k in self.state.claim_many(prefixed, STARTED)}

    def mark_many_done(self, keys: list[str]) -> None:
        self.state.put_many({f"effect:{key}": DONE for key in keys})

    def claim(self, key: str) -> bool:
        """Mark the effect started only if nobody has: True when this caller may make it."""
        return self.state.claim(f"effect:{key}", STARTED)

    def status(self, key: str) -> str | None:
        return self.state.get(f"effect:{key}")
