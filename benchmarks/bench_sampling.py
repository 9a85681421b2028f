"""Case selection (2.1): read a fictional 20,000-case export and draw the month's sample, against
the baseline of csv.reader over the same bytes, measured in the same run. Target: ≤ 20x, so
checking every row (teams, types, people, dates, duplicates) and drawing stay within a second.

    .venv/bin/python benchmarks/bench_sampling.py [--cases 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time

from shared.adapters.registers.case_export import read_case_export
from shared.core.deadlines import AuditMonth
from shared.core.sampling import draw_case_sample
from shared.core.schema_reader import load_schema
from shared.demo.fictional_cases import export_csv, fictional_case_rows, fictional_staff

TARGET_RATIO = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    schema = load_schema()
    staff = fictional_staff()
    auditors = [m for m in staff if m.role in schema.roles.auditors]
    data = export_csv(fictional_case_rows(args.cases))
    bare: list[float] = []
    full: list[float] = []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        started = time.perf_counter()
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        bare.append(time.perf_counter() - started)
        assert len(rows) == args.cases + 1
        started = time.perf_counter()
        reading = read_case_export(data, "cases.csv", schema.sampling, staff)
        proposal = draw_case_sample(reading.cases, AuditMonth(2026, 12), {}, [], auditors, {}, schema)
        full.append(time.perf_counter() - started)
        assert not reading.problems
        assert proposal.chosen
    ratio = statistics.median(full) / statistics.median(bare)
    print(f"csv.reader over {args.cases} rows          median {statistics.median(bare) * 1000:7.1f} ms")
    print(f"read, check every row and draw the sample median {statistics.median(full) * 1000:7.1f} ms")
    print(f"ratio {ratio:.1f}x (target ≤ {TARGET_RATIO:.0f}x)")


if __name__ == "__main__":
    main()
