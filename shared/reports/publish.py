"""Build a report, file it in the Reports library and email it to its distribution list.

:func:`publish_report` is what the Azure Functions timers and ``auditdesk report`` call. The
email's idempotency key is ``report/{kind}/{period}``: the same report for the same period is
emailed once, however often it is rebuilt, unless ``resend`` is asked for.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.lists.port import ListItem, Query, where
from shared.mail.port import Attachment, OutgoingMessage
from shared.reports import aggregate
from shared.reports.anonymise import redactor
from shared.reports.content import ReportContent, bulletin_content, highlights_content, quarterly_content
from shared.reports.datapack import build_data_pack
from shared.reports.period import ReportPeriod, parse_period
from shared.reports.render import render_docx
from shared.reports.templates import TEMPLATE_FOLDER, template_path
from shared.workflow.lists import ALLOCATIONS, STAFF, SUBMISSIONS, TASKS
from shared.workflow.services import Services

log = logging.getLogger(__name__)

REPORTS_LIBRARY = "Reports"
KINDS = ("highlights", "bulletin", "quarterly")
REPORT_TYPES = {
    "highlights": "Audit Highlights Report",
    "bulletin": "Learning bulletin",
    "quarterly": "Quarterly audit report",
}
DISTRIBUTION = {
    "highlights": ("senior_leadership_email",),
    "quarterly": ("senior_leadership_email", "wider_leadership_email"),
    "bulletin": ("all_staff_email",),
}
# Months read before the period, so trends and re-audit chains (2.12) have their history.
HISTORY_MONTHS = 12
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportRequestError(ValueError):
    """The report asked for does not exist for that period; the message says what would."""


@dataclass(frozen=True, slots=True)
class PublishedReport:
    """Where a report went: the library files, and whether the email was sent now or before."""

    kind: str
    period: str
    report_type: str
    library: str
    docx_name: str
    data_pack_name: str
    recipients: tuple[str, ...]
    sent: bool  # an email went out on this call
    already_sent: bool  # not sent now: this report for this period was emailed before
    message_id: str = ""
    aggregation_seconds: float = 0.0
    rendering_seconds: float = 0.0
    docx: bytes = field(default=b"", repr=False)
    data_pack: bytes = field(default=b"", repr=False)


def check_request(kind: str, period: str) -> ReportPeriod:
    if kind not in KINDS:
        raise ReportRequestError(f"'{kind}' is not a report: choose highlights, bulletin or quarterly.")
    parsed = parse_period(period)
    if kind == "highlights" and parsed.is_quarter:
        raise ReportRequestError(
            "The Audit Highlights Report is monthly (2.12): give a month such as 2026-11."
        )
    if kind == "quarterly" and not parsed.is_quarter:
        raise ReportRequestError("The quarterly audit report needs a quarter such as 2026-Q4.")
    return parsed


def _history(services: Services, period: ReportPeriod) -> aggregate.AuditIndex:
    months = (*period.months_before(HISTORY_MONTHS), *period.months)
    store = services.store
    allocations: list[ListItem] = list(
        store.query_all(
            Query(ALLOCATIONS, (where("audit_month", "in", [str(m) for m in months]),), page_size=500)
        )
    )
    submissions = store.query_all(Query(SUBMISSIONS, page_size=500))
    tasks = store.query_all(Query(TASKS, page_size=500))
    return aggregate.index_history(allocations, submissions, tasks, services.schema.domains)


def build_content(services: Services, kind: str, period: ReportPeriod) -> ReportContent:
    """Read the lists and work out what the report says (no files yet)."""
    index = _history(services, period)
    staff = list(services.store.query_all(Query(STAFF, page_size=500)))
    domains = services.schema.domains
    redact = redactor(
        names=(str(s.fields.get("Title") or "") for s in staff),
        emails=[
            *(str(s.fields.get("email") or "") for s in staff),
            *(p for r in index.rows for p in r.people),
        ],
        extra_vocabulary=[*(d.name for d in domains), *{r.team for r in index.rows}],
    )
    today = services.clock.today()
    if kind == "highlights":
        return highlights_content(aggregate.highlights(index, period, domains, today, redact))
    if kind == "bulletin":
        return bulletin_content(aggregate.bulletin(index, period, domains, today, redact))
    return quarterly_content(aggregate.quarterly(index, period, domains, today))


def _recipients(services: Services, kind: str) -> tuple[str, ...]:
    found: list[str] = []
    for key in DISTRIBUTION[kind]:
        for address in re.split(r"[,;\s]+", services.setting(key)):
            if address and address.lower() not in (a.lower() for a in found):
                found.append(address)
    return tuple(found)


def publish_report(
    services: Services, kind: str, period: str, *, send: bool = True, resend: bool = False
) -> PublishedReport:
    """Build the report and its data pack, upload both to the Reports library (report_type,
    period) and, when ``send``, email the .docx to the report's distribution list."""
    parsed = check_request(kind, period)
    started = time.perf_counter()
    content = build_content(services, kind, parsed)
    aggregated = time.perf_counter()
    docx = render_docx(template_path(kind, TEMPLATE_FOLDER), content)
    pack = build_data_pack(content.title, parsed.label, content.tables)
    rendered = time.perf_counter()
    report_type = REPORT_TYPES[kind]
    base = f"{report_type} {parsed.key}"
    fields = {"report_type": report_type, "period": parsed.key, "Title": f"{report_type}, {parsed.label}"}
    services.store.add_file(REPORTS_LIBRARY, f"{base}.docx", docx, fields)
    services.store.add_file(REPORTS_LIBRARY, f"{base} data pack.xlsx", pack, fields)
    log.info("report %s %s filed: %d bytes, data pack %d bytes", kind, parsed.key, len(docx), len(pack))
    recipients = _recipients(services, kind)
    sent = already = False
    message_id = ""
    if send:
        outcome = services.mailer.send(
            _message(kind, parsed, recipients, f"{base}.docx", docx), resend=resend
        )
        sent, already, message_id = not outcome.already_sent, outcome.already_sent, outcome.message_id
    return PublishedReport(
        kind,
        parsed.key,
        report_type,
        REPORTS_LIBRARY,
        f"{base}.docx",
        f"{base} data pack.xlsx",
        recipients,
        sent,
        already,
        message_id,
        aggregated - started,
        rendered - aggregated,
        docx,
        pack,
    )


