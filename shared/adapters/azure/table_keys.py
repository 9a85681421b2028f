"""Row keys for Azure Table storage that carry no children's data.

State keys and mail idempotency keys can hold a case reference (``qa-check/HX-1006-2026-11/...``).
Table keys travel in request URLs, which azure-core, Application Insights and proxies may log,
so the key itself is never sent: only its kind (``effect``, ``change-token``; fixed words of
ours) and a SHA-256 of the whole key. Distinct keys stay distinct, the key is not recoverable.
"""

from __future__ import annotations

import hashlib
import re

_KIND = re.compile(r"[a-z][a-z-]{0,31}(?=[:/])")


def row_key(key: str) -> str:
    """A RowKey for ``key``: ``<kind>-<sha256 hex>``, safe for Table storage and for logs."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    kind = _KIND.match(key)
    return f"{kind.group(0)}-{digest}" if kind else digest
