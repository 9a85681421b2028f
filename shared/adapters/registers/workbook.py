"""Reading a register workbook: the hostile-file gate, the header row, and one cell at a time.

A register is a sheet with a header row and a row per item. The header is found by its
titles (any order, any case, extra columns ignored), blank rows are skipped, and every row
that cannot be loaded gets a problem saying which row, which column, what was wrong and
what to do, while the good rows still load.

A file that cannot be read at all (refused by the gate, not a workbook, no header row)
raises ``RegisterRejected``: there is nothing to load, and the message says why and what to
do. Row problems never raise.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from shared.adapters.forms.safety import open_package
from shared.services.ports.forms import FormRejected

T = TypeVar("T")
R = TypeVar("R")
Severity = Literal["error", "warning"]

# How far down a header row may sit (a title or a note above it is allowed).
HEADER_SEARCH_ROWS = 10
# Excel's own date range as serial numbers (1900-01-01 to 9999-12-31).
_EXCEL_SERIAL_MAX = 2_958_465
_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[a-z]{2,}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row (or one cell of it) was not loaded as written.

    ``row`` is the row number as Excel shows it; ``column`` the column's title. An
    ``error`` means the row was rejected; a ``warning`` means it was loaded and someone
    should still look. ``message`` says what was wrong and what to do; ``str()`` prefixes
    where, e.g. "Row 7, Role: 'Snr Practitioner' is not a role in the register. …".
    """

    row: int
    column: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"Row {self.row}, {self.column}" if self.column else f"Row {self.row}"
        return f"{where}: {self.message}"


@dataclass(slots=True)
class RegisterReading(Generic[T]):
    """What a register file gave: the rows that loaded and every problem found."""

    rows: list[T] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def rejected_rows(self) -> list[int]:
        """Excel row numbers of the rows that were not loaded, in order."""
        return sorted({p.row for p in self.errors})


class RegisterRejected(Exception):
    """The whole file could not be read. ``code`` is stable; ``message`` says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class CellProblem(ValueError):
    """One cell's value is not usable; the text is the message for the person."""


@dataclass(frozen=True, slots=True)
class Column:
    """A register column: ``key`` in code, ``title`` in the header row."""

    key: str
    title: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One non-blank data row: its Excel row number and raw values by column key."""

    number: int
    values: dict[str, object]

    def problem(self, column: Column, message: str, severity: Severity = "error") -> RowProblem:
        return RowProblem(self.number, column.title, message, severity)

    def read(self, column: Column, convert: Callable[[object], R], problems: list[RowProblem]) -> R | None:
        """``convert`` applied to the column's cell; None (and a problem noted) if it is unusable."""
        try:
            return convert(self.values.get(column.key))
        except CellProblem as problem:
            problems.append(self.problem(column, str(problem)))
            return None


# --- opening ---------------------------------------------------------------------------


class _ReadOnlySheet(Protocol):
    """What is used of openpyxl's ReadOnlyWorksheet (its stubs describe it as a Worksheet)."""

    title: str

    def reset_dimensions(self) -> None: ...

    def iter_rows(
        self, min_row: int | None = None, max_row: int | None = None, *, values_only: bool
    ) -> Iterator[tuple[object, ...]]: ...


def register_rows(
    data: bytes, source: str, sheet_title: str, columns: Sequence[Column], what: str
) -> list[RegisterRow]:
    """Every non-blank data row of the register in ``data``, or RegisterRejected.

    The file passes the hostile-file gate first; the sheet titled ``sheet_title`` is
    preferred, otherwise the first sheet whose header row names every required column.
    ``what`` names the register in messages ("staff register").
    """
    _check_safe(data, source, what)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile) as error:
        raise RegisterRejected(
            "unreadable",
            f"{source} could not be opened as an Excel workbook ({type(error).__name__}). Open it in "
            "Excel, save it as an Excel Workbook (.xlsx) and import it again.",
        ) from None
    try:
        sheets: list[_ReadOnlySheet] = list(workbook.worksheets)
        sheets.sort(key=lambda s: s.title.casefold() != sheet_title.casefold())
        for sheet in sheets:
            # Files saved by other tools may declare wrong dimensions; read what is there.
            sheet.reset_dimensions()
            found = _header(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), columns)
            if found is not None:
                return list(_data_rows(sheet, *found))
    finally:
        workbook.close()
    titles = ", ".join(c.title for c in columns if c.required)
    raise RegisterRejected(
        "no-header",
        f"{source} has no sheet with the {what}'s header row (it needs the columns {titles}). "
        f"Copy your rows into the {what} template and import that.",
    )


