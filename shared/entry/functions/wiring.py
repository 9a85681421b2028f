"""The workflow's services as the Functions app runs them: the same list store and mailer as
:func:`shared.bootstrap.bootstrap`, with state and the sent-mail log in Azure Tables
when Azure Storage is configured (SQLite under the home folder otherwise)."""

from __future__ import annotations

from pathlib import Path

from shared.config import (
    GRAPH_CERTIFICATE_PEM_VARIABLE,
    SHAREPOINT_CERTIFICATE_PEM_VARIABLE,
    Settings,
    secret,
)
from shared.services.workflow.clock import Clock
from shared.services.workflow.dependencies import Services


def default_clock() -> Clock:
    """Real time. Tests replace it to act on a chosen day."""
    return Clock()


def open_services(settings: Settings | None = None, clock: Clock | None = None) -> Services:
    from shared.bootstrap import bootstrap
    from shared.core.deadlines import Deadlines
    from shared.core.schema_reader import load_schema

    settings = _with_certificate_files(settings or Settings.from_environment())
    schema = load_schema(settings.schema_path)
    return bootstrap(settings, schema, Deadlines.for_schema(schema), clock or default_clock())


def _with_certificate_files(settings: Settings) -> Settings:
    """The list store and the Graph mailer read their keys from files: write each Key
    Vault-resolved PEM to one only this process's user can read, once per instance."""
    from dataclasses import replace

    sharepoint = settings.sharepoint
    pem = secret(SHAREPOINT_CERTIFICATE_PEM_VARIABLE)
    if pem and sharepoint is not None and sharepoint.cert_path is None:
        path = _private_file("auditdesk-sharepoint", pem)
        settings = replace(settings, sharepoint=replace(sharepoint, cert_path=path))
    mail = settings.mail
    pem = secret(GRAPH_CERTIFICATE_PEM_VARIABLE)
    if pem and mail.graph_certificate_path is None:
        path = _private_file("auditdesk-graph", pem)
        settings = replace(settings, mail=replace(mail, graph_certificate_path=path))
    return settings


def _private_file(name: str, content: str) -> Path:
    """``<tmp>/<name>-<hash of content>.pem``, readable by this user only. The name follows the
    content, so a rotated certificate (a new Key Vault version) is written to a new file and used
    at once; the files of earlier certificates are removed."""
    import contextlib
    import hashlib
    import os
    import tempfile

    folder = Path(tempfile.gettempdir())
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    path = folder / f"{name}-{digest}.pem"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another thread wrote the same content
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(content)
    for earlier in folder.glob(f"{name}-*.pem"):
        if earlier != path:
            earlier.unlink(missing_ok=True)
    return path
