"""Build a report, file it in the Reports library and email it to its distribution list.

:func:`publish_report` is what the Azure Functions timers and ``auditdesk report`` call. The
email's idempotency key is ``report/{kind}/{period}``: the same report for the same period is
emailed once, however often it is rebuilt, unless ``resend`` is asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.core.list_titles import ALLOCATIONS, REPORTS_LIBRARY, STAFF, SUBMISSIONS, TASKS
from shared.services.ports.documents import MINIMUM_FOR_PERCENT, ReportContent, ReportLayout, Share
from shared.services.ports.lists import ListItem, Query, where
from shared.services.ports.mail import Attachment, OutgoingMessage
from shared.services.reports import aggregate
from shared.services.reports import approval as approvals
from shared.services.reports.anonymise import Redactor, redactor
from shared.services.reports.bulletin import Bulletin, bulletin, bulletin_content, bulletin_layout
from shared.services.reports.highlights import highlights, highlights_content, highlights_layout
from shared.services.reports.period import ReportPeriod, parse_period
from shared.services.reports.quarterly import quarterly, quarterly_content, quarterly_layout
from shared.services.workflow.dependencies import MissingSetting, Services

log = logging.getLogger(__name__)

KINDS = ("highlights", "bulletin", "quarterly")
REPORT_TYPES = {
    "highlights": "Audit Highlights Report",
    "bulletin": "Learning bulletin",
    "quarterly": "Quarterly audit report",
}
# 8.1: the monthly figures go to the Senior Leadership Team's performance meeting and to Team
# Managers at the Wider Leadership meeting; the quarterly report to the Leadership Team; the
# bulletin to all staff, and only once the QA team has approved it (its draft goes to QA).
DISTRIBUTION = {
    "highlights": ("senior_leadership_email", "wider_leadership_email"),
    "quarterly": ("senior_leadership_email", "wider_leadership_email"),
    "bulletin": ("all_staff_email",),
    "bulletin-draft": ("qa_team_email",),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MINIMUM_SETTING = "report_minimum_count"
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
    awaiting_approval: bool = False  # a bulletin draft, filed for the QA team (not for all staff)


def report_layouts() -> list[ReportLayout]:
    """Each report's template layout, for ``auditdesk templates build``."""
    return [highlights_layout(), bulletin_layout(), quarterly_layout()]


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
    # The month after too: an Inadequate case's re-audit is allocated there (2.12), and page 1
    # says who re-audits it by when.
    months = (*period.months_before(HISTORY_MONTHS), *period.months, period.months[-1].following())
    store = services.store
    allocations: list[ListItem] = list(
        store.query_all(
            Query(ALLOCATIONS, (where("audit_month", "in", [str(m) for m in months]),), page_size=500)
        )
    )
    submissions = store.query_all(Query(SUBMISSIONS, page_size=500))
    tasks = store.query_all(Query(TASKS, page_size=500))
    return aggregate.index_history(allocations, submissions, tasks, services.schema)


def _minimum(services: Services) -> int:
    """Settings ``report_minimum_count``: below it a share is a count only (default 5)."""
    try:
        value = int(services.setting(MINIMUM_SETTING))
    except (ValueError, MissingSetting):  # optional on SharePoint: the framework default then
        return MINIMUM_FOR_PERCENT
    return max(1, value)


def _redactor(services: Services, index: aggregate.AuditIndex, staff: list[ListItem]) -> Redactor:
    domains = services.schema.domains
    return redactor(
        names=(str(s.fields.get("Title") or "") for s in staff),
        emails=[
            *(str(s.fields.get("email") or "") for s in staff),
            *(p for r in index.rows for p in r.people),
        ],
        extra_vocabulary=[*(d.name for d in domains), *{r.team for r in index.rows}],
    )


def build_content(services: Services, kind: str, period: ReportPeriod) -> ReportContent:
    """Read the lists and work out what the report says (no files yet). A bulletin built here
    is the QA team's draft: it quotes no excerpt (see :func:`publish_approved_bulletin`)."""
    index = _history(services, period)
    staff = list(services.store.query_all(Query(STAFF, page_size=500)))
    domains = services.schema.domains
    today = services.clock.today()
    minimum = _minimum(services)
    if kind == "highlights":
        names = {str(s.fields.get("email") or "").lower(): str(s.fields.get("Title") or "") for s in staff}
        report = highlights(index, period, domains, today, _redactor(services, index, staff), minimum)
        content = highlights_content(report, names)
        _add_improvement_actions(services, content, period, minimum, name_owners=True)
        return content
    if kind == "bulletin":
        draft = bulletin(
            index, period, domains, today, _redactor(services, index, staff).review, minimum=minimum
        )
        return bulletin_content(draft, draft=True)
    quarter = quarterly(index, period, domains, today, minimum)
    content = quarterly_content(quarter, [calibration_section(services, period, minimum)])
    _add_improvement_actions(services, content, period, minimum, name_owners=False)
    return content


