"""The state of each effect (a task, a trail entry) by its deterministic key: claimed, or done.

A claim is a conditional insert (:meth:`StateStore.claim_many`), so two writers cannot both
make one effect. The normal path costs no request to SharePoint: the key's state says whether
the effect was made. A key left "started" by a run that crashed between its claim and the
write is checked against the list itself before the item is added (see
:mod:`shared.services.workflow.writes`).
"""

from __future__ import annotations

from shared.services.ports.state import StateStore

STARTED = "started"
DONE = "done"


class Effects:
    def __init__(self, state: StateStore) -> None:
        self.state = state

    def is_done(self, key: str) -> bool:
        return self.state.get(f"effect:{key}") == DONE

    def status(self, key: str) -> str | None:
        return self.state.get(f"effect:{key}")

    def claim_many(self, keys: list[str]) -> set[str]:
        """Claim each effect at once; returns the keys this caller may make."""
        prefixed = {f"effect:{key}": key for key in keys}
        return {prefixed[k] for k in self.state.claim_many(prefixed, STARTED)}

    def mark_many_done(self, keys: list[str]) -> None:
        self.state.put_many({f"effect:{key}": DONE for key in keys})
