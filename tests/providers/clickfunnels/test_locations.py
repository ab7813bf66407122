"""ClickFunnels fulfillment locations, and fulfillments changed after they are made."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    assert_invalid,
    assert_not_found,
    create_contact,
    create_product,
    events_of_last_request,
)
from tests.support import created, ok, trigger_response

LOCATION_KEYS = {
    "id",
    "public_id",
    "workspace_id",
    "name",
    "address_name",
    "email_address",
    "phone_number",
    "sort_order",
    "external_app",
    "address",
    "created_at",
    "updated_at",
}
ADDRESS_PARTS = ("address_one", "address_two", "city", "region", "country", "postal_code")
ADDRESS = {"address_one": "3443 W. Bavaria St.", "city": "Eagle", "region": "ID", "country": "US", "postal_code": "83616"}


def add_location(client: ApiSession, workspace_id: int, name: str = "Warehouse", **extra: Any) -> Any:
    body = {"name": name, "address_name": "Main", "email_address": "ship@example.com", "address": ADDRESS, **extra}
    return client.post(f"/api/v2/workspaces/{workspace_id}/fulfillments/locations", json={"fulfillments_location": body})


def test_locations_are_made_in_order(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = ok(add_location(clickfunnels, workspace_id), 201)
    second = ok(add_location(clickfunnels, workspace_id, "Store", phone_number="(123)-555-4567"), 201)

    assert set(first) == LOCATION_KEYS
    assert first["address"] == {**ADDRESS, "address_two": None}
    assert (first["sort_order"], second["sort_order"]) == (1, 2)
    assert (second["phone_number"], second["external_app"]) == ("(123)-555-4567", False)
    assert PUBLIC_ID.match(first["public_id"])
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments/locations")) == [first, second]
    assert ok(clickfunnels.get(f"/api/v2/fulfillments/locations/{first['public_id']}")) == first


def test_a_location_needs_an_address_unless_an_app_ships(clickfunnels: ApiSession, workspace_id: int) -> None:
    body = {"name": "App", "address_name": "None", "email_address": "app@example.com"}
    url = f"/api/v2/workspaces/{workspace_id}/fulfillments/locations"

    assert_invalid(clickfunnels.post(url, json={"fulfillments_location": body}), "address", "can't be blank")
    external = created(clickfunnels.post(url, json={"fulfillments_location": {**body, "external_app": True}}))
    assert (external["external_app"], external["address"]) == (True, dict.fromkeys(ADDRESS_PARTS))


def test_a_location_needs_an_email_address(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_invalid(add_location(clickfunnels, workspace_id, email_address="nobody"), "email_address", "is invalid")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_location_is_updated(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    location = ok(add_location(clickfunnels, workspace_id), 201)
    url = f"/api/v2/fulfillments/locations/{location['id']}"

    changed = ok(
        clickfunnels.request(method, url, json={"fulfillments_location": {"name": "Depot", "address": {"city": "Boise"}}})
    )

    assert (changed["name"], changed["sort_order"], changed["address"]["city"], changed["address"]["country"]) == (
        "Depot",
        1,
        "Boise",
        None,
    )
    assert_invalid(clickfunnels.request(method, url, json={"fulfillments_location": {"name": ""}}), "name", "can't be blank")


def test_a_deleted_location_is_gone(clickfunnels: ApiSession, workspace_id: int) -> None:
    location = ok(add_location(clickfunnels, workspace_id), 201)
    url = f"/api/v2/fulfillments/locations/{location['id']}"

    assert clickfunnels.delete(url).status_code == 204

    assert_not_found(clickfunnels.get(url))
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments/locations")) == []


def test_unknown_locations_are_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/fulfillments/locations/424242"))
    assert_not_found(clickfunnels.get("/api/v2/workspaces/424242/fulfillments/locations"))


# -- fulfillments changed ---------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_fulfillments_tracking_changes(clickfunnels: ApiSession, workspace_id: int, account: Account, method: str) -> None:
    product = create_product(clickfunnels, workspace_id, "Poster")
    contact = create_contact(clickfunnels, workspace_id, "fan@example.com")
    order = created(trigger_response(account, "orders", contact_id=contact["id"], line_items=[{"product_id": product["id"]}]))
    parts = [{"invoices_line_item_id": order["line_items"][0]["id"], "quantity": 1}]
    body = {"fulfillment": {"contact_id": contact["id"], "included_orders_invoices_line_items_attributes": parts}}
    fulfillment = created(clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/fulfillments", json=body))
    url = f"/api/v2/fulfillments/{fulfillment['id']}"

    changed = ok(clickfunnels.request(method, url, json={"fulfillment": {"tracking_code": "1Z999", "shipping_provider": "UPS"}}))

    assert (changed["tracking_code"], changed["shipping_provider"]) == ("1Z999", "UPS")
    assert changed["included_invoices_line_items"] == fulfillment["included_invoices_line_items"]
    assert events_of_last_request(account) == ["fulfillment.updated"]
    assert ok(clickfunnels.get(url)) == changed
    assert_not_found(clickfunnels.put("/api/v2/fulfillments/424242", json={"fulfillment": {"tracking_code": "x"}}))
