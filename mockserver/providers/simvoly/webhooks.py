"""Webhook subscriptions (`rh_` ids) and their deliveries.

Deliveries carry the headers a public Simvoly integration verifies real ones by:
`X-Webhook-Topic` (the event name, `order_created`...), `X-Webhook-Source` (the website's
domain: its own domain when it has one, else its `<subdomain>.simvoly.com`; the receiver
finds the account by it) and `X-Webhook-Signature`, the lowercase hex HMAC-SHA512 of the raw
body keyed with the webhook's secret, no prefix. A webhook without a secret gets no
signature header (nothing says what the vendor signs with then; a receiver that checks
refuses such a delivery). `X-Webhook-Id` names the delivery, the same on every retry of it,
so that a receiver can drop a repeat."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.provider import Event
from mockserver.engine.store import Tenant
from mockserver.providers.base import header, same_digest
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
    source = site_domain(tenant)
    messages = []
    for row in tenant.table(WEBHOOKS).rows():
        if event.name not in row["events"]:
            continue
        delivery_id = services.random.uuid4()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Simvoly-Webhooks/1.0",
            "X-Webhook-Topic": event.name,
            "X-Webhook-Source": source,
            "X-Webhook-Id": delivery_id,
        }
        if row["secret"]:
            headers["X-Webhook-Signature"] = hmac_sha512_hex(row["secret"], body)
        messages.append(Outgoing(row["target"], body, headers, event.name, row["id"], delivery_id))
    return messages


def site_domain(tenant: Tenant) -> str:
    """The website's domain: the one it is published on (its own, when connected), else
    its `<subdomain>.simvoly.com`."""
    website = records.website(tenant)
    return str(website.get("domain") or website["systemDomain"])


def hmac_sha512_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha512).hexdigest()


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """X-Webhook-Signature is the lowercase hex HMAC-SHA512 of the raw body, keyed with the
    secret (no prefix)."""
    return same_digest(hmac_sha512_hex(secret, body), header(headers, "X-Webhook-Signature"))
