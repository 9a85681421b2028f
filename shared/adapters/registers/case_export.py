"""Reading the case management system's case list (Liquidlogic exports CSV or Excel) for the
month's case selection (2.1).

Every row is checked on its own and every problem is reported with its row, column, what was
wrong and what to do: missing columns, a blank or duplicated case reference, a team or case
type Audit Desk does not know, a worker or Team Manager not in the Staff register, a date in
another format. When any row has a problem, nothing is loaded: the sample is drawn from the
whole list or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence

from openpyxl import load_workbook

from shared.adapters.forms.safety import open_package
from shared.adapters.registers import workbook as common
from shared.adapters.registers.workbook import CellProblem
from shared.core.eligibility import StaffMember
from shared.core.sampling import ExportedCase
from shared.core.schema import SamplingSettings
from shared.services.ports.forms import FormRejected
from shared.services.ports.registers import ExportProblem, ExportReading

# Column key -> the titles an export may give it (first is the one messages use).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "case_ref": ("Case reference", "Case ID", "Case ref", "Liquidlogic ID"),
    "child_ref": ("Child reference", "Child ID", "Person ID", "Child ref"),
    "team": ("Team", "Team name", "Allocated team"),
    "worker": ("Worker", "Allocated worker", "Worker email", "Allocated worker email"),
    "manager": ("Team Manager", "Team Manager email", "Manager"),
    "case_type": ("Case type", "Category", "Case category"),
    "opened": ("Start date", "Case start date", "Open date", "Opened"),
    "closed": ("End date", "Case end date", "Closure date", "Closed"),
}
REQUIRED = ("case_ref", "child_ref", "team", "worker", "manager", "case_type")
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 200_000


def read_case_export(
    data: bytes,
    source: str,
    settings: SamplingSettings,
    staff: Iterable[StaffMember],
) -> ExportReading:
    """The cases in the export ``data`` (CSV, or an Excel workbook's first sheet)."""
    people = list(staff)
    teams = settings.teams or tuple(sorted({m.team for m in people if m.team}))
    try:
        rows = _rows(data, source)
    except _Refused as refused:
        return ExportReading(problems=[ExportProblem(0, "", str(refused))])
    header = _header(rows)
    if header is None:
        wanted = ", ".join(COLUMNS[key][0] for key in REQUIRED)
        return ExportReading(
            problems=[
                ExportProblem(
                    0,
                    "",
                    f"{source} has no header row naming the case list's columns ({wanted}) in its first "
                    f"{HEADER_SEARCH_ROWS} rows. Export the case list again with those columns.",
                )
            ]
        )
    header_row, positions = header
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in positions]
    if missing:
        return ExportReading(
            problems=[
                ExportProblem(
                    header_row,
                    "",
                    f"{source} has no column for: {', '.join(missing)}. Add "
                    f"{'it' if len(missing) == 1 else 'them'} to the export (any of these titles: "
                    + "; ".join(
                        f"{COLUMNS[k][0]} = {' / '.join(COLUMNS[k])}"
                        for k in REQUIRED
                        if COLUMNS[k][0] in missing
                    )
                    + ") and export again.",
                )
            ]
        )
    resolver = _People(people)
    case_types = {t.casefold(): t for t in settings.case_types}
    known_teams = {t.casefold(): t for t in teams}
    reading = ExportReading()
    first_row: dict[str, int] = {}
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        cells = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        if all(common.text(v) == "" for v in cells.values()):
            continue
        case, problems = _case(number, cells, resolver, case_types, known_teams)
        if case is not None:
            ref = case.case_ref.upper()
            if ref in first_row:
                problems.append(
                    ExportProblem(
                        number,
                        "Case reference",
                        f"{case.case_ref} is also on row {first_row[ref]}. A case is listed once: remove "
                        "the duplicate and export again.",
                    )
                )
            else:
                first_row[ref] = number
        reading.problems.extend(problems)
        if case is not None and not problems:
            reading.cases.append(case)
    if reading.problems:
        reading.cases = []  # nothing is half-loaded
    elif not reading.cases:
        reading.problems.append(ExportProblem(0, "", f"{source} lists no cases. Export the case list again."))
    return reading


class _Refused(Exception):
    pass


def _rows(data: bytes, source: str) -> list[tuple[object, ...]]:
    if data[:2] == b"PK":
        return _excel_rows(data, source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _Refused(
                f"{source} is neither a CSV file nor an Excel workbook. Export the case list as CSV or "
                "Excel (.xlsx) and try again."
            ) from None
    if "\x00" in text:
        raise _Refused(
            f"{source} is not a CSV file (it holds binary data). Export the case list as CSV or .xlsx."
        )
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[object, ...]] = []
    for row in csv.reader(io.StringIO(text), dialect):
        rows.append(tuple(row))
        if len(rows) > MAX_ROWS:
            raise _Refused(f"{source} has more than {MAX_ROWS} rows. Export one service area at a time.")
    return rows


