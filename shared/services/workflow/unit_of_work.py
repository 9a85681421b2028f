"""A unit of work: the one way the workflow changes lists and sends mail.

    with unit_of_work(services) as run:
        allocate(run, request, staff)

On entry it takes the writer lease (one writer at a time: :mod:`shared.adapters.state.lease`); on a
clean exit it writes every planned step and every queued task and trail entry, then lets the
lease go. On an exception nothing more is written: the next run picks up from the lists, where
every effect has a key and is made once.

A run that never reached its end (a crash, a kill, a timeout) leaves its mark in the state
store; the next unit of work sees it and asks change processing to derive the Audit Trail
entries of the steps that run wrote (:meth:`Run.ensure_trail`), so the trail never drifts from
the lists.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from shared.services.workflow.dependencies import Services
from shared.services.workflow.workflow_run import Run

log = logging.getLogger(__name__)

RUN_OPEN = "run:open"
RECOVERY_PENDING = "run:recovery-pending"


@contextmanager
def unit_of_work(services: Services, wait_seconds: float | None = None) -> Iterator[Run]:
    wait = services.lease_wait_seconds if wait_seconds is None else wait_seconds
    with services.lease.hold(wait):
        outermost = services.lease.depth == 1
        if outermost:
            _begin(services)
            services.use_local_closure_days()
        run = Run(services)
        yield run
        run.finish()
        if outermost:
            services.state.delete(RUN_OPEN)


def _begin(services: Services) -> None:
    if services.state.get(RUN_OPEN) is not None:
        log.warning("the previous run did not finish: the steps it wrote will be checked")
        services.state.put(RECOVERY_PENDING, "1")
    services.state.put(RUN_OPEN, uuid.uuid4().hex)


def recovery_pending(services: Services) -> bool:
    return services.state.get(RECOVERY_PENDING) is not None


def recovery_done(services: Services) -> None:
    services.state.delete(RECOVERY_PENDING)
