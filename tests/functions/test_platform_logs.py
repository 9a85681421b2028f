"""No children's data in platform logs: a month run the way Azure runs it (subscription timer,
webhook, queue, change worker, daily sweeps, the kickoff), with the root logger at DEBUG as a
misconfigured host might set it, leaves no case reference, name, file name or address in any
log record of any logger. The HTTP libraries print the URLs they send (Table keys, SharePoint
file paths): their loggers are capped at WARNING."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from shared.adapters.forms.word import fill_word_form
from shared.core.record import FieldValue
from shared.demo.examples import (
    good_audit,
    half_filled_audit,
    inadequate_audit_with_safeguarding_concern,
    outstanding_audit_with_weaker_domain,
)
from shared.services.workflow.changes import WATCHED
from shared.services.workflow.intake import submit_file
from tests.childrens_data import forbidden
from tests.functions.conftest import App
from tests.workflow.conftest import TEMPLATES, Desk, make_desk, sharepoint_for

D = dt.date
FORMS = [
    (D(2026, 11, 20), "DEMO-0001 audit.docx", good_audit()),
    (D(2026, 11, 23), "DEMO-0002 audit.docx", inadequate_audit_with_safeguarding_concern()),
    (D(2026, 11, 25), "DEMO-0003 audit.docx", half_filled_audit()),
    (D(2026, 11, 26), "DEMO-0004 audit.docx", outstanding_audit_with_weaker_domain()),
]


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger, the root at DEBUG."""
    caplog.set_level(logging.DEBUG)
    return caplog


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.name, record.getMessage(), record.exc_text or "", str(getattr(record, "fields", ""))]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    return " ".join(parts)


def _notify_and_work(app: App) -> None:
    for list_name in WATCHED:
        for body in app.sharepoint.notifications_for(list_name):
            assert app.notify(body).status_code == 202
    app.work_queue()


def _month(app: App, desk: Desk) -> None:
    app.today(D(2026, 11, 2)).fire("renew_subscriptions")
    desk.at(D(2026, 11, 2))
    for number in range(1, 5):
        desk.allocate(f"DEMO-{number:04d}")
    _notify_and_work(app)
    for day, name, fields in FORMS:
        desk.at(day)
        path = app.home / "uploads" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fill_word_form(TEMPLATES / "case-file-audit.docx", _with_case(fields, name)))
        submit_file(desk.services, path)
        _notify_and_work(app)
        app.today(day).fire("daily_sweep")
    for day in (D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 4)):
        app.today(day).fire("daily_sweep")
    app.today(D(2026, 12, 1)).fire("monthly_kickoff")


def _with_case(fields: dict[str, FieldValue], name: str) -> dict[str, FieldValue]:
    return {**fields, "case_ref": name.split()[0]}


def test_a_month_through_the_functions_app_logs_no_childrens_data(
    app: App, public_webhook: str, everything_logged: pytest.LogCaptureFixture
) -> None:
    desk = make_desk(sharepoint_for(app.sharepoint), app.home)
    try:
        _month(app, desk)
    finally:
        desk.services.close()
    records = everything_logged.records
    events = [json.loads(r.getMessage()) for r in records if r.name == "auditdesk.functions"]
    processed = [e for e in events if e["event"] == "changes processed"]
    assert sum(e["submissions"] for e in processed) == len(FORMS)  # the month was really run
    assert any(e["event"] == "timer job checked" and e["job"] == "daily-sweep" for e in events)
    assert list((app.home / "outbox").glob("*.eml"))
    pattern = forbidden()
    leaks = [f"{r.levelname} {t[:300]}" for r in records if pattern.search(t := _record_text(r))]
    assert leaks == []


def test_the_http_libraries_log_nothing_below_warning_even_with_the_root_at_debug(
    functions: object, everything_logged: pytest.LogCaptureFixture
) -> None:
    """The cap the app sets when the host imports it holds for each library's own loggers."""
    names = [
        "azure.core.pipeline.policies.http_logging_policy",
        "urllib3.connectionpool",
        "requests",
        "msal.application",
        "office365.runtime",
    ]
    for name in names:
        logger = logging.getLogger(name)
        logger.info("GET /DEMO-0001 audit.docx")
        logger.debug("GET /DEMO-0001 audit.docx")
        logger.warning("a warning still reaches the logs")
    assert [r.name for r in everything_logged.records] == names
