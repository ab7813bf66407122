"""Contacts, and tags on contacts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import NotFound, Violation
from mockserver.engine.store import Key, Row, Tenant
from mockserver.providers.base import fail, found, held_by_another
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, USED, refuse, violation
from mockserver.providers.systeme.records import CONTACTS, ENROLLMENTS, FIELDS, MEMBERSHIPS, TAGS


def list_contacts(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    table = tenant.table(CONTACTS)
    checks: list[Callable[[Row], bool]] = []
    # Every filter stays a check; those an index answers also name the rows they can match,
    # and the page reads only the shortest of those lists.
    candidates: list[Sequence[Key]] = []
    if "email" in params:
        wanted = table.find("email", params["email"].strip().casefold())
        wanted_id = wanted["id"] if wanted else None
        checks.append(lambda row: row["id"] == wanted_id)
        candidates.append([wanted_id] if wanted_id is not None else [])
    if params.get("tags"):
        tag_ids = set(params["tags"])
        checks.append(lambda row: tag_ids.issubset(row["tags"]))
        candidates += [table.keys_with("tags", tag_id) for tag_id in tag_ids]
    # registeredAt follows the account's clock, which can be moved back, so it is not in key
    # order as a page is: these two are checked on each candidate (every contact when alone).
    if "registeredAfter" in params:
        after = _instant(params["registeredAfter"])
        checks.append(lambda row: row["registeredAt"] > after)
    if "registeredBefore" in params:
        before = _instant(params["registeredBefore"])
        checks.append(lambda row: row["registeredAt"] < before)
    for flag in records.FLAGS:
        if flag in params:
            checks.append(_flag_is(flag, params[flag]))
            candidates.append(table.keys_with(flag, params[flag]))

    def where(row: Row) -> bool:
        return all(check(row) for check in checks)

    fields = list(tenant.table(FIELDS).rows())
    keys = min(candidates, key=len) if candidates else None
    return records.page_reply(call, table, lambda row: records.contact(tenant, row, fields), where if checks else None, keys)


def _flag_is(flag: str, value: bool) -> Callable[[Row], bool]:
    return lambda row: row[flag] is value


def get_contact(call: Call) -> Reply:
    row = records.require(call.tenant.table(CONTACTS), call.params["id"])
    return Reply(200, records.contact(call.tenant, row))


def create_contact(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    contacts = tenant.table(CONTACTS)
    problems: list[Violation] = []
    email = body["email"].strip()
    if not email:
        problems.append(violation("email", *BLANK))
    elif not records.email_is_deliverable(email):
        problems.append(violation("email", "This value is not a valid email address.", "email"))
    elif held_by_another(contacts, "email", email.casefold(), None):
        problems.append(violation("email", *USED))
    values, field_problems = field_changes(tenant, body)
    problems += field_problems
    tag_ids: list[int] = []
    for index, item in enumerate(body.get("tags") or []):
        if tenant.table(TAGS).get(item["id"]) is None:
            problems.append(violation(f"tags[{index}].id", f"Tag with ID {item['id']} not found."))
        elif item["id"] not in tag_ids:
            tag_ids.append(item["id"])
    refuse(problems)
    row = add_contact(
        call,
        email=email,
        locale=body.get("locale", "en"),
        fields={slug: value for slug, value in values.items() if value is not None},
        tags=tag_ids,
    )
    return Reply(201, records.contact(tenant, row))


def add_contact(
    call: Call,
    *,
    email: str,
    locale: str = "en",
    fields: dict[str, str] | None = None,
    tags: list[int] | None = None,
    source_url: str | None = None,
    needs_confirmation: bool = False,
) -> Row:
    """Store a new contact and announce it (CONTACT_CREATED, then a CONTACT_TAG_ADDED per tag)."""
    tenant = call.tenant
    row = records.add(
        tenant,
        CONTACTS,
        "contact",
        {
            "email": email,
            "registeredAt": call.clock.time(),
            "locale": locale,
            "sourceURL": source_url,
            "unsubscribed": False,
            "bounced": False,
            "needsConfirmation": needs_confirmation,
            "fields": dict(fields or {}),
            "tags": list(tags or []),
        },
    )
    rendered = records.contact(tenant, row)
    call.emit("CONTACT_CREATED", {"contact": rendered})
    for tag_id in row["tags"]:
        call.emit("CONTACT_TAG_ADDED", {"contact": rendered, "tag": records.tag_ref(tenant.table(TAGS).get(tag_id) or {})})
    return row


def update_contact(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    row = records.require(tenant.table(CONTACTS), call.params["id"])
    values, problems = field_changes(tenant, body)
    refuse(problems)
    fields = dict(row["fields"])
    for slug, value in values.items():
        if value is None:
            fields.pop(slug, None)
        else:
            fields[slug] = value
    if body.get("locale") is not None:
        row["locale"] = body["locale"]
    row["fields"] = fields
    return Reply(200, records.contact(tenant, row))


def delete_contact(call: Call) -> Reply:
    tenant = call.tenant
    contact_id = call.params["id"]
    found(tenant.table(CONTACTS).delete(contact_id))
    for name in (ENROLLMENTS, MEMBERSHIPS):
        table = tenant.table(name)
        for row in table.rows():
            if row["contactId"] == contact_id:
                table.delete(row["id"])
    return Reply(204)


def assign_tag(call: Call) -> Reply:
    tenant = call.tenant
    row = records.require(tenant.table(CONTACTS), call.params["id"])
    tag_id = call.body["tagId"]
    tag_row = tenant.table(TAGS).get(tag_id)
    if tag_row is None:
        raise fail(violation("tagId", f"Tag with ID {tag_id} not found."))
    if tag_id not in row["tags"]:
        row = tenant.table(CONTACTS).replace(row["id"], {**row, "tags": [*row["tags"], tag_id]})
        call.emit("CONTACT_TAG_ADDED", {"contact": records.contact(tenant, row), "tag": records.tag_ref(tag_row)})
    return Reply(204)


def remove_tag(call: Call) -> Reply:
    tenant = call.tenant
    row = records.require(tenant.table(CONTACTS), call.params["id"])
    tag_id = call.params["tagId"]
    tag_row = records.require(tenant.table(TAGS), tag_id)
    if tag_id not in row["tags"]:
        raise NotFound("Not Found")
    row = tenant.table(CONTACTS).replace(row["id"], {**row, "tags": [t for t in row["tags"] if t != tag_id]})
    call.emit("CONTACT_TAG_REMOVED", {"contact": records.contact(tenant, row), "tag": records.tag_ref(tag_row)})
    return Reply(204)


def field_changes(tenant: Tenant, body: dict[str, Any]) -> tuple[dict[str, str | None], list[Violation]]:
    """Field values a create or update body asks for (None = clear), and what is wrong."""
    changes: dict[str, str | None] = {}
    problems: list[Violation] = []
    fields = tenant.table(FIELDS)
    for alias, slug in records.FIELD_ALIASES.items():
        if alias in body:
            changes[slug] = body[alias]
    for index, item in enumerate(body.get("fields") or []):
        slug, value = item["slug"], item.get("value")
        if fields.find("slug", slug) is None:
            problems.append(violation(f"fields[{index}].slug", f'Field with slug "{slug}" not found.'))
        elif slug == "country" and value is not None and value not in records.COUNTRIES:
            problems.append(violation(f"fields[{index}].value", "This value is not a valid country.", "country"))
        else:
            changes[slug] = value
    return changes, problems


def _instant(text: str) -> float:
    from mockserver.engine.clock import parse_iso

    moment = parse_iso(text)
    return moment.timestamp() if moment is not None else 0.0
