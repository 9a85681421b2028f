"""A 500-submission month processed by 1, 2 and 4 concurrent workers (issue 11).

Run: .venv/bin/python benchmarks/bench_concurrency.py [--submissions 500]

The same prepared home (staff, allocations, one uploaded form per case: complete, returned,
safeguarding, hostile; a stray and a duplicate) is copied once per run; N real `auditdesk process`
processes are started together and timed until the last one ends. The writer lease lets one
work; the others wait and find nothing new. Reported: wall time per N, the ratio to one worker
(goal: 4 workers at most 1.2x one), and whether the outcome (every list item, trail entry and
email) is identical to the single worker's. All data is fictional.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.workflow.exactly_once_month import copy_home, prepare_home, snapshot, start_worker

GOAL = 1.2


def timed_run(template: Path, home: Path, workers: int) -> float:
    copy_home(template, home)
    started = time.perf_counter()
    running = [start_worker(home) for _ in range(workers)]
    for process in running:
        _, errors = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise SystemExit(errors.decode(errors="replace")[-2000:])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        started = time.perf_counter()
        template = prepare_home(base / "template", cases=args.submissions)
        print(
            f"submissions                        {args.submissions + 2}  (prepared in {time.perf_counter() - started:.1f} s)"
        )
        figures: dict[int, float] = {}
        outcome = None
        identical = True
        for workers in (1, 2, 4):
            home = base / f"workers-{workers}"
            figures[workers] = timed_run(template, home, workers)
            shot = snapshot(home)
            if outcome is None:
                outcome = shot
            identical = identical and shot == outcome
        for workers, seconds in figures.items():
            print(
                f"{workers} worker(s)                        {seconds:7.2f} s  ({seconds / figures[1]:.2f}x one worker)"
            )
        ratio = figures[4] / figures[1]
        print(
            f"4 workers against 1                {ratio:7.2f}x  (goal <= {GOAL}x): {'met' if ratio <= GOAL else 'NOT met'}"
        )
        print(f"outcome identical for 1, 2, 4      {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
