"""Webhooks for real: every event reaches a live receiver, signed as Systeme.io signs."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from mockserver.testing import Account, ApiSession, Emulator, WebhookReceiver, verify_signature
from tests.support import STRICT_SETTINGS, trigger_response

SECRET = "s3cr3t-for-tests"


def subscribe(client: ApiSession, webhook_receiver: WebhookReceiver, events: list[Any], secret: str = SECRET) -> dict[str, Any]:
    response = client.post(
        "/api/webhooks",
        json={"name": f"hook-{uuid.uuid4().hex[:8]}", "url": webhook_receiver.url, "secret": secret, "subscriptions": events},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def admin(account: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = trigger_response(account, path, **body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_contact_created_is_signed_and_identified(systeme: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    hook = subscribe(systeme, webhook_receiver, ["CONTACT_CREATED"])
    contact = systeme.post("/api/contacts", json={"email": "ada@gmail.com", "firstName": "Ada"}).json()

    (message,) = webhook_receiver.wait(1)
    headers = {k.lower(): v for k, v in message.headers.items()}
    assert verify_signature("systeme", SECRET, message.headers, message.body)
    assert headers["x-webhook-event"] == "CONTACT_CREATED"
    assert headers["x-webhook-schema-version"] == "1"
    assert uuid.UUID(headers["x-webhook-message-id"]).version == 7
    assert headers["x-webhook-subscription-id"] == hook["subscriptions"][0]["id"]
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "SystemeIO-Webhook"
    assert uuid.UUID(headers["x-webhook-delivery-attempt-id"])
    assert message.json == {"contact": contact}


def test_body_is_escaped_as_php_json_encode_writes_it(systeme: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    """Receivers verify the signature over the raw bytes, so the exact encoding matters."""
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED"])
    systeme.post(
        "/api/contacts", json={"email": "zoe@gmail.com", "firstName": "Zoë", "fields": [{"slug": "city", "value": "a/b"}]}
    )
    (message,) = webhook_receiver.wait(1)
    assert b"Zo\\u00eb" in message.body
    assert b"a\\/b" in message.body
    assert b": " not in message.body
    assert message.json["contact"]["fields"][0]["value"] == "Zoë"


def test_every_message_has_its_own_id(systeme: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED", "CONTACT_TAG_ADDED"])
    tag = systeme.post("/api/tags", json={"name": "VIP"}).json()
    for number in range(3):
        systeme.post("/api/contacts", json={"email": f"p{number}@gmail.com", "tags": [{"id": tag["id"]}]})
    messages = webhook_receiver.wait(6)
    assert len(messages) == 6
    ids = [m.headers["X-Webhook-Message-Id"] for m in messages]
    assert len(set(ids)) == 6


def test_tag_added_and_removed_carry_contact_and_tag(
    systeme: ApiSession, webhook_receiver: WebhookReceiver, account: Account
) -> None:
    subscribe(systeme, webhook_receiver, [{"event": "CONTACT_TAG_ADDED"}, {"event": "CONTACT_TAG_REMOVED", "schemaVersion": 1}])
    contact = systeme.post("/api/contacts", json={"email": "tom@gmail.com"}).json()
    tag = systeme.post("/api/tags", json={"name": "Buyer"}).json()
    assert systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204
    assert systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204
    assert systeme.delete(f"/api/contacts/{contact['id']}/tags/{tag['id']}").status_code == 204

    added, removed = webhook_receiver.wait(2)
    assert added.headers["X-Webhook-Event"] == "CONTACT_TAG_ADDED"
    assert added.json["tag"] == {"id": tag["id"], "name": "Buyer"}
    assert added.json["contact"]["tags"] == [{"id": tag["id"], "name": "Buyer"}]
    assert removed.headers["X-Webhook-Event"] == "CONTACT_TAG_REMOVED"
    assert removed.json["contact"]["tags"] == []
    assert removed.json["tag"]["id"] == tag["id"]
    assert account.wait_for_idle()
    assert len(webhook_receiver.requests) == 2, "assigning a tag twice fires once"


def test_only_subscribed_events_and_active_webhooks_are_delivered(
    systeme: ApiSession, webhook_receiver: WebhookReceiver, account: Account
) -> None:
    with WebhookReceiver() as other:
        subscribe(systeme, webhook_receiver, ["CONTACT_TAG_ADDED"])
        paused = subscribe(systeme, other, ["CONTACT_CREATED"])
        assert systeme.merge_patch(f"/api/webhooks/{paused['id']}", {"active": False}).status_code == 200
        systeme.post("/api/contacts", json={"email": "quiet@gmail.com"})
        tag = systeme.post("/api/tags", json={"name": "T"}).json()
        contact_id = systeme.get("/api/contacts").json()["items"][0]["id"]
        systeme.post(f"/api/contacts/{contact_id}/tags", json={"tagId": tag["id"]})
        (message,) = webhook_receiver.wait(1)
        assert message.headers["X-Webhook-Event"] == "CONTACT_TAG_ADDED"
        assert account.wait_for_idle()
        assert other.requests == []


def test_failed_delivery_is_retried_with_the_same_message(mockserver: Emulator, systeme: ApiSession, account: Account) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500, times=2)
        subscribe(systeme, failing, ["CONTACT_CREATED"])
        systeme.post("/api/contacts", json={"email": "retry@gmail.com"})
        first, second, third = failing.wait(3)
        message_ids = {m.headers["X-Webhook-Message-Id"] for m in (first, second, third)}
        assert len(message_ids) == 1, "a retry is the same message"
        assert first.body == second.body == third.body
        attempt_ids = {m.headers["X-Webhook-Delivery-Attempt-Id"] for m in (first, second, third)}
        assert len(attempt_ids) == 3, "each attempt has its own id"

        assert account.wait_for_idle(timeout=5)
        assert [(d.attempt, d.ok, d.status, d.will_retry) for d in account.deliveries()] == [
            (1, False, 500, True),
            (2, False, 500, True),
            (3, True, 200, False),
        ]
        # Delivery has no nextAttemptInSeconds: read it from the admin API.
        attempts = mockserver.admin("GET", "webhooks/attempts", params={"provider": "systeme", "apiKey": account.api_key})[
            "items"
        ]
        assert attempts[0]["nextAttemptInSeconds"] == 60 * 0.001
        assert attempts[1]["nextAttemptInSeconds"] == 300 * 0.001


def test_refused_connection_is_recorded_and_retried_until_the_schedule_ends() -> None:
    gone = WebhookReceiver()
    url = gone.url
    gone.stop()  # nothing listens there any more
    # The whole schedule (about 8.5 hours) compressed to about 3 seconds.
    with Emulator.start(**{**STRICT_SETTINGS, "webhook_time_scale": 0.0001}) as emulator:
        account = emulator.account("systeme")
        systeme = account.session()
        systeme.post("/api/webhooks", json={"name": "gone", "url": url, "secret": "x", "subscriptions": ["CONTACT_CREATED"]})
        systeme.post("/api/contacts", json={"email": "nobody@gmail.com"})
        assert account.wait_for_idle(timeout=30) is True
        attempts = account.deliveries()
    assert len(attempts) == 6, "the first attempt and five retries"
    assert all(not a.ok and a.status is None and a.error is not None and "Connection" in a.error for a in attempts)
    assert [a.will_retry for a in attempts] == [True] * 5 + [False]


def test_sale_events_from_the_admin_api(account: Account, systeme: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(systeme, webhook_receiver, ["SALE_NEW", "SALE_CANCELED", "CONTACT_CREATED"])
    sale = admin(
        account,
        "sales",
        {
            "email": "buyer@gmail.com",
            "fields": {"first_name": "Bea"},
            "pricePlan": {"name": "Pro", "amount": 4900, "currency": "EUR", "type": "subscription", "interval": "month"},
            "coupon": {"code": "TEN", "discountAmount": 10, "discountType": "percent"},
        },
    )
    created, new_sale = webhook_receiver.wait(2)
    assert created.headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert new_sale.headers["X-Webhook-Event"] == "SALE_NEW"
    assert new_sale.headers["X-Webhook-Schema-Version"] == "2"
    assert verify_signature("systeme", SECRET, new_sale.headers, new_sale.body)
    payload = new_sale.json
    assert set(payload) == {"customer", "coupon", "funnelStep", "checkoutPage", "order", "orderItem", "pricePlan"}
    assert payload["customer"]["email"] == "buyer@gmail.com"
    assert payload["customer"]["contactId"] == created.json["contact"]["id"]
    assert payload["customer"]["fields"] == {"first_name": "Bea"}
    assert payload["order"]["id"] == sale["order"]["id"]
    assert payload["order"]["totalPrice"] == 4410
    assert payload["pricePlan"]["currency"] == "eur"
    assert payload["pricePlan"]["type"] == "subscription"
    assert payload == sale["payload"]

    cancelled = admin(account, f"sales/{sale['order']['id']}/cancel", {})
    assert cancelled["order"]["status"] == "refunded"
    (_, _, canceled_message) = webhook_receiver.wait(3)
    assert canceled_message.headers["X-Webhook-Event"] == "SALE_CANCELED"
    assert canceled_message.json["order"]["id"] == sale["order"]["id"]


def test_cancelling_a_subscription_through_the_api_fires_sale_canceled(
    account: Account, systeme: ApiSession, webhook_receiver: WebhookReceiver
) -> None:
    sale = admin(account, "sales", {"email": "sub@gmail.com", "pricePlan": {"type": "subscription"}})
    subscribe(systeme, webhook_receiver, ["SALE_CANCELED"])
    assert systeme.post(f"/api/payment/subscriptions/{sale['subscription']['id']}/cancel").status_code == 204
    (message,) = webhook_receiver.wait(1)
    assert message.json["order"]["id"] == sale["order"]["id"]


def test_opt_in_fires_created_then_opt_in(account: Account, systeme: ApiSession, webhook_receiver: WebhookReceiver) -> None:
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED", "CONTACT_OPT_IN"])
    contact = admin(account, "opt-ins", {"email": "fan@gmail.com", "fields": {"first_name": "Fan"}})
    created, opted_in = webhook_receiver.wait(2)
    assert created.headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert opted_in.headers["X-Webhook-Event"] == "CONTACT_OPT_IN"
    assert opted_in.json["contact"]["id"] == contact["id"]
    assert opted_in.json["contact"]["needsConfirmation"] is False
    assert opted_in.json["contact"]["sourceURL"]


def test_a_failed_request_fires_nothing(systeme: ApiSession, webhook_receiver: WebhookReceiver, account: Account) -> None:
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED"])
    assert systeme.post("/api/contacts", json={"email": "dup@gmail.com"}).status_code == 201
    assert systeme.post("/api/contacts", json={"email": "dup@gmail.com"}).status_code == 422
    assert account.wait_for_idle()
    assert len(webhook_receiver.requests) == 1


def test_other_tenants_webhooks_never_fire(
    mockserver: Emulator, systeme: ApiSession, webhook_receiver: WebhookReceiver, account: Account
) -> None:
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED"])
    neighbour = mockserver.account("systeme")
    assert neighbour.session().post("/api/contacts", json={"email": "n@gmail.com"}).status_code == 201
    assert neighbour.wait_for_idle() and account.wait_for_idle()
    assert webhook_receiver.requests == []


def test_webhook_payloads_match_the_spec(
    mockserver: Emulator, systeme: ApiSession, account: Account, webhook_receiver: WebhookReceiver
) -> None:
    """Each delivered body validates against its event's schema in the spec's `webhooks`."""
    subscribe(systeme, webhook_receiver, ["CONTACT_CREATED", "CONTACT_TAG_ADDED", "CONTACT_OPT_IN", "SALE_NEW"])
    tag = systeme.post("/api/tags", json={"name": "Spec"}).json()
    systeme.post("/api/contacts", json={"email": "spec@gmail.com", "tags": [{"id": tag["id"]}]})
    admin(account, "opt-ins", {"email": "spec@gmail.com"})
    admin(account, "sales", {"email": "spec@gmail.com"})
    messages = webhook_receiver.wait(4)
    validators = mockserver.engine.specs["systeme"].webhooks
    for message in messages:
        validator = validators[message.headers["X-Webhook-Event"]]
        assert validator is not None
        errors = [e.message for e in validator.iter_errors(json.loads(message.body))]
        assert errors == [], message.headers["X-Webhook-Event"]


def test_deleting_a_webhook_stops_its_pending_retries(systeme: ApiSession) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500)
        hook = subscribe(systeme, failing, ["CONTACT_CREATED"])
        systeme.post("/api/contacts", json={"email": "retry@gmail.com"})
        assert len(failing.wait(1)) == 1
        assert systeme.delete(f"/api/webhooks/{hook['id']}").status_code == 204
        count = len(failing.requests)
        time.sleep(2.5)  # without the deletion, three or more retries come in this time
        assert len(failing.requests) - count <= 1  # at most one attempt that was already on its way
