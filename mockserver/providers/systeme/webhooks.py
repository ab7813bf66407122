"""Webhook subscriptions (API) and their deliveries: signed exactly as the real service does.

Delivery headers: X-Webhook-Event, X-Webhook-Schema-Version, X-Webhook-Message-Id (a
UUIDv7, the same on every retry), X-Webhook-Subscription-Id, X-Webhook-Event-Timestamp,
X-Webhook-Signature (lowercase hex HMAC-SHA256 of the raw body, keyed with the webhook's
secret), and per attempt X-Webhook-Delivery-Attempt-Id / -Timestamp.
The body is compact JSON with `/` and non-ASCII escaped, as PHP's json_encode writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.errors import Violation
from mockserver.engine.provider import Event
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import found, header, held_by_another, hmac_sha256_hex, same_digest
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, USED, refuse, violation
from mockserver.providers.systeme.records import WEBHOOKS

EVENTS = ("CONTACT_CREATED", "CONTACT_TAG_ADDED", "CONTACT_TAG_REMOVED", "CONTACT_OPT_IN", "SALE_NEW", "SALE_CANCELED")
# Sale events are delivered in schema version 2 unless a client asks otherwise.
DEFAULT_SCHEMA_VERSION = {event: (2 if event.startswith("SALE_") else 1) for event in EVENTS}
# The emulator's retry schedule for a failed delivery (seconds before each retry).
RETRY_SCHEDULE = (60.0, 300.0, 1800.0, 7200.0, 21600.0)


def create_webhook(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    table = tenant.table(WEBHOOKS)
    problems = _text_problems(body, ("name", "url", "secret"))
    url = body["url"].strip()
    if not _is_http_url(url):
        problems.append(violation("url", "This value is not a valid URL.", "url"))
    if held_by_another(table, "name", body["name"].strip(), None):
        problems.append(violation("name", *USED))
    if held_by_another(table, "url", url, None):
        problems.append(violation("url", *USED))
    subscriptions, sub_problems = _subscriptions(call, body["subscriptions"], {})
    refuse(problems + sub_problems)
    webhook_id = call.random.uuid7(call.clock.time())
    row = table.insert(
        webhook_id,
        {
            "id": webhook_id,
            "name": body["name"].strip(),
            "url": url,
            "secret": body["secret"],
            "active": body.get("active", True),
            "subscriptions": subscriptions,
            "createdAt": call.clock.time(),
        },
    )
    return Reply(201, webhook(row))


def update_webhook(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    table = tenant.table(WEBHOOKS)
    row = records.require(table, call.params["id"])
    changes = {k: v for k, v in body.items() if v is not None and k in ("name", "secret", "active", "subscriptions")}
    problems = _text_problems(changes, tuple(k for k in ("name", "secret") if k in changes))
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if held_by_another(table, "name", changes["name"], row["id"]):
            problems.append(violation("name", *USED))
    if "subscriptions" in changes:
        existing = {s["event"]: s for s in row["subscriptions"]}
        changes["subscriptions"], sub_problems = _subscriptions(call, changes["subscriptions"], existing)
        problems += sub_problems
    refuse(problems)
    return Reply(200, webhook(table.replace(row["id"], {**row, **changes})))


def delete_webhook(call: Call) -> Reply:
    found(call.tenant.table(WEBHOOKS).delete(call.params["id"]))
    call.unsubscribe(call.params["id"])
    return Reply(204)


def webhook(row: Row) -> dict[str, Any]:
    return {**records.pick(row, "id", "name", "url", "active"), "subscriptions": [dict(s) for s in row["subscriptions"]]}


list_webhooks = records.READS.lister(WEBHOOKS, webhook)
get_webhook = records.READS.getter(WEBHOOKS, webhook)


def deliveries(tenant: Tenant, event: Event, services: Services) -> list[Outgoing]:
    """One signed message for each active webhook subscribed to the event."""
    messages: list[Outgoing] = []
    body: bytes | None = None  # encoded once, and only when someone is subscribed
    timestamp = records.stamp(event.at)
    for row in tenant.table(WEBHOOKS).rows():
        if not row["active"]:
            continue
        for sub in row["subscriptions"]:
            if sub["event"] != event.name or sub["disabledAt"] is not None:
                continue
            if body is None:
                body = php_json(event.payload)
            message_id = services.random.uuid7(event.at)
            headers = {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": "SystemeIO-Webhook",
                "X-Webhook-Event": event.name,
                "X-Webhook-Schema-Version": str(sub["schemaVersion"]),
                "X-Webhook-Message-Id": message_id,
                "X-Webhook-Subscription-Id": sub["id"],
                "X-Webhook-Event-Timestamp": timestamp,
                "X-Webhook-Signature": hmac_sha256_hex(row["secret"], body),
            }
            per_attempt = partial(attempt_headers, services, body, {})
            messages.append(Outgoing(row["url"], body, headers, event.name, row["id"], message_id, per_attempt, signing={}))
    return messages


# Made once: json.dumps with options builds an encoder on every call (one per event here).
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)


def php_json(payload: Any) -> bytes:
    """Compact JSON with `\\/` and `\\uXXXX` escapes, as the real sender's json_encode."""
    return _COMPACT.encode(payload).replace("/", "\\/").encode("ascii")


def attempt_headers(services: Services, _body: bytes, _signing: Mapping[str, Any], _attempt: int) -> Mapping[str, str]:
    """What changes with each attempt of a delivery: its own id and time."""
    return {
        "X-Webhook-Delivery-Attempt-Id": services.random.uuid7(services.clock.time()),
        "X-Webhook-Delivery-Attempt-Timestamp": records.stamp(services.clock.time()),
    }


def _subscriptions(call: Call, requested: list[Any], existing: Mapping[str, Row]) -> tuple[list[dict[str, Any]], list[Violation]]:
    """Normalise event names or {event, schemaVersion} objects; keep ids of events kept."""
    found: list[dict[str, Any]] = []
    problems: list[Violation] = []
    for item in requested:
        event = item if isinstance(item, str) else item["event"]
        version = (
            DEFAULT_SCHEMA_VERSION[event] if isinstance(item, str) else item.get("schemaVersion", DEFAULT_SCHEMA_VERSION[event])
        )
        if any(s["event"] == event for s in found):
            problems.append(violation("subscriptions", "This collection should contain only unique elements.", "uniqueItems"))
            break
        kept = existing.get(event)
        found.append(
            {
                "id": kept["id"] if kept else call.random.uuid7(call.clock.time()),
                "event": event,
                "schemaVersion": version,
                "disabledAt": None,
                "disabledReason": None,
            }
        )
    return found, problems


def _text_problems(body: Mapping[str, Any], names: tuple[str, ...]) -> list[Violation]:
    return [violation(name, *BLANK) for name in names if not str(body[name]).strip()]


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """X-Webhook-Signature is the hex HMAC-SHA256 of the raw body, keyed with the secret."""
    return same_digest(hmac_sha256_hex(secret, body), header(headers, "X-Webhook-Signature"))
