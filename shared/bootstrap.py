"""The one place adapters are chosen and wired into :class:`shared.services.workflow.dependencies.Services`:
for the command line, the Functions app and the tests alike.

With no configuration everything is embedded under the home folder: SQLite lists and a folder
library (created on first use), state and the sent-mail log in SQLite, mail as ``.eml`` files,
and a lock file as the writer lease. A SharePoint site, Graph or SMTP, and Azure Storage (state,
sent-mail log and lease in Tables, as the Functions app runs) are switched on by settings. A test
passes its own adapter for any part and gets the real ones for the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from shared.config import Settings
from shared.core.deadlines import Deadlines
from shared.core.schema import AuditSchema
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import Services, start_change_tracking
from shared.services.workflow.extensions import ReturnedForm, WorkflowExtensions

if TYPE_CHECKING:
    from shared.services.ports.forms import AuditForms, FormOutcome
    from shared.services.ports.lists import ListItem, ListStore
    from shared.services.ports.mail import Mailer, SentLog
    from shared.services.ports.state import StateStore, WriterLease
    from shared.services.workflow.extensions import FormRecorded
    from shared.services.workflow.workflow_run import Run


def bootstrap(
    settings: Settings,
    schema: AuditSchema,
    deadlines: Deadlines | None = None,
    clock: Clock | None = None,
    *,
    store: ListStore | None = None,
    mailer: Mailer | None = None,
    state: StateStore | None = None,
    lease: WriterLease | None = None,
    forms: AuditForms | None = None,
) -> Services:
    """Services wired from ``settings``, with any adapter given instead of the configured one."""
    from shared.adapters.documents.word_reports import WordReports
    from shared.adapters.forms.office import OfficeForms
    from shared.adapters.lists.factory import open_list_store, provisioner_of
    from shared.adapters.lists.formatted import formatted_definitions
    from shared.adapters.lists.provision import provision
    from shared.adapters.mail.factory import open_mailer
    from shared.adapters.registers.spreadsheets import SpreadsheetRegisters

    embedded = settings.sharepoint is None
    if store is None:
        store = open_list_store(settings, schema)
        if embedded:
            from shared.adapters.state.lease import FileLease

            # Several processes may start on a new home at once: one creates the lists, the
            # others wait a moment (a lock of its own: a run holding the writer lease blocks nobody).
            with FileLease(settings.home / "provision.lock").hold():
                provision(provisioner_of(store), formatted_definitions(schema))
    if state is None or mailer is None:
        opened_state, sent_log = open_state(settings)
        if state is None:
            state = opened_state
        else:
            opened_state.close()
        if mailer is None:
            mailer = open_mailer(settings, sent_log)
        else:
            sent_log.close()
    services = Services(
        schema,
        deadlines or Deadlines.for_schema(schema),
        store,
        mailer,
        state,
        clock or Clock(),
        documents=WordReports(),
        embedded=embedded,
        lease=lease or open_lease(settings),
        forms=forms or OfficeForms(),
        registers=SpreadsheetRegisters(),
        extensions=workflow_extensions(),
    )
    # The Date header is the service's day (a replayed one on --today), read when each message goes.
    mailer.use_clock(lambda: services.clock.now())
    start_change_tracking(services)
    return services


def workflow_extensions() -> WorkflowExtensions:
    """The programme's, moderation's and the reports' part in the workflow: the returned forms
    they record (4-6, 7.2), the observation notices of the daily sweep (6.5), and the approved
    bulletin the reports publish (8.1). Moderation and the reports are imported when first used."""
    from shared.core.list_titles import LEARNING_BULLETINS
    from shared.core.schema import MODERATION_FORM
    from shared.core.stages import SubmissionOutcome
    from shared.services.programme.observations import notify_coming_observations
    from shared.services.programme.returns import PROGRAMME_FORMS, record_programme_form

    def record_moderation_form(run: Run, form: FormOutcome, name: str, content: bytes) -> FormRecorded:
        from shared.services.moderation.service import record_moderation_form

        return record_moderation_form(run, form, name, content)

    def publish_approved_bulletin(services: Services, item: ListItem) -> object:
        from shared.services.reports.publish import on_bulletin_change

        return on_bulletin_change(services, item)

    programme = ReturnedForm(SubmissionOutcome.PROGRAMME_FORM_RECORDED, record_programme_form)
    return WorkflowExtensions(
        returned_forms={
            **dict.fromkeys(PROGRAMME_FORMS, programme),
            MODERATION_FORM: ReturnedForm(SubmissionOutcome.MODERATION_RECORDED, record_moderation_form),
        },
        sweep_notices=(notify_coming_observations,),
        list_changes={LEARNING_BULLETINS: publish_approved_bulletin},
    )


@contextmanager
def opened(
    settings: Settings, schema: AuditSchema, deadlines: Deadlines, clock: Clock, actor: str | None = None
) -> Iterator[Services]:
    """Services for one command: bootstrapped, and closed when the block ends."""
    services = bootstrap(settings, schema, deadlines, clock)
    if actor:
        services.actor = actor
    try:
        yield services
    finally:
        services.close()


def open_state(settings: Settings) -> tuple[StateStore, SentLog]:
    """Where change tokens, effect keys and the sent-mail log are kept."""
    from shared.adapters.mail.factory import SENT_LOG_FILE
    from shared.adapters.mail.sent_log import SqliteSentLog
    from shared.adapters.state.sqlite_state import SqliteStateStore

    azure = settings.azure
    if azure.tables_configured:
        from shared.adapters.azure.storage import table_client
        from shared.adapters.mail.sent_log_azure import AzureTableSentLog
        from shared.adapters.state.azure_state import AzureTableStateStore

        return (
            AzureTableStateStore(table_client(azure, azure.state_table)),
            AzureTableSentLog(table_client(azure, azure.sent_mail_table)),
        )
    return SqliteStateStore(settings.home / "state.sqlite3"), SqliteSentLog(settings.home / SENT_LOG_FILE)


def open_lease(settings: Settings) -> WriterLease:
    """The writer lease: an Azure Table entity where the Functions app keeps its state (many
    instances), else a lock file in the home folder (every process on this machine)."""
    from shared.adapters.state.lease import FileLease

    azure = settings.azure
    if azure.tables_configured:
        from shared.adapters.azure.storage import table_client
        from shared.adapters.state.lease import TableLease

        return TableLease(table_client(azure, azure.state_table))
    return FileLease(settings.home / "writer.lock")