def _excel_rows(data: bytes, source: str) -> list[tuple[object, ...]]:
    try:
        package = open_package(data, source)
    except FormRejected as refused:
        raise _Refused(refused.rejection.message) from None
    if package.kind != "excel":
        raise _Refused(f"{source} is a Word document, not a case list. Export the case list as CSV or .xlsx.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile) as error:
        raise _Refused(
            f"{source} could not be opened as an Excel workbook ({type(error).__name__}). Save it again as "
            ".xlsx or export the case list as CSV."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows: list[tuple[object, ...]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS:
                raise _Refused(f"{source} has more than {MAX_ROWS} rows. Export one service area at a time.")
        return rows
    finally:
        workbook.close()


def _header(rows: Sequence[tuple[object, ...]]) -> tuple[int, dict[str, int]] | None:
    """The first row naming most of the columns (row number, column key -> index)."""
    titles = {common.normalise_title(t): key for key, names in COLUMNS.items() for t in names}
    best: tuple[int, dict[str, int]] | None = None
    for number, values in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(values):
            key = titles.get(common.normalise_title(common.text(value)))
            if key is not None and key not in positions:
                positions[key] = index
        if len(positions) >= 3 and (best is None or len(positions) > len(best[1])):
            best = (number, positions)
    return best


class _People:
    """A worker or Team Manager as the export writes them (email or name) -> their email."""

    def __init__(self, staff: Sequence[StaffMember]) -> None:
        self.emails = {m.email.casefold() for m in staff}
        self.by_name: dict[str, list[str]] = {}
        for member in staff:
            if member.name:
                self.by_name.setdefault(" ".join(member.name.split()).casefold(), []).append(member.email)

    def email(self, written: str, who: str) -> str:
        if "@" in written:
            address = common.email(written)
            if address not in self.emails:
                raise CellProblem(f"{address} is not in the Staff register. Add {who} to the Staff register.")
            return address
        found = self.by_name.get(written.casefold(), [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CellProblem(
                f"'{written}' is not a name in the Staff register. Write {who}'s name as it is in the Staff "
                "register, or their work email."
            )
        raise CellProblem(
            f"'{written}' is the name of more than one person in the Staff register: use their email."
        )


def _case(
    number: int,
    cells: Mapping[str, object],
    people: _People,
    case_types: Mapping[str, str],
    teams: Mapping[str, str],
) -> tuple[ExportedCase | None, list[ExportProblem]]:
    problems: list[ExportProblem] = []

    def say(key: str, message: str) -> None:
        problems.append(ExportProblem(number, COLUMNS[key][0], message))

    case_ref = common.text(cells.get("case_ref"))
    if not case_ref:
        say("case_ref", "missing. Every case needs its Liquidlogic case reference.")
    child_ref = common.text(cells.get("child_ref"))
    if not child_ref:
        say("child_ref", "missing. Every case needs the child's Liquidlogic person ID (not a name).")
    team_text = common.text(cells.get("team"))
    team = teams.get(team_text.casefold(), "")
    if not team_text:
        say("team", "missing. Write the team holding the case.")
    elif not team:
        say(
            "team",
            f"'{team_text}' is not a team Audit Desk knows ({', '.join(teams.values()) or 'none yet'}). Check "
            "the spelling, or add the team to the Staff register (or [sampling] teams in the schema).",
        )
    type_text = common.text(cells.get("case_type"))
    case_type = case_types.get(type_text.casefold(), "")
    if not case_type:
        say(
            "case_type",
            (f"'{type_text}' is not a case type Audit Desk samples" if type_text else "missing")
            + f". Use one of: {', '.join(case_types.values())}.",
        )
    emails: dict[str, str] = {}
    for key, who in (("worker", "the allocated worker"), ("manager", "the Team Manager")):
        written = common.text(cells.get(key))
        if not written:
            say(key, f"missing. Write {who}'s name or work email.")
            continue
        try:
            emails[key] = people.email(written, who)
        except CellProblem as problem:
            say(key, str(problem))
    dates: dict[str, dt.date | None] = {}
    for key in ("opened", "closed"):
        try:
            dates[key] = common.date(cells.get(key))
        except CellProblem as problem:
            say(key, f"{problem} (Liquidlogic's dd/mm/yyyy or YYYY-MM-DD).")
    if problems:
        return None, problems
    case = ExportedCase(
        case_ref=case_ref.upper(),
        child_ref=child_ref,
        team=team,
        case_type=case_type,
        worker_email=emails["worker"],
        manager_email=emails["manager"],
        opened=dates.get("opened"),
        closed=dates.get("closed"),
    )
    if case.opened and case.closed and case.closed < case.opened:
        say("closed", f"the case ends ({case.closed:%d/%m/%Y}) before it starts ({case.opened:%d/%m/%Y}).")
        return None, problems
    return case, problems
