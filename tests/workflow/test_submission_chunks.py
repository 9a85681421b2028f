"""Files checked in chunks (issue 19): a batch of submissions is read, checked and written back a
chunk at a time while the next chunk's forms are read on a thread of their own. A batch split
into chunks must end exactly as one batch would: every file accepted for the QA check, returned
or quarantined once (2.2, 2.11), a duplicate in a later chunk still found, a form whose reading
fails set aside alone, a safeguarding concern raised once (2.6), and a run stopped between two
chunks finished by the next without doing anything twice.

The chunks here are two files long so that a handful of files crosses several of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import shared.services.workflow.intake as intake
from shared.adapters.forms.office import OfficeForms
from shared.adapters.forms.safety import DEFAULT_LIMITS
from shared.adapters.forms.word import fill_word_form
from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import definitions_by_title, formatted_definitions
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.core.list_titles import SUBMISSIONS
from shared.core.record import FieldValue
from shared.core.stages import SubmissionOutcome
from shared.core.tasks import TaskType
from shared.demo.examples import good_audit, half_filled_audit, inadequate_audit_with_safeguarding_concern
from shared.services.ports.lists import Query
from shared.services.workflow.intake import submit_file
from tests.workflow.conftest import SCHEMA, TEMPLATES, Desk, make_desk

SUBMITTED = dt.date(2026, 11, 20)
CASES = ("DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004")
WAITING, RETURNED, QUARANTINED = (
    SubmissionOutcome.WAITING_FOR_QA,
    SubmissionOutcome.RETURNED,
    SubmissionOutcome.QUARANTINED,
)
# Each file's outcome, in upload order (the order the batch is dealt with).
EXPECTED = {
    "first.docx": WAITING,
    "half-filled.docx": RETURNED,  # 2.11: errors send it straight back
    "breaks-the-reader.docx": QUARANTINED,  # its reading fails: set aside alone
    "concern.docx": WAITING,  # 2.6: the Team Manager is alerted as well
    "copy of first.docx": QUARANTINED,  # identical to a file two chunks earlier
    "scan of the whole file.docx": QUARANTINED,  # refused from its size, never read
    "second try.docx": WAITING,  # the case whose first form was set aside is still open
}


class ReaderWithABug(OfficeForms):
    """The real forms, whose reader meets a bug on one file (on the reading thread)."""

    def read(self, content: bytes, source: str, *args: Any, **kwargs: Any) -> Any:
        if source == "breaks-the-reader.docx":
            raise RuntimeError("a bug met while reading this one file")
        return super().read(content, source, *args, **kwargs)


def _form(case: str, make: Any = good_audit) -> bytes:
    fields: dict[str, FieldValue] = make()
    fields["case_ref"] = case
    return fill_word_form(TEMPLATES / "case-file-audit.docx", fields)


def _upload_month(desk: Desk) -> None:
    """Four cases allocated, then seven files uploaded and none processed yet."""
    for case in CASES:
        assert desk.allocate(case).created
    desk.services.forms = ReaderWithABug()
    first = _form("DEMO-0001")
    uploads: list[tuple[str, bytes]] = [
        ("first.docx", first),
        ("half-filled.docx", _form("DEMO-0002", half_filled_audit)),
        ("breaks-the-reader.docx", _form("DEMO-0003")),
        ("concern.docx", _form("DEMO-0004", inadequate_audit_with_safeguarding_concern)),
        ("copy of first.docx", first),
        ("scan of the whole file.docx", b"PK\x03\x04" + b"\0" * (DEFAULT_LIMITS.max_file_bytes + 1)),
        ("second try.docx", _form("DEMO-0003")),
    ]
    desk.at(SUBMITTED)
    folder = desk.home / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in uploads:
        if len(content) > DEFAULT_LIMITS.max_file_bytes:  # as a sync client puts it there
            desk.store.add_file(SUBMISSIONS, name, content)
            continue
        (folder / name).write_bytes(content)
        submit_file(desk.services, folder / name)


def _end(desk: Desk) -> dict[str, Any]:
    """What people see when the batch is done: each file's outcome, the emails (who and what),
    the tasks and the number of trail entries."""
    outcomes = {
        str(item.fields.get("FileLeafRef")): item.fields.get("outcome")
        for item in desk.store.query_all(Query(SUBMISSIONS, page_size=500))
    }
    emails = Counter((str(m["To"]), str(m["Subject"])) for m in desk.emails())
    tasks = Counter(task.task_type for task in desk.tasks())
    return {"outcomes": outcomes, "emails": emails, "tasks": tasks, "trail": desk.trail_count()}


@pytest.fixture
def one_batch(tmp_path: Path) -> dict[str, Any]:
    """The month dealt with as one batch (chunks bigger than it): what chunks must end with."""
    desk = _uploaded_desk(tmp_path / "one batch")
    try:
        desk.process()
        return _end(desk)
    finally:
        desk.services.close()


@pytest.fixture
def uploaded(tmp_path: Path) -> Iterator[Desk]:
    """The same month on a desk of its own."""
    desk = _uploaded_desk(tmp_path / "chunks")
    yield desk
    desk.services.close()


def _uploaded_desk(folder: Path) -> Desk:
    store = SqliteListStore(folder / "home", definitions_by_title(SCHEMA))
    provision(provisioner_of(store), formatted_definitions(SCHEMA))
    desk = make_desk(store, folder)
    _upload_month(desk)
    return desk


def test_a_batch_in_chunks_ends_with_every_file_dealt_with_once_2_2_2_6_2_11(
    any_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "_CHUNK", 2)
    _upload_month(any_desk)
    result = any_desk.process()
    by_name = {s.file_name: s for s in result.submissions}
    assert {name: s.outcome for name, s in by_name.items()} == EXPECTED
    first = by_name["first.docx"].item_id
    assert f"identical to submission {first}" in by_name["copy of first.docx"].reason
    assert "internal error (RuntimeError)" in by_name["breaks-the-reader.docx"].reason
    assert "more than the 20 MB" in by_name["scan of the whole file.docx"].reason
    assert sum(s.safeguarding_alert for s in result.submissions) == 0  # the concern was matched
    assert len(any_desk.tasks(TaskType.SAFEGUARDING)) == 1
    assert len(any_desk.tasks(TaskType.AMENDMENT)) == 1
    end = _end(any_desk)
    assert end["outcomes"] == EXPECTED
    assert any_desk.process().submissions == []
    assert _end(any_desk) == end


def test_chunks_end_as_one_batch_would_2_2_2_11(
    uploaded: Desk, one_batch: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "_CHUNK", 2)
    uploaded.process()
    assert _end(uploaded) == one_batch


def test_a_run_stopped_between_chunks_is_finished_by_the_next_without_doing_anything_twice_2_6_2_11(
    uploaded: Desk, one_batch: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "_CHUNK", 2)
    write_back = intake._write_back
    calls = 0

    def power_cut_at_the_second_chunk(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("power cut")
        write_back(*args)

    monkeypatch.setattr(intake, "_write_back", power_cut_at_the_second_chunk)
    with pytest.raises(RuntimeError, match="power cut"):
        uploaded.process()
    written = _end(uploaded)["outcomes"]
    assert [written[name] for name in ("first.docx", "half-filled.docx")] == [WAITING, RETURNED]
    assert written["concern.docx"] is None  # the second chunk was checked, not written back
    monkeypatch.setattr(intake, "_write_back", write_back)
    again = uploaded.process()
    assert {s.file_name for s in again.submissions} == set(EXPECTED) - {"first.docx", "half-filled.docx"}
    assert _end(uploaded) == one_batch
