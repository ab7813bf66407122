"""Webhooks for real: every event reaches a live receiver, signed as Systeme.io signs."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import replace
from typing import Any

from tests.support import TEST_SETTINGS, ApiClient, RunningEmulator, WebhookReceiver, signature

SECRET = "s3cr3t-for-tests"


def subscribe(client: ApiClient, receiver: WebhookReceiver, events: list[Any], secret: str = SECRET) -> dict[str, Any]:
    response = client.post(
        "/api/webhooks",
        json={"name": f"hook-{uuid.uuid4().hex[:8]}", "url": receiver.url, "secret": secret, "subscriptions": events},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def admin(emulator: RunningEmulator, path: str, api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    response = emulator.admin("POST", f"systeme/{path}", json={"apiKey": api_key, **body})
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_contact_created_is_signed_and_identified(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    hook = subscribe(systeme, receiver, ["CONTACT_CREATED"])
    contact = systeme.post("/api/contacts", json={"email": "ada@gmail.com", "firstName": "Ada"}).json()

    (message,) = receiver.wait_for(1)
    headers = {k.lower(): v for k, v in message.headers.items()}
    assert headers["x-webhook-signature"] == signature(SECRET, message.body)
    assert headers["x-webhook-event"] == "CONTACT_CREATED"
    assert headers["x-webhook-schema-version"] == "1"
    assert uuid.UUID(headers["x-webhook-message-id"]).version == 7
    assert headers["x-webhook-subscription-id"] == hook["subscriptions"][0]["id"]
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "SystemeIO-Webhook"
    assert uuid.UUID(headers["x-webhook-delivery-attempt-id"])
    assert message.json() == {"contact": contact}


def test_body_is_escaped_as_php_json_encode_writes_it(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    """Receivers verify the signature over the raw bytes, so the exact encoding matters."""
    subscribe(systeme, receiver, ["CONTACT_CREATED"])
    systeme.post(
        "/api/contacts", json={"email": "zoe@gmail.com", "firstName": "Zoë", "fields": [{"slug": "city", "value": "a/b"}]}
    )
    (message,) = receiver.wait_for(1)
    assert b"Zo\\u00eb" in message.body
    assert b"a\\/b" in message.body
    assert b": " not in message.body
    assert message.json()["contact"]["fields"][0]["value"] == "Zoë"


def test_every_message_has_its_own_id(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    subscribe(systeme, receiver, ["CONTACT_CREATED", "CONTACT_TAG_ADDED"])
    tag = systeme.post("/api/tags", json={"name": "VIP"}).json()
    for number in range(3):
        systeme.post("/api/contacts", json={"email": f"p{number}@gmail.com", "tags": [{"id": tag["id"]}]})
    messages = receiver.wait_for(6)
    assert len(messages) == 6
    ids = [m.headers["X-Webhook-Message-Id"] for m in messages]
    assert len(set(ids)) == 6


def test_tag_added_and_removed_carry_contact_and_tag(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    subscribe(systeme, receiver, [{"event": "CONTACT_TAG_ADDED"}, {"event": "CONTACT_TAG_REMOVED", "schemaVersion": 1}])
    contact = systeme.post("/api/contacts", json={"email": "tom@gmail.com"}).json()
    tag = systeme.post("/api/tags", json={"name": "Buyer"}).json()
    assert systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204
    assert systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204
    assert systeme.delete(f"/api/contacts/{contact['id']}/tags/{tag['id']}").status_code == 204

    added, removed = receiver.wait_for(2)
    assert added.headers["X-Webhook-Event"] == "CONTACT_TAG_ADDED"
    assert added.json()["tag"] == {"id": tag["id"], "name": "Buyer"}
    assert added.json()["contact"]["tags"] == [{"id": tag["id"], "name": "Buyer"}]
    assert removed.headers["X-Webhook-Event"] == "CONTACT_TAG_REMOVED"
    assert removed.json()["contact"]["tags"] == []
    assert removed.json()["tag"]["id"] == tag["id"]
    assert len(receiver.wait_for(3, timeout=0.3)) == 2, "assigning a tag twice fires once"


def test_only_subscribed_events_and_active_webhooks_are_delivered(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    other = WebhookReceiver()
    try:
        subscribe(systeme, receiver, ["CONTACT_TAG_ADDED"])
        paused = subscribe(systeme, other, ["CONTACT_CREATED"])
        assert systeme.merge_patch(f"/api/webhooks/{paused['id']}", {"active": False}).status_code == 200
        systeme.post("/api/contacts", json={"email": "quiet@gmail.com"})
        tag = systeme.post("/api/tags", json={"name": "T"}).json()
        contact_id = systeme.get("/api/contacts").json()["items"][0]["id"]
        systeme.post(f"/api/contacts/{contact_id}/tags", json={"tagId": tag["id"]})
        (message,) = receiver.wait_for(1)
        assert message.headers["X-Webhook-Event"] == "CONTACT_TAG_ADDED"
        assert other.wait_for(1, timeout=0.3) == []
    finally:
        other.stop()


def test_failed_delivery_is_retried_with_the_same_message(emulator: RunningEmulator, systeme: ApiClient, api_key: str) -> None:
    failing = WebhookReceiver(fail_first=2)
    try:
        subscribe(systeme, failing, ["CONTACT_CREATED"])
        systeme.post("/api/contacts", json={"email": "retry@gmail.com"})
        first, second, third = failing.wait_for(3)
        message_ids = {m.headers["X-Webhook-Message-Id"] for m in (first, second, third)}
        assert len(message_ids) == 1, "a retry is the same message"
        assert first.body == second.body == third.body
        attempt_ids = {m.headers["X-Webhook-Delivery-Attempt-Id"] for m in (first, second, third)}
        assert len(attempt_ids) == 3, "each attempt has its own id"

        emulator.admin("POST", "webhooks/wait", json={"timeout": 5})
        attempts = emulator.admin("GET", "webhooks/attempts", params={"provider": "systeme", "apiKey": api_key}).json()["items"]
        assert [(a["attempt"], a["ok"], a["status"], a["willRetry"]) for a in attempts] == [
            (1, False, 500, True),
            (2, False, 500, True),
            (3, True, 200, False),
        ]
        assert attempts[0]["nextAttemptInSeconds"] == 60 * 0.001
        assert attempts[1]["nextAttemptInSeconds"] == 300 * 0.001
    finally:
        failing.stop()


def test_refused_connection_is_recorded_and_retried_until_the_schedule_ends(api_key: str) -> None:
    gone = WebhookReceiver()
    url = gone.url
    gone.stop()  # nothing listens there any more
    # The whole schedule (about 8.5 hours) compressed to about 3 seconds.
    with RunningEmulator(replace(TEST_SETTINGS, webhook_time_scale=0.0001)) as emulator:
        systeme = ApiClient(f"{emulator.url}/systeme", {"X-API-Key": api_key})
        systeme.post("/api/webhooks", json={"name": "gone", "url": url, "secret": "x", "subscriptions": ["CONTACT_CREATED"]})
        systeme.post("/api/contacts", json={"email": "nobody@gmail.com"})
        assert emulator.admin("POST", "webhooks/wait", json={"timeout": 30}).json()["idle"] is True
        attempts = emulator.admin("GET", "webhooks/attempts", params={"apiKey": api_key}).json()["items"]
    assert len(attempts) == 6, "the first attempt and five retries"
    assert all(not a["ok"] and a["status"] is None and "Connection" in a["error"] for a in attempts)
    assert [a["willRetry"] for a in attempts] == [True] * 5 + [False]


def test_sale_events_from_the_admin_api(
    emulator: RunningEmulator, systeme: ApiClient, api_key: str, receiver: WebhookReceiver
) -> None:
    subscribe(systeme, receiver, ["SALE_NEW", "SALE_CANCELED", "CONTACT_CREATED"])
    sale = admin(
        emulator,
        "sales",
        api_key,
        {
            "email": "buyer@gmail.com",
            "fields": {"first_name": "Bea"},
            "pricePlan": {"name": "Pro", "amount": 4900, "currency": "EUR", "type": "subscription", "interval": "month"},
            "coupon": {"code": "TEN", "discountAmount": 10, "discountType": "percent"},
        },
    )
    created, new_sale = receiver.wait_for(2)
    assert created.headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert new_sale.headers["X-Webhook-Event"] == "SALE_NEW"
    assert new_sale.headers["X-Webhook-Schema-Version"] == "2"
    assert new_sale.headers["X-Webhook-Signature"] == signature(SECRET, new_sale.body)
    payload = new_sale.json()
    assert set(payload) == {"customer", "coupon", "funnelStep", "checkoutPage", "order", "orderItem", "pricePlan"}
    assert payload["customer"]["email"] == "buyer@gmail.com"
    assert payload["customer"]["contactId"] == created.json()["contact"]["id"]
    assert payload["customer"]["fields"] == {"first_name": "Bea"}
    assert payload["order"]["id"] == sale["order"]["id"]
    assert payload["order"]["totalPrice"] == 4410
    assert payload["pricePlan"]["currency"] == "eur"
    assert payload["pricePlan"]["type"] == "subscription"
    assert payload == sale["payload"]

    cancelled = admin(emulator, f"sales/{sale['order']['id']}/cancel", api_key, {})
    assert cancelled["order"]["status"] == "refunded"
    (_, _, canceled_message) = receiver.wait_for(3)
    assert canceled_message.headers["X-Webhook-Event"] == "SALE_CANCELED"
    assert canceled_message.json()["order"]["id"] == sale["order"]["id"]


def test_cancelling_a_subscription_through_the_api_fires_sale_canceled(
    emulator: RunningEmulator, systeme: ApiClient, api_key: str, receiver: WebhookReceiver
) -> None:
    sale = admin(emulator, "sales", api_key, {"email": "sub@gmail.com", "pricePlan": {"type": "subscription"}})
    subscribe(systeme, receiver, ["SALE_CANCELED"])
    assert systeme.post(f"/api/payment/subscriptions/{sale['subscription']['id']}/cancel").status_code == 204
    (message,) = receiver.wait_for(1)
    assert message.json()["order"]["id"] == sale["order"]["id"]


def test_opt_in_fires_created_then_opt_in(
    emulator: RunningEmulator, systeme: ApiClient, api_key: str, receiver: WebhookReceiver
) -> None:
    subscribe(systeme, receiver, ["CONTACT_CREATED", "CONTACT_OPT_IN"])
    contact = admin(emulator, "opt-ins", api_key, {"email": "fan@gmail.com", "fields": {"first_name": "Fan"}})
    created, opted_in = receiver.wait_for(2)
    assert created.headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert opted_in.headers["X-Webhook-Event"] == "CONTACT_OPT_IN"
    assert opted_in.json()["contact"]["id"] == contact["id"]
    assert opted_in.json()["contact"]["needsConfirmation"] is False
    assert opted_in.json()["contact"]["sourceURL"]


def test_a_failed_request_fires_nothing(systeme: ApiClient, receiver: WebhookReceiver) -> None:
    subscribe(systeme, receiver, ["CONTACT_CREATED"])
    assert systeme.post("/api/contacts", json={"email": "dup@gmail.com"}).status_code == 201
    assert systeme.post("/api/contacts", json={"email": "dup@gmail.com"}).status_code == 422
    assert len(receiver.wait_for(2, timeout=0.3)) == 1


def test_other_tenants_webhooks_never_fire(emulator: RunningEmulator, systeme: ApiClient, receiver: WebhookReceiver) -> None:
    subscribe(systeme, receiver, ["CONTACT_CREATED"])
    neighbour = ApiClient(f"{emulator.url}/systeme", {"X-API-Key": f"other-{uuid.uuid4().hex}"})
    assert neighbour.post("/api/contacts", json={"email": "n@gmail.com"}).status_code == 201
    assert receiver.wait_for(1, timeout=0.3) == []


def test_webhook_payloads_match_the_spec(
    emulator: RunningEmulator, systeme: ApiClient, api_key: str, receiver: WebhookReceiver
) -> None:
    """Each delivered body validates against its event's schema in the spec's `webhooks`."""
    subscribe(systeme, receiver, ["CONTACT_CREATED", "CONTACT_TAG_ADDED", "CONTACT_OPT_IN", "SALE_NEW"])
    tag = systeme.post("/api/tags", json={"name": "Spec"}).json()
    systeme.post("/api/contacts", json={"email": "spec@gmail.com", "tags": [{"id": tag["id"]}]})
    admin(emulator, "opt-ins", api_key, {"email": "spec@gmail.com"})
    admin(emulator, "sales", api_key, {"email": "spec@gmail.com"})
    messages = receiver.wait_for(4)
    validators = emulator.emulator.specs["systeme"].webhooks
    for message in messages:
        validator = validators[message.headers["X-Webhook-Event"]]
        assert validator is not None
        errors = [e.message for e in validator.iter_errors(json.loads(message.body))]
        assert errors == [], message.headers["X-Webhook-Event"]


def test_deleting_a_webhook_stops_its_pending_retries(systeme: ApiClient) -> None:
    failing = WebhookReceiver(respond=lambda _: 500)
    try:
        hook = subscribe(systeme, failing, ["CONTACT_CREATED"])
        systeme.post("/api/contacts", json={"email": "retry@gmail.com"})
        assert len(failing.wait_for(1)) == 1
        assert systeme.delete(f"/api/webhooks/{hook['id']}").status_code == 204
        count = len(failing.received)
        time.sleep(2.5)  # without the deletion, three or more retries come in this time
        assert len(failing.received) - count <= 1  # at most one attempt that was already on its way
    finally:
        failing.stop()
