"""ClickFunnels orders (placed through the admin API) and fulfillments of their line items, over HTTP."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    NOT_FOUND,
    PUBLIC_ID,
    TIMESTAMP,
    create_contact,
    create_product,
)
from tests.support import ok, trigger_response

ORDER_KEYS = {
    "id",
    "public_id",
    "workspace_id",
    "order_number",
    "contact_id",
    "total_amount",
    "currency",
    "order_type",
    "billing_status",
    "service_status",
    "in_trial",
    "notes",
    "funnel_name",
    "page_name",
    "line_items",
    "canceled_at",
    "next_charge_at",
    "page_id",
    "origination_channel_type",
    "origination_channel_id",
    "tag_ids",
    "contact",
    "workspace",
    "created_at",
    "updated_at",
}
LINE_ITEM_KEYS = {
    "id",
    "public_id",
    "order_id",
    "quantity",
    "fulfillment_status",
    "original_product",
    "products_price",
    "products_variant",
    "created_at",
    "updated_at",
}
FULFILLMENT_KEYS = {
    "id",
    "public_id",
    "workspace_id",
    "contact_id",
    "status",
    "fulfillment_number",
    "tracking_url",
    "shipping_provider",
    "tracking_code",
    "location_id",
    "included_invoices_line_items",
    "created_at",
    "updated_at",
}
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def place_order(account: Account, lines: list[tuple[int, int]], **buyer: Any) -> dict[str, Any]:
    """An order through the admin API; `buyer` is contact_id=... or contact={...}."""
    line_items = [{"product_id": p, "quantity": q} for p, q in lines]
    return dict(ok(trigger_response(account, "orders", line_items=line_items, **buyer), 201))


def fulfill(
    client: ApiSession, workspace_id: int, contact_id: int, parts: list[tuple[int, int]], **extra: Any
) -> requests.Response:
    body = {
        "fulfillment": {
            "contact_id": contact_id,
            "included_orders_invoices_line_items_attributes": [{"invoices_line_item_id": i, "quantity": q} for i, q in parts],
            **extra,
        }
    }
    return client.post(f"/api/v2/workspaces/{workspace_id}/fulfillments", json=body)


def statuses(client: ApiSession, order_id: int) -> list[str]:
    return [item["fulfillment_status"] for item in ok(client.get(f"/api/v2/orders/{order_id}"))["line_items"]]


def assert_422(response: requests.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert isinstance(body["error"], str) and body["error"]
    assert body["errors"]


@pytest.fixture
def shop(clickfunnels: ApiSession, workspace_id: int) -> dict[str, dict[str, Any]]:
    """Two products with known prices."""
    return {
        "book": create_product(clickfunnels, workspace_id, "Book", price="19.99"),
        "stickers": create_product(clickfunnels, workspace_id, "Stickers", price="5.00"),
    }


# -- orders ----------------------------------------------------------------------------
def test_an_order_for_a_new_buyer_creates_the_contact(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "buyer@example.com", "first_name": "Bea"})

    contact = ok(clickfunnels.get(f"/api/v2/contacts/{order['contact_id']}"))
    assert contact["email_address"] == "buyer@example.com"
    assert contact["first_name"] == "Bea"
    assert contact["workspace_id"] == workspace_id
    assert [c["id"] for c in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts"))] == [contact["id"]]


def test_an_order_for_an_existing_contact(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    contact = create_contact(clickfunnels, workspace_id, "regular@example.com")

    order = place_order(account, [(shop["stickers"]["id"], 2)], contact_id=contact["id"])

    assert order["contact_id"] == contact["id"]
    assert [c["id"] for c in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts"))] == [contact["id"]]


def test_the_order_shape_and_total(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    book, stickers = shop["book"], shop["stickers"]

    order = place_order(account, [(book["id"], 3), (stickers["id"], 2)], contact={"email_address": "shape@example.com"})

    assert set(order) == ORDER_KEYS
    assert order["workspace_id"] == workspace_id
    assert isinstance(order["order_number"], str) and order["order_number"]
    assert PUBLIC_ID.match(order["public_id"])
    assert order["order_type"] == "one-time-order"
    assert MONEY.match(order["total_amount"])
    prices = {book["id"]: Decimal("19.99"), stickers["id"]: Decimal("5.00")}
    assert Decimal(order["total_amount"]) == Decimal("19.99") * 3 + Decimal("5.00") * 2
    assert TIMESTAMP.match(order["created_at"])
    items = order["line_items"]
    assert len(items) == 2
    total = Decimal("0")
    for item, (product, quantity) in zip(items, [(book, 3), (stickers, 2)], strict=True):
        assert set(item) == LINE_ITEM_KEYS
        assert item["order_id"] == order["id"]
        assert item["quantity"] == quantity
        assert item["fulfillment_status"] == "unfulfilled"
        assert item["original_product"] == {"id": product["id"], "public_id": product["public_id"], "name": product["name"]}
        assert item["products_price"]["id"] in product["price_ids"]
        assert Decimal(item["products_price"]["amount"]) == prices[product["id"]]
        assert MONEY.match(item["products_price"]["amount"])
        assert item["products_variant"]["id"] == product["default_variant_id"]
        total += Decimal(item["products_price"]["amount"]) * item["quantity"]
    assert Decimal(order["total_amount"]) == total


def test_a_product_created_without_a_price_costs_nothing(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    free = dict(ok(clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products", json={"product": {"name": "Free"}}), 201))

    order = place_order(account, [(free["id"], 2)], contact={"email_address": "free@example.com"})

    assert order["total_amount"] == "0.00"
    assert order["line_items"][0]["products_price"]["amount"] == "0.00"


def test_a_price_changed_by_put_is_what_the_next_order_charges(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    book = shop["book"]
    ok(clickfunnels.put(f"/api/v2/products/{book['id']}", json={"product": {"price": "24.50"}}))

    order = place_order(account, [(book["id"], 2)], contact={"email_address": "later@example.com"})

    assert order["line_items"][0]["products_price"]["amount"] == "24.50"
    assert order["total_amount"] == "49.00"


def test_the_order_currency_is_the_products(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    body = {"product": {"name": "Euro Course", "price": "10", "currency": "EUR"}}
    product = dict(ok(clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products", json=body), 201))

    order = place_order(account, [(product["id"], 1)], contact={"email_address": "euro@example.com"})

    assert order["currency"] == "EUR"
    assert order["line_items"][0]["products_price"]["currency"] == "EUR"
    assert order["total_amount"] == "10.00"


def test_order_numbers_differ(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    first = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "one@example.com"})
    second = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "two@example.com"})

    assert first["order_number"] != second["order_number"]
    assert second["id"] > first["id"]


def test_get_order_by_id_and_by_public_id(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "get@example.com"})

    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}")) == order
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['public_id']}")) == order


def test_an_unknown_order_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.get("/api/v2/orders/424242")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_list_orders_filters_by_contact_and_order_type(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    ann = create_contact(clickfunnels, workspace_id, "ann@example.com")
    bob = create_contact(clickfunnels, workspace_id, "bob@example.com")
    book = shop["book"]["id"]
    ann_once = place_order(account, [(book, 1)], contact_id=ann["id"])
    ann_monthly = place_order(account, [(book, 1)], contact_id=ann["id"], order_type="subscription")
    bob_once = place_order(account, [(book, 1)], contact_id=bob["id"])

    def listed(**params: Any) -> list[int]:
        return [o["id"] for o in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/orders", params=params))]

    assert listed() == [ann_once["id"], ann_monthly["id"], bob_once["id"]]
    assert listed(**{"filter[contact_id]": ann["id"]}) == [ann_once["id"], ann_monthly["id"]]
    assert listed(**{"filter[contact_id]": bob["id"]}) == [bob_once["id"]]
    assert listed(**{"filter[order_type]": "subscription"}) == [ann_monthly["id"]]
    assert listed(**{"filter[order_type]": "one-time-order"}) == [ann_once["id"], bob_once["id"]]
    assert listed(**{"filter[contact_id]": ann["id"], "filter[order_type]": "one-time-order"}) == [ann_once["id"]]
    assert ann_monthly["order_type"] == "subscription"


def test_a_new_workspace_has_no_orders(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/orders")) == []


# -- fulfillments ----------------------------------------------------------------------
def test_fulfill_line_items_returns_201_fulfilled(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(
        account, [(shop["book"]["id"], 2), (shop["stickers"]["id"], 1)], contact={"email_address": "f@example.com"}
    )
    book_item, sticker_item = order["line_items"]

    response = fulfill(
        clickfunnels,
        workspace_id,
        order["contact_id"],
        [(book_item["id"], 2), (sticker_item["id"], 1)],
        tracking_url="https://track.example.com/1",
        shipping_provider="USPS",
        tracking_code="9400123",
        location_id=7,
    )

    assert response.status_code == 201, response.text
    fulfillment = response.json()
    assert set(fulfillment) == FULFILLMENT_KEYS
    assert fulfillment["status"] == "fulfilled"
    assert fulfillment["contact_id"] == order["contact_id"]
    assert fulfillment["workspace_id"] == workspace_id
    assert isinstance(fulfillment["fulfillment_number"], int) and fulfillment["fulfillment_number"] >= 1
    assert PUBLIC_ID.match(fulfillment["public_id"])
    assert fulfillment["tracking_url"] == "https://track.example.com/1"
    assert fulfillment["shipping_provider"] == "USPS"
    assert fulfillment["tracking_code"] == "9400123"
    assert fulfillment["location_id"] == 7
    parts = {part["invoices_line_item_id"]: part for part in fulfillment["included_invoices_line_items"]}
    assert set(parts) == {book_item["id"], sticker_item["id"]}
    assert parts[book_item["id"]]["quantity"] == 2
    assert parts[sticker_item["id"]]["quantity"] == 1
    assert all(part["fulfillment_id"] == fulfillment["id"] for part in parts.values())
    assert statuses(clickfunnels, order["id"]) == ["fulfilled", "fulfilled"]


def test_fulfillment_numbers_increase(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 3)], contact={"email_address": "n@example.com"})
    item = order["line_items"][0]

    numbers = [
        ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 1)]), 201)["fulfillment_number"]
        for _ in range(3)
    ]

    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3


def test_partial_then_complete_fulfillment_of_a_line_item(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(
        account, [(shop["book"]["id"], 3), (shop["stickers"]["id"], 1)], contact={"email_address": "p@example.com"}
    )
    book_item = order["line_items"][0]

    ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(book_item["id"], 2)]), 201)
    assert statuses(clickfunnels, order["id"]) == ["partially_fulfilled", "unfulfilled"]

    ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(book_item["id"], 1)]), 201)
    assert statuses(clickfunnels, order["id"]) == ["fulfilled", "unfulfilled"]


def test_a_quantity_larger_than_what_is_left_is_422(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 2)], contact={"email_address": "big@example.com"})
    item = order["line_items"][0]

    assert_422(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 3)]))
    ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 1)]), 201)
    assert_422(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 2)]))
    # The same item twice in one request counts as the sum.
    assert_422(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 1), (item["id"], 1)]))
    assert statuses(clickfunnels, order["id"]) == ["partially_fulfilled"]
    assert len(ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments"))) == 1


def test_a_line_item_of_another_contacts_order_is_422(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    mine = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "mine@example.com"})
    theirs = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "theirs@example.com"})

    assert_422(fulfill(clickfunnels, workspace_id, mine["contact_id"], [(theirs["line_items"][0]["id"], 1)]))
    assert_422(
        fulfill(
            clickfunnels, workspace_id, mine["contact_id"], [(mine["line_items"][0]["id"], 1), (theirs["line_items"][0]["id"], 1)]
        )
    )
    assert statuses(clickfunnels, theirs["id"]) == ["unfulfilled"]
    assert statuses(clickfunnels, mine["id"]) == ["unfulfilled"]


def test_an_unknown_line_item_is_422(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "li@example.com"})

    assert_422(fulfill(clickfunnels, workspace_id, order["contact_id"], [(987654, 1)]))


def test_an_unknown_contact_is_422(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "u@example.com"})

    assert_422(fulfill(clickfunnels, workspace_id, 987654, [(order["line_items"][0]["id"], 1)]))
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments")) == []


def test_a_contact_of_another_workspace_is_422(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    """The fulfillment is made in a workspace the contact and its order are not in."""
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "elsewhere@example.com"})
    created = trigger_response(account, "workspaces", name="Other")
    assert created.status_code == 201, created.text

    assert_422(fulfill(clickfunnels, created.json()["id"], order["contact_id"], [(order["line_items"][0]["id"], 1)]))


def test_fulfill_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/fulfillments", json={"contact_id": 1})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: fulfillment"}


def test_cancel_then_cancel_again_is_409(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "cancel@example.com"})
    fulfillment = ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(order["line_items"][0]["id"], 1)]), 201)

    cancelled = ok(clickfunnels.post(f"/api/v2/fulfillments/{fulfillment['id']}/cancel"))

    assert cancelled["status"] == "cancelled"
    assert cancelled["id"] == fulfillment["id"]
    assert cancelled["fulfillment_number"] == fulfillment["fulfillment_number"]
    assert cancelled["included_invoices_line_items"] == fulfillment["included_invoices_line_items"]
    assert ok(clickfunnels.get(f"/api/v2/fulfillments/{fulfillment['id']}"))["status"] == "cancelled"
    assert statuses(clickfunnels, order["id"]) == ["unfulfilled"]
    again = clickfunnels.post(f"/api/v2/fulfillments/{fulfillment['public_id']}/cancel")
    assert again.status_code == 409, again.text
    assert set(again.json()) == {"error"}
    assert isinstance(again.json()["error"], str) and again.json()["error"]


def test_cancel_of_an_unknown_fulfillment_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post("/api/v2/fulfillments/424242/cancel")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_after_cancelling_the_same_items_can_be_fulfilled_again(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    order = place_order(account, [(shop["book"]["id"], 2)], contact={"email_address": "redo@example.com"})
    item = order["line_items"][0]
    first = ok(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 2)]), 201)
    assert_422(fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 1)]))
    ok(clickfunnels.post(f"/api/v2/fulfillments/{first['id']}/cancel"))

    second = fulfill(clickfunnels, workspace_id, order["contact_id"], [(item["id"], 2)])

    assert second.status_code == 201, second.text
    assert second.json()["status"] == "fulfilled"
    assert second.json()["fulfillment_number"] > first["fulfillment_number"]
    assert statuses(clickfunnels, order["id"]) == ["fulfilled"]


def test_list_and_get_fulfillments(
    clickfunnels: ApiSession, workspace_id: int, account: Account, shop: dict[str, dict[str, Any]]
) -> None:
    ann = place_order(account, [(shop["book"]["id"], 2)], contact={"email_address": "ann@example.com"})
    bob = place_order(account, [(shop["book"]["id"], 1)], contact={"email_address": "bob@example.com"})
    first = ok(fulfill(clickfunnels, workspace_id, ann["contact_id"], [(ann["line_items"][0]["id"], 1)]), 201)
    second = ok(fulfill(clickfunnels, workspace_id, bob["contact_id"], [(bob["line_items"][0]["id"], 1)]), 201)
    first = ok(clickfunnels.post(f"/api/v2/fulfillments/{first['id']}/cancel"))

    def listed(**params: Any) -> list[int]:
        return [f["id"] for f in ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments", params=params))]

    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/fulfillments")) == [first, second]
    assert listed(**{"filter[contact_id]": bob["contact_id"]}) == [second["id"]]
    assert listed(**{"filter[status]": "cancelled"}) == [first["id"]]
    assert listed(**{"filter[status]": "fulfilled"}) == [second["id"]]
    assert ok(clickfunnels.get(f"/api/v2/fulfillments/{second['id']}")) == second
    assert ok(clickfunnels.get(f"/api/v2/fulfillments/{second['public_id']}")) == second


def test_an_unknown_fulfillment_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.get("/api/v2/fulfillments/424242")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_the_demo_workspace_has_four_fulfillments_one_cancelled(clickfunnels_demo: ApiSession) -> None:
    team = ok(clickfunnels_demo.get("/api/v2/teams"))[0]
    demo_workspace = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    fulfillments = ok(clickfunnels_demo.get(f"/api/v2/workspaces/{demo_workspace['id']}/fulfillments"))
    orders = ok(clickfunnels_demo.get(f"/api/v2/workspaces/{demo_workspace['id']}/orders"))

    assert len(fulfillments) == 4
    assert sorted(f["status"] for f in fulfillments) == ["cancelled", "fulfilled", "fulfilled", "fulfilled"]
    assert len(orders) == 15
