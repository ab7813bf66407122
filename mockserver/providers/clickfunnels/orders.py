"""What an order carries besides its line items: notes (the one thing the API changes),
order tags and the tags applied to it, its invoices and payment transactions, and restocks
of what a refunded order will not have shipped."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.catalog import tag_view, unique_name
from mockserver.providers.clickfunnels.listing import list_reply
from mockserver.providers.clickfunnels.records import (
    INVOICES,
    LINE_ITEMS,
    ORDER_APPLIED_TAGS,
    ORDER_TAGS,
    ORDERS,
    RESTOCKS,
    TRANSACTIONS,
    announce,
    invalid,
    money,
    shown,
    stamp,
)
from mockserver.providers.clickfunnels.resources import Resource

ZERO = "0.00"
TAXES = ("state", "county", "city", "district")


def update_order(call: Call) -> Reply:
    """Only an order's notes change through the API; fires order.updated."""
    row = records.addressed(call, ORDERS)
    changes = {"notes": call.body["order"]["notes"]} if "notes" in call.body["order"] else {}
    row = records.touch(call, call.tenant.table(ORDERS), row, **changes)
    view = records.order(call.tenant, row)
    announce(call, "order.updated", "Order", row, view)
    return Reply(200, view)


# -- order tags and applied tags -----------------------------------------------------------------------
ORDER_TAG = Resource(
    ORDER_TAGS, "orders_tag", tag_view, defaults={"name": None, "color": None}, filled=("name",), check=unique_name(ORDER_TAGS)
)


def applied_tag(row: Row) -> dict[str, Any]:
    return shown(row, "order_id", "tag_id")


def delete_order_tag(call: Call) -> Reply:
    """The tag comes off every order carrying it."""
    row = records.addressed(call, ORDER_TAGS)
    for link in records.children(call.tenant, ORDER_APPLIED_TAGS, "tag_id", row["id"]):
        records.table(call.tenant, ORDER_APPLIED_TAGS).delete(link["id"])
    ORDER_TAG.remove(call, row)
    return Reply(204)


def create_applied_tag(call: Call) -> Reply:
    order = records.addressed(call, ORDERS)
    tag_id = call.body["orders_applied_tag"]["tag_id"]
    records.owned(call.tenant, ORDER_TAGS, tag_id, order["workspace_id"], "tag")
    if any(link["tag_id"] == tag_id for link in records.children(call.tenant, ORDER_APPLIED_TAGS, "order_id", order["id"])):
        raise invalid("tag", "has already been taken")
    link = records.create(call, ORDER_APPLIED_TAGS, workspace_id=order["workspace_id"], order_id=order["id"], tag_id=tag_id)
    return Reply(201, applied_tag(link))


# -- invoices, transactions, restocks ------------------------------------------------------------------------
def invoice(tenant: Tenant, row: Row) -> dict[str, Any]:
    total = money(row["total_cents"])
    return shown(
        row,
        "order_id",
        "status",
        "currency",
        "invoice_type",
        due_amount=ZERO,
        total_amount=total,
        subtotal_amount=total,
        tax_amount=ZERO,
        shipping_amount=ZERO,
        discount_amount=ZERO,
        issued_at=stamp(row["issued_at"]),
        due_at=stamp(row["due_at"]),
        paid_at=stamp(row["paid_at"]),
        line_items=[_invoice_line(tenant, row, item) for item in map(tenant.table(LINE_ITEMS).get, row["line_item_ids"]) if item],
    )


def _invoice_line(tenant: Tenant, invoice_row: Row, item: Row) -> dict[str, Any]:
    """An invoice line is its order line as billed: the same id, the amount charged."""
    fulfilled = records.fulfilled_quantity(tenant, item["id"])
    status = "unfulfilled" if fulfilled == 0 else "complete" if fulfilled >= item["quantity"] else "partially_fulfilled"
    price = item["price"]
    return {
        **records.base(item),
        "invoice_id": invoice_row["id"],
        "description": item["product"]["name"],
        "external_id": item["public_id"],
        "external_product_id": item["product"]["public_id"],
        "payment_type": "subscription" if price["interval"] else "one_time",
        "amount": price["amount"],
        "quantity": item["quantity"],
        "fulfillment_status": status,
        "discount_amount": ZERO,
        **{f"{tax}_tax_amount": ZERO for tax in TAXES},
        **{f"{tax}_tax_rate": "0.0" for tax in TAXES},
        **{f"{place}_tax_jurisdiction": None for place in ("country", *TAXES[:3])},
        "period_start_at": stamp(invoice_row["issued_at"]) if price["interval"] else None,
        "period_end_at": stamp(invoice_row["next_charge_at"]) if price["interval"] else None,
        "period_number": 1 if price["interval"] else None,
        "products_price": dict(price),
        "products_variant": dict(item["variant"]),
        "created_at": stamp(item["created_at"]),
        "updated_at": stamp(item["updated_at"]),
    }


