"""Improvement actions made exactly once (issue 14, 2.8): QA's `auditdesk qa accept` killed with
SIGKILL just before or just after each of its writes, then QA trying again and the next processing
run: the same Improvement Actions, Audit Trail and emails as one clean acceptance."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.workflow.exactly_once_month import ROOT, _env, copy_home, prepare_home, run_worker, snapshot

ACCEPTED_ON = "2026-11-23"
CASE = "DEMO-1000"  # a Good audit with one action in its plan (the example Staff register's owner)


def _auditdesk(home: Path, *arguments: str, boundary: str = "none", count_file: Path | None = None) -> int:
    """`auditdesk` on the day of the acceptance, as a real process (killed at ``boundary``)."""
    counts = count_file or home.parent / f"{home.name}-writes.txt"
    command = [
        sys.executable,
        "-m",
        "tests.workflow.crashing_worker",
        boundary,
        str(counts),
        "--",
        "--home",
        str(home),
        "--today",
        ACCEPTED_ON,
        *arguments,
    ]
    done = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, timeout=300)
    # 1: refused, already accepted by the killed run (the next processing run finishes its work).
    if done.returncode not in (0, 1, -signal.SIGKILL):
        raise AssertionError(done.stderr.decode(errors="replace")[-3000:])
    return done.returncode


def _accept(home: Path, boundary: str = "none", count_file: Path | None = None) -> int:
    return _auditdesk(home, "qa", "accept", CASE, boundary=boundary, count_file=count_file)


def _process(home: Path) -> None:
    assert _auditdesk(home, "process") == 0


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The month's submissions processed: DEMO-1000 waits for the QA check."""
    home = prepare_home(tmp_path_factory.mktemp("actions-once") / "template", cases=6)
    assert run_worker(home) == 0
    return home


@pytest.fixture(scope="module")
def reference(processed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = copy_home(processed, tmp_path_factory.mktemp("actions-reference") / "home")
    count_file = home.parent / "writes.txt"
    assert _accept(home, count_file=count_file) == 0
    _process(home)
    once = snapshot(home)
    assert len(once["lists"]["Improvement Actions"]) == 1
    _process(home)
    assert snapshot(home) == once
    return {"snapshot": once, "writes": int(count_file.read_text())}


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_acceptance_killed_at_any_write_makes_each_action_once_2_8(
    when: str, processed: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    killed = 0
    for boundary in range(1, reference["writes"] + 1):
        home = copy_home(processed, tmp_path / f"{when}-{boundary}")
        # A write made inside another (a batch that writes item by item) passes "after" it unseen.
        killed += _accept(home, f"{when}:{boundary}") == -signal.SIGKILL
        _accept(home)  # QA tries again: accepted now, or refused as already accepted
        _process(home)
        assert snapshot(home) == reference["snapshot"], f"killed {when} write {boundary}"
    assert killed >= reference["writes"] // 2
