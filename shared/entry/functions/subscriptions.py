"""Keeping a SharePoint webhook on each watched list: create the missing ones, renew the ones
about to expire.

A subscription lasts at most 180 days. The renewal timer runs only on working days, so a
subscription is renewed when it would expire before five days after the next working day:
however long the bank-holiday break, the next run still finds it alive.

The client library cannot send ``clientState`` (the shared secret the webhook checks), so the
SharePoint adapter sends these requests itself (``subscribe``, ``subscriptions``,
``renew_subscription``).

The ids of the subscriptions kept here, with the list each watches, are recorded in the state
store (:data:`OURS_KEY`) every time the timer runs; the webhook queues a notification only when
its subscription and list are among them, so a forged or stale subscription id never reaches
the queue or the logs. SharePoint keeps no record we could ask at notification time without a
round trip per request, and the clientState alone is one shared secret for every list.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shared.core.working_days import WorkingDayCalendar
from shared.services.ports.lists import ListStore, ListStoreError

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.services.ports.state import StateStore

# State key: JSON object, subscription id -> the id of the list it watches (both lower case).
OURS_KEY = "webhook-subscriptions"

RENEW_WITHIN = dt.timedelta(days=5)
LIFETIME_DAYS = 90  # well inside SharePoint's 180-day limit


@dataclass
class RenewalResult:
    created: list[str] = field(default_factory=list)  # subscription ids
    renewed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # Every subscription of ours after the run: id -> the list (resource) it watches.
    watching: dict[str, str] = field(default_factory=dict)


def keep_subscriptions(
    store: ListStore,
    lists: Iterable[str],
    notification_url: str,
    client_state: str,
    calendar: WorkingDayCalendar,
    now: dt.datetime,
) -> RenewalResult:
    webhooks = store.webhooks()
    if webhooks is None:
        raise ListStoreError("Webhooks need a SharePoint site: set AUDITDESK_SP_SITE_URL.")
    next_working_day = calendar.next_working_day_on_or_after(now.date() + dt.timedelta(days=1))
    renew_before = dt.datetime.combine(next_working_day, dt.time(), dt.UTC) + RENEW_WITHIN
    result = RenewalResult()
    for list_name in lists:
        ours = [s for s in webhooks.subscriptions(list_name) if s.get("notificationUrl") == notification_url]
        if not ours:
            created = webhooks.subscribe(list_name, notification_url, client_state, LIFETIME_DAYS)
            result.created.append(created)
            # The list id SharePoint will name as the resource, as it reports it.
            ours = [s for s in webhooks.subscriptions(list_name) if str(s.get("id")) == created]
            result.watching.update(_watching(ours))
            continue
        result.watching.update(_watching(ours))
        for subscription in ours:
            expiry = _parse_time(str(subscription["expirationDateTime"]))
            if expiry < renew_before:
                webhooks.renew_subscription(
                    list_name, str(subscription["id"]), now + dt.timedelta(days=LIFETIME_DAYS)
                )
                result.renewed.append(str(subscription["id"]))
            else:
                result.kept.append(str(subscription["id"]))
    return result


def record_subscriptions(state: StateStore, result: RenewalResult) -> None:
    state.put(OURS_KEY, json.dumps(result.watching, sort_keys=True))


def our_subscriptions(state: StateStore) -> dict[str, str]:
    """The subscriptions the timer last recorded (none before it first ran)."""
    recorded = state.get(OURS_KEY)
    if not recorded:
        return {}
    try:
        data = json.loads(recorded)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k).lower(): str(v).lower() for k, v in data.items()}


def read_our_subscriptions(settings: Settings) -> dict[str, str]:
    """:func:`our_subscriptions` from the state store the Functions app uses, opened for this
    one read (the webhook opens nothing else)."""
    from shared.adapters.state.sqlite_state import SqliteStateStore

    state: StateStore
    if settings.azure.tables_configured:
        from shared.adapters.azure.storage import table_client
        from shared.adapters.state.azure_state import AzureTableStateStore

        state = AzureTableStateStore(table_client(settings.azure, settings.azure.state_table))
    else:
        state = SqliteStateStore(settings.home / "state.sqlite3")
    try:
        return our_subscriptions(state)
    finally:
        state.close()


def _watching(subscriptions: Iterable[dict[str, object]]) -> dict[str, str]:
    return {str(s["id"]).lower(): str(s.get("resource") or "").lower() for s in subscriptions}


def _parse_time(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