def transaction(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "order_id",
        "status",
        "external_type",
        "external_id",
        "amount",
        "currency",
        "reason",
        "adjusted_transaction_id",
        "result",
        "billing_payment_instruction_id",
        "billing_payment_instruction_type",
        "arn",
        "is_rebill",
        "rebill_number",
    )


def restock(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "contact_id", "status", included_invoices_line_items=[dict(part) for part in row["parts"]])


def list_invoices(call: Call) -> Reply:
    return list_reply(call, INVOICES, lambda row: invoice(call.tenant, row), within=ORDERS)


def get_invoice(call: Call) -> Reply:
    return Reply(200, invoice(call.tenant, records.addressed(call, INVOICES)))


def bill(call: Call, order: Row, at: float) -> None:
    """The order's first invoice, paid at once, and the sale that paid it; fires
    orders/invoice.created and orders/transaction.created."""
    tenant, random = call.tenant, call.random
    subscription = order["order_type"] == "subscription"
    row = records.new_record(
        tenant,
        random,
        INVOICES,
        at,
        workspace_id=order["workspace_id"],
        order_id=order["id"],
        status="paid",
        currency=order["currency"],
        invoice_type="initial" if subscription else "one_time",
        total_cents=order["total_cents"],
        line_item_ids=list(order["line_item_ids"]),
        issued_at=at,
        due_at=at,
        paid_at=at,
        next_charge_at=order["next_charge_at"],
    )
    announce(call, "orders/invoice.created", "Orders::Invoice", row, invoice(tenant, row))
    _transact(call, order, at, "sale", money(order["total_cents"]), None)


def refund(call: Call, order: Row) -> Row:
    """The order refunded in full: its invoices refunded, a refund transaction, and its
    line items restocked; fires order.updated, orders/invoice.refunded, one_time_order.refunded
    (a one-time order), orders/transaction.created."""
    tenant, at = call.tenant, call.clock.time()
    order = records.touch(call, tenant.table(ORDERS), order, billing_status="refunded", service_status="inactive")
    announce(call, "order.updated", "Order", order, records.order(tenant, order))
    if order["order_type"] == "one-time-order":
        announce(call, "one_time_order.refunded", "Order", order, records.order(tenant, order))
    invoices = records.table(tenant, INVOICES)
    for billed in records.children(tenant, INVOICES, "order_id", order["id"]):
        row = records.touch(call, invoices, billed, status="refunded")
        announce(call, "orders/invoice.refunded", "Orders::Invoice", row, invoice(tenant, row))
    sales = [t for t in records.children(tenant, TRANSACTIONS, "order_id", order["id"]) if t["external_type"] == "sale"]
    _transact(call, order, at, "refund", money(-order["total_cents"]), sales[0]["id"] if sales else None)
    _restock(call, order)
    return order


def _transact(call: Call, order: Row, at: float, kind: str, amount: str, adjusted: int | None) -> None:
    row = records.new_record(
        call.tenant,
        call.random,
        TRANSACTIONS,
        at,
        workspace_id=order["workspace_id"],
        order_id=order["id"],
        status="completed",
        external_type=kind,
        external_id=call.random.token(16),
        amount=amount,
        currency=order["currency"],
        reason="requested_by_customer" if kind == "refund" else None,
        adjusted_transaction_id=adjusted,
        result="approved",
        billing_payment_instruction_id=None,
        billing_payment_instruction_type=None,
        arn=None,
        is_rebill=False,
        rebill_number=0,
    )
    announce(call, "orders/transaction.created", "Orders::Transaction", row, transaction(row))


def _restock(call: Call, order: Row) -> None:
    """What of the order's line items was not fulfilled goes back to stock."""
    tenant = call.tenant
    row = records.create(
        call, RESTOCKS, workspace_id=order["workspace_id"], contact_id=order["contact_id"], status="restocked", parts=[]
    )
    parts = []
    for item in map(tenant.table(LINE_ITEMS).get, order["line_item_ids"]):
        left = item["quantity"] - records.fulfilled_quantity(tenant, item["id"]) if item else 0
        if item and left > 0:
            part = records.nested(
                call, "restock_part", RESTOCKS, fulfillment_id=row["id"], invoices_line_item_id=item["id"], quantity=left
            )
            parts.append(part)
    records.table(tenant, RESTOCKS).replace(row["id"], {**row, "parts": parts})
