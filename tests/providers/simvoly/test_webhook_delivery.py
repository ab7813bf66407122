"""Simvoly webhooks for real: each of the seven events reaches subscribed targets with the
body the vendor's reference shows, signed with the subscription's secret."""

from __future__ import annotations

import json
import time
from typing import Any

from mockserver.testing import Account, ApiSession, Emulator, ReceivedWebhook, WebhookReceiver, verify_signature
from tests.providers.simvoly.helpers import EVENTS
from tests.support import created, trigger_response


def subscribe(client: ApiSession, target: str, events: list[str], secret: str | None = "s3cret") -> dict[str, Any]:
    body: dict[str, Any] = {"target": target, "events": events}
    if secret is not None:
        body["secret"] = secret
    return created(client.post("/api/site/webhooks", json=body))


def admin(account: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return created(trigger_response(account, path, **body))


def event_of(message: ReceivedWebhook) -> str:
    return message.headers["X-Simvoly-Event"]


def test_contact_updated_is_signed_with_the_secret(simvoly: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    hook = subscribe(simvoly, webhook_receiver.url, ["contact_updated"])
    contact = simvoly.post("/api/site/contacts", json={"email": "ada@example.com", "name": "Ada"}).json()
    (message,) = webhook_receiver.wait(1)
    assert verify_signature("simvoly", "s3cret", message.headers, message.body)
    assert message.headers["X-Simvoly-Webhook-Id"] == hook["id"]
    assert message.headers["Content-Type"] == "application/json"
    assert event_of(message) == "contact_updated"
    assert message.json == contact


def test_without_a_secret_there_is_no_signature(simvoly: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(simvoly, webhook_receiver.url, ["contact_updated"], secret=None)
    simvoly.post("/api/site/contacts", json={"email": "bo@example.com"})
    (message,) = webhook_receiver.wait(1)
    assert "X-Simvoly-Signature" not in message.headers


def test_every_event_fires_with_the_documented_body(
    mockserver: Emulator, simvoly: ApiSession, account: Account, webhook_receiver: WebhookReceiver
) -> None:
    subscribe(simvoly, webhook_receiver.url, EVENTS)
    product = simvoly.post("/api/site/products", json={"type": "digital", "title": "E-book", "variants": [{"price": 9.5}]}).json()
    simvoly.put(f"/api/site/products/{product['id']}", json={"type": "digital", "title": "E-book 2nd edition"})
    order = admin(
        account,
        "orders",
        {"customerEmail": "buyer@example.com", "items": [{"productId": product["id"], "quantity": 2}]},
    )
    simvoly.put(f"/api/site/orders/{order['id']}", json={"status": "COMPLETED"})
    admin(
        account,
        "form-submissions",
        {"formName": "Newsletter", "fields": [{"name": "Email", "value": "fan@example.com"}]},
    )
    admin(account, "bookings", {"name": "Cy", "email": "cy@example.com", "start": int(time.time()) + 86400})

    assert account.wait_for_idle()
    by_event: dict[str, list[dict[str, Any]]] = {}
    for message in webhook_receiver.requests:
        by_event.setdefault(event_of(message), []).append(message.json)
    assert set(by_event) == set(EVENTS)
    assert by_event["product_created"][0]["title"] == "E-book"
    assert by_event["product_updated"][0]["title"] == "E-book 2nd edition"
    assert by_event["order_created"][0]["total"] == 19.0
    assert by_event["order_updated"][0]["status"] == "completed"
    submitted = by_event["form_submitted"][0]
    assert submitted["formName"] == "Newsletter"
    assert submitted["contact"]["email"] == "fan@example.com"
    assert submitted["formValues"] == [{"field": "Email", "value": "fan@example.com"}]
    assert set(submitted["website"]) == {"id", "subdomain", "systemDomain", "domain"}
    assert by_event["booking_created"][0]["email"] == "cy@example.com"
    assert {c["email"] for c in by_event["contact_updated"]} >= {"buyer@example.com", "fan@example.com", "cy@example.com"}

    validators = mockserver.engine.specs["simvoly"].webhooks
    for event, bodies in by_event.items():
        validator = validators[event]
        assert validator is not None
        for body in bodies:
            assert [e.message for e in validator.iter_errors(body)] == [], event


def test_only_subscribed_events_are_sent(simvoly: ApiSession, webhook_receiver: WebhookReceiver, account: Account) -> None:
    subscribe(simvoly, webhook_receiver.url, ["product_created"])
    simvoly.post("/api/site/contacts", json={"email": "quiet@example.com"})
    simvoly.post("/api/site/products", json={"type": "service", "title": "Consulting"})
    (message,) = webhook_receiver.wait(1)
    assert event_of(message) == "product_created"
    assert account.wait_for_idle()
    assert len(webhook_receiver.requests) == 1


def test_failed_delivery_is_retried_with_the_same_delivery_id(
    mockserver: Emulator, simvoly: ApiSession, account: Account
) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500, times=1)
        subscribe(simvoly, failing.url, ["contact_updated"])
        simvoly.post("/api/site/contacts", json={"email": "retry@example.com"})
        first, second = failing.wait(2)
        assert first.headers["X-Simvoly-Delivery-Id"] == second.headers["X-Simvoly-Delivery-Id"]
        assert first.body == second.body
        assert account.wait_for_idle(timeout=5)
        assert [(d.attempt, d.ok) for d in account.deliveries()] == [(1, False), (2, True)]
        # Delivery has no nextAttemptInSeconds: read it from the admin API.
        attempts = mockserver.admin("GET", "webhooks/attempts", params={"provider": "simvoly", "apiKey": account.api_key})[
            "items"
        ]
        assert attempts[0]["nextAttemptInSeconds"] == 60 * 0.001


def test_deleted_webhook_gets_nothing(simvoly: ApiSession, webhook_receiver: WebhookReceiver, account: Account) -> None:
    hook = subscribe(simvoly, webhook_receiver.url, ["contact_updated"])
    assert simvoly.delete(f"/api/site/webhooks/{hook['id']}").json() == {"success": True}
    simvoly.post("/api/site/contacts", json={"email": "gone@example.com"})
    assert account.wait_for_idle()
    assert webhook_receiver.requests == []


def test_a_refused_request_fires_nothing(simvoly: ApiSession, webhook_receiver: WebhookReceiver, account: Account) -> None:
    subscribe(simvoly, webhook_receiver.url, ["contact_updated"])
    response = simvoly.post("/api/site/contacts", json={"email": "x@example.com", "subscriberLists": [999]})
    assert response.status_code == 400
    assert json.loads(response.text)["success"] is False
    assert account.wait_for_idle()
    assert webhook_receiver.requests == []


def test_deleting_a_webhook_stops_its_pending_retries(simvoly: ApiSession) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500)
        hook = subscribe(simvoly, failing.url, ["contact_updated"])
        simvoly.post("/api/site/contacts", json={"email": "retry@example.com"})
        assert len(failing.wait(1)) == 1
        assert simvoly.delete(f"/api/site/webhooks/{hook['id']}").json() == {"success": True}
        count = len(failing.requests)
        time.sleep(2.5)  # without the deletion, three or more retries come in this time
        assert len(failing.requests) - count <= 1  # at most one attempt that was already on its way