def _add_improvement_actions(
    services: Services, content: ReportContent, period: ReportPeriod, minimum: int, name_owners: bool
) -> None:
    """2.8, 8.1: action completion from the Improvement Actions list (shared/services/reports/actions.py)."""
    from shared.services.reports import actions

    part = actions.report_section(
        services, period.first_day, period.last_day, period.label, minimum, name_owners
    )
    actions.add_to_report(content, part)


def calibration_section(services: Services, period: ReportPeriod, minimum: int) -> dict[str, object]:
    """Moderation and calibration (7.2) for the quarterly report: agreement with moderators in
    counts (a percentage only from ``minimum`` up), per domain in the data pack, and how many
    auditors the threshold flags. Auditors are not named here; the QA team's calibration sheet
    names them (``auditdesk moderation calibration``). Never in the learning bulletin."""
    from shared.services.moderation.calibration import quarterly_calibration_section

    data = quarterly_calibration_section(services, list(period.months))
    overall = data["overall"]
    assert isinstance(overall, dict)
    moderated = int(str(data.get("moderated") or 0))
    flagged = data.get("flagged") or []
    assert isinstance(flagged, list)
    if not moderated:
        paragraphs = [
            "No accepted audit was moderated this quarter: draw the monthly sample with "
            "auditdesk moderation draw (7.2)."
        ]
    else:
        agreed = Share(int(overall["agreed"]), int(overall["compared"]), minimum)
        paragraphs = [
            f"{moderated} accepted audit(s) were moderated this quarter (7.2). Moderators agreed with "
            f"the auditor's judgement in {agreed} of the judgements compared (each domain and the overall).",
            f"{len(flagged)} auditor(s) flagged. {data.get('flag_rule', '')} The QA team's calibration "
            "sheet names them, for a conversation in supervision; this report does not."
            if flagged
            else "No auditor's grades differ from moderation by more than the threshold set in the schema.",
        ]
    domains = data.get("domains") or []
    assert isinstance(domains, list)
    rows = [[str(d["domain"]), str(Share(int(d["agreed"]), int(d["compared"]), minimum))] for d in domains]
    return {
        "key": "calibration",
        "title": str(data.get("title", "Consistency of grading: moderation and calibration")),
        "paragraphs": paragraphs,
        "headers": ["Domain", "Moderators agreed"],
        "rows": rows,
    }


