"""Choosing and opening the list store: embedded SQLite unless a SharePoint site is configured."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from shared.adapters.lists.formatted import definitions_by_title
from shared.config import Settings, SharePointSettings
from shared.core.schema import AuditSchema
from shared.core.schema_reader import load_schema
from shared.services.ports.list_definitions import ListDefinition
from shared.services.ports.list_shapes import Provisioner
from shared.services.ports.lists import ListStore, ListStoreError

if TYPE_CHECKING:
    from shared.adapters.lists.sharepoint_store import SharePointListStore

TokenProvider = Callable[[], dict[str, Any]]


def open_list_store(
    settings: Settings,
    schema: AuditSchema | None = None,
    site_url: str | None = None,
    access_token: TokenProvider | None = None,
) -> ListStore:
    """The store the settings ask for.

    ``site_url`` (e.g. ``--site``) overrides ``AUDITDESK_SP_SITE_URL``. ``access_token`` is for
    tests and tools that already hold a token; production signs in with the certificate.
    """
    definitions = definitions_by_title(schema or load_schema(settings.schema_path))
    sharepoint = sharepoint_settings(settings, site_url)
    if sharepoint is None:
        from shared.adapters.lists.sqlite_store import SqliteListStore

        return SqliteListStore(settings.home, definitions)
    return open_sharepoint_store(sharepoint, definitions, access_token)


def sharepoint_settings(settings: Settings, site_url: str | None = None) -> SharePointSettings | None:
    """The SharePoint site the settings name, or ``site_url`` (e.g. ``--site``) instead; None for
    the embedded store."""
    sharepoint = settings.sharepoint
    if site_url:
        configured = sharepoint or SharePointSettings.from_environment(site_url)
        assert configured is not None
        sharepoint = replace(configured, site_url=site_url.rstrip("/"))
    return sharepoint


def open_sharepoint_store(
    sharepoint: SharePointSettings,
    definitions: Mapping[str, ListDefinition],
    access_token: TokenProvider | None = None,
) -> SharePointListStore:
    from office365.sharepoint.client_context import ClientContext

    from shared.adapters.lists.sharepoint_store import SharePointListStore

    context = ClientContext(sharepoint.site_url)
    if access_token is None and sharepoint.access_token:
        token = sharepoint.access_token

        def access_token() -> dict[str, Any]:
            return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    if access_token is not None:
        context = context.with_access_token(access_token)
    else:
        missing = [
            name
            for name, value in (
                ("AUDITDESK_SP_TENANT_ID", sharepoint.tenant_id),
                ("AUDITDESK_SP_CLIENT_ID", sharepoint.client_id),
                ("AUDITDESK_SP_CERT_THUMBPRINT", sharepoint.cert_thumbprint),
            )
            if not value
        ]
        if missing:
            raise ListStoreError(
                "SharePoint needs app-only certificate sign-in: set "
                + ", ".join(missing)
                + " (docs/lists.md)."
            )
        context = context.with_client_certificate(
            sharepoint.tenant_id,
            sharepoint.client_id,
            thumbprint=sharepoint.cert_thumbprint,
            private_key=_private_key(sharepoint),
        )
    return SharePointListStore(sharepoint.site_url, definitions, context)


def _private_key(sharepoint: SharePointSettings) -> str:
    """The certificate's PEM private key, from a file or a Key Vault secret; never from settings."""
    if sharepoint.cert_path is not None:
        try:
            return sharepoint.cert_path.read_text(encoding="utf-8")
        except OSError as error:
            raise ListStoreError(
                f"Cannot read the certificate key {sharepoint.cert_path}: {error.strerror}. "
                "Check AUDITDESK_SP_CERT_PATH."
            ) from error
    if sharepoint.cert_keyvault_secret:
        try:
            from azure.identity import DefaultAzureCredential
            from azure.keyvault.secrets import SecretClient
        except ImportError as error:
            raise ListStoreError(
                "AUDITDESK_SP_CERT_KEYVAULT needs azure-keyvault-secrets installed, or set AUDITDESK_SP_CERT_PATH."
            ) from error
        vault, _, name = sharepoint.cert_keyvault_secret.partition("/secrets/")
        secret = SecretClient(vault_url=vault, credential=DefaultAzureCredential()).get_secret(
            name.strip("/")
        )
        return str(secret.value)
    raise ListStoreError(
        "Set AUDITDESK_SP_CERT_PATH (PEM key file) or AUDITDESK_SP_CERT_KEYVAULT (Key Vault secret URL)."
    )


def provisioner_of(store: ListStore) -> Provisioner:
    """The store's provisioning side (both adapters have one)."""
    provisioner = store.provisioner()
    if provisioner is None:
        raise ListStoreError(f"{type(store).__name__} cannot provision lists.")
    return provisioner
