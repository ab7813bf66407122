"""Tags and contact fields: the account's vocabulary for describing contacts."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import fail, found, held_by_another
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, USED, refuse, violation
from mockserver.providers.systeme.records import CONTACTS, FIELDS, TAGS

list_tags = records.READS.lister(TAGS, records.tag, where=records.name_contains)
get_tag = records.READS.getter(TAGS, records.tag)


def create_tag(call: Call) -> Reply:
    row = records.add_tag(call.tenant, _tag_name(call, exclude=None), call.clock.time())
    return Reply(201, records.tag(row))


def update_tag(call: Call) -> Reply:
    table = call.tenant.table(TAGS)
    row = records.require(table, call.params["id"])
    name = _tag_name(call, exclude=row["id"])
    return Reply(200, records.tag(table.replace(row["id"], {**row, "name": name})))


def delete_tag(call: Call) -> Reply:
    tenant = call.tenant
    tag_id = call.params["id"]
    found(tenant.table(TAGS).delete(tag_id))
    contacts = tenant.table(CONTACTS)
    for contact in contacts.rows_of(list(contacts.keys_with("tags", tag_id))):  # read before the writes
        contacts.replace(contact["id"], {**contact, "tags": [t for t in contact["tags"] if t != tag_id]})
    return Reply(204)


def _tag_name(call: Call, exclude: int | None) -> str:
    name = str(call.body["name"]).strip()
    if not name:
        raise fail(violation("name", *BLANK))
    if held_by_another(call.tenant.table(TAGS), "name", name.casefold(), exclude):
        raise fail(violation("name", *USED))
    return name


def list_contact_fields(call: Call) -> Reply:
    return Reply(200, {"items": [records.contact_field(row) for row in call.tenant.table(FIELDS).rows()], "hasMore": False})


def create_contact_field(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    fields = tenant.table(FIELDS)
    name, slug = body["fieldName"].strip(), body["slug"].strip()
    problems = []
    if not name:
        problems.append(violation("fieldName", *BLANK))
    if not slug:
        problems.append(violation("slug", *BLANK))
    elif not slug.replace("_", "a").isalnum() or not slug.isascii():
        problems.append(violation("slug", "This value is not valid.", "pattern"))
    elif held_by_another(fields, "slug", slug, None):
        problems.append(violation("slug", *USED))
    refuse(problems)
    row = add_field(call.tenant, name, slug)
    return Reply(201, records.contact_field(row))


def add_field(tenant: Tenant, name: str, slug: str) -> Row:
    return records.add(tenant, FIELDS, "field", {"fieldName": name, "slug": slug})


def update_contact_field(call: Call) -> Reply:
    fields = call.tenant.table(FIELDS)
    row = found(fields.find("slug", call.params["slug"]))
    name = call.body.get("fieldName")
    if name is not None:
        if not name.strip():
            raise fail(violation("fieldName", *BLANK))
        row = fields.replace(row["id"], {**row, "fieldName": name.strip()})
    return Reply(200, records.contact_field(row))


def delete_contact_field(call: Call) -> Reply:
    tenant = call.tenant
    fields = tenant.table(FIELDS)
    slug = call.params["slug"]
    row = found(fields.find("slug", slug))
    if slug in records.DEFAULT_SLUGS:
        raise fail(violation("slug", "A default contact field cannot be deleted."))
    fields.delete(row["id"])
    for contact in tenant.table(CONTACTS).rows():
        if slug in contact["fields"]:
            contact["fields"] = {k: v for k, v in contact["fields"].items() if k != slug}
    return Reply(204)
