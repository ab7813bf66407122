"""What buyers and visitors do in funnels, outside the API: orders and form submissions.
The admin API and the demo data both go through here, so both fire the same events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mockserver.engine.context import Call
from mockserver.engine.errors import NotFound
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.contacts import add_contact, merge_contact
from mockserver.providers.clickfunnels.orders import bill
from mockserver.providers.clickfunnels.records import CONTACTS, LINE_ITEMS, ORDERS, PRODUCTS, SUBMISSIONS, announce, invalid

# What an order's line item keeps of the price it was sold at.
PRICE_KEYS = ("id", "public_id", "amount", "currency", "duration", "interval", "interval_count")


def buyer(call: Call, workspace_id: int, contact_id: int | None, attributes: dict[str, Any] | None) -> Row:
    """The contact placing an order or submitting a form: by id, by e-mail, or a new one."""
    contacts = call.tenant.table(CONTACTS)
    if contact_id is not None:
        row = contacts.get(contact_id)
        if row is None or row["workspace_id"] != workspace_id:
            raise NotFound(f"no contact {contact_id} in workspace {workspace_id}")
        return row
    attributes = dict(attributes or {})
    email = str(attributes.get("email_address") or "").strip()
    existing = contacts.find("email", (workspace_id, email.casefold())) if email else None
    if existing is not None:
        return existing
    return add_contact(call, workspace_id, attributes)


def order_lines(call: Call, workspace_id: int, lines: list[dict[str, Any]]) -> list[tuple[Row, int]]:
    """The products and quantities an order asks for; each must be a live product of the workspace."""
    products = call.tenant.table(PRODUCTS)
    chosen = []
    for index, line in enumerate(lines):
        product = products.get(line["product_id"])
        if product is None or product["workspace_id"] != workspace_id or product["archived"]:
            raise invalid(f"line_items[{index}].product_id", "must be a product of the workspace that is not archived")
        chosen.append((product, int(line.get("quantity", 1))))
    return chosen


def place_order(
    call: Call, workspace_id: int, contact: Row, chosen: list[tuple[Row, int]], spec: dict[str, Any], *, billed: bool = True
) -> Row:
    """An order with its line items; fires order.created and, once paid,
    one-time-order.completed or subscription.activated; then (`billed`) its invoice and
    payment (orders.bill)."""
    tenant, at = call.tenant, call.clock.time()
    order_type = spec.get("order_type", "one-time-order")
    currency = chosen[0][0]["prices"][0]["currency"] if chosen else "USD"
    order = records.new_record(
        tenant,
        call.random,
        ORDERS,
        at,
        workspace_id=workspace_id,
        order_number=str(100000 + tenant.next_id(f"order_number:{workspace_id}")),
        contact_id=contact["id"],
        currency=currency,
        order_type=order_type,
        billing_status="paid",
        service_status="active",
        in_trial=False,
        notes=spec.get("notes"),
        funnel_name=spec.get("funnel_name", "Sales Funnel"),
        page_name=spec.get("page_name", "Order Form"),
        canceled_at=None,
        total_cents=0,
        line_item_ids=[],
        next_charge_at=(datetime.fromtimestamp(at, UTC) + timedelta(days=30)).timestamp()
        if order_type == "subscription"
        else None,
    )
    total = 0
    for product, quantity in chosen:
        price = {key: product["prices"][0][key] for key in PRICE_KEYS}
        # A line item's interval is singular (a price's may be plural: `months`).
        price["interval"] = price["interval"].removesuffix("s") if price["interval"] else None
        if order_type == "subscription":
            price.update(interval="month", interval_count=1)
        item = records.new_record(
            tenant,
            call.random,
            LINE_ITEMS,
            at,
            order_id=order["id"],
            quantity=quantity,
            price=price,
            product={"id": product["id"], "public_id": product["public_id"], "name": product["name"]},
            variant={key: product["variants"][0][key] for key in ("id", "public_id", "name", "sku")},
        )
        order["line_item_ids"].append(item["id"])
        total += round(float(price["amount"]) * 100) * quantity
    order["total_cents"] = total
    view = records.order(tenant, order)
    paid = "subscription.activated" if order_type == "subscription" else "one-time-order.completed"
    for event in ("order.created", paid):
        announce(call, event, "Order", order, view, funnel={"name": order["funnel_name"]}, page={"name": order["page_name"]})
    if billed:
        bill(call, order, at)
    return order


def submit_form(call: Call, form: Row, data: dict[str, str]) -> Row:
    """A visitor submits a form. With an e-mail address the visitor becomes (or is found
    as) a contact, which is identified; then form_submission.created fires."""
    contact = None
    email = (data.get("email_address") or "").strip()
    if email:
        known = {k: v for k, v in data.items() if k in records.CONTACT_FIELDS}
        contact, _ = merge_contact(call, form["workspace_id"], email, known)
        announce(call, "contact.identified", "Contact", contact, records.contact(call.tenant, contact))
    row = records.create(
        call,
        SUBMISSIONS,
        form_id=form["id"],
        workspace_id=form["workspace_id"],
        contact_id=contact["id"] if contact else None,
        data={str(k): str(v) for k, v in data.items()},
    )
    announce(call, "form_submission.created", "Forms::Submission", row, records.submission(row))
    return row
