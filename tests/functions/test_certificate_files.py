"""The Key Vault-resolved certificates the Functions app writes to files for the SharePoint adapter
and the Graph mailer: private to the app's user, and a rotated certificate is used at once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from shared.entry.functions import wiring as services


def test_a_rotated_certificate_is_written_to_a_new_file_and_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    first = services._private_file("auditdesk-sharepoint", "-----BEGIN FICTIONAL KEY----- one")
    assert first.read_text() == "-----BEGIN FICTIONAL KEY----- one"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert services._private_file("auditdesk-sharepoint", "-----BEGIN FICTIONAL KEY----- one") == first
    rotated = services._private_file("auditdesk-sharepoint", "-----BEGIN FICTIONAL KEY----- two")
    assert rotated != first
    assert rotated.read_text() == "-----BEGIN FICTIONAL KEY----- two"
    assert not first.exists()  # the earlier key is not left behind
