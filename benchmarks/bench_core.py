"""Benchmark: validate 10,000 case file audits and compute their deadlines (issue: foundation).

Target: at least 20,000 records a second, so the core is never the bottleneck. The baseline,
measured in the same run, is the cheapest possible pass over the same forms: copying every
field's value as text. Run: ``.venv/bin/python benchmarks/bench_core.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable

from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.grades import Grade
from shared.core.record import FieldValue
from shared.core.schema_reader import load_schema
from shared.core.validation import check_audit
from shared.demo.examples import EXAMPLES

MONTH = AuditMonth(2026, 11)


def make_forms(count: int, seed: int = 7) -> list[dict[str, FieldValue]]:
    """A mixed month: complete, Inadequate, half-filled and inconsistent forms, with varied grades."""
    rng = random.Random(seed)
    makers = list(EXAMPLES.values())
    grades = [g.value for g in Grade] + ["Not applicable"]
    forms = []
    for index in range(count):
        fields = makers[index % len(makers)]()
        for n in range(1, 8):
            if rng.random() < 0.3:
                fields[f"d{n}_grade"] = rng.choice(grades)
        fields["audit_date"] = dt.date(2026, 11, rng.randint(2, 27))
        forms.append(fields)
    return forms


def best_of(repeats: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    schema = load_schema()
    deadlines = Deadlines.for_schema(schema)
    forms = make_forms(args.records)

    def baseline() -> None:
        for fields in forms:
            {key: str(value) for key, value in fields.items()}

    def core() -> None:
        for fields in forms:
            result = check_audit(fields, schema, deadlines, MONTH)
            overall = result.record.overall_grade
            if result.record.safeguarding_concern:
                deadlines.safeguarding_action_due_date(result.record.audit_date or MONTH.first_day)
            deadlines.audit_due_date(MONTH)
            deadlines.amendment_due_date(deadlines.audit_due_date(MONTH))
            if overall is not None:
                deadlines.discussion_due_date(deadlines.audit_due_date(MONTH), overall)
                if overall is Grade.INADEQUATE:
                    deadlines.reaudit_due_date(MONTH)

    core()  # warm the calendar's holiday cache, as a running service would have
    base = best_of(args.repeats, baseline)
    work = best_of(args.repeats, core)
    rate = args.records / work
    print(f"records                        {args.records}")
    print(f"baseline (copy fields as text)  {base * 1e6 / args.records:8.1f} µs/record")
    print(f"validate + deadlines           {work * 1e6 / args.records:8.1f} µs/record")
    print(f"ratio to baseline              {work / base:8.1f}x")
    print(f"throughput                     {rate:8.0f} records/s (target >= 20,000)")


if __name__ == "__main__":
    main()
