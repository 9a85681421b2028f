"""Cold start: importing ``function_app`` (what the Functions host does to index the app) against
a bare ``import azure.functions``, each in a fresh interpreter, several times. Target: ≤ 2×.

    .venv/bin/python -m benchmarks.bench_cold_start [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 2.0


def _cold_import(statement: str) -> float:
    """Seconds for a fresh interpreter to run ``statement`` (start-up included, measured inside)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(answer.stdout.strip())


def measure(repeat: int) -> tuple[list[float], list[float]]:
    bare: list[float] = []
    app: list[float] = []
    for _ in range(repeat):  # interleaved, so both see the same disk cache and machine load
        bare.append(_cold_import("import azure.functions"))
        app.append(_cold_import("import function_app; function_app.app.get_functions()"))
    return bare, app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    _cold_import("import function_app")  # warm the file cache and .pyc files once
    bare, app = measure(args.repeat)
    bare_median, app_median = statistics.median(bare), statistics.median(app)
    ratio = app_median / bare_median
    print(
        f"import azure.functions          median {bare_median * 1000:6.1f} ms  (min {min(bare) * 1000:.1f})"
    )
    print(f"import function_app + indexing  median {app_median * 1000:6.1f} ms  (min {min(app) * 1000:.1f})")
    print(
        f"ratio {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x), {args.repeat} runs each, {time.perf_counter() - started:.1f} s"
    )
    print(
        "within target"
        if ratio <= TARGET_RATIO
        else "OVER TARGET: a heavy module is imported at indexing time"
    )


if __name__ == "__main__":
    main()
