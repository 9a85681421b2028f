"""SharePoint webhook notifications: checked, and turned into queue messages for the worker.

A notification says only that a list changed ([HOOKS]): its subscription, the list (resource),
the site and the shared ``clientState``. The queue message keeps the ids (for correlation) and
drops the client state (a secret).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

MAX_BODY_BYTES = 256 * 1024  # SharePoint batches notifications; a few KB each at most
MAX_NOTIFICATIONS = 100
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII | re.IGNORECASE)


class MalformedNotification(ValueError):
    """The body is not a SharePoint notification; the text names the problem, not the content."""


class BodyTooLarge(MalformedNotification):
    """The body is larger than any batch of SharePoint notifications."""


def is_guid(value: object) -> bool:
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


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
    unknown: int = 0  # a subscription this service did not create, or on another list


def check_notifications(
    body: bytes,
    expected_client_state: str,
    ours: Callable[[], Mapping[str, str]] | None = None,
) -> CheckedNotifications:
    """Parse the POSTed body and keep the notifications whose clientState matches (compared in
    constant time) and, when ``ours`` is given, whose subscription is one the service created
    (``ours()``: subscription id -> the list id it watches; read only once a notification has
    the right clientState, so a stranger's body costs no storage read). Raises :class:`MalformedNotification` for
    anything that is not a SharePoint notification: not JSON, nested past any real one, ids that
    are not GUIDs."""
    if not body:
        raise MalformedNotification("the body is empty")
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedNotification("the body is not JSON") from error
    except RecursionError as error:  # e.g. 100 000 '[': the parser gives up at the recursion limit
        raise MalformedNotification("the body is nested too deeply to be a notification") from error
    values = data.get("value") if isinstance(data, dict) else None
    if not isinstance(values, list) or not values:
        raise MalformedNotification("the body has no 'value' list of notifications")
    if len(values) > MAX_NOTIFICATIONS:
        raise MalformedNotification(f"the body has over {MAX_NOTIFICATIONS} notifications")
    for value in values:
        if not isinstance(value, dict) or not isinstance(value.get("subscriptionId"), str):
            raise MalformedNotification("a notification has no subscriptionId")
        if not is_guid(value["subscriptionId"]):
            raise MalformedNotification("a notification's subscriptionId is not a GUID")
        if not is_guid(value.get("resource")):
            raise MalformedNotification("a notification's resource is not a list id (a GUID)")
        for name in ("siteUrl", "webId", "tenantId"):
            if not isinstance(value.get(name, ""), str):
                raise MalformedNotification(f"a notification's {name} is not text")
    accepted: list[Notification] = []
    refused = unknown = 0
    expected = expected_client_state.encode("utf-8")
    known: dict[str, str] | None = None
    for value in values:
        given = value.get("clientState")
        given_bytes = given.encode("utf-8") if isinstance(given, str) else b""
        if not expected or not hmac.compare_digest(given_bytes, expected):
            refused += 1
            continue
        subscription_id, resource = value["subscriptionId"].lower(), value["resource"].lower()
        if ours is not None and known is None:
            known = {k.lower(): v.lower() for k, v in ours().items()}
        if known is not None and known.get(subscription_id) != resource:
            unknown += 1
            continue
        accepted.append(
            Notification(
                subscription_id=subscription_id,
                resource=resource,
                site_url=str(value.get("siteUrl") or ""),
                web_id=str(value.get("webId") or ""),
                tenant_id=str(value.get("tenantId") or ""),
            )
        )
    return CheckedNotifications(accepted, refused, unknown)
