"""Where a person finds the thing an email or a command line row is about."""

from __future__ import annotations

import logging

from shared.core.list_titles import SUBMISSIONS
from shared.services.ports.lists import ListStoreError, Query, where
from shared.services.workflow.dependencies import Services

log = logging.getLogger(__name__)


def item_link(services: Services, list_name: str, item_id: int, file_name: str = "") -> str:
    """The item's web address on SharePoint, or its file path on the embedded store ('' if unknown)."""
    try:
        return services.store.item_url(list_name, item_id, file_name)
    except ListStoreError:
        return ""


def latest_submission_link(services: Services, allocation_id: int) -> str:
    """The latest file returned for an allocation, in the Audit Submissions library."""
    query = Query(SUBMISSIONS, (where("allocation", "eq", allocation_id),), page_size=100)
    try:
        items = list(services.store.query_all(query))
    except ListStoreError:
        return ""
    if not items:
        return ""
    latest = max(items, key=lambda i: i.id)
    return item_link(services, SUBMISSIONS, latest.id, str(latest.fields.get("FileLeafRef") or ""))
