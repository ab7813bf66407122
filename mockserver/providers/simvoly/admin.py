"""Admin actions for what site visitors do (orders, form submissions, bookings) and for
the e-mails the website sends. Mounted under /__admin/simvoly/."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.providers.base import AdminActions
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.audience import book, submit_form
from mockserver.providers.simvoly.records import OUTBOX
from mockserver.providers.simvoly.shop import place_order

ADMIN = AdminActions()
_TEXT = {"type": "string", "minLength": 1, "maxLength": 255}
_EMAIL = {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$", "maxLength": 255}
_TIME = {"type": "integer", "minimum": 0, "maximum": 9999999999}
_ADDRESS = {
    "type": "object",
    "properties": {name: {"type": ["string", "null"], "maxLength": 255} for name in records.ADDRESS_FIELDS},
}
_NAME_VALUES = {
    "type": "array",
    "maxItems": 100,
    "items": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": _TEXT, "value": {"type": ["string", "null"], "maxLength": 10000}},
    },
}
_ORDER = {
    "type": "object",
    "required": ["customerEmail", "items"],
    "properties": {
        "customerEmail": _EMAIL,
        "customerName": _TEXT,
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["productId"],
                "properties": {
                    "productId": {"type": "integer", "minimum": 1},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "variant": {"type": "integer", "minimum": 0},
                },
            },
        },
        "shippingAddress": _ADDRESS,
        "billingAddress": _ADDRESS,
        "discountCode": _TEXT,
        "discountAmount": {"type": "number", "minimum": 0},
        "shippingName": _TEXT,
        "shippingAmount": {"type": "number", "minimum": 0},
        "paid": {"type": "boolean"},
        "paymentMethod": _TEXT,
        "transactionId": _TEXT,
        "tags": {"type": "array", "items": _TEXT},
        # The checkout form's extra fields, as the order shows them.
        "additionalFields": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["field", "value"],
                "additionalProperties": False,
                "properties": {"field": _TEXT, "value": {"type": ["string", "null"], "maxLength": 10_000}},
            },
        },
    },
}


@ADMIN.post("orders", _ORDER, {201: "The order", 422: "The body breaks the schema, or a product does not exist"})
def create_order(call: Call, body: dict[str, Any]) -> Reply:
    """A visitor checks out: order_created (and contact_updated)."""
    return Reply(201, records.order(place_order(call, body)))


@ADMIN.post(
    "form-submissions",
    {"type": "object", "required": ["fields"], "properties": {"formName": _TEXT, "fields": _NAME_VALUES}},
    {201: "The submission"},
)
def create_submission(call: Call, body: dict[str, Any]) -> Reply:
    """A visitor submits a form: form_submitted (and contact_updated when it has an e-mail)."""
    return Reply(201, records.submission(submit_form(call, body.get("formName", "Contact form"), body["fields"])))


@ADMIN.post(
    "bookings",
    {
        "type": "object",
        "required": ["name", "email", "start"],
        "properties": {
            "name": _TEXT,
            "email": _EMAIL,
            "start": _TIME,
            "end": _TIME,
            "eventId": {"type": "integer", "minimum": 1},
            "eventName": _TEXT,
            "location": {"type": ["string", "null"], "maxLength": 255},
            "formAnswers": _NAME_VALUES,
        },
    },
    {201: "The booking", 422: "The body breaks the schema, or it ends before it starts"},
)
def create_booking(call: Call, body: dict[str, Any]) -> Reply:
    """A visitor books a session: booking_created (and contact_updated)."""
    if body.get("end") is not None and body["end"] < body["start"]:
        raise records.bad("end must not be before start.", "end")
    return Reply(201, records.booking(book(call, body)))


@ADMIN.action("GET", "emails", responses={200: "`items`: the e-mails sent, oldest first"})
def list_emails(call: Call) -> Reply:
    """The e-mails the website sent: password resets, order updates, digital access."""
    return Reply(200, {"items": [dict(row) for row in call.tenant.table(OUTBOX).rows()]})
