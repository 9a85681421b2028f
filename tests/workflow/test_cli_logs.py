"""No children's data in the command line's logs: on SharePoint (the loopback server), with the
root logger at DEBUG, `auditdesk` commands leave no case reference, name, file name or address
in any log record. The HTTP libraries would print every URL they send (file names, list
queries naming cases); the command line caps them at WARNING before any command runs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.entry.cli.main import app
from shared.entry.functions.logs import LIBRARY_LOGGERS
from tests.childrens_data import forbidden
from tests.sharepoint_server.server import LoopbackSharePoint
from tests.workflow.conftest import make_desk, sharepoint_for
from tests.workflow.test_cli_workflow import ALLOCATE, inadequate_form


def test_auditdesk_on_sharepoint_logs_no_childrens_data_with_the_root_at_debug(
    loopback_sharepoint: LoopbackSharePoint,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    loopback_sharepoint.clear_items()
    make_desk(sharepoint_for(loopback_sharepoint), tmp_path / "setup").services.close()  # QA's set-up
    for name in LIBRARY_LOGGERS:  # as a fresh process starts: no cap until the command line sets it
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    monkeypatch.setenv("AUDITDESK_SP_SITE_URL", loopback_sharepoint.url)
    monkeypatch.setenv("AUDITDESK_SP_ACCESS_TOKEN", "fictional-test-token")
    form = inadequate_form(tmp_path / "DEMO-0002 audit.docx")
    home = str(tmp_path / "home")
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    runner = CliRunner()
    answers = []
    for today, args in [
        ("2026-11-02", ALLOCATE),
        ("2026-11-23", ["submit", str(form)]),
        ("2026-11-23", ["tasks"]),
        ("2026-11-30", ["sweep"]),
    ]:
        answer = runner.invoke(app, ["--home", home, "--today", today, *args])
        assert answer.exit_code == 0, answer.output
        answers.append(answer.output)
    assert "Safeguarding" in answers[2]  # the commands did their work (2.6)
    pattern = forbidden()
    leaks = [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if pattern.search(r.getMessage())]
    assert leaks == []
    loopback_sharepoint.clear_items()
