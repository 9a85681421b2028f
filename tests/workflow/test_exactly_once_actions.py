"""Improvement actions made exactly once (issue 14, 2.8), and an Inadequate audit's re-audit (2.12):
QA's `auditdesk qa accept` killed with SIGKILL just before or just after each of its writes, then
QA trying again and the next processing run: the same Allocations, Improvement Actions, Audit Trail
and emails as one clean acceptance."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.workflow.exactly_once_month import ROOT, _env, copy_home, prepare_home, run_worker, snapshot

ACCEPTED_ON = "2026-11-23"
CASES = {
    "good": "DEMO-1000",  # a Good audit with one action in its plan (the Staff register's owner)
    "inadequate": "DEMO-1003",  # Inadequate: accepting it allocates December's re-audit (2.12)
}


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


def _accept(home: Path, case: str, boundary: str = "none", count_file: Path | None = None) -> int:
    return _auditdesk(home, "qa", "accept", case, boundary=boundary, count_file=count_file)


def _process(home: Path) -> None:
    assert _auditdesk(home, "process") == 0


def _in_any_order(seen: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with the Audit Trail's item ids left out: a run that finishes a killed one's
    work may write the same entries (same keys, same words) in another order."""
    trail = seen["lists"]["Audit Trail"]
    lists = {**seen["lists"], "Audit Trail": sorted(re.sub(r"\('Id', \d+\), ", "", e) for e in trail)}
    return {**seen, "lists": lists}


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The month's submissions processed: DEMO-1000 waits for the QA check."""
    home = prepare_home(tmp_path_factory.mktemp("actions-once") / "template", cases=6)
    assert run_worker(home) == 0
    return home


@pytest.fixture(scope="module", params=sorted(CASES))
def reference(
    request: pytest.FixtureRequest, processed: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    case = CASES[request.param]
    home = copy_home(processed, tmp_path_factory.mktemp("actions-reference") / "home")
    count_file = home.parent / "writes.txt"
    assert _accept(home, case, count_file=count_file) == 0
    _process(home)
    once = snapshot(home)
    assert any(case in action for action in once["lists"]["Improvement Actions"])
    reaudits = [a for a in once["lists"]["Audit Allocations"] if case in a and "2026-12" in a]
    assert len(reaudits) == (1 if request.param == "inadequate" else 0)
    _process(home)
    assert snapshot(home) == once
    return {"snapshot": once, "writes": int(count_file.read_text()), "case": case}


@pytest.mark.parametrize("when", ["before", "after"])
def test_an_acceptance_killed_at_any_write_makes_each_action_and_reaudit_once_2_8_2_12(
    when: str, processed: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    killed = 0
    for boundary in range(1, reference["writes"] + 1):
        home = copy_home(processed, tmp_path / f"{when}-{boundary}")
        # A write made inside another (a batch that writes item by item) passes "after" it unseen.
        killed += _accept(home, reference["case"], f"{when}:{boundary}") == -signal.SIGKILL
        _accept(home, reference["case"])  # QA tries again: accepted, or refused as already accepted
        _process(home)
        assert _in_any_order(snapshot(home)) == _in_any_order(reference["snapshot"]), (
            f"killed {when} write {boundary}"
        )
    assert killed >= reference["writes"] // 2
