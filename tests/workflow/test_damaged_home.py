"""A home the `auditdesk` command cannot use says so in one line, as a real process run by QA
would see it: a damaged or truncated SQLite file, a read-only home, ``--home`` naming a file, a
full disk. Exit status 4, the file named, what to do, and no stack trace; and once the disk has
room again, the same commands end exactly as they would have on a clean run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.forms.word import fill_word_form
from shared.adapters.home import EXIT_HOME_PROBLEM
from shared.core.deadlines import AuditMonth
from shared.core.schema_reader import load_schema
from shared.demo.example_registers import (
    example_allocations,
    example_staff,
    write_example_allocation_sheet,
    write_example_staff_register,
)
from shared.demo.examples import good_audit, inadequate_audit_with_safeguarding_concern
from tests.workflow.conftest import TEMPLATES

SCHEMA = load_schema()
AUDITDESK = Path(sys.executable).parent / "auditdesk"
ALLOCATED_ON, SUBMITTED_ON = "2026-11-02", "2026-11-23"


def auditdesk(home: Path, today: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script in its own process, with no Azure or SharePoint settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITDESK_", "AzureWebJobs"))}
    return subprocess.run(
        [str(AUDITDESK), "--home", str(home), "--today", today, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def assert_one_line(answer: subprocess.CompletedProcess[str], *named: str) -> str:
    assert answer.returncode == EXIT_HOME_PROBLEM, answer.stdout + answer.stderr
    assert "Traceback" not in answer.stderr
    assert "Traceback" not in answer.stdout
    # The one line; before it, at most what the run said of each record it set aside.
    (line,) = [line for line in answer.stderr.splitlines() if line.startswith("✗")]
    assert answer.stderr.strip().splitlines()[-1] == line
    for text in named:
        assert text in line
    return line


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    requests = example_allocations(example_staff(SCHEMA), AuditMonth(2026, 11))
    made = {
        "register": write_example_staff_register(folder / "staff.xlsx", SCHEMA),
        "sheet": write_example_allocation_sheet(folder / "allocations.xlsx", requests, SCHEMA),
        "good": folder / "DEMO-0001.docx",
        "inadequate": folder / "DEMO-0002.docx",
    }
    made["good"].write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", good_audit()))
    made["inadequate"].write_bytes(
        fill_word_form(TEMPLATES / "case-file-audit.docx", inadequate_audit_with_safeguarding_concern())
    )
    return made


def allocated(home: Path, inputs: dict[str, Path]) -> None:
    """A month allocated from the Excel sheet, and two cases allocated one by one (2.1-2.5)."""
    steps = [
        ("staff", "import", str(inputs["register"])),
        ("allocate", str(inputs["sheet"])),
        *(
            (
                "allocate",
                "--case",
                case,
                "--auditor",
                "riley.sample@example.org",
                "--worker",
                worker,
                "--manager",
                "morgan.example@example.org",
            )
            for case, worker in (
                ("DEMO-0001", "alex.example@example.org"),
                ("DEMO-0002", "sam.sample@example.org"),
            )
        ),
    ]
    for step in steps:
        answer = auditdesk(home, ALLOCATED_ON, *step)
        assert answer.returncode == 0, answer.stdout + answer.stderr


RETURNS = [("submit", "good"), ("submit", "inadequate"), ("process",), ("sweep",)]


def returned(home: Path, inputs: dict[str, Path]) -> list[subprocess.CompletedProcess[str]]:
    """The forms come back (one with a safeguarding concern, 2.6), then process and sweep."""
    return [auditdesk(home, SUBMITTED_ON, step[0], *(str(inputs[n]) for n in step[1:])) for step in RETURNS]


def outcome(home: Path) -> dict[str, object]:
    """What a run leaves behind: the lists as QA sees them, the tasks, the mail and the filed forms."""
    status = auditdesk(home, SUBMITTED_ON, "status", "--json")
    tasks = auditdesk(home, SUBMITTED_ON, "tasks", "--json")
    assert status.returncode == 0, status.stderr
    assert tasks.returncode == 0, tasks.stderr
    return {
        "status": json.loads(status.stdout),
        "tasks": json.loads(tasks.stdout),
        # An email's file is named by when it was written, then by its key: the key is the email.
        "outbox": sorted(
            (p.name.rpartition("-")[2], p.read_bytes().count(b"\n"))
            for p in (home / "outbox").glob("*")
            if p.is_file()
        ),
        "libraries": sorted(str(p.relative_to(home)) for p in (home / "libraries").rglob("*") if p.is_file()),
    }


@pytest.fixture(scope="module")
def clean_outcome(tmp_path_factory: pytest.TempPathFactory, inputs: dict[str, Path]) -> dict[str, object]:
    """The same commands on a disk with room to spare."""
    clean = tmp_path_factory.mktemp("clean") / "home"
    allocated(clean, inputs)
    assert all(answer.returncode == 0 for answer in returned(clean, inputs))
    return outcome(clean)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real filesystem of its own (tmpfs, 32 MiB), so the test can fill it up and free it."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs to fill up needs root (and mount): run the tests as root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not let root mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until only ``leave`` bytes are free; the filler file, to free it later."""
    filler = disk / "filler"
    with filler.open("wb") as file:
        block = b"\0" * (64 * 1024)
        with contextlib.suppress(OSError):
            while True:
                free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
                if free <= leave:
                    break
                file.write(block[: max(1, min(len(block), free - leave))])
                file.flush()
    return filler


