"""Charts for the reports, as PNG bytes: readable printed in black and white.

Each series has its own grey and its own hatching (bars) or line style and marker (lines);
every chart has a title and labelled axes. matplotlib is imported only when a chart is drawn
(it is slow to import and most runs of Audit Desk draw none), with the Agg backend: no screen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from shared.services.ports.documents import Chart, GradeBars, SmallMultiples, StackedShares, TrendLines

# One grey and one hatch per grade, best first, so print and greyscale still tell them apart.
GREYS = ("#f2f2f2", "#bdbdbd", "#7a7a7a", "#262626")
HATCHES = ("", "///", "...", "xx")
LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
WIDTH_INCHES = 6.3  # the chart is placed 160 mm (6.3 in) wide: text prints at its own size
DPI = 130
# Every text on a chart is at least this size once placed in the report (accessibility).
FONT_SIZE = 9.5


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": FONT_SIZE,
            "axes.titlesize": FONT_SIZE + 1,
            "axes.labelsize": FONT_SIZE,
            "xtick.labelsize": FONT_SIZE,
            "ytick.labelsize": FONT_SIZE,
            "legend.fontsize": FONT_SIZE,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "hatch.linewidth": 0.6,
        }
    )
    return plt


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    # A fixed size, never "tight": the image is exactly WIDTH_INCHES wide, so placing it at that
    # width keeps every font at the size it was drawn (bbox "tight" would shrink or grow it).
    figure.savefig(buffer, format="png", dpi=DPI)
    figure.clear()
    import matplotlib.pyplot as plt

    plt.close(figure)
    return buffer.getvalue()


def grade_bars(title: str, grades: Sequence[str], counts: Sequence[int], *, ylabel: str = "Audits") -> bytes:
    """One bar per judgement (2.7), with the number on top."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 2.6), layout="constrained")
    positions = range(len(grades))
    bars = axes.bar(positions, counts, color=GREYS[: len(grades)], edgecolor="black", linewidth=0.7)
    for bar, hatch in zip(bars, HATCHES, strict=False):
        bar.set_hatch(hatch)
    axes.bar_label(bars, padding=2)
    axes.set_xticks(list(positions), list(grades))
    figure.suptitle(title, fontsize=FONT_SIZE + 1, fontweight="bold")
    axes.set_xlabel("Overall judgement")
    axes.set_ylabel(ylabel)
    axes.margins(y=0.18)
    return _png(figure)


def stacked_shares(
    title: str,
    categories: Sequence[str],
    series: Sequence[str],
    counts: Sequence[Sequence[int]],
    *,
    category_label: str,
) -> bytes:
    """Horizontal 100% bars: for each category (domain, team), the share of each judgement.

    ``counts[i][j]`` is the number of category ``i`` judged ``series[j]``.
    """
    plt = _pyplot()
    height = 1.6 + 0.34 * max(1, len(categories))
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, height), layout="constrained")
    lefts = [0.0] * len(categories)
    totals = [sum(row) or 1 for row in counts]
    positions = list(range(len(categories)))[::-1]
    for j, name in enumerate(series):
        widths = [100 * counts[i][j] / totals[i] for i in range(len(categories))]
        axes.barh(
            positions,
            widths,
            left=lefts,
            color=GREYS[j % len(GREYS)],
            hatch=HATCHES[j % len(HATCHES)],
            edgecolor="black",
            linewidth=0.6,
            label=name,
        )
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    axes.set_yticks(positions, list(categories))
    axes.set_xlim(0, 100)
    axes.set_xlabel("Share of audits graded (%)")
    axes.set_ylabel(category_label)
    figure.suptitle(title, fontsize=FONT_SIZE + 1, fontweight="bold")
    figure.legend(ncols=len(series), loc="outside lower center", frameon=False)
    return _png(figure)


def trend_lines(
    title: str,
    months: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    ylabel: str = "Per cent",
    limits: tuple[float, float] = (0, 100),
) -> bytes:
    """Lines over months, each with its own style and marker; a gap where there is no figure."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 2.9 + 0.18 * len(series)), layout="constrained")
    positions = list(range(len(months)))
    for number, (name, values) in enumerate(series):
        axes.plot(
            positions,
            [float("nan") if v is None else v for v in values],
            color="black" if number % 2 == 0 else "#555555",
            linestyle=LINE_STYLES[number % len(LINE_STYLES)],
            marker=MARKERS[number % len(MARKERS)],
            markersize=4.5,
            linewidth=1.3,
            label=name,
        )
    axes.set_xticks(positions, list(months))
    axes.set_xlim(-0.4, len(months) - 0.6)
    axes.set_ylim(*limits)
    figure.suptitle(title, fontsize=FONT_SIZE + 1, fontweight="bold")
    axes.set_xlabel("Audit month")
    axes.set_ylabel(ylabel)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    figure.legend(loc="outside lower center", ncols=2 if len(series) > 3 else len(series), frameon=False)
    return _png(figure)


def small_multiples(title: str, months: Sequence[str], panels: Sequence[tuple[str, Sequence[Any]]]) -> bytes:
    """One small bar chart per domain (not seven lines on one chart): the share per month, each
    bar labelled with its figure and count (a figure under the minimum is a count, no bar).

    ``panels``: (name, values) where each value has ``ratio`` (0 to 1, or None) and ``str()``."""
    import textwrap

    plt = _pyplot()
    columns = 2
    rows = (len(panels) + columns - 1) // columns
    figure, grid = plt.subplots(
        rows, columns, figsize=(WIDTH_INCHES, 0.6 + 1.8 * rows), squeeze=False, layout="constrained"
    )
    for position, axes in enumerate(grid.flat):
        if position >= len(panels):
            axes.set_visible(False)
            continue
        name, values = panels[position]
        heights = [0.0 if v.ratio is None else 100 * v.ratio for v in values]
        bars = axes.bar(range(len(months)), heights, color=GREYS[1], edgecolor="black", linewidth=0.6)
        labels = [str(v).replace(" of ", "/").replace("(", "").replace(")", "") for v in values]
        axes.bar_label(bars, labels=labels, padding=1.5, fontsize=FONT_SIZE)
        axes.set_xticks(range(len(months)), list(months))
        axes.set_ylim(0, 125)
        axes.set_yticks([0, 50, 100])
        axes.set_title("\n".join(textwrap.wrap(name, 34)), fontsize=FONT_SIZE, loc="left")
    figure.suptitle(title, fontsize=FONT_SIZE + 1, fontweight="bold")
    figure.supylabel("Good or better (%)", fontsize=FONT_SIZE)
    return _png(figure)


def draw(chart: Chart) -> bytes:
    """The chart a report describes, as PNG bytes."""
    match chart:
        case GradeBars(title, grades, counts, ylabel):
            return grade_bars(title, grades, counts, ylabel=ylabel)
        case StackedShares(title, categories, series, counts, category_label):
            return stacked_shares(title, categories, series, counts, category_label=category_label)
        case TrendLines(title, months, series, ylabel, limits):
            return trend_lines(title, months, series, ylabel=ylabel, limits=limits)
        case SmallMultiples(title, months, panels):
            return small_multiples(title, months, panels)
