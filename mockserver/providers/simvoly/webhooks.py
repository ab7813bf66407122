"""Webhook subscriptions (`rh_` ids) and their deliveries.

The vendor's signing scheme is not public; the emulator's is documented in the spec:
`X-Simvoly-Signature: sha256=<lowercase hex HMAC-SHA256 of the raw body, keyed with the
webhook's secret>` (no header when the webhook has no secret), with `X-Simvoly-Event`,
`X-Simvoly-Webhook-Id` and `X-Simvoly-Delivery-Id` (the same on every retry)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.provider import Event
from mockserver.engine.store import Tenant
from mockserver.engine.webhooks import Outgoing
from mockserver.providers.base import header, hmac_sha256_hex, same_digest
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.records import WEBHOOKS, bad

RETRY_SCHEDULE = (60.0, 300.0, 1800.0, 7200.0, 43200.0)


def list_webhooks(call: Call) -> Reply:
    return Reply(200, [records.webhook(row) for row in call.tenant.table(WEBHOOKS).rows()])


def create_webhook(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    target = body["target"].strip()
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad("The target must be an http or https URL.", "target")
    events = list(dict.fromkeys(body["events"]))
    key = tenant.next_id("webhook")
    while True:
        webhook_id = f"rh_{call.random.bits(36) % 10**11:011d}"
        if tenant.table(WEBHOOKS).find("id", webhook_id) is None:
            break
    row = tenant.table(WEBHOOKS).insert(
        key, {"key": key, "id": webhook_id, "target": target, "secret": body.get("secret") or None, "events": events}
    )
    return Reply(201, records.webhook(row))


def delete_webhook(call: Call) -> Reply:
    table = call.tenant.table(WEBHOOKS)
    row = records.found(table.find("id", call.params["id"]), "Webhook")
    table.delete(row["key"])
    call.unsubscribe(row["id"])
    return Reply(200, {"success": True})


def deliveries(tenant: Tenant, event: Event, services: Services) -> list[Outgoing]:
    body = json.dumps(event.payload, separators=(",", ":")).encode("utf-8")
    messages = []
    for row in tenant.table(WEBHOOKS).rows():
        if event.name not in row["events"]:
            continue
        delivery_id = services.random.uuid4()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Simvoly-Webhooks/1.0",
            "X-Simvoly-Event": event.name,
            "X-Simvoly-Webhook-Id": row["id"],
            "X-Simvoly-Delivery-Id": delivery_id,
        }
        if row["secret"]:
            headers["X-Simvoly-Signature"] = "sha256=" + hmac_sha256_hex(row["secret"], body)
        messages.append(Outgoing(row["target"], body, headers, event.name, row["id"], delivery_id))
    return messages


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """X-Simvoly-Signature is `sha256=` and the hex HMAC-SHA256 of the raw body."""
    given = header(headers, "X-Simvoly-Signature") or ""
    scheme, _, digest = given.partition("=")
    return scheme == "sha256" and same_digest(hmac_sha256_hex(secret, body), digest)
