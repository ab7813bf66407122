"""Segments: each holds a fixed list of contact ids (`ContactIds`; deleting a contact takes
it out, see contacts.delete_contact). Folders are plain ids (a segment's `FolderId`).
Counts are of distinct contacts across the segments given. A list segment (Type 3) is made
from contact ids; a template segment (Type 4) from one of the account's segment templates
(TEMPLATES in every account; the demo adds one) and a value for each of its parameters, each
a contact field whose value must equal it (ignoring case), taken when the segment is made."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import contacts, records
from mockserver.providers.yulsn.records import CONTACTS, SEGMENTS, invalid

TYPES = {1: "VisualBuilder", 2: "Sql", 3: "List", 4: "SegmentTemplate"}
LIST, TEMPLATE = 3, 4
USES = ("DailyStatistic", "OnEmailMessages", "OnSmsMessages", "OnPushMessages")
# The segment templates every account has, ids from 1 (an account keeps its own list in its
# settings once the back office, here the demo, adds one).
TEMPLATES: tuple[dict[str, Any], ...] = (
    {"Id": 1, "Name": "Registration source", "Parameters": ["RegistrationSource"]},
    {"Id": 2, "Name": "Preferred store", "Parameters": ["PreferredStoreId"]},
    {"Id": 3, "Name": "Contact company", "Parameters": ["ContactCompanyId"]},
)
_INDEXED = re.compile(r"s\[(\d*)\]\Z", re.IGNORECASE)


# -- rendering and storage ----------------------------------------------------------------
def render(row: Row) -> dict[str, Any]:
    return records.view(row, ("Id", "Name", "FolderId", "Type", "Description"))


def add_segment(
    call: Call,
    name: str,
    folder_id: int,
    kind: int,
    contact_ids: Iterable[int],
    description: str | None = None,
    **more: Any,
) -> Row:
    """Store a segment (the contact ids are trusted); used by the API and the demo."""
    row = {
        "Name": name,
        "FolderId": folder_id,
        "Type": kind,
        "Description": description,
        "ContactIds": list(dict.fromkeys(contact_ids)),
        "LastModified": call.clock.time(),
        **more,
    }
    return records.add_row(call.tenant, SEGMENTS, "segment", row)


def templates(tenant: Tenant) -> list[dict[str, Any]]:
    """The account's segment templates: `{Id, Name, Parameters}` (read only: a refused
    request leaves the account as it was)."""
    kept: list[dict[str, Any]] | None = tenant.settings.get("segment_templates")
    return kept if kept is not None else list(TEMPLATES)


def add_template(tenant: Tenant, name: str, parameters: list[str]) -> dict[str, Any]:
    defaults = [{**t, "Parameters": list(t["Parameters"])} for t in TEMPLATES]
    entries: list[dict[str, Any]] = tenant.settings.setdefault("segment_templates", defaults)
    entry = {"Id": max((e["Id"] for e in entries), default=0) + 1, "Name": name, "Parameters": list(parameters)}
    entries.append(entry)
    return entry


def template_members(tenant: Tenant, template: dict[str, Any], values: dict[str, Any]) -> list[int]:
    """The contacts whose field of each parameter equals its value, ascending."""
    fields = [{"Field": name, "Operator": "Equal", "Value": values[name]} for name in template["Parameters"]]
    return [row["Id"] for row in tenant.table(CONTACTS).rows() if records.matches(contacts.render(tenant, row), fields)]


def segment(tenant: Tenant, segment_id: int) -> Row:
    """The segment, or 404 naming it."""
    return records.with_id(tenant.table(SEGMENTS), segment_id, "Segment")


def members(tenant: Tenant, row: Row) -> list[int]:
    """The segment's contacts that exist, in the order they were added."""
    table = tenant.table(CONTACTS)
    return [contact_id for contact_id in row["ContactIds"] if contact_id in table]


def contacts_in(tenant: Tenant, segment_ids: Iterable[int]) -> list[int]:
    """The distinct contacts of the segments, ascending; 404 for an unknown segment.
    Used by actions, dispatches and campaigns as well."""
    rows = [segment(tenant, segment_id) for segment_id in segment_ids]
    found: set[int] = set()
    for row in rows:
        found.update(members(tenant, row))
    return sorted(found)


# -- handlers -----------------------------------------------------------------------------
def list_segments(call: Call) -> Reply:
    folder_id = call.params["folderId"]
    return Reply(200, [render(row) for row in call.tenant.table(SEGMENTS).rows() if row["FolderId"] == folder_id])


def get_segment(call: Call) -> Reply:
    return Reply(200, render(segment(call.tenant, call.params["id"])))


