"""ClickFunnels webhooks for real: every state change reaches subscribed endpoints of its
workspace, in the documented envelope, signed as ClickFunnels signs."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from tests.support import ApiClient, Received, RunningEmulator, WebhookReceiver, created, signature

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


def subscribe(client: ApiClient, workspace_id: int, url: str, events: list[str]) -> dict[str, Any]:
    return created(
        client.post(
            f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints",
            json={"webhooks_outgoing_endpoint": {"url": url, "name": f"hook-{uuid.uuid4().hex[:6]}", "event_type_ids": events}},
        )
    )


def admin(emulator: RunningEmulator, path: str, api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    return created(emulator.admin("POST", f"clickfunnels/{path}", json={"apiKey": api_key, **body}))


def verify(message: Received, secret: str) -> dict[str, Any]:
    """Check the signature as a receiver would, and answer the envelope."""
    timestamp = message.headers["X-Webhook-ClickFunnels-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 600
    assert message.headers["X-Webhook-ClickFunnels-Signature"] == signature(secret, f"{timestamp}.".encode() + message.body)
    envelope: dict[str, Any] = json.loads(message.body)
    return envelope


def test_contact_created_envelope_and_signature(clickfunnels: ApiClient, workspace_id: int, receiver: WebhookReceiver) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, receiver.url, ["contact.created"])
    contact = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "ada@example.com"}}
    ).json()
    (message,) = receiver.wait_for(1)
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


def test_a_wrong_secret_does_not_verify(clickfunnels: ApiClient, workspace_id: int, receiver: WebhookReceiver) -> None:
    subscribe(clickfunnels, workspace_id, receiver.url, ["contact.created"])
    clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Anon"}})
    (message,) = receiver.wait_for(1)
    timestamp = message.headers["X-Webhook-ClickFunnels-Timestamp"]
    assert message.headers["X-Webhook-ClickFunnels-Signature"] != signature("0" * 64, f"{timestamp}.".encode() + message.body)


def test_every_event_type_fires_on_its_change(
    emulator: RunningEmulator, clickfunnels: ApiClient, workspace_id: int, api_key: str, receiver: WebhookReceiver
) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, receiver.url, ALL_EVENTS)
    ws = f"/api/v2/workspaces/{workspace_id}"
    tag = clickfunnels.post(f"{ws}/contacts/tags", json={"contacts_tag": {"name": "Buyer"}}).json()
    contact = clickfunnels.post(
        f"{ws}/contacts", json={"contact": {"email_address": "bo@example.com", "tag_ids": [tag["id"]]}}
    ).json()
    clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "Bo", "tag_ids": []}})
    product = clickfunnels.post(f"{ws}/products", json={"product": {"name": "Book", "price": "19.00"}}).json()
    clickfunnels.post(f"/api/v2/products/{product['id']}/archive")
    clickfunnels.post(f"/api/v2/products/{product['id']}/unarchive")
    order = admin(emulator, "orders", api_key, {"contact_id": contact["id"], "line_items": [{"product_id": product["id"]}]})
    admin(
        emulator,
        "orders",
        api_key,
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
    course = admin(emulator, "courses", api_key, {"title": "Academy"})
    clickfunnels.post(f"/api/v2/courses/{course['id']}/enrollments", json={"courses_enrollment": {"contact_id": contact["id"]}})
    form = admin(emulator, "forms", api_key, {"name": "Opt-in"})
    admin(emulator, f"forms/{form['id']}/submissions", api_key, {"data": {"email_address": "new@example.com"}})
    clickfunnels.delete(f"/api/v2/contacts/{contact['id']}")

    emulator.admin("POST", "webhooks/wait", json={"timeout": 10})
    envelopes = [verify(m, endpoint["webhook_secret"]) for m in receiver.received]
    seen = {e["event_type"] for e in envelopes}
    assert seen == set(ALL_EVENTS)
    subject_types = {e["event_type"]: e["subject_type"] for e in envelopes}
    assert subject_types["contact/applied_tag.created"] == "Contacts::AppliedTag"
    assert subject_types["courses/enrollment.created"] == "Courses::Enrollment"
    assert subject_types["form_submission.created"] == "Forms::Submission"
    assert subject_types["one-time-order.completed"] == "Order"
    validator = emulator.emulator.specs["clickfunnels"].webhooks["contact.created"]
    assert validator is not None
    for envelope in envelopes:
        assert [e.message for e in validator.iter_errors(envelope)] == [], envelope["event_type"]


def test_only_subscribed_types_and_the_same_workspace(
    emulator: RunningEmulator, clickfunnels: ApiClient, workspace_id: int, api_key: str, receiver: WebhookReceiver
) -> None:
    other_workspace = admin(emulator, "workspaces", api_key, {"name": "Other"})
    elsewhere = WebhookReceiver()
    try:
        subscribe(clickfunnels, workspace_id, receiver.url, ["contact.updated"])
        subscribe(clickfunnels, other_workspace["id"], elsewhere.url, ["contact.created", "contact.updated"])
        contact = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "X"}}).json()
        clickfunnels.patch(f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "Y"}})
        (message,) = receiver.wait_for(1)
        assert json.loads(message.body)["event_type"] == "contact.updated"
        assert elsewhere.wait_for(1, timeout=0.3) == []
    finally:
        elsewhere.stop()


def test_failures_are_retried_signed_afresh_with_the_same_event(
    emulator: RunningEmulator, clickfunnels: ApiClient, workspace_id: int, api_key: str
) -> None:
    # 208 is a 2xx ClickFunnels does not count as delivered.
    statuses = iter([500, 208, 204])
    failing = WebhookReceiver(respond=lambda _: next(statuses))
    try:
        endpoint = subscribe(clickfunnels, workspace_id, failing.url, ["contact.created"])
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Z"}})
        messages = failing.wait_for(3)
        envelopes = [verify(m, endpoint["webhook_secret"]) for m in messages]
        assert len({e["event_id"] for e in envelopes}) == 1
        emulator.admin("POST", "webhooks/wait", json={"timeout": 5})
        attempts = emulator.admin("GET", "webhooks/attempts", params={"provider": "clickfunnels", "apiKey": api_key}).json()[
            "items"
        ]
        assert [(a["status"], a["ok"]) for a in attempts] == [(500, False), (208, False), (204, True)]
        assert [a["nextAttemptInSeconds"] for a in attempts[:2]] == [1 * 0.001, 15 * 0.001]
    finally:
        failing.stop()


def test_deleted_endpoint_gets_nothing(clickfunnels: ApiClient, workspace_id: int, receiver: WebhookReceiver) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, receiver.url, ["contact.created"])
    assert clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}").status_code == 204
    clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Q"}})
    assert receiver.wait_for(1, timeout=0.3) == []


def test_deleting_an_endpoint_stops_its_pending_retries(clickfunnels: ApiClient, workspace_id: int) -> None:
    failing = WebhookReceiver(respond=lambda _: 500)
    try:
        endpoint = subscribe(clickfunnels, workspace_id, failing.url, ["contact.created"])
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"first_name": "Q"}})
        assert len(failing.wait_for(2)) >= 2  # first attempt and the retry 1 s (scaled) later
        assert clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}").status_code == 204
        count = len(failing.received)
        time.sleep(2.5)  # without the deletion, three or more retries come in this time
        assert len(failing.received) - count <= 1  # at most one attempt that was already on its way
    finally:
        failing.stop()
