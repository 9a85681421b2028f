"""The home folder's failures, said in one line: a damaged or truncated SQLite file, a read-only
home, ``--home`` naming a file, a full disk.

SQLite and the operating system report these as ``sqlite3.DatabaseError`` / ``OperationalError``
and ``OSError``; :func:`home_problem` turns each into a :class:`HomeProblem` that names the file
and says what to do. SQLite's messages do not name the file: when the caller does not know it,
:func:`damaged_file` looks for the SQLite file in the home that no longer reads back whole.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from pathlib import Path

# The command line's exit status for a home it cannot use (1: a store or mail failure, 2: input
# refused).
EXIT_HOME_PROBLEM = 4

# What each SQLite file under the home holds, for the message.
HOME_DATABASES = {
    "lists.sqlite3": "the lists (allocations, submissions, tasks)",
    "state.sqlite3": "the change tokens and the record of work already done",
    "mail-sent.sqlite3": "the record of emails already sent",
}

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS}
_NO_ACCESS = {errno.EACCES, errno.EPERM}
_NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST, errno.EISDIR}


class HomeProblem(Exception):
    """The home folder, or a file in it, cannot be used; the message names it and what to do."""

    def __init__(self, path: Path, what: str, todo: str) -> None:
        super().__init__(f"{path}: {what}. {todo}")
        self.path = path


def check_home_folder(home: Path) -> None:
    """Refuse a home that exists and is not a folder, before anything tries to create in it."""
    if home.exists() and not home.is_dir():
        raise not_a_folder(home)


def not_a_folder(path: Path) -> HomeProblem:
    return HomeProblem(
        path,
        "is a file, not a folder",
        "Point --home (or AUDITDESK_HOME) at a folder: a new or existing Audit Desk home.",
    )


def home_problem(error: BaseException, home: Path, path: Path | None = None) -> HomeProblem | None:
    """``error`` as a :class:`HomeProblem`, or None when it is not a failure of the home's files.
    ``path`` is the file being opened when the caller knows it."""
    if isinstance(error, HomeProblem):
        return error
    if isinstance(error, sqlite3.Error):
        return _sqlite_problem(error, home, path)
    if isinstance(error, OSError) and error.errno is not None:
        where = Path(error.filename) if isinstance(error.filename, (str, Path)) else path or home
        if error.errno not in _DISK_FULL and not _within(where, home):
            return None  # a file the command was given, not the home: its own message says so
        return _os_problem(error.errno, where, home)
    return None


def _within(path: Path, home: Path) -> bool:
    try:
        path.resolve().relative_to(home.resolve())
    except (ValueError, OSError):
        return False
    return True


def _sqlite_problem(error: sqlite3.Error, home: Path, path: Path | None) -> HomeProblem | None:
    text = str(error).lower()
    if "database or disk is full" in text or (not _says_damaged(text) and _disk_full(home)):
        return _os_problem(errno.ENOSPC, path or home, home)
    if _says_damaged(text):
        damaged = path or damaged_file(home) or home
        return damaged_database(damaged, home)
    if "readonly" in text or "read-only" in text:
        return _os_problem(_read_only_or_no_access(path or home), path or home, home)
    if "unable to open" in text:
        where = path or home
        blocker = _first_file_in(where.parent if path else home)
        if blocker is not None:
            return not_a_folder(blocker)
        if path is not None and path.is_dir():
            return HomeProblem(
                path,
                "is a folder, not a database file",
                f"Move it out of {home}: Audit Desk creates the file itself.",
            )
        return _os_problem(_read_only_or_no_access(where), where, home)
    if "disk i/o error" in text:
        found = damaged_file(home)
        if found is not None:
            return damaged_database(found, home)
        return HomeProblem(
            path or home,
            "could not be read or written (disk I/O error)",
            "Check the disk has free space and is healthy, then run the same command again.",
        )
    return None


def _os_problem(number: int, where: Path, home: Path) -> HomeProblem | None:
    if number in _DISK_FULL:
        return HomeProblem(
            where,
            "the disk is full",
            f"Free some space on the disk holding {home}, then run the same command again.",
        )
    if number in _READ_ONLY:
        return HomeProblem(
            where,
            "is on a read-only disk",
            f"Audit Desk writes to its home: use a writable folder for --home, or make {home} writable.",
        )
    if number in _NO_ACCESS:
        return HomeProblem(
            where,
            "cannot be written (permission denied)",
            f"Give the user running auditdesk write access to {home}, or use another folder for --home.",
        )
    if number in _NOT_A_FOLDER:
        return not_a_folder(_first_file_in(where) or where)
    return None


def damaged_database(path: Path, home: Path) -> HomeProblem:
    held = HOME_DATABASES.get(path.name, "Audit Desk's records")
    return HomeProblem(
        path,
        f"is damaged or truncated (it is not a whole SQLite database); it holds {held}",
        f"Restore it from your backup of {home} and run the same command again.",
    )


def damaged_file(home: Path) -> Path | None:
    """The first SQLite file of the home that does not read back whole, if any."""
    for name in HOME_DATABASES:
        path = home / name
        if path.is_file() and not _reads_whole(path):
            return path
    return None


def _reads_whole(path: Path) -> bool:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        # Only SQLite's own verdict on the content counts: a file it cannot open for want of
        # space or permission is not thereby damaged.
        return not _says_damaged(str(error))
    except (OSError, ValueError):
        return True
    return rows == [("ok",)]


def _says_damaged(text: str) -> bool:
    text = text.lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _disk_full(home: Path) -> bool:
    """Whether the disk holding ``home`` has (next to) no room left: SQLite reports a full disk
    as a disk I/O error when it cannot grow its write-ahead log."""
    import os

    probe = next((p for p in (home, *home.parents) if p.exists()), None)
    if probe is None:
        return False
    try:
        stats = os.statvfs(probe)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 1024 * 1024


def _read_only_or_no_access(path: Path) -> int:
    import os

    probe = path if path.exists() else path.parent
    try:
        if os.statvfs(probe).f_flag & os.ST_RDONLY:
            return errno.EROFS
    except OSError:
        pass
    return errno.EACCES


def _first_file_in(path: Path) -> Path | None:
    """The nearest part of ``path`` (itself or a parent) that exists and is a file."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate if not candidate.is_dir() else None
    return None
