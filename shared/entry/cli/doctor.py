"""``auditdesk doctor``: a go-live check against a real (development) tenant.

It makes every kind of call the service makes, in a scratch list and library it creates and
removes again, and prints one line per check with what to fix when it fails:

1. sign-in (the certificate, the app registration, the form digest);
2. the site's time zone (``web/RegionalSettings/TimeZone``);
3. provisioning a scratch list and library (needs the site grant ``manage``);
4. a batch of adds, then a batch of updates with ``IF-MATCH``, one deliberately stale (412);
5. GetChanges, paged two changes at a time, finds every add and update;
6. a date-only value in summer and in winter, written, read back and filtered on;
7. a file with an awkward name (``'``, ``#``, ``%``) uploaded, downloaded and removed;
8. a webhook subscription created, renewed and deleted (only with ``--webhook-url``);
9. a Graph email with an attachment to a test address (only with ``--mail-to``);
10. clean-up of the scratch list and library.

Nothing here touches Audit Desk's own lists, and nothing logs item contents.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from shared.services.ports.list_definitions import Column, ColumnKind, ListDefinition
from shared.services.ports.lists import BatchConflict, ItemUpdate, ListStoreError, Query, where

if TYPE_CHECKING:
    from shared.adapters.lists.sharepoint_store import SharePointListStore
    from shared.services.ports.mail import Mailer

PASS, FAIL, SKIPPED = "pass", "FAIL", "skipped"
AWKWARD_NAME = "O'Brien #1 50% (doctor).docx"
SUMMER, WINTER = dt.date(2026, 6, 15), dt.date(2026, 1, 15)


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: str  # pass, FAIL, skipped
    detail: str
    fix: str = ""


def scratch_definitions(stamp: str) -> tuple[ListDefinition, ListDefinition]:
    """A scratch list and library, named so an administrator sees what they are."""
    columns = (
        Column("doctor_key", "Doctor key", ColumnKind.TEXT, indexed=True),
        Column("doctor_state", "Doctor state", ColumnKind.CHOICE, ("Open", "Done"), indexed=True),
        Column("doctor_date", "Doctor date", ColumnKind.DATE, indexed=True),
    )
    scratch = ListDefinition(
        f"AuditDesk Doctor {stamp}", columns, description="Made by auditdesk doctor; removed when it ends."
    )
    library = ListDefinition(
        f"AuditDesk Doctor Files {stamp}",
        (),
        is_library=True,
        description="Made by auditdesk doctor; removed when it ends.",
    )
    return scratch, library


def _fix_for(error: Exception, default: str) -> str:
    text = str(error)
    if "403" in text or "Access denied" in text:
        return (
            "The app lacks the site permission this needs: run infra/grant-site-access.sh SITE CLIENT_ID "
            "manage (docs/deploy.md, step 5)."
        )
    if "401" in text:
        return (
            "SharePoint refused the app's token: check the certificate (AUDITDESK_SP_CERT_*), the "
            "client id, and admin consent for SharePoint Sites.Selected (infra/app-registration.bicep)."
        )
    return default


class Doctor:
    """Runs the checks in order; a check whose prerequisite failed is reported as skipped."""

    def __init__(
        self,
        store: SharePointListStore,
        *,
        mailer: Mailer | None = None,
        mail_to: str | None = None,
        webhook_url: str | None = None,
        stamp: str | None = None,
    ) -> None:
        self.store = store
        self.mailer = mailer
        self.mail_to = mail_to
        self.webhook_url = webhook_url
        self.scratch, self.library = scratch_definitions(stamp or uuid.uuid4().hex[:8])
        self.results: list[CheckResult] = []

    def _run(self, name: str, check: Callable[[], str], fix: str) -> bool:
        try:
            detail = check()
        except (ListStoreError, AssertionError, OSError) as error:
            self.results.append(CheckResult(name, FAIL, str(error)[:300], _fix_for(error, fix)))
            return False
        except Exception as error:  # a mail or transport error: reported, never a stack trace
            self.results.append(CheckResult(name, FAIL, f"{type(error).__name__}: {str(error)[:300]}", fix))
            return False
        self.results.append(CheckResult(name, PASS, detail))
        return True

    def _skip(self, name: str, why: str) -> None:
        self.results.append(CheckResult(name, SKIPPED, why))

    def run(self) -> list[CheckResult]:
        store = self.store
        store.definitions = {
            **store.definitions,
            self.scratch.title: self.scratch,
            self.library.title: self.library,
        }
        signed_in = self._run(
            "Sign-in",
            self._sign_in,
            "Check AUDITDESK_SP_TENANT_ID, AUDITDESK_SP_CLIENT_ID and the certificate settings, and "
            "that the app registration has admin consent (docs/deploy.md, steps 1-2).",
        )
        if not signed_in:
            for name in (
                "Site time zone",
                "Provisioning",
                "Batch with If-Match",
                "Change tracking",
                "Dates",
                "Files",
                "Webhook subscription",
                "Graph mail",
                "Clean-up",
            ):
                self._skip(name, "sign-in failed")
            return self.results
        self._run(
            "Site time zone",
            lambda: f"{store.site_time_zone()}",
            "Set the site's time zone in Site settings → Regional settings, or add it to "
            "SHAREPOINT_TIME_ZONES in shared/adapters/lists/sharepoint_store.py.",
        )
        provisioned = self._run(
            "Provisioning",
            self._provision,
            "The app needs the site grant 'manage' to create lists and columns "
            "(infra/grant-site-access.sh SITE CLIENT_ID manage).",
        )
        if provisioned:
            token = store.current_change_token(self.scratch.title)
            wrote = self._run(
                "Batch with If-Match",
                self._batch_with_if_match,
                "SharePoint must refuse a stale ETag with 412: check nothing between the service "
                "and SharePoint strips the IF-MATCH header.",
            )
            if wrote:
                self._run(
                    "Change tracking",
                    lambda: self._changes(token),
                    "GetChanges must list every add and update: check the list is not excluded from "
                    "change tracking and that the app can read the list.",
                )
            else:
                self._skip("Change tracking", "the batch check failed")
            self._run(
                "Dates",
                self._dates,
                "Date-only values do not round-trip: check the site's regional settings (time zone) "
                "match SHAREPOINT_TIME_ZONES in shared/adapters/lists/sharepoint_store.py.",
            )
            self._run(
                "Files",
                self._files,
                "The ResourcePath file APIs (GetFileByServerRelativePath, AddUsingPath) failed: check "
                "the app's site grant ('write' or more) and that the library accepts .docx files.",
            )
            if self.webhook_url:
                self._run(
                    "Webhook subscription",
                    self._webhook,
                    "SharePoint must reach the URL and get the validationtoken back as text/plain "
                    "within 5 seconds: check the Function app is deployed and the URL is public.",
                )
            else:
                self._skip("Webhook subscription", "no --webhook-url given")
        else:
            for name in ("Batch with If-Match", "Change tracking", "Dates", "Files", "Webhook subscription"):
                self._skip(name, "provisioning failed")
        if self.mail_to and self.mailer is not None:
            self._run(
                "Graph mail",
                self._mail,
                "Graph refused the message: the app needs Graph Mail.ReadWrite (to create the "
                "message with attachments) and Mail.Send, with admin consent, and the sender "
                "mailbox must be inside the Exchange application access policy (docs/deploy.md, step 1).",
            )
        elif self.mail_to:
            self.results.append(
                CheckResult(
                    "Graph mail",
                    FAIL,
                    "Graph mail is not configured",
                    "Set AUDITDESK_MAIL_SENDER, AUDITDESK_GRAPH_TENANT_ID, AUDITDESK_GRAPH_CLIENT_ID and "
                    "AUDITDESK_GRAPH_CERTIFICATE_PATH (docs/mail.md).",
                )
            )
        else:
            self._skip("Graph mail", "no --mail-to given")
        self._run(
            "Clean-up",
            self._clean_up,
            f"Remove the lists '{self.scratch.title}' and '{self.library.title}' by hand (Site contents).",
        )
        return self.results

    # --- the checks -----------------------------------------------------------------------
    def _sign_in(self) -> str:
        self.store.sign_in()
        return "app-only token accepted, form digest issued"

    def _provision(self) -> str:
        from shared.adapters.lists.provision import provision

        report = provision(self.store.provisioner(), [self.scratch, self.library])
        return f"created '{self.scratch.title}' and its library ({len(report.changes)} changes)"

    def _batch_with_if_match(self) -> str:
        title = self.scratch.title
        added = self.store.add_many(
            title, [{"doctor_key": f"K{n}", "doctor_state": "Open"} for n in range(3)]
        )
        stale = added[1].etag
        self.store.update(title, added[1].id, {"doctor_state": "Open"}, added[1].etag)
        try:
            self.store.update_many(
                title,
                [
                    ItemUpdate(added[0].id, {"doctor_state": "Done"}, added[0].etag),
                    ItemUpdate(added[1].id, {"doctor_state": "Done"}, stale),
                ],
            )
        except BatchConflict as conflict:
            if [c.item_id for c in conflict.conflicts] != [added[1].id]:
                raise AssertionError(f"unexpected conflicts: {len(conflict.conflicts)}") from None
            if [i.id for i in conflict.written] != [added[0].id]:
                raise AssertionError("the up-to-date update was not written") from None
            return "3 adds in one batch; the stale ETag got 412, the current one was written"
        raise AssertionError("SharePoint accepted an update with a stale ETag (no 412)")

    def _changes(self, token: str) -> str:
        store = self.store
        limit = store.change_fetch_limit
        store.change_fetch_limit = 2  # several pages from a handful of changes
        try:
            changes, _ = store.changes_since(self.scratch.title, token)
        finally:
            store.change_fetch_limit = limit
        ids = {c.item_id for c in changes}
        if len(ids) < 3:
            raise AssertionError(f"GetChanges listed {len(ids)} of the 3 items added")
        return f"{len(changes)} changes read, two at a time"

    def _dates(self) -> str:
        title = self.scratch.title
        for day in (SUMMER, WINTER):
            item = self.store.add(title, {"doctor_key": f"date {day}", "doctor_date": day})
            read = self.store.get(title, item.id)["doctor_date"]
            if read != day:
                raise AssertionError(f"wrote {day}, read back {read}")
            found = self.store.query(Query(title, (where("doctor_date", "eq", day),)))
            if item.id not in {i.id for i in found.items}:
                raise AssertionError(f"a filter on {day} did not find the item")
        return f"{SUMMER} and {WINTER} written, read back and filtered on"

    def _files(self) -> str:
        content = b"PK\x03\x04 auditdesk doctor " + uuid.uuid4().bytes
        self.store.add_file(self.library.title, AWKWARD_NAME, content)
        if self.store.read_file(self.library.title, AWKWARD_NAME) != content:
            raise AssertionError("the downloaded file differs from the uploaded one")
        self.store.delete_file(self.library.title, AWKWARD_NAME)
        return f"uploaded, downloaded and removed {AWKWARD_NAME!r}"

    def _webhook(self) -> str:
        assert self.webhook_url is not None
        title = self.scratch.title
        webhooks = self.store.webhooks()
        subscription = webhooks.subscribe(title, self.webhook_url, f"doctor-{uuid.uuid4().hex}", days=1)
        webhooks.renew_subscription(title, subscription, dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
        webhooks.delete_subscription(title, subscription)
        return "created (validated by the endpoint), renewed and deleted"

    def _mail(self) -> str:
        from shared.services.ports.mail import Attachment, OutgoingMessage

        assert self.mailer is not None
        assert self.mail_to is not None
        self.mailer.send(
            OutgoingMessage(
                to=(self.mail_to,),
                subject="Audit Desk go-live check",
                text_body="A test message from auditdesk doctor, with a small attachment. No action needed.",
                idempotency_key=f"doctor/{uuid.uuid4()}",
                attachments=(Attachment("doctor.txt", "text/plain", b"auditdesk doctor"),),
            )
        )
        return f"sent to {self.mail_to} with an attachment"

    def _clean_up(self) -> str:
        removed = []
        for title in (self.scratch.title, self.library.title):
            try:
                self.store.provisioner().delete_list(title)
                removed.append(title)
            except ListStoreError as error:
                if "404" not in str(error):
                    raise
        return f"removed {len(removed)} scratch list(s)"


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    site: Annotated[
        str | None, typer.Option(help="SharePoint site URL (default AUDITDESK_SP_SITE_URL).")
    ] = None,
    mail_to: Annotated[
        str | None, typer.Option(help="Send a test email (through Graph) to this address.")
    ] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Public URL of the webhook function: check a subscription.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Go-live check: every kind of call the service makes, against the site; cleans up after itself."""
    from shared.adapters.lists.factory import open_sharepoint_store, sharepoint_settings
    from shared.adapters.lists.formatted import definitions_by_title
    from shared.entry.cli.context import context_of
    from shared.entry.cli.render import console

    app_ctx = context_of(ctx)
    sharepoint = sharepoint_settings(app_ctx.settings, site)
    if sharepoint is None:
        typer.secho(
            "doctor checks a SharePoint site: pass --site or set AUDITDESK_SP_SITE_URL.", fg="red", err=True
        )
        raise typer.Exit(2)
    try:
        store = open_sharepoint_store(sharepoint, definitions_by_title(app_ctx.schema))
    except ListStoreError as error:
        typer.secho(str(error), fg="red", err=True)
        raise typer.Exit(1) from error
    mailer = None
    if mail_to:
        from shared.adapters.mail.factory import open_mailer
        from shared.adapters.mail.graph import GraphMailer
        from shared.adapters.mail.sent_log import MemorySentLog

        opened = open_mailer(app_ctx.settings, MemorySentLog())
        mailer = opened if isinstance(opened, GraphMailer) else None
    with store:
        results = Doctor(store, mailer=mailer, mail_to=mail_to, webhook_url=webhook_url).run()
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in results], indent=2))
    else:
        from rich.table import Table

        table = Table("check", "result", "detail", "what to fix")
        colour = {PASS: "green", FAIL: "red", SKIPPED: "yellow"}
        for r in results:
            table.add_row(r.name, f"[{colour[r.status]}]{r.status}[/]", r.detail, r.fix)
        console.print(table)
    if any(r.status == FAIL for r in results):
        raise typer.Exit(1)
