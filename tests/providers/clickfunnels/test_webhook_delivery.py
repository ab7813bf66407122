"""ClickFunnels webhooks for real: every state change reaches subscribed endpoints of its
workspace, in the documented envelope, signed as ClickFunnels signs."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from mockserver.testing import Account, ApiSession, Emulator, ReceivedWebhook, WebhookReceiver, verify_signature
from tests.support import created, trigger_response

ALL_EVENTS = [
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.identified",
    "contact/applied_tag.created",
    "contact/applied_tag.deleted",
    "product.created",
    "product.updated",
    "order.created",
    "one-time-order.completed",
    "subscription.activated",
    "fulfillment.created",
    "fulfillment.updated",
    "course.created",
    "courses/enrollment.created",
    "form_submission.created",
]


def subscribe(client: ApiSession, workspace_id: int, url: str, events: list[str]) -> dict[str, Any]:
    return created(
        client.post(
            f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints",
            json={"webhooks_outgoing_endpoint": {"url": url, "name": f"hook-{uuid.uuid4().hex[:6]}", "event_type_ids": events}},
        )
    )


def admin(account: Account, path: str, body: dict[str, Any]) -> dict[str, Any]:
    return created(trigger_response(account, path, **body))


def verify(message: ReceivedWebhook, secret: str) -> dict[str, Any]:
    """Check the signature as a receiver would, and answer the envelope."""
    timestamp = message.headers["X-Webhook-ClickFunnels-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 600
    assert verify_signature("clickfunnels", secret, message.headers, message.body)
    envelope: dict[str, Any] = json.loads(message.body)
    return envelope


def test_contact_created_envelope_and_signature(
    clickfunnels: ApiSession, workspace_id: int, webhook_receiver: WebhookReceiver
) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, webhook_receiver.url, ["contact.created"])
    contact = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "ada@example.com"}}
    ).json()
    (message,) = webhook_receiver.wait(1)
    envelope = verify(message, endpoint["webhook_secret"])
    assert envelope["data"] == contact
    assert envelope["event_type"] == "contact.created"
    assert envelope["subject_id"] == contact["id"]
    assert envelope["subject_type"] == "Contact"
    assert envelope["workspace_id"] == workspace_id
    assert envelope["api_version"] == 2
    assert uuid.UUID(envelope["event_id"])
    assert envelope["created_at"].endswith("Z")
    assert message.headers["Content-Type"] == "application/json"


def test_a_wrong_secret_does_not_verify(clickfunnels: ApiSession, workspace_id: int, webhook_receiver: WebhookReceiver) -> None:
    subscribe(clickfunnels, workspace_id, webhook_receiver.url, ["contact.created"])
    clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Anon"}})
    (message,) = webhook_receiver.wait(1)
    assert "X-Webhook-ClickFunnels-Timestamp" in message.headers
    assert not verify_signature("clickfunnels", "0" * 64, message.headers, message.body)


def test_every_event_type_fires_on_its_change(
    mockserver: Emulator, clickfunnels: ApiSession, workspace_id: int, account: Account, webhook_receiver: WebhookReceiver
) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, webhook_receiver.url, ALL_EVENTS)
    ws = f"/api/v2/workspaces/{workspace_id}"
    tag = clickfunnels.post(f"{ws}/contacts/tags", json={"contacts_tag": {"name": "Buyer"}}).json()
    contact = clickfunnels.post(
        f"{ws}/contacts", json={"contact": {"email_address": "bo@example.com", "tag_ids": [tag["id"]]}}
    ).json()
    clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "Bo", "tag_ids": []}})
    product = clickfunnels.post(f"{ws}/products", json={"product": {"name": "Book", "price": "19.00"}}).json()
    clickfunnels.post(f"/api/v2/products/{product['id']}/archive")
    clickfunnels.post(f"/api/v2/products/{product['id']}/unarchive")
    order = admin(account, "orders", {"contact_id": contact["id"], "line_items": [{"product_id": product["id"]}]})
    admin(
        account,
        "orders",
        {"contact_id": contact["id"], "line_items": [{"product_id": product["id"]}], "order_type": "subscription"},
    )
    fulfillment = clickfunnels.post(
        f"{ws}/fulfillments",
        json={
            "fulfillment": {
                "contact_id": contact["id"],
                "included_orders_invoices_line_items_attributes": [
                    {"invoices_line_item_id": order["line_items"][0]["id"], "quantity": 1}
                ],
            }
        },
    ).json()
    clickfunnels.post(f"/api/v2/fulfillments/{fulfillment['id']}/cancel")
    course = admin(account, "courses", {"title": "Academy"})
    clickfunnels.post(f"/api/v2/courses/{course['id']}/enrollments", json={"courses_enrollment": {"contact_id": contact["id"]}})
    form = admin(account, "forms", {"name": "Opt-in"})
    admin(account, f"forms/{form['id']}/submissions", {"data": {"email_address": "new@example.com"}})
    clickfunnels.delete(f"/api/v2/contacts/{contact['id']}")

    assert account.wait_for_idle()
    envelopes = [verify(m, endpoint["webhook_secret"]) for m in webhook_receiver.requests]
    seen = {e["event_type"] for e in envelopes}
    assert seen == set(ALL_EVENTS)
    subject_types = {e["event_type"]: e["subject_type"] for e in envelopes}
    assert subject_types["contact/applied_tag.created"] == "Contacts::AppliedTag"
    assert subject_types["courses/enrollment.created"] == "Courses::Enrollment"
    assert subject_types["form_submission.created"] == "Forms::Submission"
    assert subject_types["one-time-order.completed"] == "Order"
    validator = mockserver.engine.specs["clickfunnels"].webhooks["contact.created"]
    assert validator is not None
    for envelope in envelopes:
        assert [e.message for e in validator.iter_errors(envelope)] == [], envelope["event_type"]


def test_only_subscribed_types_and_the_same_workspace(
    account: Account, clickfunnels: ApiSession, workspace_id: int, webhook_receiver: WebhookReceiver
) -> None:
    other_workspace = admin(account, "workspaces", {"name": "Other"})
    with WebhookReceiver() as elsewhere:
        subscribe(clickfunnels, workspace_id, webhook_receiver.url, ["contact.updated"])
        subscribe(clickfunnels, other_workspace["id"], elsewhere.url, ["contact.created", "contact.updated"])
        contact = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "X"}}).json()
        clickfunnels.patch(f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "Y"}})
        (message,) = webhook_receiver.wait(1)
        assert json.loads(message.body)["event_type"] == "contact.updated"
        assert account.wait_for_idle()
        assert elsewhere.requests == []


def test_failures_are_retried_signed_afresh_with_the_same_event(
    mockserver: Emulator, clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    # 208 is a 2xx ClickFunnels does not count as delivered.
    statuses = iter([500, 208, 204])
    with WebhookReceiver() as failing:
        failing.respond = lambda _: next(statuses)
        endpoint = subscribe(clickfunnels, workspace_id, failing.url, ["contact.created"])
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Z"}})
        messages = failing.wait(3)
        envelopes = [verify(m, endpoint["webhook_secret"]) for m in messages]
        assert len({e["event_id"] for e in envelopes}) == 1
        assert account.wait_for_idle(timeout=5)
        assert [(d.status, d.ok) for d in account.deliveries()] == [(500, False), (208, False), (204, True)]
        # Delivery has no nextAttemptInSeconds: read it from the admin API.
        attempts = mockserver.admin("GET", "webhooks/attempts", params={"provider": "clickfunnels", "apiKey": account.api_key})
        assert [a["nextAttemptInSeconds"] for a in attempts["items"][:2]] == [1 * 0.001, 15 * 0.001]


def test_deleted_endpoint_gets_nothing(
    clickfunnels: ApiSession, workspace_id: int, webhook_receiver: WebhookReceiver, account: Account
) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, webhook_receiver.url, ["contact.created"])
    assert clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}").status_code == 204
    clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Q"}})
    assert account.wait_for_idle()
    assert webhook_receiver.requests == []


def test_deleting_an_endpoint_stops_its_pending_retries(clickfunnels: ApiSession, workspace_id: int) -> None:
    with WebhookReceiver() as failing:
        failing.respond_with(500)
        endpoint = subscribe(clickfunnels, workspace_id, failing.url, ["contact.created"])
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Q"}})
        assert len(failing.wait(2)) >= 2  # first attempt and the retry 1 s (scaled) later
        assert clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}").status_code == 204
        count = len(failing.requests)
        time.sleep(2.5)  # without the deletion, three or more retries come in this time
        assert len(failing.requests) - count <= 1  # at most one attempt that was already on its way
