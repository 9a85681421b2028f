"""Configuration: one home for every setting, read from the environment (Azure app settings,
``local.settings.json``) or the command line. Nothing here is a secret: secrets are named
here and fetched from Key Vault or a certificate file at run time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOME = Path(".auditdesk")

# The Functions app's own app settings: the webhook's public URL, the shared secret SharePoint
# echoes back in each notification, and the certificates (PEM: key and certificate) for
# SharePoint and Graph mail. In Azure the secrets are Key Vault references the platform resolves.
WEBHOOK_URL_VARIABLE = "AUDITDESK_WEBHOOK_URL"
CLIENT_STATE_VARIABLE = "AUDITDESK_WEBHOOK_CLIENT_STATE"
SHAREPOINT_CERTIFICATE_PEM_VARIABLE = "AUDITDESK_SP_CERT_PEM"
GRAPH_CERTIFICATE_PEM_VARIABLE = "AUDITDESK_GRAPH_CERT_PEM"


def secret(variable: str) -> str:
    """What the environment variable ``variable`` holds ('' when unset): a password, a
    certificate or the webhook's shared secret, read when it is used and never kept in settings."""
    return os.environ.get(variable, "")


def ca_bundle() -> str | bool:
    """The CA bundle the environment names for HTTPS (``REQUESTS_CA_BUNDLE``, else
    ``CURL_CA_BUNDLE``, as requests reads them), else True: the bundled certificates."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def webhook_url() -> str:
    """The webhook's public URL ('' when unset), for keeping SharePoint's subscriptions."""
    return os.environ.get(WEBHOOK_URL_VARIABLE, "").strip()


#: The shipped Office templates (``templates/``): the one place the folder is named.
SHIPPED_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True, slots=True)
class SharePointSettings:
    """Where the SharePoint lists live and how Audit Desk signs in (app-only, certificate).

    The private key comes from a PEM file (``AUDITDESK_SP_CERT_PATH``) or from Key Vault
    (``AUDITDESK_SP_CERT_KEYVAULT``, ``https://<vault>.vault.azure.net/secrets/<name>``); it is
    never stored in the repository or in settings.
    """

    site_url: str
    tenant_id: str = ""
    client_id: str = ""
    cert_thumbprint: str = ""
    cert_path: Path | None = None
    cert_keyvault_secret: str = ""
    # A bearer token obtained elsewhere (e.g. `az account get-access-token`), for one-off admin
    # runs such as provisioning; services use the certificate.
    access_token: str = ""

    @classmethod
    def from_environment(cls, site_url: str | None = None) -> SharePointSettings | None:
        url = site_url or os.environ.get("AUDITDESK_SP_SITE_URL", "")
        if not url:
            return None
        cert_path = os.environ.get("AUDITDESK_SP_CERT_PATH")
        return cls(
            site_url=url.rstrip("/"),
            tenant_id=os.environ.get("AUDITDESK_SP_TENANT_ID", ""),
            client_id=os.environ.get("AUDITDESK_SP_CLIENT_ID", ""),
            cert_thumbprint=os.environ.get("AUDITDESK_SP_CERT_THUMBPRINT", ""),
            cert_path=Path(cert_path) if cert_path else None,
            cert_keyvault_secret=os.environ.get("AUDITDESK_SP_CERT_KEYVAULT", ""),
            access_token=os.environ.get("AUDITDESK_SP_ACCESS_TOKEN", ""),
        )


DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"


@dataclass(frozen=True, slots=True)
class MailSettings:
    """How mail goes out: Microsoft Graph when ``graph_*`` and ``sender`` are set, SMTP when
    ``smtp_host`` is set, otherwise ``.eml`` files in the outbox folder under ``home``.

    Passwords are never held here: ``*_password_variable`` names the environment variable
    (in Azure, a Key Vault reference) that holds one, read only when a connection is made.
    """

    sender: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password_variable: str = "AUDITDESK_SMTP_PASSWORD"  # noqa: S105 - a variable name, not a secret
    smtp_starttls: bool = True
    graph_tenant_id: str | None = None
    graph_client_id: str | None = None
    graph_certificate_path: Path | None = None
    graph_certificate_password_variable: str = "AUDITDESK_GRAPH_CERTIFICATE_PASSWORD"  # noqa: S105 - a variable name
    graph_base_url: str = DEFAULT_GRAPH_BASE_URL

    @property
    def graph_configured(self) -> bool:
        return bool(
            self.sender and self.graph_tenant_id and self.graph_client_id and self.graph_certificate_path
        )

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> MailSettings:
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        port = text("AUDITDESK_SMTP_PORT")
        starttls = text("AUDITDESK_SMTP_STARTTLS")
        certificate = text("AUDITDESK_GRAPH_CERTIFICATE_PATH")
        if port is not None and not port.isdigit():
            raise ValueError(f"AUDITDESK_SMTP_PORT must be a port number such as 587, not {port!r}")
        if starttls is not None and starttls.lower() not in _BOOLEAN_WORDS:
            raise ValueError(f"AUDITDESK_SMTP_STARTTLS must be true or false, not {starttls!r}")
        return cls(
            sender=text("AUDITDESK_MAIL_SENDER"),
            smtp_host=text("AUDITDESK_SMTP_HOST"),
            smtp_port=int(port) if port else 587,
            smtp_username=text("AUDITDESK_SMTP_USERNAME"),
            smtp_starttls=_BOOLEAN_WORDS[starttls.lower()] if starttls else True,
            graph_tenant_id=text("AUDITDESK_GRAPH_TENANT_ID"),
            graph_client_id=text("AUDITDESK_GRAPH_CLIENT_ID"),
            graph_certificate_path=Path(certificate) if certificate else None,
            graph_base_url=(text("AUDITDESK_GRAPH_BASE_URL") or DEFAULT_GRAPH_BASE_URL).rstrip("/"),
        )


@dataclass(frozen=True, slots=True)
class AzureStorageSettings:
    """Azure Storage for the Functions app: service state (change tokens, effect keys, mail
    sent) in Tables, and the queue between the SharePoint webhook and its worker.

    ``AUDITDESK_STATE_CONNECTION`` is a connection string (Azurite: ``UseDevelopmentStorage=true``)
    or a Table service URL reached with the managed identity; without it the Functions host's
    own ``AzureWebJobsStorage`` (a connection string, or the identity-based
    ``AzureWebJobsStorage__tableServiceUri``/``__queueServiceUri``/``__accountName``) is used.
    With none of them, state stays in SQLite under the home folder (the embedded default).
    """

    # Each service is reached by a connection string, or by its URL with the managed identity.
    table_connection_string: str = ""
    table_endpoint: str = ""
    queue_connection_string: str = ""
    queue_endpoint: str = ""
    state_table: str = "AuditDeskState"
    sent_mail_table: str = "AuditDeskSentMail"

    @property
    def tables_configured(self) -> bool:
        return bool(self.table_connection_string or self.table_endpoint)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AzureStorageSettings:
        env = os.environ if environ is None else environ

        def text(name: str) -> str:
            return env.get(name, "").strip()

        host_connection = text("AzureWebJobsStorage")
        account = text("AzureWebJobsStorage__accountName")

        def service_uri(service: str) -> str:
            explicit = text(f"AzureWebJobsStorage__{service}ServiceUri")
            if explicit or host_connection or not account:
                return explicit
            return f"https://{account}.{service}.core.windows.net"

        state = text("AUDITDESK_STATE_CONNECTION")
        table_connection, table_endpoint = host_connection, service_uri("table")
        if state.startswith(("https://", "http://")):
            table_connection, table_endpoint = "", state
        elif state:
            table_connection, table_endpoint = state, ""
        return cls(
            table_connection_string=table_connection,
            table_endpoint="" if table_connection else table_endpoint,
            queue_connection_string=host_connection,
            queue_endpoint="" if host_connection else service_uri("queue"),
            state_table=text("AUDITDESK_STATE_TABLE") or "AuditDeskState",
            sent_mail_table=text("AUDITDESK_SENT_MAIL_TABLE") or "AuditDeskSentMail",
        )


_BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True, slots=True)
class Settings:
    """Where Audit Desk keeps its data and which schema it follows.

    ``home`` holds the embedded store (SQLite lists, the document library folder and the mail
    outbox) when no Microsoft 365 site is configured.
    """

    home: Path
    schema_path: Path | None = None
    # None: the embedded list store under ``home``. Set AUDITDESK_SP_SITE_URL to use SharePoint.
    sharepoint: SharePointSettings | None = None
    mail: MailSettings = field(default_factory=MailSettings)
    # Empty (the default) outside Azure: state stays in SQLite under ``home``.
    azure: AzureStorageSettings = field(default_factory=AzureStorageSettings)

    @classmethod
    def from_environment(cls, home: Path | None = None, schema_path: Path | None = None) -> Settings:
        env_home = os.environ.get("AUDITDESK_HOME")
        env_schema = os.environ.get("AUDITDESK_SCHEMA")
        return cls(
            home=home or (Path(env_home) if env_home else DEFAULT_HOME),
            schema_path=schema_path or (Path(env_schema) if env_schema else None),
            mail=MailSettings.from_environment(),
            sharepoint=SharePointSettings.from_environment(),
            azure=AzureStorageSettings.from_environment(),
        )
