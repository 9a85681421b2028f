"""Issue 19's figures against their goals, gathered from every benchmark of one ``make bench``.

Each script calls :func:`goal` where it measures one; ``python -m benchmarks`` prints them all
together at the end, so one run shows each figure beside its goal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Goal:
    figure: str
    measured: str
    goal: str
    met: bool | None  # None: reported, no goal set


GOALS: list[Goal] = []


def goal(figure: str, measured: str, wanted: str, met: bool | None) -> None:
    """Record (and print) one figure against its goal."""
    found = Goal(figure, measured, wanted, met)
    GOALS.append(found)
    print(f"  goal: {_line(found)}", flush=True)


def summary() -> str:
    if not GOALS:
        return ""
    width = max(len(g.figure) for g in GOALS)
    lines = ["Issue 19: each figure against its goal (this run)"]
    lines += [f"  {g.figure:<{width}}  {_line(g, with_figure=False)}" for g in GOALS]
    return "\n".join(lines)


def _line(found: Goal, with_figure: bool = True) -> str:
    verdict = "reported" if found.met is None else ("met" if found.met else "NOT met")
    head = f"{found.figure}: " if with_figure else ""
    return f"{head}{found.measured}  (goal {found.goal}: {verdict})"
