"""Contact events: read by type (paged by `lastId`, or filtered by subtype, time and
contact), and created in batches (contacts by id or secret; a `UniqueExtId` is used once)."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import CONTACTS, EVENTS, invalid

PAGE = 1000  # events per `lastId` page
# Demo events: type -> (weight, subtypes).
DEMO_TYPES = {
    "PageView": (70, ("Product", "Category", "Frontpage", "Checkout")),
    "Purchase": (15, ("Webshop", "Store")),
    "Login": (15, ("Web", "App")),
}
DEMO_EVENTS = 2600


def render(row: Row) -> dict[str, Any]:
    return records.view(
        row, ("Id", "Created", "ContactId", "Type", "SubType", "ParentId", "ParentType", "UniqueExtId", "InfoJson")
    )


def _same(left: str | None, right: str | None) -> bool:
    """Text compared as SQL Server's default collation does: without regard to case."""
    return (left or "").casefold() == (right or "").casefold()


# -- reading ------------------------------------------------------------------------------
def list_events(call: Call) -> Reply:
    """With `lastId`: the type's events after it, ascending, at most 1000. Otherwise the
    type's events filtered by `subtype`, `from` (inclusive), `to` (exclusive), `contactId`."""
    params = call.params
    table = call.tenant.table(EVENTS)
    kind = params["type"]
    if params.get("lastId") is not None:
        found, _ = table.page(after=params["lastId"], limit=PAGE, where=lambda row: _same(row["Type"], kind))
        return Reply(200, [render(row) for row in found])
    since, until = records.given_date(params, "from"), records.given_date(params, "to")
    subtype, contact_id = params.get("subtype"), params.get("contactId")
    found = [
        render(row)
        for row in table.rows()
        if _same(row["Type"], kind)
        and (subtype is None or _same(row["SubType"], subtype))
        and (contact_id is None or row["ContactId"] == contact_id)
        and (since is None or row["Created"] >= since)
        and (until is None or row["Created"] < until)
    ]
    return Reply(200, found)


# -- writing ------------------------------------------------------------------------------
def add_events(call: Call, items: list[dict[str, Any]], *, ignore_unknown: bool) -> list[Row]:
    """Store a batch (every check made before anything is written): each event's contact
    by `ContactId` or `ContactSecret`; an unknown contact is 404 unless `ignore_unknown`
    (then its events are skipped); a `UniqueExtId` already used, or used earlier in the
    batch, skips the event."""
    tenant = call.tenant
    contacts = tenant.table(CONTACTS)
    owners: list[Row | None] = []
    for item in items:
        contact_id, secret = item.get("ContactId"), item.get("ContactSecret")
        if contact_id is None and not secret:
            raise invalid("ContactId or ContactSecret should have a value.")
        contact = contacts.get(contact_id) if contact_id is not None else contacts.find("secret", str(secret).strip())
        if contact is None and not ignore_unknown:
            what = f"id {contact_id}" if contact_id is not None else f"secret '{secret}'"
            raise records.not_found(f"Contact with {what} not found")
        owners.append(contact)
    table = tenant.table(EVENTS)
    used = {row["UniqueExtId"] for row in table.rows() if row["UniqueExtId"]}
    created: list[Row] = []
    for item, contact in zip(items, owners, strict=True):
        if contact is None:
            continue
        unique = item.get("UniqueExtId")
        if unique:
            if unique in used:
                continue
            used.add(unique)
        created.append(_insert(call, contact, item))
    return created


def _insert(call: Call, contact: Row, item: dict[str, Any]) -> Row:
    return records.add_row(
        call.tenant,
        EVENTS,
        "event",
        {
            "Created": call.clock.time(),
            "ContactId": contact["Id"],
            "Type": item["Type"],
            **{name: item.get(name) for name in ("SubType", "ParentId", "ParentType", "UniqueExtId", "InfoJson")},
        },
    )


def create_events(call: Call) -> Reply:
    created = add_events(call, call.body, ignore_unknown=bool(call.params.get("ignoreUnknownContacts")))
    return Reply(200, [render(row) for row in created])


HANDLERS = {
    "listContactEvents": list_events,
    "createContactEvents": create_events,
}


def seed(call: Call) -> None:
    """About 2600 events over the demo contacts, mostly page views, a few minutes apart."""
    rng = call.services.random.derived("yulsn", "events")
    people = list(call.tenant.table(CONTACTS).rows())
    if not people:
        return
    kinds = list(DEMO_TYPES)
    weights = [DEMO_TYPES[kind][0] for kind in kinds]
    for number in range(DEMO_EVENTS):
        call.clock.advance(rng.uniform(30, 900))
        kind = rng.choices(kinds, weights)[0]
        subtype = rng.choice(DEMO_TYPES[kind][1])
        info: dict[str, Any]
        if kind == "PageView":
            info = {"Url": f"/{subtype.lower()}/{rng.randint(1, 400)}"}
        elif kind == "Purchase":
            info = {"OrderNumber": f"W-{10000 + number}", "Amount": rng.randint(49, 2500)}
        else:
            info = {"Ip": f"198.51.100.{rng.randint(1, 254)}"}
        _insert(
            call,
            rng.choice(people),
            {
                "Type": kind,
                "SubType": subtype,
                "ParentId": f"W-{10000 + number}" if kind == "Purchase" else None,
                "ParentType": "Order" if kind == "Purchase" else None,
                "UniqueExtId": f"demo-{number}" if kind == "Purchase" else None,
                "InfoJson": info,
            },
        )