def learning_bulletin(services: Services, period: ReportPeriod) -> Bulletin:
    """The period's learning bulletin as the lists hold it now, its excerpts redacted."""
    index = _history(services, period)
    staff = list(services.store.query_all(Query(STAFF, page_size=500)))
    return bulletin(
        index,
        period,
        services.schema.domains,
        services.clock.today(),
        _redactor(services, index, staff).review,
        minimum=_minimum(services),
    )


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
    period) and, when ``send``, email both to the report's distribution list.

    A learning bulletin built here is a draft for the QA team: filed with its excerpts listed
    for approval and, when ``send``, emailed to the QA team only. It reaches all staff only
    through :func:`publish_approved_bulletin`, after the QA team approves it."""
    parsed = check_request(kind, period)
    started = time.perf_counter()
    today = services.clock.today()
    if kind == "bulletin":
        learning = learning_bulletin(services, parsed)
        approvals.file_draft(services.store, parsed.key, parsed.label, learning.excerpts)
        content = bulletin_content(learning, draft=True)
        base = f"{REPORT_TYPES[kind]} {parsed.key} draft for QA approval"
        mail_kind = "bulletin-draft"
    else:
        content = build_content(services, kind, parsed)
        base = f"{REPORT_TYPES[kind]} {parsed.key}"
        mail_kind = kind
    aggregated = time.perf_counter()
    return _file_and_send(
        services, kind, mail_kind, parsed, content, base, today, send, resend, started, aggregated
    )


def publish_approved_bulletin(services: Services, period: str, *, resend: bool = False) -> PublishedReport:
    """Publish the learning bulletin the QA team approved, with only the excerpts it approved,
    and email it to all staff. Refused (:class:`BulletinNotApproved`) without that approval."""
    parsed = check_request("bulletin", period)
    approval = approvals.approval_of(services.store, parsed.key)
    if approval is None:
        raise approvals.BulletinNotApproved(
            f"The learning bulletin for {parsed.label} has not been approved by the Quality Assurance "
            f"Team: approve it first (auditdesk report bulletin --period {parsed.key} --approve)."
        )
    started = time.perf_counter()
    learning = learning_bulletin(services, parsed)
    numbers = approvals.approved_numbers(services.store, parsed.key, learning.excerpts)
    content = bulletin_content(
        learning, numbers, approved_by=approval.approved_by, approved_on=approval.approved_on
    )
    aggregated = time.perf_counter()
    base = f"{REPORT_TYPES['bulletin']} {parsed.key}"
    today = services.clock.today()
    published = _file_and_send(
        services, "bulletin", "bulletin", parsed, content, base, today, True, resend, started, aggregated
    )
    approvals.mark_sent(services.store, approval, today)
    return published


def approve_bulletin(
    services: Services, period: str, excerpts: Sequence[int] | None, approver: str, *, resend: bool = False
) -> tuple[PublishedReport, list[str]]:
    """What ``auditdesk report bulletin --approve`` does: record the QA team's approval of the
    bulletin and of the excerpts numbered ``excerpts`` (None: as already decided in the list),
    then publish and send it. Returns the report and anything that could not be approved."""
    parsed = check_request("bulletin", period)
    learning = learning_bulletin(services, parsed)
    approvals.file_draft(services.store, parsed.key, parsed.label, learning.excerpts)
    problems = approvals.record_approval(
        services.store, parsed.key, learning.excerpts, excerpts, approver, services.clock.today()
    )
    return publish_approved_bulletin(services, parsed.key, resend=resend), problems


def on_bulletin_change(services: Services, item: ListItem) -> PublishedReport | None:
    """A Learning Bulletins item changed in SharePoint: once its status is Approved, publish it.
    Sending is idempotent (one email per period), so a change seen twice sends once."""
    if item.fields.get("status") != approvals.APPROVED:
        return None
    period = str(item.fields.get("period") or "")
    return publish_approved_bulletin(services, period)


def _file_and_send(
    services: Services,
    kind: str,
    mail_kind: str,
    parsed: ReportPeriod,
    content: ReportContent,
    base: str,
    today: dt.date,
    send: bool,
    resend: bool,
    started: float,
    aggregated: float,
) -> PublishedReport:
    docx = services.documents.render(content, today)
    pack = services.documents.data_pack(content.title, parsed.label, content.tables)
    rendered = time.perf_counter()
    report_type = REPORT_TYPES[kind]
    fields = {"report_type": report_type, "period": parsed.key, "Title": f"{report_type}, {parsed.label}"}
    services.store.add_file(REPORTS_LIBRARY, f"{base}.docx", docx, fields)
    services.store.add_file(REPORTS_LIBRARY, f"{base} data pack.xlsx", pack, fields)
    log.info("report %s %s filed: %d bytes, data pack %d bytes", kind, parsed.key, len(docx), len(pack))
    recipients = _recipients(services, mail_kind)
    sent = already = False
    message_id = ""
    if send:
        message = _message(mail_kind, parsed, recipients, base, docx, pack, content.headlines)
        outcome = services.mailer.send(message, resend=resend)
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
        mail_kind == "bulletin-draft",
    )


def _message(
    kind: str,
    period: ReportPeriod,
    to: tuple[str, ...],
    base: str,
    docx: bytes,
    pack: bytes,
    headlines: Sequence[str],
) -> OutgoingMessage:
    """The email: three headline figures in the body, the report and its data pack attached."""
    if kind == "bulletin-draft":
        title = "Learning bulletin: draft for QA approval"
        purpose = (
            "for the Quality Assurance Team to approve. Each excerpt it could quote is listed, numbered, "
            "in the draft and in the Bulletin Excerpts list: approve the ones to publish, then the "
            f"bulletin (auditdesk report bulletin --period {period.key} --approve --excerpts 1,2)"
        )
    else:
        title = REPORT_TYPES[kind]
        purpose = {
            "highlights": "for the Senior Leadership Team's monthly performance meeting and the Wider "
            "Leadership meeting",
            "quarterly": "for the Leadership Team",
            "bulletin": "for everyone in Children's Services: what our case audits teach us, as a "
            "seven-minute briefing for team meetings and supervision",
        }[kind]
    figures = "\n".join(f"  - {line}" for line in headlines[:3])
    text = (
        f"The {title} for {period.label} is attached, {purpose}.\n\n"
        f"Headlines:\n{figures}\n\n"
        f"Period covered: {period.date_range}.\n"
        "The data pack behind it (an Excel workbook of every table) is attached too, and both are "
        "in the Reports library.\n\n"
        "Quality Assurance Team (sent by Audit Desk)"
    )
    return OutgoingMessage(
        to=to,
        subject=f"{title}: {period.label}",
        text_body=text,
        idempotency_key=f"report/{kind}/{period.key}",
        attachments=(
            Attachment(f"{base}.docx", DOCX, docx),
            Attachment(f"{base} data pack.xlsx", XLSX, pack),
        ),
    )
