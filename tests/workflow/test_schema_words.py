"""Hull edits the schema's timescales and organisation: every email, form and report then says
the new numbers and names, and none of the old (issue 17: the documents never lie)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shared.adapters.documents.render import render_docx
from shared.adapters.documents.report_templates import template_path
from shared.adapters.forms.templates import template_files
from shared.adapters.lists.factory import provisioner_of
from shared.adapters.lists.formatted import definitions_by_title
from shared.adapters.lists.provision import provision
from shared.adapters.lists.sqlite_store import SqliteListStore
from shared.adapters.mail.outbox import OutboxMailer
from shared.adapters.mail.sent_log import MemorySentLog
from shared.adapters.registers.allocation_sheet import build_allocation_sheet_template
from shared.bootstrap import bootstrap
from shared.config import Settings
from shared.core.deadlines import AuditMonth, Deadlines
from shared.core.schema import AuditSchema
from shared.core.schema_reader import DEFAULT_SCHEMA_PATH, load_schema
from shared.demo.example_registers import example_staff
from shared.demo.examples import good_audit, half_filled_audit
from shared.entry.functions.kickoff import allocation_reminder
from shared.services.ports.list_definitions import list_definitions
from shared.services.reports import aggregate, bulletin, highlights, quarterly
from shared.services.reports.period import parse_period
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import DEFAULT_SETTINGS
from shared.services.workflow.people import import_staff
from tests.reports.conftest import allocation, submission
from tests.workflow.conftest import Desk

D = dt.date

# What Hull changed, and what the shipped schema said before.
EDITS = {
    "review_period_months = 6": "review_period_months = 9",
    "amendment_working_days = 3": "amendment_working_days = 4",
    "allocation_list_by_day_of_month = 7": "allocation_list_by_day_of_month = 9",
    '"Outstanding" = 10': '"Outstanding" = 12',
    '"Good" = 10': '"Good" = 12',
    '"Requires Improvement" = 10': '"Requires Improvement" = 12',
    '"Inadequate" = 5': '"Inadequate" = 7',
    'name = "Hull Children, Young People and Family Services"': 'name = "Fictional Borough Family Services"',
    'short_name = "Hull Children\'s Services"': 'short_name = "Fictional Borough"',
    'council = "Hull City Council"': 'council = "Fictional Borough Council"',
    'protective_marking = "OFFICIAL-SENSITIVE"': 'protective_marking = "TEST MARKING ONE"',
    'bulletin_marking = "OFFICIAL"': 'bulletin_marking = "TEST MARKING TWO"',
}
OLD = (
    "6 months",
    "3 working days",
    "5 working days",
    "10 working days",
    "5 or 10",
    "Hull",
    "OFFICIAL",
    "day 7",
)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> AuditSchema:
    text = DEFAULT_SCHEMA_PATH.read_text(encoding="utf-8")
    for old, new in EDITS.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("schema") / "audit-schema.toml"
    path.write_text(text, encoding="utf-8")
    return load_schema(path)


def _old_words(text: str) -> list[str]:
    return [old for old in OLD if old in text]


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")]
    return " ".join(re.sub(r"<[^>]+>", "", " ".join(parts)).split())


def _xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    cells = (str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value)
    return " ".join(" ".join(cells).split())


def _body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join((str(message["Subject"]) + " " + part.get_content()).split())


@pytest.fixture
def desk(edited: AuditSchema, tmp_path: Path) -> Iterator[Desk]:
    store = SqliteListStore(tmp_path / "home", definitions_by_title(edited))
    provision(provisioner_of(store), list_definitions(edited))
    services = bootstrap(
        Settings(home=tmp_path),
        edited,
        Deadlines.for_schema(edited),
        Clock(D(2026, 11, 2)),
        store=store,
        mailer=OutboxMailer(tmp_path / "outbox", MemorySentLog()),
    )
    for key, value in DEFAULT_SETTINGS.items():
        services.set_setting(key, value)
    import_staff(services, example_staff(edited))
    made = Desk(services, tmp_path)
    yield made
    services.close()


def _audit(case: str, make: object = good_audit) -> dict[str, object]:
    assert callable(make)
    fields = dict(make())
    fields["case_ref"] = case
    return fields


def test_every_email_says_the_edited_timescales_2_3_2_10_2_11(desk: Desk) -> None:
    desk.allocate("DEMO-0001")
    desk.allocate("DEMO-0002")
    desk.at(D(2026, 11, 20)).submit("first.docx", _audit("DEMO-0001"))  # type: ignore[arg-type]
    desk.submit("second.docx", _audit("DEMO-0002", half_filled_audit))  # type: ignore[arg-type]
    desk.qa("accept", "DEMO-0001")
    desk.qa("share", "DEMO-0001")
    bodies = {str(m["Subject"]): _body(m) for m in desk.emails()}
    kickoff = allocation_reminder("qa@example.org", AuditMonth(2026, 12), D(2026, 12, 9)).text_body

    (allocated,) = [b for s, b in bodies.items() if s.startswith("Audit allocated: case DEMO-0001")]
    assert "the last 9 months of involvement (2.3)" in allocated
    (returned,) = [b for s, b in bodies.items() if s.startswith("Audit returned for amendment")]
    assert "(within 4 working days, 2.11)" in returned
    (shared,) = [b for s, b in bodies.items() if "DEMO-0001" in s and "findings" in s.lower()]
    assert "12 working days" in shared
    assert {s: _old_words(b) for s, b in bodies.items() if _old_words(b)} == {}
    assert _old_words(kickoff) == []


def test_every_form_and_register_says_the_edited_organisation_marking_and_period(edited: AuditSchema) -> None:
    files = template_files(edited)
    texts = {
        name: _docx_text(data) if name.endswith(".docx") else _xlsx_text(data) for name, data in files.items()
    }
    texts["allocation-sheet.xlsx"] = _xlsx_text(build_allocation_sheet_template(edited))
    for name, text in texts.items():
        assert "Fictional Borough Family Services" in text, name
        assert _old_words(text) == [], name
    for name in ("case-file-audit.docx", "case-file-audit.xlsx"):
        assert "9 months before the audit date (2.3)" in texts[name]
    assert all("TEST MARKING ONE" in texts[n] for n in texts if n.endswith(".docx"))
    assert "Fictional Borough Council's supervision policy (5.2)" in texts["supervision-audit.docx"]
    assert "by day 9 (2.1)" in texts["allocation-sheet.xlsx"]


def test_every_report_says_the_edited_discussion_timescales_organisation_and_marking_2_10_8_1(
    edited: AuditSchema,
) -> None:
    november = [
        allocation(
            n,
            f"DEMO-{n:04d}",
            "2026-11",
            overall_grade=grade,
            submitted_on=D(2026, 11, 20),
            findings_shared_on=D(2026, 11, 23),
            discussion_due=D(2026, 12, 2),
            discussion_held_on=D(2026, 12, 1),
        )
        for n, grade in enumerate(["Good"] * 4 + ["Inadequate"] * 2 + ["Requires Improvement"] * 2, start=1)
    ]
    graded = [submission(n, n, str(a.fields["overall_grade"])) for n, a in enumerate(november, start=1)]
    index = aggregate.index_history(november, graded, [], edited)
    as_of = D(2026, 12, 10)
    month, quarter = parse_period("2026-11"), parse_period("2026-Q4")
    same = lambda text: text  # noqa: E731
    learning = bulletin.bulletin(index, month, edited.domains, as_of, same, minimum=1)
    documents = {
        "highlights": render_docx(
            template_path("highlights"),
            highlights.highlights_content(
                highlights.highlights(index, month, edited.domains, as_of, same, minimum=1)
            ),
            as_of,
        ),
        "quarterly": render_docx(
            template_path("quarterly"),
            quarterly.quarterly_content(
                quarterly.quarterly(index, quarter, edited.domains, as_of, minimum=1)
            ),
            as_of,
        ),
        "bulletin": render_docx(template_path("bulletin"), bulletin.bulletin_content(learning, []), as_of),
    }
    texts = {kind: _docx_text(data) for kind, data in documents.items()}
    for kind in ("highlights", "quarterly"):
        assert "Inadequate: within 7 working days" in texts[kind], kind
        assert "Requires Improvement: within 12 working days" in texts[kind], kind
        assert "TEST MARKING ONE" in texts[kind], kind
    points = " ".join(learning.learning_points)
    assert "within the framework's 7 or 12 working days (2.10)" in points
    assert _old_words(points) == []
    assert "TEST MARKING TWO" in texts["bulletin"]
    for kind, text in texts.items():
        assert "Fictional Borough · Quality Assurance" in text, kind
        assert "<Company>Fictional Borough</Company>" in _app_xml(documents[kind]), kind
        assert _old_words(text) == [], kind


def _app_xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return archive.read("docProps/app.xml").decode()
