"""Products (with archive/unarchive), orders, and fulfillments of order line items."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import Conflict
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import catalog, records
from mockserver.providers.clickfunnels.listing import list_reply
from mockserver.providers.clickfunnels.records import CONTACTS, FULFILLMENTS, LINE_ITEMS, ORDERS, PRODUCTS, announce, invalid

# What a product has when the request leaves it out; it also names the fields a request may set.
PRODUCT_DEFAULTS = {
    "current_path": None,
    "visible_in_store": False,
    "visible_in_customer_center": False,
    "seo_title": None,
    "seo_description": None,
    "commissionable": False,
    "image_id": None,
}
PRODUCT_FIELDS = ("name", *PRODUCT_DEFAULTS)
SHIPPING_FIELDS = ("tracking_url", "shipping_provider", "tracking_code", "location_id")


# -- products --------------------------------------------------------------------------
def create_product(call: Call) -> Reply:
    space = records.workspace(call)
    attributes = call.body["product"]
    name = records.filled("name", attributes.get("name") or "")
    tags = {"tag_ids": catalog.product_tag_ids(call, space["id"], attributes["tag_ids"])} if "tag_ids" in attributes else {}
    cents = _cents(attributes.get("price", 0))
    row = add_product(call, space["id"], name, cents, attributes.get("currency", "USD"), {**attributes, **tags})
    return Reply(201, records.product(row))


def add_product(call: Call, workspace_id: int, name: str, cents: int, currency: str, attributes: dict[str, Any]) -> Row:
    """A product with its default digital variant and price; fires product.created."""
    variant = records.nested(call, "variant", PRODUCTS, name=name, sku=None)
    price = records.nested(
        call, "price", PRODUCTS, amount=records.money(cents), currency=currency, duration=None, interval=None, interval_count=None
    )
    fields = {**PRODUCT_DEFAULTS, **{k: v for k, v in attributes.items() if k in PRODUCT_FIELDS}}
    fields["name"] = name
    row = records.create(
        call,
        PRODUCTS,
        workspace_id=workspace_id,
        archived=False,
        tag_ids=list(attributes.get("tag_ids", [])),
        variants=[variant],
        prices=[price],
        **fields,
    )
    announce(call, "product.created", "Product", row, records.product(row))
    return row


def update_product(call: Call) -> Reply:
    row = records.addressed(call, PRODUCTS)
    attributes = call.body["product"]
    changes = {k: v for k, v in attributes.items() if k in PRODUCT_FIELDS}
    if "name" in attributes:
        changes["name"] = records.filled("name", attributes["name"] or "")
    if "price" in attributes:
        first, *others = row["prices"]
        changes["prices"] = [{**first, "amount": records.money(_cents(attributes["price"]))}, *others]
    if "tag_ids" in attributes:
        changes["tag_ids"] = catalog.product_tag_ids(call, row["workspace_id"], attributes["tag_ids"])
    return _product_changed(call, row, changes)


def archive_product(call: Call) -> Reply:
    return _archived(call, True, "Product is already archived")


def unarchive_product(call: Call) -> Reply:
    return _archived(call, False, "Product is not archived")


def _archived(call: Call, archived: bool, conflict: str) -> Reply:
    """Archive or unarchive the product; one that already is so is a conflict."""
    row = records.addressed(call, PRODUCTS)
    if row["archived"] == archived:
        raise Conflict(conflict)
    return _product_changed(call, row, {"archived": archived})


def _product_changed(call: Call, row: Row, changes: dict[str, Any]) -> Reply:
    row = records.touch(call, call.tenant.table(PRODUCTS), row, **changes)
    announce(call, "product.updated", "Product", row, records.product(row))
    return Reply(200, records.product(row))


def _cents(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


# -- orders ----------------------------------------------------------------------------
def list_orders(call: Call) -> Reply:
    return list_reply(call, ORDERS, partial(records.order, call.tenant))


def get_order(call: Call) -> Reply:
    return Reply(200, records.order(call.tenant, records.addressed(call, ORDERS)))


# -- fulfillments ----------------------------------------------------------------------
def create_fulfillment(call: Call) -> Reply:
    tenant = call.tenant
    space = records.workspace(call)
    attributes = call.body["fulfillment"]
    contact = tenant.table(CONTACTS).get(attributes["contact_id"])
    if contact is None or contact["workspace_id"] != space["id"]:
        raise invalid("contact", "must exist")
    wanted: dict[int, int] = {}
    for part in attributes["included_orders_invoices_line_items_attributes"]:
        item_id = part["invoices_line_item_id"]
        wanted[item_id] = wanted.get(item_id, 0) + part["quantity"]
    for item_id, quantity in wanted.items():
        item = tenant.table(LINE_ITEMS).get(item_id)
        order = tenant.table(ORDERS).get(item["order_id"]) if item else None
        if item is None or order is None or order["contact_id"] != contact["id"]:
            raise invalid("included_orders_invoices_line_items", f"line item {item_id} is not one of the contact's orders")
        left = item["quantity"] - records.fulfilled_quantity(tenant, item_id)
        if quantity > left:
            raise invalid(
                "included_orders_invoices_line_items", f"quantity for line item {item_id} exceeds the {left} left to fulfill"
            )
    row = add_fulfillment(call, space["id"], contact["id"], "fulfilled", attributes, wanted.items())
    return Reply(201, records.fulfillment(row))


def add_fulfillment(
    call: Call, workspace_id: int, contact_id: int, status: str, shipping: Mapping[str, Any], items: Iterable[tuple[int, int]]
) -> Row:
    """A fulfillment of one part per (line item id, quantity), its shipping details read from
    `shipping`; fires fulfillment.created."""
    tenant = call.tenant
    row = records.create(
        call,
        FULFILLMENTS,
        workspace_id=workspace_id,
        contact_id=contact_id,
        status=status,
        fulfillment_number=tenant.next_id(f"fulfillment_number:{workspace_id}"),
        **{name: shipping.get(name) for name in SHIPPING_FIELDS},
        parts=[],
    )
    row["parts"] = [
        records.nested(
            call, "fulfillment_part", FULFILLMENTS, fulfillment_id=row["id"], invoices_line_item_id=item_id, quantity=quantity
        )
        for item_id, quantity in items
    ]
    announce(call, "fulfillment.created", "Fulfillment", row, records.fulfillment(row))
    return row


def update_fulfillment(call: Call) -> Reply:
    """Its shipping details (what ships stays); fires fulfillment.updated."""
    row = records.addressed(call, FULFILLMENTS)
    attributes = call.body["fulfillment"]
    changes = {name: attributes[name] for name in SHIPPING_FIELDS if name in attributes}
    row = records.touch(call, call.tenant.table(FULFILLMENTS), row, **changes)
    announce(call, "fulfillment.updated", "Fulfillment", row, records.fulfillment(row))
    return Reply(200, records.fulfillment(row))


def cancel_fulfillment(call: Call) -> Reply:
    row = records.addressed(call, FULFILLMENTS)
    if row["status"] != "fulfilled":
        raise Conflict(f"Fulfillment is {row['status']} and cannot be cancelled")
    row = records.touch(call, call.tenant.table(FULFILLMENTS), row, status="cancelled")
    announce(call, "fulfillment.updated", "Fulfillment", row, records.fulfillment(row))
    return Reply(200, records.fulfillment(row))
