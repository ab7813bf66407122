"""Subscriber lists (with their counters), form submissions and bookings. Submissions
and bookings come from visitors: the admin API and the demo data make them here."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.contacts import upsert
from mockserver.providers.simvoly.records import BOOKINGS, CONTACTS, LISTS, SUBMISSIONS


# -- subscriber lists ------------------------------------------------------------------
def list_lists(call: Call) -> Reply:
    return records.page(call, LISTS, lambda row: records.subscriber_list(call.tenant, row))


def create_list(call: Call) -> Reply:
    name = records.required(call.body["name"], "name")
    fields = {"name": name, "created": records.now(call), "opens": 0.0, "clicks": 0.0}
    row = records.insert_new(call.tenant, LISTS, "subscriber_list", fields)
    return Reply(201, records.subscriber_list(call.tenant, row))


def get_list(call: Call) -> Reply:
    return Reply(200, records.subscriber_list(call.tenant, records.by_id(call, LISTS)))


def update_list(call: Call) -> Reply:
    row = records.by_id(call, LISTS)
    row["name"] = records.required(call.body["name"], "name")
    return Reply(200, records.subscriber_list(call.tenant, row))


def delete_list(call: Call) -> Reply:
    row = records.delete_by_id(call, LISTS)
    for contact in call.tenant.table(CONTACTS).rows():
        if row["id"] in contact["subscriberLists"]:
            contact["subscriberLists"] = [i for i in contact["subscriberLists"] if i != row["id"]]
    return Reply(200, {"success": True})


# -- form submissions ------------------------------------------------------------------
def list_submissions(call: Call) -> Reply:
    return records.page(call, SUBMISSIONS, records.submission, records.in_range(call, "received", "from", "to"))


def submit_form(call: Call, form_name: str, fields: list[dict[str, Any]]) -> Row:
    """A visitor submits a form. A field named like `email` makes (or updates) a contact;
    form_submitted fires with the website, the contact and the values."""
    contact = None
    email = next((str(f["value"]).strip() for f in fields if f["name"].lower() in ("email", "e-mail") and f.get("value")), "")
    if email:
        name = next((str(f["value"]) for f in fields if f["name"].lower() == "name" and f.get("value")), None)
        contact, _ = upsert(call, {"email": email, **({"name": name} if name else {})})
    row = records.insert_new(
        call.tenant,
        SUBMISSIONS,
        "form_submission",
        {
            "name": form_name,
            "received": records.now(call),
            "fields": [{"name": f["name"], "value": f.get("value")} for f in fields],
        },
    )
    call.emit(
        "form_submitted",
        {
            "website": records.website(call.tenant),
            "contact": records.contact(contact) if contact else None,
            "formName": form_name,
            "formValues": [{"field": f["name"], "value": f.get("value")} for f in fields],
        },
    )
    return row


# -- bookings --------------------------------------------------------------------------
def list_bookings(call: Call) -> Reply:
    where = records.in_range(call, "start", "from", "to")
    return records.page(call, BOOKINGS, records.booking, where, filed=("event", call.params.get("eventId")))


def book(call: Call, spec: dict[str, Any]) -> Row:
    """A visitor books a session: the contact is found or created, booking_created fires."""
    tenant = call.tenant
    contact, _ = upsert(call, {"email": spec["email"], "name": spec["name"]})
    start, event_name = int(spec["start"]), spec.get("eventName", "Consultation")
    row = records.insert_new(
        tenant,
        BOOKINGS,
        "booking",
        {
            "eventId": spec.get("eventId", 1),
            "contactId": contact["id"],
            "name": spec["name"],
            "email": spec["email"],
            "start": start,
            "end": int(spec.get("end", start + 1800)),
            "eventData": {"name": event_name, "location": spec.get("location")},
            "operator": dict(spec.get("operator") or {"id": 1, "name": "Site Owner", "email": "owner@example.com"}),
            "service": dict(spec.get("service") or {"id": 1, "name": event_name}),
            "formAnswers": [{"name": a["name"], "value": a.get("value")} for a in spec.get("formAnswers", [])],
        },
    )
    call.emit("booking_created", records.booking(row))
    return row
