"""Stores: look-ups by id and number, create (the number is unique), PATCH by the `Id` in
the body. Stores carry the account's dynamic fields of owner `Stores` at the top level."""

from __future__ import annotations

import json
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Table, Tenant
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import STORES, invalid

FIELDS = ("Number", "Name", "Phone", "Address", "ZipCode", "City", "Email", "JsonString")
OWNER = "Stores"


# -- rendering and storage ----------------------------------------------------------------
def _dynamic_fields(tenant: Tenant) -> list[dict[str, Any]]:
    """The account's store fields, less any that would hide a field of the store itself."""
    reserved = {name.lower() for name in ("Id", "LastModified", *FIELDS)}
    return [f for f in records.dynamic_fields(tenant, OWNER) if f["Name"].lower() not in reserved]


def render(tenant: Tenant, row: Row, *, with_json: bool = True) -> dict[str, Any]:
    view = records.view(row, ("Id", *FIELDS, "LastModified"))
    if not with_json:
        view["JsonString"] = None
    return records.with_dynamic(view, _dynamic_fields(tenant), row["Dynamic"])


def _check_number(stores: Table, number: Any, store_id: int | None) -> None:
    """A store always has a `Number`, and no other store has the same."""
    if not isinstance(number, str) or not number.strip():
        raise invalid("The Number field is required.")
    records.unique(stores, "number", number, store_id, number)


def add_store(call: Call, body: dict[str, Any]) -> Row:
    """Store a new store (the number checked); used by the API and the demo."""
    tenant = call.tenant
    stores = tenant.table(STORES)
    _check_number(stores, body.get("Number"), None)
    dynamic = records.dynamic_values(_dynamic_fields(tenant), body)
    row = {**{name: body.get(name) for name in FIELDS}, "LastModified": call.clock.time(), "Dynamic": dynamic}
    return records.add_row(tenant, STORES, "store", row)


# -- handlers -----------------------------------------------------------------------------
def find_stores(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    stores = tenant.table(STORES)
    if params.get("number") is not None:
        return Reply(200, render(tenant, records.found(stores.find("number", params["number"]), "Store not found")))
    with_json = params.get("withoutJsonString") is not True
    return Reply(200, [render(tenant, row, with_json=with_json) for row in stores.rows()])


def get_store(call: Call) -> Reply:
    row = records.require(call.tenant.table(STORES), call.params["id"], "Store")
    return Reply(200, render(call.tenant, row))


def create_store(call: Call) -> Reply:
    return Reply(200, render(call.tenant, add_store(call, call.body)))


def patch_store(call: Call) -> Reply:
    """Only the fields in the body are set (null clears, except `Number`, which a store
    always has); the dynamic fields given are set, the others kept."""
    tenant, body = call.tenant, call.body
    stores = tenant.table(STORES)
    row = records.require(stores, body["Id"], "Store")
    changes = {name: body[name] for name in FIELDS if name in body}
    dynamic = records.dynamic_values(_dynamic_fields(tenant), body)
    records.some_change(changes, dynamic)
    if "Number" in changes:
        _check_number(stores, changes["Number"], row["Id"])
    row = stores.replace(row["Id"], records.patched(row, changes, dynamic, LastModified=call.clock.time()))
    return Reply(200, render(tenant, row))


HANDLERS = {
    "findStores": find_stores,
    "createStore": create_store,
    "patchStore": patch_store,
    "getStore": get_store,
}


# -- demo data ----------------------------------------------------------------------------
# (number, name, address, zip code, city, region)
DEMO_STORES = (
    ("101", "Yulsn Strøget", "Østergade 12", "1100", "København K", "Hovedstaden"),
    ("102", "Yulsn Frederiksberg", "Falkoner Allé 21", "2000", "Frederiksberg", "Hovedstaden"),
    ("103", "Yulsn Aarhus C", "Søndergade 40", "8000", "Aarhus C", "Midtjylland"),
    ("104", "Yulsn Odense", "Vestergade 55", "5000", "Odense C", "Syddanmark"),
    ("105", "Yulsn Aalborg", "Bispensgade 18", "9000", "Aalborg", "Nordjylland"),
    ("106", "Yulsn Roskilde", "Algade 7", "4000", "Roskilde", "Sjælland"),
)


def seed(call: Call) -> None:
    """Six stores numbered 101.. with a Region (seeded before contacts, who prefer them)."""
    rng = call.services.random.derived("yulsn", "stores")
    for number, name, address, zip_code, city, region in DEMO_STORES:
        call.clock.advance(3600 * rng.uniform(1, 12))
        add_store(
            call,
            {
                "Number": number,
                "Name": name,
                "Phone": f"+45{rng.randint(30000000, 39999999)}",
                "Address": address,
                "ZipCode": zip_code,
                "City": city,
                "Email": f"store{number}@yulsn-demo.dk",
                "JsonString": json.dumps(
                    {"openingHours": f"10-{rng.choice([17, 18, 19, 20])}", "parking": rng.random() < 0.5}, separators=(",", ":")
                ),
                "Region": region,
            },
        )
