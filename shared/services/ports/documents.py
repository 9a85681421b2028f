"""The report documents port: what a report says, as plain data, and who turns it into files.

The report services (``shared.services.reports``) decide what each report measures and says: its
tables, sentences, charts and the layout of its template. They hand that over as the values
below; the documents adapter (``shared.adapters.documents``) turns them into Word, PNG and
Excel with docxtpl, matplotlib and openpyxl, and never needs to know which report it writes.

One :class:`DataTable` feeds the Word table, the chart and the Excel sheet, so the three never
disagree. Values are numbers, shares (0 to 1) or text; formatting happens once, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

#: the fewest audits a percentage is shown for by default (the Settings list may say otherwise)
MINIMUM_FOR_PERCENT = 5


@dataclass(frozen=True, slots=True)
class Share:
    """A percentage that always carries its count: '82% (41 of 50)', or only '3 of 4' when the
    whole is under the minimum (a percentage of a handful misleads)."""

    part: int
    whole: int
    minimum: int = MINIMUM_FOR_PERCENT

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole and self.whole >= self.minimum else None

    def __str__(self) -> str:
        if not self.whole:
            return "none"
        if self.whole < self.minimum:
            return f"{self.part} of {self.whole}"
        return f"{round(100 * self.part / self.whole)}% ({self.part} of {self.whole})"


Value = str | int | float | Share | None


def formatted(value: Value, percent: bool) -> str:
    """A value as every report prints it: a dash for nothing, a share with its count."""
    if value is None:
        return "–"
    if isinstance(value, Share):
        return str(value)
    if percent and isinstance(value, float | int):
        return f"{round(100 * value)}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True, slots=True)
class DataTable:
    """A table of the report. ``percent`` names the columns holding shares (0 to 1)."""

    key: str  # context variable and sheet name
    title: str
    headers: tuple[str, ...]
    rows: list[list[Value]]
    percent: frozenset[int] = frozenset()

    def formatted(self) -> list[list[str]]:
        return [[formatted(v, i in self.percent) for i, v in enumerate(row)] for row in self.rows]


# -- charts: what each shows; the adapter draws it ----------------------------------------------


@dataclass(frozen=True, slots=True)
class GradeBars:
    """One bar per grade."""

    title: str
    grades: tuple[str, ...]
    counts: tuple[int, ...]
    ylabel: str = "Audits"


@dataclass(frozen=True, slots=True)
class StackedShares:
    """One horizontal bar per category, split into the share of each series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    category_label: str


@dataclass(frozen=True, slots=True)
class TrendLines:
    """Lines over months; ``None`` is a gap where there is no figure."""

    title: str
    months: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    ylabel: str = "Per cent"
    limits: tuple[float, float] = (0, 100)


@dataclass(frozen=True, slots=True)
class SmallMultiples:
    """One small bar chart per panel (a domain): its share in each month."""

    title: str
    months: tuple[str, ...]
    panels: tuple[tuple[str, tuple[Share, ...]], ...]


Chart = GradeBars | StackedShares | TrendLines | SmallMultiples


@dataclass
class ReportContent:
    kind: str
    title: str
    period_key: str
    context: dict[str, object]
    tables: list[DataTable]
    charts: dict[str, Chart] = field(default_factory=dict)
    alt_text: dict[str, str] = field(default_factory=dict)  # per chart: what it shows, in words
    headlines: list[str] = field(default_factory=list)  # three figures for the email body


# -- a report's template, block by block ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width_cm: float
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading as written (``number`` 0), or the layout's numbered section ``number``."""

    text: str
    level: int = 1
    number: int = 0


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    italic: bool = False
    bold: bool = False
    size: float | None = None


@dataclass(frozen=True, slots=True)
class Tag:
    """A paragraph holding only a docxtpl block tag (``{%p if x %}``), removed when rendered."""

    tag: str


@dataclass(frozen=True, slots=True)
class Bullets:
    """A bullet per item of ``variable``; ``lead`` shows in bold before the item's text."""

    variable: str
    item: str = "{{ point }}"
    loop: str = "point"
    lead: str = ""


@dataclass(frozen=True, slots=True)
class Numbered:
    variable: str


@dataclass(frozen=True, slots=True)
class ChartPlace:
    """Where the chart named ``variable`` goes, centred on a paragraph of its own."""

    variable: str


@dataclass(frozen=True, slots=True)
class Table:
    """A table whose body repeats for each row of ``variable`` (a list of lists of text);
    ``empty``: what is said instead when there are no rows."""

    variable: str
    columns: tuple[Column, ...]
    empty: str = ""


Block = PageBreak | Heading | Text | Tag | Bullets | Numbered | ChartPlace | Table


@dataclass
class ReportLayout:
    """A report template: a two-line header (no title page, no contents: the reader starts on
    page 1 with the content), then numbered sections with tables and charts.

    Written with the methods below, in reading order; the documents adapter builds the ``.docx``
    from :attr:`blocks`. Tags are only ever written by hand here, never from data."""

    kind: str
    title: str
    audience: str
    sections: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)

    def page_break(self) -> None:
        self.blocks.append(PageBreak())

    def plain_heading(self, text: str, level: int = 1) -> None:
        self.blocks.append(Heading(text, level))

    def heading(self, number: int, level: int = 1) -> None:
        self.blocks.append(Heading(f"{number}. {self.sections[number - 1]}", level, number))

    def subheading(self, text: str) -> None:
        self.blocks.append(Heading(text, 2))

    def text(self, text: str, *, italic: bool = False, bold: bool = False, size: float | None = None) -> None:
        self.blocks.append(Text(text, italic, bold, size))

    def tag(self, tag: str) -> None:
        self.blocks.append(Tag(tag))

    def bullets(self, variable: str, item: str = "{{ point }}", loop: str = "point", lead: str = "") -> None:
        self.blocks.append(Bullets(variable, item, loop, lead))

    def when_empty(self, variable: str, message: str) -> None:
        self.tag(f"{{%p if not {variable} %}}")
        self.text(message, italic=True)
        self.tag("{%p endif %}")

    def chart(self, variable: str) -> None:
        self.blocks.append(ChartPlace(variable))

    def numbered(self, variable: str) -> None:
        self.blocks.append(Numbered(variable))

    def table(self, variable: str, columns: Sequence[Column], *, empty: str = "") -> None:
        self.blocks.append(Table(variable, tuple(columns), empty))


class ReportDocuments(Protocol):
    """Turns a report's content into files (the documents adapter)."""

    def render(self, content: ReportContent, today: dt.date) -> bytes:
        """The report as ``.docx`` bytes, from its template, with its charts drawn."""
        ...

    def data_pack(self, title: str, period_label: str, tables: Sequence[DataTable]) -> bytes:
        """The report's data pack (``.xlsx``): one sheet per table."""
        ...

    def build_templates(self, layouts: Sequence[ReportLayout], folder: Path | None = None) -> list[Path]:
        """(Re)build each layout's template, into ``folder`` or where the reports are read from."""
        ...