def _query_ids(call: Call) -> list[int]:
    """`s=1&s=2` (typed by the engine) and `s[0]=1&s[1]=2` (read here)."""
    ids: list[int] = list(call.params.get("s") or [])
    if call.request is None:
        return ids
    indexed: list[tuple[int, int]] = []
    for name, value in call.request.args.items(multi=True):
        match = _INDEXED.match(name)
        if match is None:
            continue
        text = value.strip()
        if not text.isdigit() or not 1 <= int(text) <= 2_147_483_647:
            raise invalid(f"The value '{value}' is not valid for {name}.")
        position = int(match.group(1)) if match.group(1) else len(indexed)
        indexed.append((position, int(text)))
    return ids + [segment_id for _, segment_id in sorted(indexed)]


def count_contacts(call: Call) -> Reply:
    return Reply(200, len(contacts_in(call.tenant, _query_ids(call))))


def count_contacts_from_body(call: Call) -> Reply:
    return Reply(200, len(contacts_in(call.tenant, call.body)))


def contact_ids(call: Call) -> Reply:
    return Reply(200, members(call.tenant, segment(call.tenant, call.params["id"])))


def contacts_base_info(call: Call) -> Reply:
    tenant = call.tenant
    table = tenant.table(CONTACTS)
    found = (table.get(contact_id) for contact_id in members(tenant, segment(tenant, call.params["id"])))
    return Reply(200, [contacts.base_info(row) for row in found if row is not None])


def create_from_contacts(call: Call) -> Reply:
    """A list segment (Type 3) of the given contacts; 400 naming the ids that are not contacts."""
    body = call.body
    name = body["Name"]
    if not name.strip():
        raise invalid("The Name field is required.")
    table = call.tenant.table(CONTACTS)
    wanted = list(dict.fromkeys(body["ContactIds"]))
    missing = [contact_id for contact_id in wanted if contact_id not in table]
    if missing:
        raise invalid(f"The following contact ids do not exist: {', '.join(map(str, missing))}.")
    folder_id = body.get("FolderId")
    row = add_segment(call, name, folder_id if folder_id is not None else 0, LIST, wanted, body.get("Description"))
    return Reply(200, render(row))


def create_from_template(call: Call) -> Reply:
    """A template segment (Type 4): 404 for an unknown template, 400 for a parameter given no value."""
    body, tenant = call.body, call.tenant
    name = body["Name"]
    if not name.strip():
        raise invalid("The Name field is required.")
    template_id = body["TemplateId"]
    template = next((t for t in templates(tenant) if t["Id"] == template_id), None)
    if template is None:
        raise records.not_found(f"SegmentTemplate with id {template_id} not found.")
    given = {str(k).casefold(): v for k, v in (body.get("Values") or {}).items() if v is not None}
    missing = [p for p in template["Parameters"] if p.casefold() not in given]
    if missing:
        raise invalid(f"The following template values are missing: {', '.join(missing)}.")
    values = {p: given[p.casefold()] for p in template["Parameters"]}
    members = template_members(tenant, template, values)
    uses = {use: bool(body.get(use)) for use in USES}
    folder_id = body.get("FolderId") or 0
    row = add_segment(
        call, name, folder_id, TEMPLATE, members, body.get("Description"), TemplateId=template_id, Values=values, **uses
    )
    return Reply(200, render(row))


HANDLERS = {
    "listSegments": list_segments,
    "getSegment": get_segment,
    "countSegmentContacts": count_contacts,
    "countSegmentContactsFromBody": count_contacts_from_body,
    "listSegmentContactIds": contact_ids,
    "listSegmentContactsBaseInfo": contacts_base_info,
    "createSegmentFromContacts": create_from_contacts,
    "createSegmentFromTemplate": create_from_template,
}


# -- demo ---------------------------------------------------------------------------------
DEMO_FOLDERS = {"Newsletters": 1, "Loyalty": 2}


def seed(call: Call) -> None:
    """Four segments over the demo contacts, in folders 1 (newsletters) and 2 (loyalty), one
    made from the account's template `Loyalty tier` (parameter `LoyaltyTier`)."""
    rng = call.services.random.derived("yulsn", "segments")
    rows = list(call.tenant.table(CONTACTS).rows())
    subscribers = [r["Id"] for r in rows if r["Dynamic"].get("Newsletter") and r["Email"] and not r["EmailBounced"]]
    tier = add_template(call.tenant, "Loyalty tier", ["LoyaltyTier"])
    gold = template_members(call.tenant, tier, {"LoyaltyTier": "Gold"})
    webshop = [r["Id"] for r in rows if r["RegistrationSource"] == "Webshop"]
    vip = sorted(rng.sample([r["Id"] for r in rows], min(12, len(rows))))
    call.clock.advance(3600)
    add_segment(call, "Newsletter subscribers", 1, 1, subscribers, "Contacts who opted in to the newsletter.")
    add_segment(call, "Webshop registrations", 1, 2, webshop, "Contacts who registered in the webshop.")
    call.clock.advance(600)
    uses = dict.fromkeys(USES, False)
    add_segment(
        call,
        "Gold members",
        2,
        TEMPLATE,
        gold,
        "Loyalty tier Gold.",
        TemplateId=tier["Id"],
        Values={"LoyaltyTier": "Gold"},
        **uses,
    )
    add_segment(call, "VIP list", 2, LIST, vip, None)
