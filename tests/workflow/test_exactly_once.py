"""Exactly once, whatever happens (issue 11): several real `auditdesk process` workers at once,
and workers killed with SIGKILL at every kind of write, end with the same lists, tasks, Audit
Trail and emails as one worker running alone (2.2, 2.6, 2.11: every submission accepted,
returned or quarantined once; a safeguarding alert never lost, never doubled)."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from shared.core.stages import AUDIT_SUBMISSION_OUTCOMES
from tests.workflow.exactly_once_month import copy_home, prepare_home, run_worker, snapshot, start_worker


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_home(tmp_path_factory.mktemp("exactly-once") / "template")


@pytest.fixture(scope="module")
def reference(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One worker, alone, then a second run that must add nothing."""
    home = copy_home(prepared, tmp_path_factory.mktemp("reference") / "home")
    count_file = home.parent / "writes.txt"
    started = time.monotonic()
    assert run_worker(home, count_file=count_file) == 0
    seconds = time.monotonic() - started
    once = snapshot(home)
    assert run_worker(home, count_file=home.parent / "again.txt") == 0
    assert snapshot(home) == once, "a second run on the same changes made something again"
    return {"snapshot": once, "writes": int(count_file.read_text()), "seconds": seconds}


def test_the_reference_month_reaches_every_outcome_2_2_2_6_2_11(reference: dict[str, Any]) -> None:
    """The scenario is worth comparing: returns, alerts, quarantines and tasks all happen."""
    shot = reference["snapshot"]
    submissions = " ".join(shot["lists"]["Audit Submissions"])
    for outcome in AUDIT_SUBMISSION_OUTCOMES:
        assert outcome in submissions
    subjects = [subject for (_, _, subject, _), _count in shot["emails"].items()]
    assert sum(s.startswith("IMMEDIATE: safeguarding concern") for s in subjects) == 4
    assert all(count == 1 for count in shot["emails"].values())
    assert shot["lists"]["Tasks"]
    assert shot["lists"]["Audit Trail"]
    assert shot["half_written"] == []


@pytest.mark.parametrize("workers", [2, 4, 8])
def test_concurrent_workers_do_the_work_of_one_2_6_2_11(
    workers: int, prepared: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    home = copy_home(prepared, tmp_path / "home")
    running = [start_worker(home) for _ in range(workers)]
    for process in running:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors.decode(errors="replace")[-2000:]
    assert snapshot(home) == reference["snapshot"]


def _boundaries(total: int, seed: int, count: int) -> list[int]:
    chosen = random.Random(seed).sample(range(2, total), min(count, total - 2))
    return sorted({1, total, *chosen})


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_worker_killed_at_any_write_and_run_again_loses_and_doubles_nothing(
    when: str, prepared: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    """SIGKILL just before or just after a seeded sample of the writes (list, state, sent log,
    outbox), then a clean re-run: the same end as one clean run."""
    for number, boundary in enumerate(_boundaries(reference["writes"], seed=11, count=7)):
        home = copy_home(prepared, tmp_path / f"{when}-{number}")
        assert run_worker(home, f"{when}:{boundary}") == -signal.SIGKILL, f"no kill at {when}:{boundary}"
        assert run_worker(home) == 0
        assert snapshot(home) == reference["snapshot"], f"killed {when} write {boundary}"


def test_a_worker_killed_at_a_random_moment_and_run_again_loses_and_doubles_nothing(
    prepared: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    rng = random.Random(2026)
    for trial in range(3):
        home = copy_home(prepared, tmp_path / f"random-{trial}")
        process = start_worker(home)
        time.sleep(rng.uniform(0.2, max(0.3, reference["seconds"])))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        assert run_worker(home) == 0
        assert snapshot(home) == reference["snapshot"], f"trial {trial}"
