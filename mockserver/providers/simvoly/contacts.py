"""Contacts: the website's CRM. Create is an upsert by e-mail address; contacts link to
members and to subscriber lists."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.records import CONTACT_FIELDS, CONTACTS, LISTS, MEMBERS


def list_contacts(call: Call) -> Reply:
    where = records.in_range(call, "createdOn", "created_at_min", "created_at_max")
    return records.page(call, CONTACTS, records.contact, where)


def create_contact(call: Call) -> Reply:
    row, created = upsert(call, call.body)
    return Reply(201 if created else 200, records.contact(row))


def search_contact(call: Call) -> Reply:
    row = records.by_email(call.tenant.table(CONTACTS), call.params["email"].strip())
    return Reply(200, records.contact(records.found(row, "Contact")))


get_contact = records.READS.getter(CONTACTS, records.contact)


def update_contact(call: Call) -> Reply:
    table = call.tenant.table(CONTACTS)
    row = records.by_id(call, CONTACTS)
    values = _supplied(call, call.body, row, skip_empty=True)
    email = call.body["email"].strip()
    records.refuse_taken(table, "email", email.casefold(), row, "Another contact has this email address.")
    row = table.replace(row["id"], {**row, **values, "email": email})
    call.emit("contact_updated", records.contact(row))
    return Reply(200, records.contact(row))


def delete_contact(call: Call) -> Reply:
    row = records.delete_by_id(call, CONTACTS)
    if row["memberId"] is not None:
        member = call.tenant.table(MEMBERS).get(row["memberId"])
        if member is not None:
            member["contactId"] = None
    return Reply(200, {"success": True})


def upsert(call: Call, fields: dict[str, Any]) -> tuple[Row, bool]:
    """Set the supplied fields on the contact with this e-mail address, or create it.
    Fires contact_updated either way; answers the contact and whether it was created."""
    tenant = call.tenant
    table = tenant.table(CONTACTS)
    email = records.required(fields["email"], "email")
    existing = records.by_email(table, email)
    values = _supplied(call, fields, existing, skip_empty=False)
    if existing is not None:
        row = table.replace(existing["id"], {**existing, **values})
    else:
        row = records.insert_new(
            tenant,
            CONTACTS,
            "contact",
            {
                "email": email,
                "createdOn": records.now(call),
                **{name: None for name in CONTACT_FIELDS},
                "properties": [],
                "tags": [],
                "memberId": None,
                "subscribed": False,
                "subscriberLists": [],
                **values,
            },
        )
    member = records.by_email(tenant.table(MEMBERS), email)
    if member is not None and row["memberId"] is None:
        row["memberId"] = member["id"]  # a member and the contact with its e-mail belong together
        if member["contactId"] is None:
            member["contactId"] = row["id"]
    call.emit("contact_updated", records.contact(row))
    return row, existing is None


def _supplied(call: Call, fields: dict[str, Any], current: Row | None, *, skip_empty: bool) -> dict[str, Any]:
    """The contact fields a body supplies, checked. `skip_empty` drops "" and null values
    (PUT sets only non-empty fields). Properties merge by name into the current ones."""
    supplied = records.non_empty(fields) if skip_empty else fields
    values = records.given(supplied, (*CONTACT_FIELDS, "subscribed"))
    if "tags" in supplied:
        values["tags"] = list(dict.fromkeys(t.strip() for t in supplied["tags"] if t.strip()))
    if "properties" in supplied:
        merged = {p["name"]: p["value"] for p in (current["properties"] if current else [])}
        for prop in supplied["properties"]:
            merged[prop["name"]] = prop.get("value")
        values["properties"] = [{"name": k, "value": v} for k, v in merged.items()]
    if "subscriberLists" in supplied:
        lists = supplied["subscriberLists"]
        values["subscriberLists"] = records.existing_ids(call.tenant, LISTS, lists, "Subscriber list", "subscriberLists")
    return values