def _data_rows(sheet: _ReadOnlySheet, header_row: int, positions: dict[str, int]) -> Iterator[RegisterRow]:
    rows = sheet.iter_rows(min_row=header_row + 1, values_only=True)
    for number, values in enumerate(rows, start=header_row + 1):
        picked = {key: _at(values, index) for key, index in positions.items()}
        if not all(_blank(value) for value in picked.values()):
            yield RegisterRow(number, picked)


def _check_safe(data: bytes, source: str, what: str) -> None:
    try:
        package = open_package(data, source)
    except FormRejected as refused:
        code = refused.rejection.code
        gate = refused.rejection.message
        # Keep what the gate recognised the file as, e.g. " (it is a PDF)".
        looks_like = re.search(r" \(it is an? [^)]*\)", gate)
        message = _REFUSALS.get(code, "{gate}").format(
            source=source, what=what, gate=gate, looks_like=looks_like.group(0) if looks_like else ""
        )
        raise RegisterRejected(code, message) from None
    if package.kind != "excel":
        raise RegisterRejected(
            "not-excel",
            f"{source} is a Word document, not an Excel workbook. Fill in the {what} template "
            "(.xlsx) and import that.",
        )


# The gate speaks to auditors returning forms; QA imports a register, so say it their way.
# Codes not listed keep the gate's own message (it names the file and the problem).
_REFUSALS = {
    "empty-file": "{source} is empty (0 bytes). Save the {what} again in Excel and import it again.",
    "not-office": "{source} is not an Excel workbook{looks_like}. Fill in the {what} template (.xlsx) and import that.",
    "old-format": "{source} is an old binary Excel file (.xls). Open it in Excel, save it as an Excel "
    "Workbook (.xlsx) and import that.",
    "corrupt-zip": "{source} is damaged or incomplete (it may have been cut short while saving or "
    "copying). Open it in Excel, save it again and import it again.",
    "macros": "{source} contains macros (a macro-enabled .xlsm file or a VBA project), which Audit Desk "
    "never opens. Save the {what} as an Excel Workbook (.xlsx) and import that.",
    "encrypted": "{source} is password-protected (encrypted), so it cannot be read. Remove the password "
    "in Excel (File > Info > Protect Workbook > Encrypt with Password, then clear it) and import it again.",
}


def _header(
    rows: Iterator[tuple[object, ...]], columns: Sequence[Column]
) -> tuple[int, dict[str, int]] | None:
    wanted = {normalise_title(c.title): c for c in columns}
    required = {c.key for c in columns if c.required}
    for number, values in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(values):
            column = wanted.get(normalise_title(text(value)))
            if column is not None and column.key not in positions:
                positions[column.key] = index
        if required <= positions.keys():
            return number, positions
    return None


def normalise_title(title: str) -> str:
    """'Audit month (YYYY-MM)', 'audit  MONTH' and 'Audit-month' all match."""
    without_notes = re.sub(r"\(.*?\)", "", title)
    return "".join(ch for ch in without_notes.casefold() if ch.isalnum())


def _at(values: tuple[object, ...], index: int) -> object:
    return values[index] if index < len(values) else None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- cells -----------------------------------------------------------------------------


def text(value: object) -> str:
    """A cell as trimmed text with runs of spaces collapsed; blank is ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def email(value: object) -> str:
    """A plausible email address, lower-cased; '' when blank. CellProblem otherwise."""
    address = text(value).lower()
    if address.startswith("mailto:"):
        address = address.removeprefix("mailto:")
    if address and not _EMAIL.match(address):
        raise CellProblem(f"'{text(value)}' is not an email address. Write it as name@example.org.")
    return address


def date(value: object) -> dt.date | None:
    """An Excel date, a datetime, or text as YYYY-MM-DD or dd/mm/yyyy; None when blank."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= _EXCEL_SERIAL_MAX:
            converted = from_excel(value)
            if isinstance(converted, dt.datetime):
                return converted.date()
        raise CellProblem(f"{text(value)} is not a date. Enter a date such as 30/11/2026.")
    written = text(value)
    iso = _ISO_DATE.match(written)
    uk = _UK_DATE.match(written)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if uk:
            return dt.date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        raise CellProblem(f"'{written}' is not a real date. Check the day and month.") from None
    raise CellProblem(f"'{written}' is not a date. Enter it as dd/mm/yyyy, e.g. 30/11/2026.")


def yes_no(value: object, default: bool) -> bool:
    """Yes/No (also Y/N, TRUE/FALSE); ``default`` when blank."""
    if _blank(value):
        return default
    if isinstance(value, bool):
        return value
    answer = text(value).casefold()
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    raise CellProblem(f"'{text(value)}' is not Yes or No. Choose Yes or No from the list.")
