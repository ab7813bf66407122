"""ClickFunnels outgoing webhook events: what a workspace sent out, listed and read back."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from mockserver.testing import Account, ApiSession, WebhookReceiver
from tests.providers.clickfunnels.helpers import PUBLIC_ID, TIMESTAMP, assert_not_found, create_contact
from tests.support import created, ok, trigger_response

EVENT_KEYS = {"id", "public_id", "workspace_id", "uuid", "event_type_id", "subject_id", "subject_type", "data", "created_at"}


def subscribe(client: ApiSession, workspace_id: int, events: list[str], url: str = "http://127.0.0.1:9/hook") -> dict[str, Any]:
    body = {"webhooks_outgoing_endpoint": {"url": url, "name": f"hook-{uuid.uuid4().hex[:6]}", "event_type_ids": events}}
    return created(client.post(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints", json=body))


def events(client: ApiSession, workspace_id: int, **params: Any) -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/events", params=params)))


def test_nothing_is_kept_while_no_endpoint_subscribes(clickfunnels: ApiSession, workspace_id: int) -> None:
    subscribe(clickfunnels, workspace_id, ["contact.deleted"])
    create_contact(clickfunnels, workspace_id, "quiet@example.com")
    assert events(clickfunnels, workspace_id) == []


def test_an_event_sent_out_is_kept_with_its_subject(clickfunnels: ApiSession, workspace_id: int) -> None:
    subscribe(clickfunnels, workspace_id, ["contact.created"])
    contact = create_contact(clickfunnels, workspace_id, "kept@example.com")

    (event,) = events(clickfunnels, workspace_id)

    assert set(event) == EVENT_KEYS
    assert event["event_type_id"] == "contact.created"
    assert (event["subject_type"], event["subject_id"], event["workspace_id"]) == ("Contact", contact["id"], workspace_id)
    assert event["data"] == contact
    assert re.fullmatch(r"[0-9a-f]{32}", event["uuid"])
    assert PUBLIC_ID.match(event["public_id"])
    assert TIMESTAMP.match(event["created_at"])
    assert ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/events/{event['id']}")) == event
    assert ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/events/{event['public_id']}")) == event


def test_the_delivery_carries_the_events_uuid(
    clickfunnels: ApiSession, workspace_id: int, webhook_receiver: WebhookReceiver
) -> None:
    subscribe(clickfunnels, workspace_id, ["contact.created"], webhook_receiver.url)
    create_contact(clickfunnels, workspace_id, "delivered@example.com")

    (message,) = webhook_receiver.wait(1)
    (event,) = events(clickfunnels, workspace_id)

    assert json.loads(message.body)["event_id"] == str(uuid.UUID(event["uuid"]))


def test_only_subscribed_types_are_kept_in_order(clickfunnels: ApiSession, workspace_id: int) -> None:
    subscribe(clickfunnels, workspace_id, ["contact.created", "contact.deleted"])
    first = create_contact(clickfunnels, workspace_id, "one@example.com")
    ok(clickfunnels.put(f"/api/v2/contacts/{first['id']}", json={"contact": {"first_name": "Changed"}}))
    assert clickfunnels.delete(f"/api/v2/contacts/{first['id']}").status_code == 204

    kept = events(clickfunnels, workspace_id)

    assert [e["event_type_id"] for e in kept] == ["contact.created", "contact.deleted"]
    assert [e["event_type_id"] for e in events(clickfunnels, workspace_id, sort_order="desc")] == [
        "contact.deleted",
        "contact.created",
    ]
    assert [e["subject_id"] for e in events(clickfunnels, workspace_id, **{"filter[event_type_id]": "contact.deleted"})] == [
        first["id"]
    ]


def test_events_page_twenty_at_a_time(clickfunnels: ApiSession, workspace_id: int) -> None:
    subscribe(clickfunnels, workspace_id, ["contact.created"])
    for number in range(23):
        create_contact(clickfunnels, workspace_id, f"page{number}@example.com")

    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/events")
    first = response.json()
    assert len(first) == 20
    assert response.headers["Pagination-Next"] == str(first[-1]["id"])
    rest = events(clickfunnels, workspace_id, after=response.headers["Pagination-Next"])
    assert len(rest) == 3


def test_events_belong_to_their_workspace(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    other = created(trigger_response(account, "workspaces", name="Other"))["id"]
    subscribe(clickfunnels, other, ["contact.created"])
    create_contact(clickfunnels, other, "there@example.com")

    assert events(clickfunnels, workspace_id) == []
    assert [e["workspace_id"] for e in events(clickfunnels, other)] == [other]


def test_an_unknown_event_is_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/webhooks/outgoing/events/424242"))
    assert_not_found(clickfunnels.get("/api/v2/workspaces/424242/webhooks/outgoing/events"))


def test_an_endpoint_is_updated_by_patch(clickfunnels: ApiSession, workspace_id: int) -> None:
    endpoint = subscribe(clickfunnels, workspace_id, ["contact.created"])

    changed = ok(
        clickfunnels.patch(
            f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}",
            json={"webhooks_outgoing_endpoint": {"event_type_ids": ["contact.updated"]}},
        )
    )

    assert changed["event_type_ids"] == ["contact.updated"]
    assert changed["url"] == endpoint["url"]
