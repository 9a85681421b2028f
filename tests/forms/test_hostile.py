"""Hostile and broken files (issue 3): each one a clear rejection, never a crash or a hang."""

from __future__ import annotations

import io
import os
from collections import Counter
from pathlib import Path

import pytest

from shared.adapters.forms import read_form, read_form_file
from shared.adapters.forms.templates import TEMPLATES_DIR
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.demo.hostile_forms import HostileSample, hostile_corpus, with_dtd
from shared.services.ports.forms import FormStatus


@pytest.fixture(scope="session")
def corpus(
    tmp_path_factory: pytest.TempPathFactory, good_word: bytes, good_excel: bytes, schema: AuditSchema
) -> list[tuple[Path, HostileSample]]:
    folder = tmp_path_factory.mktemp("hostile")
    form = schema.case_file_audit
    samples = list(
        hostile_corpus(
            good_word,
            good_excel,
            template_id=form.id,
            schema_id=schema.id,
            form_version=form.version,
            schema_version=schema.version,
        )
    )
    for name in (
        "case-file-audit.docx",
        "case-file-audit.xlsx",
        "staff-observation.docx",
        "supervision-audit.docx",
        "case-discussion.docx",
    ):
        samples.append(HostileSample(f"blank-{name}", (TEMPLATES_DIR / name).read_bytes(), "empty-form"))
    written = []
    for number, sample in enumerate(samples):
        path = folder / f"{number:04d}-{sample.name}"
        path.write_bytes(sample.data)
        written.append((path, sample))
    # Oversized files, sparse on disk: refused by size before a byte is read.
    for number, size in enumerate((20 * 1024 * 1024 + 1, 64 * 1024 * 1024, 200 * 1024 * 1024)):
        path = folder / f"oversized-{number}.docx"
        with path.open("wb") as handle:
            handle.truncate(size)
        written.append((path, HostileSample(path.name, b"", "oversized")))
    return written


def test_the_hostile_corpus_has_over_a_thousand_files(corpus: list[tuple[Path, HostileSample]]) -> None:
    assert len(corpus) >= 1000
    kinds = Counter(sample.expected for _, sample in corpus)
    assert set(kinds) >= {
        "empty-file",
        "not-office",
        "corrupt-zip",
        "zip-bomb",
        "xml-dtd",
        "macros",
        "encrypted",
        "old-format",
        "other-template",
        "newer-schema",
        "unsupported-version",
        "oversized",
        "empty-form",
    }


def test_every_hostile_file_ends_in_its_own_clear_rejection(
    corpus: list[tuple[Path, HostileSample]], schema: AuditSchema, deadlines: Deadlines
) -> None:
    wrong = []
    for path, sample in corpus:
        outcome = read_form_file(path, schema, deadlines)
        if outcome.status is not FormStatus.REJECTED or outcome.rejection is None:
            wrong.append(f"{path.name}: {outcome.status.value}, expected {sample.expected}")
            continue
        if outcome.rejection.code != sample.expected:
            wrong.append(f"{path.name}: {outcome.rejection.code}, expected {sample.expected}")
        message = outcome.rejection.message
        if path.name not in message or len(message) < 60:
            wrong.append(f"{path.name}: message does not name the file or say what to do: {message}")
    assert not wrong, "\n".join(wrong[:30])


def test_xxe_is_refused_and_never_resolved(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(with_dtd(good_word, "word/document.xml", "xxe-file"), "a.docx", schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "xml-dtd"
    assert "root:" not in str(outcome.as_dict())


def test_billion_laughs_is_refused_without_expanding(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(
        with_dtd(good_word, "docProps/custom.xml", "billion-laughs"), "a.docx", schema, deadlines
    )
    assert outcome.rejection is not None
    assert outcome.rejection.code == "xml-dtd"


def test_a_really_password_protected_word_form_is_refused_as_encrypted(
    good_word: bytes, schema: AuditSchema, deadlines: Deadlines
) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(good_word)).encrypt("fictional-password", encrypted)
    outcome = read_form(encrypted.getvalue(), "audit.docx", schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "encrypted"
    assert "password" in outcome.rejection.message


def test_an_oversized_form_in_memory_is_refused_before_unpacking(
    schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form(b"PK" + os.urandom(16) + b"\0" * (21 * 1024 * 1024), "big.docx", schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "oversized"


def test_a_missing_file_is_a_rejection_not_a_crash(
    tmp_path: Path, schema: AuditSchema, deadlines: Deadlines
) -> None:
    outcome = read_form_file(tmp_path / "not-there.docx", schema, deadlines)
    assert outcome.rejection is not None
    assert outcome.rejection.code == "unreadable-file"
