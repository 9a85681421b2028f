"""Keeping a SharePoint webhook on each watched list: create the missing ones, renew the ones
about to expire.

A subscription lasts at most 180 days. The renewal timer runs only on working days, so a
subscription is renewed when it would expire before five days after the next working day:
however long the bank-holiday break, the next run still finds it alive.

The client library cannot send ``clientState`` (the shared secret the webhook checks), so the
SharePoint adapter sends these requests itself (``subscribe``, ``subscriptions``,
``renew_subscription``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.core.working_days import WorkingDayCalendar
from shared.lists.port import ListStore, ListStoreError

RENEW_WITHIN = dt.timedelta(days=5)
LIFETIME_DAYS = 90  # well inside SharePoint's 180-day limit


@dataclass
class RenewalResult:
    created: list[str] = field(default_factory=list)  # subscription ids
    renewed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def keep_subscriptions(
    store: ListStore,
    lists: Iterable[str],
    notification_url: str,
    client_state: str,
    calendar: WorkingDayCalendar,
    now: dt.datetime,
) -> RenewalResult:
    from shared.lists.sharepoint_store import SharePointListStore

    if not isinstance(store, SharePointListStore):
        raise ListStoreError("Webhooks need a SharePoint site: set AUDITDESK_SP_SITE_URL.")
    next_working_day = calendar.next_working_day_on_or_after(now.date() + dt.timedelta(days=1))
    renew_before = dt.datetime.combine(next_working_day, dt.time(), dt.UTC) + RENEW_WITHIN
    result = RenewalResult()
    for list_name in lists:
        ours = [s for s in store.subscriptions(list_name) if s.get("notificationUrl") == notification_url]
        if not ours:
            result.created.append(store.subscribe(list_name, notification_url, client_state, LIFETIME_DAYS))
            continue
        for subscription in ours:
            expiry = _parse_time(str(subscription["expirationDateTime"]))
            if expiry < renew_before:
                store.renew_subscription(
                    list_name, str(subscription["id"]), now + dt.timedelta(days=LIFETIME_DAYS)
                )
                result.renewed.append(str(subscription["id"]))
            else:
                result.kept.append(str(subscription["id"]))
    return result


def _parse_time(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
