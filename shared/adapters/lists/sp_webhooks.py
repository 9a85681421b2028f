"""A SharePoint list's webhooks: registered, listed, renewed and removed through the list's
``subscriptions`` endpoint (the client library cannot send ``clientState``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from typing import Any

from shared.adapters.lists.sp_http import SharePointHttp, list_url
from shared.services.ports.list_definitions import ListDefinition
from shared.services.ports.lists import ListStoreError, ListWebhooks

JSON = "application/json"  # what the webhook docs send and read (no "d" wrapper)


class SharePointWebhooks(ListWebhooks):
    """The webhooks port (:class:`shared.services.ports.lists.ListWebhooks`) on one site."""

    def __init__(
        self, http: SharePointHttp, site_url: str, definition: Callable[[str], ListDefinition]
    ) -> None:
        self.site_url = site_url
        self._definition = definition  # the store's: it knows the lists defined now (doctor adds some)
        self._request = http.request

    def _list_url(self, title: str) -> str:
        return list_url(self.site_url, title)

    def subscribe(self, list_name: str, notification_url: str, client_state: str, days: int = 90) -> str:
        """Register a webhook (the client library cannot send ``clientState``). Returns its id."""
        definition = self._definition(list_name)
        if not 1 <= days <= 180:
            raise ListStoreError("A SharePoint webhook lasts 1 to 180 days.")
        list_id = self._request("GET", self._list_url(definition.title) + "?$select=Id").json()["d"]["Id"]
        expiry = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "resource": str(list_id),
            "notificationUrl": notification_url,
            "expirationDateTime": expiry,
            "clientState": client_state,
        }
        # The webhook docs send and read application/json: a verbose answer would be {"d": ...}.
        answer = self._request(
            "POST",
            self._list_url(definition.title) + "/subscriptions",
            data=_json_bytes(body),
            headers={"Content-Type": JSON, "Accept": JSON},
        )
        return str(_unwrap(answer.json())["id"])

    def subscriptions(self, list_name: str) -> list[dict[str, Any]]:
        """The list's webhooks as SharePoint describes them (id, notificationUrl, expirationDateTime)."""
        url = self._list_url(self._definition(list_name).title) + "/subscriptions"
        payload = self._request("GET", url, headers={"Accept": JSON}).json()
        # SharePoint answers {"value": [...]} to application/json and {"d": {"results": [...]}} to verbose.
        found = payload.get("value") if "value" in payload else payload.get("d", {}).get("results", [])
        return list(found or [])

    def renew_subscription(self, list_name: str, subscription_id: str, expires: dt.datetime) -> None:
        """Move a webhook's expiry (at most 180 days ahead), as SharePoint's PATCH does."""
        url = self._list_url(self._definition(list_name).title) + f"/subscriptions('{subscription_id}')"
        self._request(
            "PATCH",
            url,
            data=_json_bytes({"expirationDateTime": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}),
            headers={"Content-Type": JSON, "Accept": JSON},
        )

    def delete_subscription(self, list_name: str, subscription_id: str) -> None:
        """Remove a webhook (``DELETE .../subscriptions('id')``, 204)."""
        url = self._list_url(self._definition(list_name).title) + f"/subscriptions('{subscription_id}')"
        self._request("DELETE", url, headers={"Accept": JSON})


def _unwrap(payload: Any) -> Any:
    """A JSON answer's object whether SharePoint answered light JSON or verbose ({"d": ...})."""
    return payload["d"] if isinstance(payload, dict) and "d" in payload else payload


def _json_bytes(body: Mapping[str, Any]) -> bytes:

    return json.dumps(body).encode("utf-8")