def _message(kind: str, period: ReportPeriod, to: tuple[str, ...], name: str, docx: bytes) -> OutgoingMessage:
    title = REPORT_TYPES[kind]
    purpose = {
        "highlights": "for the Senior Leadership Team's monthly performance meeting",
        "quarterly": "for the Leadership Team",
        "bulletin": "for everyone in Children's Services: what our case audits teach us",
    }[kind]
    text = (
        f"The {title} for {period.label} is attached, {purpose}.\n\n"
        f"Period covered: {period.date_range}.\n"
        "The data pack behind it (an Excel workbook of every table) is in the Reports library.\n\n"
        "Quality Assurance Team (sent by Audit Desk)"
    )
    return OutgoingMessage(
        to=to,
        subject=f"{title}: {period.label}",
        text_body=text,
        idempotency_key=f"report/{kind}/{period.key}",
        attachments=(Attachment(name, DOCX, docx),),
    )


DEMO_REPORTS = (("highlights", "2026-11"), ("bulletin", "2026-11"), ("quarterly", "2026-Q4"))


def demo_reports(services: Services, out: Path, say: Callable[[str], None]) -> list[Path]:
    """The demo month's three reports: filed, emailed (to the outbox) and copied into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind, period in DEMO_REPORTS:
        report = publish_report(services, kind, period)
        for name, content in ((report.docx_name, report.docx), (report.data_pack_name, report.data_pack)):
            path = out / name
            path.write_bytes(content)
            written.append(path)
        mail = "emailed" if report.sent else "already emailed" if report.already_sent else "not emailed"
        say(f"{report.report_type}, {period}: {out / report.docx_name} and its data pack; {mail}.")
    return written
