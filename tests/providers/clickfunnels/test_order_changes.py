"""ClickFunnels orders after they are placed: notes, order tags, invoices and payment
transactions, and what a refund restocks."""

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


def watch(client: ApiSession, workspace_id: int, events: list[str]) -> None:
    """An endpoint subscribed to `events`: the workspace keeps them as webhook events."""
    body = {"webhooks_outgoing_endpoint": {"url": "http://127.0.0.1:9/orders", "name": "Orders", "event_type_ids": events}}
    created(client.post(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints", json=body))


def sent_out(client: ApiSession, workspace_id: int) -> list[str]:
    return [e["event_type_id"] for e in ok(client.get(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/events"))]


def place(account: Account, client: ApiSession, workspace_id: int, **extra: Any) -> dict[str, Any]:
    product = create_product(client, workspace_id, f"Book {extra.get('order_type', '')}".strip(), price="20.00")
    contact = create_contact(client, workspace_id, f"buyer{product['id']}@example.com")
    body = {"contact_id": contact["id"], "line_items": [{"product_id": product["id"], "quantity": 2}], **extra}
    return created(trigger_response(account, "orders", **body))


def test_an_order_shows_its_contact_workspace_and_page(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    order = place(account, clickfunnels, workspace_id)

    assert order["contact"]["id"] == order["contact_id"]
    assert order["workspace"] == ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}"))
    assert (order["origination_channel_type"], order["origination_channel_id"]) == ("Page", order["page_id"])
    assert order["tag_ids"] == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_orders_notes_change_and_nothing_else(
    clickfunnels: ApiSession, workspace_id: int, account: Account, method: str
) -> None:
    order = place(account, clickfunnels, workspace_id)

    changed = ok(
        clickfunnels.request(method, f"/api/v2/orders/{order['id']}", json={"order": {"notes": "Gift wrap", "currency": "EUR"}})
    )

    assert (changed["notes"], changed["currency"]) == ("Gift wrap", order["currency"])
    assert events_of_last_request(account) == ["order.updated"]
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}")) == changed


def test_an_unknown_order_is_404_on_update(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.put("/api/v2/orders/424242", json={"order": {"notes": "x"}}))


# -- order tags and applied tags ---------------------------------------------------------------------------
def add_order_tag(client: ApiSession, workspace_id: int, name: str) -> dict[str, Any]:
    return created(
        client.post(f"/api/v2/workspaces/{workspace_id}/orders/tags", json={"orders_tag": {"name": name, "color": "#4f4ca7"}})
    )


def apply(client: ApiSession, order_id: int, tag_id: int) -> Any:
    return client.post(f"/api/v2/orders/{order_id}/applied_tags", json={"orders_applied_tag": {"tag_id": tag_id}})


def test_an_order_tag_is_applied_listed_and_removed(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    order = place(account, clickfunnels, workspace_id)
    rush = add_order_tag(clickfunnels, workspace_id, "Rush")

    applied = ok(apply(clickfunnels, order["id"], rush["id"]), 201)

    assert (applied["order_id"], applied["tag_id"]) == (order["id"], rush["id"])
    assert PUBLIC_ID.match(applied["public_id"])
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/applied_tags")) == [applied]
    assert ok(clickfunnels.get(f"/api/v2/orders/applied_tags/{applied['public_id']}")) == applied
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}"))["tag_ids"] == [rush["id"]]
    assert_invalid(apply(clickfunnels, order["id"], rush["id"]), "tag", "has already been taken")
    assert clickfunnels.delete(f"/api/v2/orders/applied_tags/{applied['id']}").status_code == 204
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}"))["tag_ids"] == []


def test_only_order_tags_of_the_workspace_apply(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    order = place(account, clickfunnels, workspace_id)
    other = created(trigger_response(account, "workspaces", name="Other"))["id"]
    foreign = add_order_tag(clickfunnels, other, "Elsewhere")

    assert_invalid(apply(clickfunnels, order["id"], foreign["id"]), "tag", "must exist")
    assert_invalid(apply(clickfunnels, order["id"], 424242), "tag", "must exist")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_order_tag_is_renamed_and_deleted_from_its_orders(
    clickfunnels: ApiSession, workspace_id: int, account: Account, method: str
) -> None:
    order = place(account, clickfunnels, workspace_id)
    tag = add_order_tag(clickfunnels, workspace_id, "Rush")
    add_order_tag(clickfunnels, workspace_id, "Gift")
    ok(apply(clickfunnels, order["id"], tag["id"]), 201)
    url = f"/api/v2/orders/tags/{tag['id']}"

    assert ok(clickfunnels.request(method, url, json={"orders_tag": {"name": "Express"}}))["name"] == "Express"
    assert_invalid(clickfunnels.request(method, url, json={"orders_tag": {"name": "gift"}}), "name", "has already been taken")
    assert clickfunnels.delete(url).status_code == 204
    assert_not_found(clickfunnels.get(url))
    assert ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/applied_tags")) == []


# -- invoices and transactions ---------------------------------------------------------------------------------
def test_a_placed_order_is_invoiced_and_paid(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    order = place(account, clickfunnels, workspace_id)

    (invoice,) = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/invoices"))
    (sale,) = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/transactions"))

    assert (invoice["status"], invoice["invoice_type"], invoice["total_amount"], invoice["due_amount"]) == (
        "paid",
        "one_time",
        "40.00",
        "0.00",
    )
    (line,) = invoice["line_items"]
    assert (line["id"], line["invoice_id"], line["quantity"], line["amount"]) == (
        order["line_items"][0]["id"],
        invoice["id"],
        2,
        "20.00",
    )
    assert (line["payment_type"], line["fulfillment_status"]) == ("one_time", "unfulfilled")
    assert (sale["external_type"], sale["status"], sale["result"], sale["amount"]) == ("sale", "completed", "approved", "40.00")
    assert ok(clickfunnels.get(f"/api/v2/orders/invoices/{invoice['id']}")) == invoice
    assert ok(clickfunnels.get(f"/api/v2/orders/transactions/{sale['public_id']}")) == sale


def test_placing_an_order_announces_its_invoice_and_payment(
    account: Account, clickfunnels: ApiSession, workspace_id: int
) -> None:
    watch(
        clickfunnels,
        workspace_id,
        ["order.created", "subscription.activated", "orders/invoice.created", "orders/transaction.created"],
    )

    order = place(account, clickfunnels, workspace_id, order_type="subscription")

    assert sent_out(clickfunnels, workspace_id) == [
        "order.created",
        "subscription.activated",
        "orders/invoice.created",
        "orders/transaction.created",
    ]
    (invoice,) = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/invoices"))
    assert invoice["invoice_type"] == "initial"
    assert invoice["line_items"][0]["payment_type"] == "subscription"


def test_an_invoice_line_follows_its_fulfillment(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    order = place(account, clickfunnels, workspace_id)
    line = order["line_items"][0]
    parts = [{"invoices_line_item_id": line["id"], "quantity": 1}]
    body = {"fulfillment": {"contact_id": order["contact_id"], "included_orders_invoices_line_items_attributes": parts}}
    created(clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/fulfillments", json=body))

    (invoice,) = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/invoices"))

    assert invoice["line_items"][0]["fulfillment_status"] == "partially_fulfilled"


def test_unknown_invoices_and_transactions_are_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/orders/424242/invoices"))
    assert_not_found(clickfunnels.get("/api/v2/orders/invoices/424242"))
    assert_not_found(clickfunnels.get("/api/v2/orders/424242/transactions"))
    assert_not_found(clickfunnels.get("/api/v2/orders/transactions/424242"))
    assert_not_found(clickfunnels.get("/api/v2/orders/invoices/restocks/424242"))


# -- refunds and restocks ------------------------------------------------------------------------------------------
def test_a_refunded_order_restocks_what_was_not_shipped(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    refund_events = ["order.updated", "one_time_order.refunded", "orders/invoice.refunded", "orders/transaction.created"]
    watch(clickfunnels, workspace_id, refund_events)

    order = place(account, clickfunnels, workspace_id, refunded=True)

    assert (order["billing_status"], order["service_status"]) == ("refunded", "inactive")
    (invoice,) = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/invoices"))
    assert invoice["status"] == "refunded"
    sale, refund = ok(clickfunnels.get(f"/api/v2/orders/{order['id']}/transactions"))
    assert (refund["external_type"], refund["amount"], refund["adjusted_transaction_id"]) == ("refund", "-40.00", sale["id"])
    (restock,) = ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/orders/invoices/restocks"))
    assert (restock["status"], restock["contact_id"], restock["workspace_id"]) == ("restocked", order["contact_id"], workspace_id)
    (part,) = restock["included_invoices_line_items"]
    assert (part["invoices_line_item_id"], part["quantity"], part["fulfillment_id"]) == (
        order["line_items"][0]["id"],
        2,
        restock["id"],
    )
    assert ok(clickfunnels.get(f"/api/v2/orders/invoices/restocks/{restock['id']}")) == restock
    # The sale's payment, then the refund.
    assert sent_out(clickfunnels, workspace_id) == ["orders/transaction.created", *refund_events]
