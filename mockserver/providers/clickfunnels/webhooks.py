"""Outgoing webhook endpoints (API) and their deliveries.

Each delivery is the event envelope, signed per attempt as ClickFunnels signs:
`X-Webhook-ClickFunnels-Timestamp` (unix seconds) and `X-Webhook-ClickFunnels-Signature`,
the lowercase hex HMAC-SHA256 of `<timestamp>.<raw body>` keyed with the endpoint's
`webhook_secret` (returned once, when the endpoint is created).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.delivering import Outgoing
from mockserver.engine.provider import Event
from mockserver.engine.store import Tenant
from mockserver.providers.base import header, hmac_sha256_hex, same_digest
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import ENDPOINTS, invalid

RETRY_SCHEDULE = (1.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 43200.0, 86400.0)
# Event types an endpoint may subscribe to (those the emulator fires, and the vendor's others).
EVENT_TYPES = frozenset(
    [
        "contact.created",
        "contact.updated",
        "contact.deleted",
        "contact.identified",
        "contact.unsubscribed",
        "contact/applied_tag.created",
        "contact/applied_tag.deleted",
        "product.created",
        "product.updated",
        "order.created",
        "order.updated",
        "order.deleted",
        "order.completed",
        "one-time-order.completed",
        "one_time_order.refunded",
        "subscription.activated",
        "subscription.canceled",
        "subscription.churned",
        "fulfillment.created",
        "fulfillment.updated",
        "course.created",
        "course.updated",
        "course.deleted",
        "course.published",
        "courses/enrollment.created",
        "courses/enrollment.updated",
        "courses/enrollment.deleted",
        "courses/enrollment.suspended",
        "courses/enrollment.course_completed",
        "courses/section.created",
        "courses/section.updated",
        "courses/section.deleted",
        "courses/section.published",
        "courses/lesson.created",
        "courses/lesson.updated",
        "courses/lesson.deleted",
        "courses/lesson.published",
        "form_submission.created",
        "orders/invoice.created",
        "orders/invoice.updated",
        "orders/invoice.refunded",
        "one-time-order.invoice.paid",
        "subscription/invoice.paid",
        "renewal-invoice-payment-declined",
        "orders/transaction.created",
        "orders/transaction.updated",
        "subscription.reactivated",
        "subscription.downgraded",
        "subscription.upgraded",
        "subscription.modified",
        "subscription.completed",
        "subscription.first_payment_received",
        "appointments/scheduled_event.created",
        "appointments/scheduled_event.canceled",
        "appointments/scheduled_event.rescheduled",
    ]
)
# 2xx statuses that acknowledge a delivery; anything else is retried.
ACKNOWLEDGED = frozenset({200, 201, 202, 203, 204, 205, 206, 207, 226})


def create_endpoint(call: Call) -> Reply:
    space = records.workspace(call)
    attributes = call.body["webhooks_outgoing_endpoint"]
    values = _checked(attributes)
    for name in ("url", "name", "event_type_ids"):
        if name not in values:
            raise invalid(name, "can't be blank")
    secret = call.random.token(32)
    row = records.create(call, ENDPOINTS, workspace_id=space["id"], secret=secret, **values)
    return Reply(201, {**records.endpoint(row), "webhook_secret": secret})


def update_endpoint(call: Call) -> Reply:
    row = records.addressed(call, ENDPOINTS)
    row = records.touch(call, call.tenant.table(ENDPOINTS), row, **_checked(call.body["webhooks_outgoing_endpoint"]))
    return Reply(200, records.endpoint(row))


def delete_endpoint(call: Call) -> Reply:
    row = records.addressed(call, ENDPOINTS)
    call.tenant.table(ENDPOINTS).delete(row["id"])
    call.unsubscribe(row["id"])
    return Reply(204)


def _checked(attributes: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "url" in attributes:
        parts = urlsplit(str(attributes["url"]))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise invalid("url", "is invalid")
        values["url"] = attributes["url"]
    if "name" in attributes:
        values["name"] = records.filled("name", attributes["name"])
    if "event_type_ids" in attributes:
        event_types = list(dict.fromkeys(attributes["event_type_ids"]))
        if not event_types:
            raise invalid("event_type_ids", "can't be blank")
        unknown = [e for e in event_types if e not in EVENT_TYPES]
        if unknown:
            raise invalid("event_type_ids", f"contains unknown event types: {', '.join(unknown)}")
        values["event_type_ids"] = event_types
    return values


def deliveries(tenant: Tenant, event: Event, services: Services) -> list[Outgoing]:
    """One message per endpoint of the event's workspace subscribed to its type."""
    workspace_id = event.meta["workspace_id"]
    envelope = {
        "data": event.payload,
        # The webhook event kept for it (see records.announce) has this uuid.
        "event_id": event.meta.get("event_id") or services.random.uuid4(),
        "event_type": event.name,
        "subject_id": event.meta["subject_id"],
        "subject_type": event.meta["subject_type"],
        "workspace_id": workspace_id,
        "api_version": 2,
        "created_at": records.stamp(event.at),
        "page": event.meta.get("page"),
        "funnel": event.meta.get("funnel"),
    }
    body = json.dumps(envelope, separators=(",", ":")).encode("utf-8")
    messages = []
    for row in tenant.table(ENDPOINTS).rows():
        if row["workspace_id"] == workspace_id and event.name in row["event_type_ids"]:
            messages.append(
                Outgoing(
                    row["url"],
                    body,
                    {"Content-Type": "application/json", "User-Agent": "ClickFunnels-Webhooks"},
                    event.name,
                    str(row["id"]),
                    envelope["event_id"],
                    partial(attempt_headers, services, body, {"secret": row["secret"]}),
                    ACKNOWLEDGED,
                    signing={"secret": row["secret"]},
                )
            )
    return messages


def attempt_headers(services: Services, body: bytes, signing: Mapping[str, Any], _attempt: int) -> Mapping[str, str]:
    """Headers for one attempt: each is signed afresh (with the endpoint's secret), so its
    timestamp is current."""
    timestamp = str(int(services.clock.time()))
    return {
        "X-Webhook-ClickFunnels-Timestamp": timestamp,
        "X-Webhook-ClickFunnels-Signature": hmac_sha256_hex(signing["secret"], timestamp.encode() + b"." + body),
    }


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """X-Webhook-ClickFunnels-Signature is the hex HMAC-SHA256 of `<timestamp>.<raw body>`,
    the timestamp being X-Webhook-ClickFunnels-Timestamp."""
    timestamp = header(headers, "X-Webhook-ClickFunnels-Timestamp")
    if timestamp is None:
        return False
    expected = hmac_sha256_hex(secret, timestamp.strip().encode() + b"." + body)
    return same_digest(expected, header(headers, "X-Webhook-ClickFunnels-Signature"))
