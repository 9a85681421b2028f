"""SharePoint webhook notifications: checked, and turned into queue messages for the worker.

A notification says only that a list changed ([HOOKS]): its subscription, the list (resource),
the site and the shared ``clientState``. The queue message keeps the ids (for correlation) and
drops the client state (a secret).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass

# App settings: the webhook's public URL, and the shared secret SharePoint echoes back in each
# notification (in Azure, a Key Vault reference).
WEBHOOK_URL_VARIABLE = "AUDITDESK_WEBHOOK_URL"
CLIENT_STATE_VARIABLE = "AUDITDESK_WEBHOOK_CLIENT_STATE"
MAX_BODY_BYTES = 256 * 1024  # SharePoint batches notifications; a few KB each at most
MAX_NOTIFICATIONS = 100


class MalformedNotification(ValueError):
    """The body is not a SharePoint notification; the text names the problem, not the content."""


@dataclass(frozen=True, slots=True)
class Notification:
    subscription_id: str
    resource: str
    site_url: str
    web_id: str
    tenant_id: str = ""

    def to_message(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_message(cls, body: bytes | str) -> Notification:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise MalformedNotification("the queue message is not JSON") from error
        if not isinstance(data, dict) or not isinstance(data.get("subscription_id"), str):
            raise MalformedNotification("the queue message has no subscription_id")
        try:
            return cls(**{k: str(data.get(k) or "") for k in cls.__dataclass_fields__})
        except TypeError as error:
            raise MalformedNotification("the queue message has unexpected fields") from error


@dataclass(frozen=True, slots=True)
class CheckedNotifications:
    accepted: list[Notification]
    refused: int  # wrong or missing clientState


def check_notifications(body: bytes, expected_client_state: str) -> CheckedNotifications:
    """Parse the POSTed body and keep the notifications whose clientState matches (compared in
    constant time). Raises :class:`MalformedNotification` for anything that is not one."""
    if not body:
        raise MalformedNotification("the body is empty")
    if len(body) > MAX_BODY_BYTES:
        raise MalformedNotification(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedNotification("the body is not JSON") from error
    values = data.get("value") if isinstance(data, dict) else None
    if not isinstance(values, list) or not values:
        raise MalformedNotification("the body has no 'value' list of notifications")
    if len(values) > MAX_NOTIFICATIONS:
        raise MalformedNotification(f"the body has over {MAX_NOTIFICATIONS} notifications")
    accepted: list[Notification] = []
    refused = 0
    expected = expected_client_state.encode("utf-8")
    for value in values:
        if not isinstance(value, dict) or not isinstance(value.get("subscriptionId"), str):
            raise MalformedNotification("a notification has no subscriptionId")
        given = value.get("clientState")
        given_bytes = given.encode("utf-8") if isinstance(given, str) else b""
        if not expected or not hmac.compare_digest(given_bytes, expected):
            refused += 1
            continue
        accepted.append(
            Notification(
                subscription_id=value["subscriptionId"],
                resource=str(value.get("resource") or ""),
                site_url=str(value.get("siteUrl") or ""),
                web_id=str(value.get("webId") or ""),
                tenant_id=str(value.get("tenantId") or ""),
            )
        )
    return CheckedNotifications(accepted, refused)
