"""Simvoly webhooks for real: each of the seven events reaches subscribed targets with the
body the vendor's reference shows, with the headers a public integration verifies real
deliveries by: X-Webhook-Topic, X-Webhook-Source (the site's domain) and
X-Webhook-Signature (hex HMAC-SHA512 of the raw body, keyed with the subscription's secret),
and X-Webhook-Id, the same on every retry of one delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from mockserver.contract.profiles import profile_named
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
    return message.headers["X-Webhook-Topic"]


def sha512_hex(secret: str, body: bytes) -> str:
    """The signature as a receiver computes it, from the integration's rule alone."""
    return hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()


def test_contact_updated_is_signed_with_the_secret(simvoly: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(simvoly, webhook_receiver.url, ["contact_updated"])
    contact = simvoly.post("/api/site/contacts", json={"email": "ada@example.com", "name": "Ada"}).json()
    (message,) = webhook_receiver.wait(1)
    assert verify_signature("simvoly", "s3cret", message.headers, message.body)
    assert message.headers["Content-Type"] == "application/json"
    assert event_of(message) == "contact_updated"
    assert message.json == contact


def test_a_delivery_carries_the_topic_the_site_and_an_hmac_sha512_signature(
    simvoly: ApiSession, account: Account, webhook_receiver: WebhookReceiver
) -> None:
    website = account.describe()["settings"]["website"]
    assert website["domain"] is None  # a new website has only its simvoly.com address
    subscribe(simvoly, webhook_receiver.url, ["contact_updated"], secret="k3y-of-the-hook")
    simvoly.post("/api/site/contacts", json={"email": "ada@example.com", "name": "Ada"})
    (message,) = webhook_receiver.wait(1)
    assert message.headers["X-Webhook-Topic"] == "contact_updated"
    assert message.headers["X-Webhook-Source"] == website["systemDomain"]
    assert website["systemDomain"].endswith(".simvoly.com")
    signature = message.headers["X-Webhook-Signature"]
    assert signature == sha512_hex("k3y-of-the-hook", message.body)  # bare lowercase hex, no "sha512="
    assert len(signature) == 128
    assert [name for name in message.headers if name.lower().startswith("x-simvoly-")] == []


def test_the_source_is_the_sites_own_domain_when_it_has_one(
    simvoly_demo: ApiSession, simvoly_demo_account: Account, webhook_receiver: WebhookReceiver
) -> None:
    assert simvoly_demo_account.describe()["settings"]["website"]["domain"] == "www.demo-store.example"
    subscribe(simvoly_demo, webhook_receiver.url, ["contact_updated"])
    simvoly_demo.post("/api/site/contacts", json={"email": "new.buyer@example.com"})
    (message,) = webhook_receiver.wait(1)
    assert message.headers["X-Webhook-Source"] == "www.demo-store.example"
    assert message.headers["X-Webhook-Signature"] == sha512_hex("s3cret", message.body)


def test_without_a_secret_there_is_no_signature(simvoly: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(simvoly, webhook_receiver.url, ["contact_updated"], secret=None)
    simvoly.post("/api/site/contacts", json={"email": "bo@example.com"})
    (message,) = webhook_receiver.wait(1)
    assert "X-Webhook-Signature" not in message.headers
    assert message.headers["X-Webhook-Topic"] == "contact_updated"
    assert message.headers["X-Webhook-Id"]
    assert not verify_signature("simvoly", "", message.headers, message.body)


def test_the_id_is_kept_by_a_retry_and_new_for_the_next_delivery(simvoly: ApiSession, account: Account) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500, times=1)
        subscribe(simvoly, failing.url, ["contact_updated"])
        simvoly.post("/api/site/contacts", json={"email": "first@example.com"})
        first, retry = failing.wait(2)
        simvoly.post("/api/site/contacts", json={"email": "second@example.com"})
        messages = failing.wait(3)
        assert account.wait_for_idle(timeout=5)
    assert [m.json["email"] for m in messages] == ["first@example.com", "first@example.com", "second@example.com"]
    assert retry.headers["X-Webhook-Id"] == first.headers["X-Webhook-Id"]
    assert retry.headers["X-Webhook-Signature"] == first.headers["X-Webhook-Signature"] == sha512_hex("s3cret", first.body)
    next_id = messages[2].headers["X-Webhook-Id"]
    assert next_id != first.headers["X-Webhook-Id"]
    attempts = sorted((d.message_id == next_id, d.attempt, d.ok) for d in account.deliveries())
    assert attempts == [(False, 1, False), (False, 2, True), (True, 1, True)]
    assert {d.message_id for d in account.deliveries()} == {first.headers["X-Webhook-Id"], next_id}


BODY = b'{"id":1,"email":"ada@example.com"}'


def test_verify_signature_accepts_the_hmac_sha512_and_nothing_else() -> None:
    true = sha512_hex("s3cret", BODY)
    assert verify_signature("simvoly", "s3cret", {"X-Webhook-Signature": true}, BODY)
    assert verify_signature("simvoly", "s3cret", {"x-webhook-signature": true}, BODY)  # any case of the name
    refused = [
        {"X-Webhook-Signature": sha512_hex("another", BODY)},  # another secret
        {"X-Webhook-Signature": sha512_hex("s3cret", BODY + b" ")},  # another body
        {"X-Webhook-Signature": true[:-1] + ("0" if true[-1] != "0" else "1")},  # one digit off
        {"X-Webhook-Signature": hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()},  # HMAC-SHA256
        {"X-Webhook-Signature": "sha512=" + true},  # a prefix
        {"X-Simvoly-Signature": "sha256=" + hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()},  # the old scheme
        {"X-Simvoly-Signature": true},  # another header
        {},  # none
    ]
    for headers in refused:
        assert not verify_signature("simvoly", "s3cret", headers, BODY), headers


def test_the_contract_profile_checks_the_same_signature() -> None:
    profile = profile_named("simvoly")
    assert profile.signature_header == "X-Webhook-Signature"
    check = profile.signature_check
    assert check is not None
    assert check(BODY, {"X-Webhook-Signature": sha512_hex("s3cret", BODY)}, "s3cret")
    assert not check(BODY, {"X-Webhook-Signature": sha512_hex("another", BODY)}, "s3cret")
    assert not check(BODY, {"X-Webhook-Signature": hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()}, "s3cret")
    assert not check(BODY, {}, "s3cret")


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
        assert first.headers["X-Webhook-Id"] == second.headers["X-Webhook-Id"]
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


def test_deleting_a_webhook_stops_its_pending_retries(simvoly: ApiSession, account: Account) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500)
        hook = subscribe(simvoly, failing.url, ["contact_updated"])
        simvoly.post("/api/site/contacts", json={"email": "retry@example.com"})
        assert len(failing.wait(1)) == 1
        assert simvoly.delete(f"/api/site/webhooks/{hook['id']}").json() == {"success": True}
        count = len(failing.requests)
        # Idle at once: the retries were dropped (left queued, they would keep it busy for
        # most of a minute even at the tests' time scale).
        assert account.wait_for_idle(timeout=5)
        assert len(failing.requests) - count <= 1  # at most one attempt that was already on its way