# --- damaged files -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("lists.sqlite3", "garbage"),
        ("lists.sqlite3", "truncated"),
        ("state.sqlite3", "garbage"),
        ("state.sqlite3", "truncated"),
        ("mail-sent.sqlite3", "garbage"),
        ("mail-sent.sqlite3", "truncated"),
    ],
)
def test_a_damaged_or_truncated_database_is_one_line_naming_it(
    tmp_path: Path, inputs: dict[str, Path], name: str, damage: str
) -> None:
    home = tmp_path / "home"
    allocated(home, inputs)
    path = home / name
    for sidecar in (home / f"{name}-wal", home / f"{name}-shm"):
        sidecar.unlink(missing_ok=True)
    content = path.read_bytes()
    path.write_bytes(
        b"not a database: copied over by mistake\n" * 50
        if damage == "garbage"
        else content[: len(content) // 2]
    )
    answer = auditdesk(home, SUBMITTED_ON, "process")
    line = assert_one_line(answer, str(path), "damaged or truncated", "Restore it from your backup")
    assert line.startswith("✗ ")


def test_a_home_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "lists.xlsx"
    not_a_folder.write_bytes(b"a workbook, not a home")
    for home in (not_a_folder, not_a_folder / "home"):
        assert_one_line(
            auditdesk(home, SUBMITTED_ON, "process"), str(not_a_folder), "is a file, not a folder"
        )
    assert not_a_folder.read_bytes() == b"a workbook, not a home"


def test_a_read_only_home_is_one_line(small_disk: Path, inputs: dict[str, Path]) -> None:
    home = small_disk / "home"
    allocated(home, inputs)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        answer = auditdesk(home, SUBMITTED_ON, "submit", str(inputs["good"]))
        assert_one_line(answer, str(home), "read-only disk")
        answer = auditdesk(small_disk / "new-home", SUBMITTED_ON, "process")
        assert_one_line(answer, "new-home", "read-only disk")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)


def test_a_home_without_write_permission_is_one_line(tmp_path: Path, inputs: dict[str, Path]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes whatever the permissions: the read-only mount test covers this as root")
    home = tmp_path / "home"
    allocated(home, inputs)
    home.chmod(0o500)
    for path in home.iterdir():
        path.chmod(0o400)
    try:
        assert_one_line(auditdesk(home, SUBMITTED_ON, "process"), str(home), "permission denied")
    finally:
        home.chmod(0o700)
        for path in home.iterdir():
            path.chmod(0o600)


# --- a full disk -------------------------------------------------------------------------------
@pytest.mark.parametrize("leave", [0, 160 * 1024], ids=["full", "160KiB-left"])
def test_a_full_disk_is_one_line_and_after_freeing_it_a_rerun_ends_as_a_clean_run(
    small_disk: Path, inputs: dict[str, Path], clean_outcome: dict[str, object], leave: int
) -> None:
    home = small_disk / "home"
    allocated(home, inputs)
    filler = fill(small_disk, leave)
    answers = returned(home, inputs)
    failed = [a for a in answers if a.returncode != 0]
    assert failed, "the disk never filled up"
    for answer in failed:
        assert_one_line(answer, "the disk is full", "Free some space")
    filler.unlink()
    rerun = returned(home, inputs)
    assert [a.returncode for a in rerun] == [0] * len(RETURNS), [a.stderr for a in rerun]
    after, reference = outcome(home), clean_outcome
    assert {k: v for k, v in after.items() if k != "outbox"} == {
        k: v for k, v in reference.items() if k != "outbox"
    }
    assert after["outbox"] == reference["outbox"]  # each email once, no half-written file


def test_a_folder_where_the_lists_database_belongs_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "lists.sqlite3").mkdir(parents=True)
    assert_one_line(
        auditdesk(home, SUBMITTED_ON, "process"),
        str(home / "lists.sqlite3"),
        "is a folder, not a database file",
    )
