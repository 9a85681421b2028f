"""Run every benchmark script in this folder: ``.venv/bin/python -m benchmarks`` (make bench)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    from benchmarks.goals import summary

    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n== {script.stem} ==", flush=True)
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")
    print(f"\n{summary()}")


if __name__ == "__main__":
    main()
