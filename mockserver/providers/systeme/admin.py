"""Admin actions for what happens outside the API: sales in funnels, opt-in forms, and
courses or communities built in the app. Mounted under /__admin/systeme/."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import ValidationFailed, Violation
from mockserver.engine.store import Row
from mockserver.providers.base import AdminActions
from mockserver.providers.systeme import records
from mockserver.providers.systeme.contacts import add_contact
from mockserver.providers.systeme.payments import (
    cancel_sale,
    contact_for_sale,
    order_view,
    record_sale,
    sale_payload,
    subscription,
)
from mockserver.providers.systeme.records import CONTACTS, ORDERS

ADMIN = AdminActions()
_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_FIELDS = {"type": "object", "additionalProperties": {"type": ["string", "null"], "maxLength": 1000}}
_SALE = {
    "type": "object",
    "properties": {
        "apiKey": {"type": "string"},
        "email": _TEXT,
        "contactId": {"type": "integer", "minimum": 1},
        "fields": _FIELDS,
        "pricePlan": {
            "type": "object",
            "properties": {
                "name": _TEXT,
                "innerName": _TEXT,
                "amount": {"type": "integer", "minimum": 0},
                "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
                "type": {"enum": ["one_shot", "subscription", "limited_subscription"]},
                "interval": {"enum": ["day", "week", "month", "year"]},
                "intervalCount": {"type": "integer", "minimum": 1, "maximum": 365},
                "limitOfPayments": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000},
                "trialPeriod": {"type": ["integer", "null"], "minimum": 1},
                "trialInterval": {"enum": ["day", "week", "month", "year", None]},
            },
        },
        "coupon": {
            "type": ["object", "null"],
            "required": ["code", "discountAmount", "discountType"],
            "properties": {
                "code": _TEXT,
                "innerName": _TEXT,
                "discountAmount": {"type": "integer", "minimum": 0},
                "discountType": {"enum": ["fixed", "percent"]},
            },
        },
        "funnel": _TEXT,
        "funnelStep": _TEXT,
        "paymentProcessor": {
            "enum": ["stripe", "paypal", "cash_on_delivery", "razorpay", "mollie", "xendit", "flutterwave", "paystack"]
        },
        "clientIp": {"type": "string", "maxLength": 45},
        "sourceUrl": {"type": ["string", "null"], "maxLength": 2048},
    },
    "anyOf": [{"required": ["email"]}, {"required": ["contactId"]}],
}


@ADMIN.post(
    "sales",
    _SALE,
    {
        201: "The order, its subscription (or null) and the SALE_NEW payload",
        404: "No contact has that contactId",
        422: "The body breaks the schema, or the e-mail is not deliverable",
    },
)
def create_sale(call: Call, body: dict[str, Any]) -> Reply:
    """A buyer completes an order form: SALE_NEW (and CONTACT_CREATED for a new buyer)."""
    contact = contact_for_sale(call, body)
    order, sub = record_sale(call, contact, body)
    return Reply(201, _sale_view(call, order, sub))


@ADMIN.action("GET", "sales", responses={200: "`items`: every order, oldest first"})
def list_sales(call: Call) -> Reply:
    """Every order, oldest first, as `POST sales` answers it."""
    orders = call.tenant.table(ORDERS)
    return Reply(200, {"items": [_sale_view(call, order, None) for order in orders.rows()]})


@ADMIN.post(
    "sales/<int:order_id>/cancel",
    responses={200: "The refunded order and its cancelled subscription", 404: "No such order", 409: "Already cancelled"},
)
def cancel_sale_action(call: Call) -> Reply:
    """A refund or cancellation in the app: SALE_CANCELED."""
    order, sub = cancel_sale(call, int(call.params["order_id"]))
    return Reply(200, _sale_view(call, order, sub))


@ADMIN.post(
    "opt-ins",
    {
        "type": "object",
        "required": ["email"],
        "properties": {
            "apiKey": {"type": "string"},
            "email": _TEXT,
            "fields": _FIELDS,
            "locale": {"type": "string"},
            "sourceURL": {"type": ["string", "null"], "maxLength": 2048},
        },
    },
    {200: "The contact", 422: "The body breaks the schema, the e-mail is not deliverable, or a field is unknown"},
)
def opt_in(call: Call, body: dict[str, Any]) -> Reply:
    """A visitor submits an opt-in form: CONTACT_CREATED if new, then CONTACT_OPT_IN."""
    tenant = call.tenant
    email = body["email"].strip()
    if not records.email_is_deliverable(email):
        raise ValidationFailed("invalid email", violations=[Violation("email", "This value is not a valid email address.")])
    fields = {k: v for k, v in (body.get("fields") or {}).items() if v is not None}
    unknown = [slug for slug in fields if tenant.table(records.FIELDS).find("slug", slug) is None]
    if unknown:
        raise ValidationFailed("unknown fields", violations=[Violation(f"fields.{s}", "No such contact field.") for s in unknown])
    contacts = tenant.table(CONTACTS)
    row = contacts.find("email", email.casefold())
    source = body.get("sourceURL", "https://optin.systeme.io/form")
    if row is None:
        row = add_contact(call, email=email, locale=body.get("locale", "en"), fields=fields, source_url=source)
    else:
        row = {**row, "fields": {**row["fields"], **fields}, "sourceURL": source}
    row = contacts.replace(row["id"], {**row, "needsConfirmation": False, "unsubscribed": False})
    call.emit("CONTACT_OPT_IN", {"contact": records.contact(tenant, row)})
    return Reply(200, records.contact(tenant, row))


@ADMIN.post(
    "courses",
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": _TEXT,
            "modules": {"type": "array", "items": _TEXT, "maxItems": 100},
            "active": {"type": "boolean"},
            "locale": {"type": "string"},
        },
    },
    {201: "The course"},
)
def create_course(call: Call, body: dict[str, Any]) -> Reply:
    """A course built in the app, with its modules (students enroll through the API)."""
    modules, active, locale = body.get("modules", []), body.get("active", True), body.get("locale", "en")
    row = records.add_course(call.tenant, body["name"], modules, active=active, locale=locale, domain=None)
    return Reply(201, records.course(row))


@ADMIN.post("communities", {"type": "object", "required": ["name"], "properties": {"name": _TEXT}}, {201: "The community"})
def create_community(call: Call, body: dict[str, Any]) -> Reply:
    """A community built in the app (members join through the API)."""
    return Reply(201, records.community(records.add_community(call.tenant, body["name"], None)))


@ADMIN.post(
    "email-status",
    {
        "type": "object",
        "required": ["contactId"],
        "properties": {
            "apiKey": {"type": "string"},
            "contactId": {"type": "integer", "minimum": 1},
            "unsubscribed": {"type": "boolean"},
            "bounced": {"type": "boolean"},
        },
    },
    {200: "The contact", 404: "No contact has that contactId", 422: "The body breaks the schema"},
)
def set_email_status(call: Call, body: dict[str, Any]) -> Reply:
    """The contact unsubscribes through an e-mail's link, or mail to the address bounces (or
    the app undoes either): the flags the contacts list filters on."""
    contacts = call.tenant.table(CONTACTS)
    row = records.require(contacts, body["contactId"])
    changes: dict[str, bool] = {flag: body[flag] for flag in ("unsubscribed", "bounced") if flag in body}
    row = contacts.replace(row["id"], {**row, **changes})
    return Reply(200, records.contact(call.tenant, row))


@ADMIN.post(
    "payments",
    {"type": "object", "required": ["enabled"], "properties": {"enabled": {"type": "boolean"}}},
    {200: "`payments`: whether payments are on"},
)
def set_payments(call: Call, body: dict[str, Any]) -> Reply:
    """Turn the account's payments on or off (subscriptions answer 404 while off)."""
    call.tenant.settings["payments"] = body["enabled"]
    return Reply(200, {"payments": body["enabled"]})


def _sale_view(call: Call, order: Row, sub: Row | None) -> dict[str, Any]:
    if sub is None and order["subscriptionId"]:
        sub = call.tenant.table(records.SUBSCRIPTIONS).get(order["subscriptionId"])
    return {
        "order": order_view(order),
        "subscription": subscription(sub, call.clock.time()) if sub else None,
        "payload": sale_payload(call.tenant, order),
    }
