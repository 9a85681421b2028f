"""The workflow's services as the Functions app runs them: the same list store and mailer as
:func:`shared.workflow.services.bootstrap`, with state and the sent-mail log in Azure Tables
when Azure Storage is configured (SQLite under the home folder otherwise)."""

from __future__ import annotations

from shared.config import Settings
from shared.workflow.clock import Clock
from shared.workflow.services import Services

# In Azure, the SharePoint certificate (PEM: key and certificate) is an app setting that is a
# Key Vault reference; the platform resolves it with the app's managed identity.
CERTIFICATE_PEM_VARIABLE = "AUDITDESK_SP_CERT_PEM"


def default_clock() -> Clock:
    """Real time. Tests replace it to act on a chosen day."""
    return Clock()


def open_services(settings: Settings | None = None, clock: Clock | None = None) -> Services:
    from shared.core.deadlines import Deadlines
    from shared.core.schema import load_schema
    from shared.lists.definitions import list_definitions
    from shared.lists.factory import open_list_store, provisioner_of
    from shared.lists.provision import provision
    from shared.mail.factory import SENT_LOG_FILE, open_mailer
    from shared.mail.sent_log import SentLog, SqliteSentLog
    from shared.workflow.services import start_change_tracking
    from shared.workflow.state import SqliteStateStore, StateStore

    settings = _with_certificate_file(settings or Settings.from_environment())
    schema = load_schema(settings.schema_path)
    deadlines = Deadlines.for_schema(schema)
    azure = settings.azure
    state: StateStore
    sent_log: SentLog
    if azure.tables_configured:
        from shared.azure.storage import table_client
        from shared.mail.sent_log_azure import AzureTableSentLog
        from shared.workflow.state_azure import AzureTableStateStore

        state = AzureTableStateStore(table_client(azure, azure.state_table))
        sent_log = AzureTableSentLog(table_client(azure, azure.sent_mail_table))
    else:
        state = SqliteStateStore(settings.home / "state.sqlite3")
        sent_log = SqliteSentLog(settings.home / SENT_LOG_FILE)
    store = open_list_store(settings, schema)
    if settings.sharepoint is None:
        provision(provisioner_of(store), list_definitions(schema))
    services = Services(
        schema, deadlines, store, open_mailer(settings, sent_log), state, clock or default_clock()
    )
    start_change_tracking(services)
    return services


def _with_certificate_file(settings: Settings) -> Settings:
    """The list store reads its key from a file: write the Key Vault-resolved PEM to one that
    only this process's user can read, once per instance."""
    import os
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    pem = os.environ.get(CERTIFICATE_PEM_VARIABLE, "")
    sharepoint = settings.sharepoint
    if not pem or sharepoint is None or sharepoint.cert_path is not None:
        return settings
    path = Path(tempfile.gettempdir()) / "auditdesk-sharepoint.pem"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(pem)
    return replace(settings, sharepoint=replace(sharepoint, cert_path=path))
