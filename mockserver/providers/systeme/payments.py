"""Payments: subscriptions (API), and the sales that create them (funnels, via the admin API).

Statuses follow the emulator's clock: a subscription cancelled "when the billing period
ends" turns `cancelled` once the clock passes that date, and a limited subscription turns
`completed` after its last payment.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import Conflict, NotFound
from mockserver.engine.store import Row, Table, Tenant
from mockserver.providers.base import fail
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import violation
from mockserver.providers.systeme.records import CONTACTS, FUNNELS, ORDERS, SUBSCRIPTIONS

PRICE_PLANS = "price_plans"


def payments_table(tenant: Tenant) -> Table:
    """The subscriptions, which the API shows only while the account takes payments (404 otherwise)."""
    if not tenant.settings.get("payments"):
        raise NotFound("Not Found")
    return tenant.table(SUBSCRIPTIONS)


def list_subscriptions(call: Call) -> Reply:
    table = payments_table(call.tenant)
    where = records.columns_equal(call.params, contact="contactId")
    return records.page_reply(call, table, partial(subscription, now=call.clock.time()), where)


def cancel_subscription(call: Call) -> Reply:
    tenant = call.tenant
    row = records.require(payments_table(tenant), call.params["id"])
    now = call.clock.time()
    if subscription(row, now)["status"] != "active" or row.get("cancelAt"):
        raise fail(violation("", "This subscription is already cancelled."))
    when = (call.body or {}).get("cancel", "Now")
    if when == "Now":
        row["status"], row["cancelledAt"] = "cancelled", now
    else:
        row["cancelAt"] = period_end(row, now)
    order = tenant.table(ORDERS).get(row["orderId"])
    if order is not None:
        call.emit("SALE_CANCELED", sale_payload(tenant, order))
    return Reply(204)


# -- sales (admin) ---------------------------------------------------------------------
def record_sale(call: Call, contact: Row, spec: dict[str, Any], at: float | None = None) -> tuple[Row, Row | None]:
    """A purchase in a funnel: an order, maybe a subscription, and SALE_NEW."""
    tenant = call.tenant
    tenant.settings["payments"] = True
    now = call.clock.time() if at is None else at
    plan = price_plan(tenant, spec.get("pricePlan") or {})
    coupon = spec.get("coupon")
    amount = plan["amount"]
    discount = 0
    if coupon:
        discount = coupon["discountAmount"] if coupon["discountType"] == "fixed" else amount * coupon["discountAmount"] // 100
    funnel = _funnel(tenant, str(spec.get("funnel") or "Sales funnel"), str(spec.get("funnelStep") or "Order form"))
    if "customerId" not in contact:
        contact["customerId"] = tenant.next_id("customer")
    order_id = tenant.next_id("order")
    order = {
        "id": order_id,
        "contactId": contact["id"],
        "createdAt": now,
        "pricePlan": plan,
        "coupon": coupon,
        "funnel": funnel["funnel"],
        "funnelStep": funnel["step"],
        "orderItemId": tenant.next_id("order_item"),
        "totalPrice": max(0, amount - discount),
        "discountAmount": discount or None,
        "discountType": coupon["discountType"] if coupon else None,
        "status": "paid",
        "subscriptionId": None,
        "clientIp": spec.get("clientIp", "203.0.113.10"),
        "paymentProcessor": spec.get("paymentProcessor", "stripe"),
        "sourceUrl": spec.get("sourceUrl"),
    }
    sub = None
    if plan["type"] != "one_shot":
        sub = records.add(
            tenant,
            SUBSCRIPTIONS,
            "subscription",
            {
                "contactId": contact["id"],
                "orderId": order_id,
                "createdAt": now,
                "pricePlan": plan,
                "status": "active",
                "cancelledAt": None,
                "cancelAt": None,
            },
        )
        order["subscriptionId"] = sub["id"]
    tenant.table(ORDERS).insert(order_id, order)
    call.emit("SALE_NEW", sale_payload(tenant, order))
    return order, sub


def cancel_sale(call: Call, order_id: int) -> tuple[Row, Row | None]:
    """A refund: the order is refunded, its subscription cancelled, SALE_CANCELED fires."""
    tenant = call.tenant
    order = tenant.table(ORDERS).get(order_id)
    if order is None:
        raise NotFound(f"no order {order_id}")
    if order["status"] == "refunded":
        raise Conflict(f"order {order_id} is already cancelled")
    order["status"] = "refunded"
    now = call.clock.time()
    sub = tenant.table(SUBSCRIPTIONS).get(order["subscriptionId"]) if order["subscriptionId"] else None
    if sub is not None and subscription(sub, now)["status"] == "active":
        sub["status"], sub["cancelledAt"], sub["cancelAt"] = "cancelled", now, None
    call.emit("SALE_CANCELED", sale_payload(tenant, order))
    return order, sub


def sale_payload(tenant: Tenant, order: Row) -> dict[str, Any]:
    """The SALE_NEW / SALE_CANCELED body (schema version 2), as the real service sends it."""
    contact = tenant.table(CONTACTS).get(order["contactId"]) or {}
    created = records.stamp(order["createdAt"])
    return {
        "customer": {
            "id": contact.get("customerId", order["contactId"]),
            "contactId": order["contactId"],
            "email": contact.get("email", ""),
            "fields": dict(contact.get("fields", {})),
            "clientIp": order["clientIp"],
            "paymentProcessor": order["paymentProcessor"],
            "sourceUrl": order["sourceUrl"],
        },
        "coupon": order["coupon"],
        "funnelStep": {**order["funnelStep"], "funnel": order["funnel"]},
        "checkoutPage": None,
        "order": {
            "id": order["id"],
            "createdAt": created,
            "discountAmount": order["discountAmount"],
            "discountType": order["discountType"],
            "shippingFee": None,
            "totalPrice": order["totalPrice"],
            "vat": None,
        },
        "orderItem": {"createdAt": created, "id": order["orderItemId"], "resources": []},
        "pricePlan": order["pricePlan"],
    }


def order_view(order: Row) -> dict[str, Any]:
    return {
        "id": order["id"],
        "contactId": order["contactId"],
        "status": order["status"],
        "totalPrice": order["totalPrice"],
        "currency": order["pricePlan"]["currency"],
        "createdAt": records.stamp(order["createdAt"]),
        "subscriptionId": order["subscriptionId"],
    }


def subscription(row: Row, now: float) -> dict[str, Any]:
    status, cancelled_at, completed_at = row["status"], row["cancelledAt"], None
    plan = row["pricePlan"]
    options = plan.get("recurringOptions") or {}
    if status == "active" and row.get("cancelAt") and now >= row["cancelAt"]:
        status, cancelled_at = "cancelled", row["cancelAt"]
    if status == "active" and plan["type"] == "limited_subscription" and options.get("limitOfPayments"):
        end = _add(row["createdAt"], options["interval"], options["intervalCount"] * options["limitOfPayments"])
        if now >= end:
            status, completed_at = "completed", end
    return {
        "id": row["id"],
        "createdAt": records.stamp(row["createdAt"]),
        "status": status,
        "completedAt": records.stamp(completed_at) if completed_at else None,
        "cancelledAt": records.stamp(cancelled_at) if cancelled_at else None,
        "pricePlan": plan,
    }


def period_end(row: Row, now: float) -> float:
    """The end of the billing period that contains `now`."""
    options = row["pricePlan"].get("recurringOptions") or {"interval": "month", "intervalCount": 1}
    periods = 1
    while (end := _add(row["createdAt"], options["interval"], options["intervalCount"] * periods)) <= now:
        periods += 1
    return end


def price_plan(tenant: Tenant, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("type", "one_shot")
    name = str(spec.get("name") or ("Monthly membership" if kind != "one_shot" else "Online course"))
    plans = tenant.table(PRICE_PLANS)
    existing = next((p for p in plans.rows() if p["name"] == name and p["type"] == kind), None)
    if existing is not None:
        return dict(existing)
    plan_id = tenant.next_id("price_plan")
    recurring = None
    if kind != "one_shot":
        recurring = {
            "id": tenant.next_id("recurring_options"),
            "trialPeriod": spec.get("trialPeriod"),
            "trialInterval": spec.get("trialInterval"),
            "interval": spec.get("interval", "month"),
            "intervalCount": int(spec.get("intervalCount", 1)),
            "limitOfPayments": spec.get("limitOfPayments", 3 if kind == "limited_subscription" else None),
        }
    plan = {
        "id": plan_id,
        "name": name,
        "innerName": spec.get("innerName", name),
        "statementDescriptor": spec.get("statementDescriptor"),
        "amount": int(spec.get("amount", 4900)),
        "currency": str(spec.get("currency", "eur")).lower(),
        "type": kind,
        "recurringOptions": recurring,
    }
    plans.insert(plan_id, plan)
    return dict(plan)


def _funnel(tenant: Tenant, funnel_name: str, step_name: str) -> dict[str, Any]:
    funnels = tenant.table(FUNNELS)
    funnel = next((f for f in funnels.rows() if f["name"] == funnel_name), None)
    if funnel is None:
        funnel = records.add(tenant, FUNNELS, "funnel", {"name": funnel_name, "isActive": True, "steps": {}})
    if step_name not in funnel["steps"]:
        funnel["steps"][step_name] = tenant.next_id("funnel_step")
    return {
        "funnel": {"id": funnel["id"], "name": funnel["name"]},
        "step": {"id": funnel["steps"][step_name], "name": step_name, "type": "order_form"},
    }


def _add(epoch: float, interval: str, count: int) -> float:
    start = datetime.fromtimestamp(epoch, UTC)
    if interval == "day":
        return (start + timedelta(days=count)).timestamp()
    if interval == "week":
        return (start + timedelta(weeks=count)).timestamp()
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day).timestamp()


def contact_for_sale(call: Call, spec: dict[str, Any]) -> Row:
    """The buyer: an existing contact (by id or e-mail) or a new one."""
    from mockserver.providers.systeme.contacts import add_contact

    contacts = call.tenant.table(CONTACTS)
    if spec.get("contactId") is not None:
        row = contacts.get(spec["contactId"])
        if row is None:
            raise NotFound(f"no contact {spec['contactId']}")
        return row
    email = str(spec.get("email") or "").strip()
    if not email or not records.email_is_deliverable(email):
        raise fail(violation("email", "This value is not a valid email address.", "email"))
    row = contacts.find("email", email.casefold())
    if row is None:
        row = add_contact(call, email=email, fields=_field_values(spec), source_url=spec.get("sourceUrl"))
    return row


def _field_values(spec: dict[str, Any]) -> dict[str, str]:
    fields = spec.get("fields") or {}
    return {str(k): str(v) for k, v in fields.items() if v is not None} if isinstance(fields, dict) else {}
