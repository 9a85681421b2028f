"""Configuration: one home for every setting, read from the environment (Azure app settings,
``local.settings.json``) or the command line. Nothing here is a secret: secrets are named
here and fetched from Key Vault or a certificate file at run time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path(".auditdesk")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where Audit Desk keeps its data and which schema it follows.

    ``home`` holds the embedded store (SQLite lists, the document library folder and the mail
    outbox) when no Microsoft 365 site is configured.
    """

    home: Path
    schema_path: Path | None = None

    @classmethod
    def from_environment(cls, home: Path | None = None, schema_path: Path | None = None) -> Settings:
        env_home = os.environ.get("AUDITDESK_HOME")
        env_schema = os.environ.get("AUDITDESK_SCHEMA")
        return cls(
            home=home or (Path(env_home) if env_home else DEFAULT_HOME),
            schema_path=schema_path or (Path(env_schema) if env_schema else None),
        )
