"""Contacts (with upsert), contact tags, and tags applied to contacts."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import held_by_another
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.listing import list_reply
from mockserver.providers.clickfunnels.records import (
    APPLIED_TAGS,
    CONTACT_FIELDS,
    CONTACTS,
    ENROLLMENTS,
    SUBMISSIONS,
    TAGS,
    announce,
    invalid,
)

# A local part, then a domain of non-empty labels with at least one dot.
EMAIL = re.compile(r"[^@\s]+@(?:[^@\s.]+\.)+[^@\s.]+\Z")
RESERVED_ATTRIBUTES = frozenset(CONTACT_FIELDS) | {"id", "public_id", "tags", "tag_ids", "uuid", "workspace_id"}


# -- contacts --------------------------------------------------------------------------
def list_contacts(call: Call) -> Reply:
    tenant = call.tenant
    tag_ids = {"tag_ids": lambda row: [link["tag_id"] for link in _links(tenant, row)]}
    return list_reply(call, CONTACTS, partial(records.contact, tenant), accessors=tag_ids)


def get_contact(call: Call) -> Reply:
    return Reply(200, records.contact(call.tenant, records.addressed(call, CONTACTS)))


def create_contact(call: Call) -> Reply:
    space = records.workspace(call)
    row = add_contact(call, space["id"], call.body["contact"])
    return Reply(201, records.contact(call.tenant, row))


def update_contact(call: Call) -> Reply:
    row = change_contact(call, records.addressed(call, CONTACTS), call.body["contact"], skip_empty=False)
    return Reply(200, records.contact(call.tenant, row))


def upsert_contact(call: Call) -> Reply:
    tenant = call.tenant
    space = records.workspace(call)
    attributes = call.body["contact"]
    email = records.filled("email_address", attributes["email_address"])
    row, created = merge_contact(call, space["id"], email, attributes)
    return Reply(201 if created else 200, records.contact(tenant, row))


def delete_contact(call: Call) -> Reply:
    tenant = call.tenant
    row = records.addressed(call, CONTACTS)
    rendered = records.contact(tenant, row)
    for link in _links(tenant, row):
        tenant.table(APPLIED_TAGS).delete(link["id"])
    for enrollment in tenant.table(ENROLLMENTS).rows():
        if enrollment["contact_id"] == row["id"]:
            tenant.table(ENROLLMENTS).delete(enrollment["id"])
    for submission in tenant.table(SUBMISSIONS).rows():
        if submission["contact_id"] == row["id"]:
            submission["contact_id"] = None
    tenant.table(CONTACTS).delete(row["id"])
    announce(call, "contact.deleted", "Contact", row, rendered)
    return Reply(204)


def redact_contact(call: Call) -> Reply:
    """GDPR: the contact stays, without anything that identifies a person (its fields,
    custom attributes); fires contact.updated. The real service answers 200 with no body."""
    tenant = call.tenant
    row = records.addressed(call, CONTACTS)
    cleared = dict.fromkeys(CONTACT_FIELDS) | {"custom_attributes": {}}
    row = records.touch(call, tenant.table(CONTACTS), row, **cleared)
    announce(call, "contact.updated", "Contact", row, records.contact(tenant, row))
    return Reply(200)


def add_contact(call: Call, workspace_id: int, attributes: dict[str, Any]) -> Row:
    """Validate and store a new contact; fires contact.created and applied-tag events."""
    tenant = call.tenant
    values = _checked_fields(tenant, workspace_id, attributes, contact_id=None)
    tag_ids = _checked_tags(tenant, workspace_id, attributes.get("tag_ids"))
    custom = _checked_custom(attributes.get("custom_attributes"))
    row = records.create(
        call,
        CONTACTS,
        workspace_id=workspace_id,
        anonymous=None,
        uuid=call.random.uuid4(),
        unsubscribed_at=None,
        custom_attributes=custom,
        applied_tag_ids=[],
        **{name: values.get(name) for name in CONTACT_FIELDS},
    )
    announce(call, "contact.created", "Contact", row, records.contact(tenant, row))
    _set_tags(call, row, tag_ids or [])
    return row


def change_contact(call: Call, row: Row, attributes: dict[str, Any], *, skip_empty: bool) -> Row:
    """Update a contact (PUT/PATCH, or upsert with `skip_empty`); fires contact.updated.
    Answers the stored row (a new object: indexed values may have changed)."""
    tenant = call.tenant
    if skip_empty:
        attributes = {k: v for k, v in attributes.items() if v not in (None, "", [], {})}
    values = _checked_fields(tenant, row["workspace_id"], attributes, contact_id=row["id"])
    tag_ids = _checked_tags(tenant, row["workspace_id"], attributes.get("tag_ids"))
    custom = _checked_custom(attributes.get("custom_attributes"))
    updated = {**row, **values}
    if "custom_attributes" in attributes:
        updated["custom_attributes"] = {**row["custom_attributes"], **custom} if skip_empty else custom
    row = tenant.table(CONTACTS).replace(row["id"], updated)
    if tag_ids is not None:
        _set_tags(call, row, tag_ids)
    row = records.touch(call, tenant.table(CONTACTS), row)
    announce(call, "contact.updated", "Contact", row, records.contact(tenant, row))
    return row


def merge_contact(call: Call, workspace_id: int, email: str, attributes: dict[str, Any]) -> tuple[Row, bool]:
    """The workspace's contact with this e-mail address, given the attributes that are not
    empty; or a new contact (then True), as an upsert does."""
    existing = call.tenant.table(CONTACTS).find("email", (workspace_id, email.casefold()))
    if existing is None:
        return add_contact(call, workspace_id, attributes), True
    return change_contact(call, existing, attributes, skip_empty=True), False


def _checked_fields(tenant: Tenant, workspace_id: int, attributes: dict[str, Any], contact_id: int | None) -> dict[str, Any]:
    values = {name: attributes[name] for name in CONTACT_FIELDS if name in attributes}
    email = values.get("email_address")
    if email is not None:
        email = values["email_address"] = email.strip() or None
    if email is not None:
        if not EMAIL.match(email):
            raise invalid("email_address", "is invalid")
        holder = tenant.table(CONTACTS).find("email", (workspace_id, email.casefold()))
        if holder is not None and holder["id"] != contact_id:
            raise invalid("email_address", "has already been taken")
    return values


def _checked_tags(tenant: Tenant, workspace_id: int, tag_ids: Any) -> list[int] | None:
    if tag_ids is None:
        return None
    tags = tenant.table(TAGS)
    for tag_id in tag_ids:
        found = tags.get(tag_id)
        if found is None or found["workspace_id"] != workspace_id:
            raise invalid("tag_ids", f"contains an unknown tag: {tag_id}")
    return list(dict.fromkeys(tag_ids))


def _checked_custom(custom: Any) -> dict[str, str]:
    checked: dict[str, str] = {}
    for key, value in (custom or {}).items():
        if not key.strip():
            raise invalid("custom_attributes", "cannot have a blank key")
        if key in RESERVED_ATTRIBUTES:
            raise invalid("custom_attributes", f"cannot use the reserved name {key}")
        if value is not None:
            checked[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return checked


def _links(tenant: Tenant, row: Row) -> list[Row]:
    applied = tenant.table(APPLIED_TAGS)
    return [link for link in map(applied.get, row["applied_tag_ids"]) if link is not None]


def _set_tags(call: Call, row: Row, tag_ids: list[int]) -> None:
    """Make the contact carry exactly these tags, announcing each change."""
    tenant = call.tenant
    current = {link["tag_id"]: link for link in _links(tenant, row)}
    for tag_id, link in current.items():
        if tag_id not in tag_ids:
            _unlink(call, row, link)
    for tag_id in tag_ids:
        if tag_id not in current:
            _link(call, row, tag_id)


def _link(call: Call, contact: Row, tag_id: int) -> Row:
    link = records.create(call, APPLIED_TAGS, contact_id=contact["id"], tag_id=tag_id, workspace_id=contact["workspace_id"])
    contact["applied_tag_ids"] = [*contact["applied_tag_ids"], link["id"]]
    announce(call, "contact/applied_tag.created", "Contacts::AppliedTag", link, records.applied_tag(link))
    return link


def _unlink(call: Call, contact: Row, link: Row) -> None:
    call.tenant.table(APPLIED_TAGS).delete(link["id"])
    contact["applied_tag_ids"] = [i for i in contact["applied_tag_ids"] if i != link["id"]]
    announce(call, "contact/applied_tag.deleted", "Contacts::AppliedTag", link, records.applied_tag(link))


# -- tags ------------------------------------------------------------------------------
def create_tag(call: Call) -> Reply:
    tenant = call.tenant
    space = records.workspace(call)
    attributes = call.body["contacts_tag"]
    name = records.filled("name", attributes["name"])
    if tenant.table(TAGS).find("name", (space["id"], name.casefold())) is not None:
        raise invalid("name", "has already been taken")
    row = records.create(call, TAGS, workspace_id=space["id"], name=name, color=attributes.get("color"))
    return Reply(201, records.tag(row))


def update_tag(call: Call) -> Reply:
    tenant = call.tenant
    row = records.addressed(call, TAGS)
    attributes = call.body["contacts_tag"]
    changes = {}
    if "name" in attributes:
        name = records.filled("name", attributes["name"] or "")
        if held_by_another(tenant.table(TAGS), "name", (row["workspace_id"], name.casefold()), row["id"]):
            raise invalid("name", "has already been taken")
        changes["name"] = name
    if "color" in attributes:
        changes["color"] = attributes["color"]
    return Reply(200, records.tag(records.touch(call, tenant.table(TAGS), row, **changes)))


def delete_tag(call: Call) -> Reply:
    """The tag goes from every contact carrying it (contact/applied_tag.deleted for each)."""
    tenant = call.tenant
    row = records.addressed(call, TAGS)
    contacts = tenant.table(CONTACTS)
    for link in [link for link in tenant.table(APPLIED_TAGS).rows() if link["tag_id"] == row["id"]]:
        contact = contacts.get(link["contact_id"])
        if contact is not None:
            _unlink(call, contact, link)
            records.touch(call, contacts, contact)
    tenant.table(TAGS).delete(row["id"])
    return Reply(204)


def create_applied_tag(call: Call) -> Reply:
    tenant = call.tenant
    contact = records.addressed(call, CONTACTS)
    tag_id = call.body["contacts_applied_tag"]["tag_id"]
    found = tenant.table(TAGS).get(tag_id)
    if found is None or found["workspace_id"] != contact["workspace_id"]:
        raise invalid("tag", "must exist")
    if tenant.table(APPLIED_TAGS).find("pair", (contact["id"], tag_id)) is not None:
        raise invalid("tag", "has already been taken")
    link = _link(call, contact, tag_id)
    records.touch(call, tenant.table(CONTACTS), contact)
    return Reply(201, records.applied_tag(link))


def delete_applied_tag(call: Call) -> Reply:
    tenant = call.tenant
    link = records.addressed(call, APPLIED_TAGS)
    contact = records.find(tenant.table(CONTACTS), str(link["contact_id"]))
    _unlink(call, contact, link)
    records.touch(call, tenant.table(CONTACTS), contact)
    return Reply(204)
