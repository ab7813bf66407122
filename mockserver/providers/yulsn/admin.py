"""Admin actions for what a Yulsn account sets up in its back office: dynamic fields and
tables (converters included), order and point types, bounced e-mails. Mounted under
/__admin/yulsn/."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.providers.base import AdminActions
from mockserver.providers.yulsn import media, messaging, misc, records
from mockserver.providers.yulsn.records import CONTACTS, TABLES

_OWN = AdminActions()  # this module's actions, first of ADMIN's
_NAME = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,99}$"}
_FIELD: dict[str, Any] = {
    "type": "object",
    "required": ["name", "type"],
    "properties": {
        "name": _NAME,
        "type": {"enum": [1, 2, 3, 4, 5]},
        "label": {"type": "string"},
        "values": {"type": ["array", "null"]},
    },
}


def _field(spec: dict[str, Any]) -> dict[str, Any]:
    return {"Name": spec["name"], "Type": spec["type"], "Label": spec.get("label", spec["name"]), "Values": spec.get("values")}


@_OWN.post(
    "dynamic-fields",
    {
        "type": "object",
        "required": ["owner", "name", "type"],
        "properties": {"owner": {"enum": [o for o in records.OWNERS if o != "DynamicTable"]}, **_FIELD["properties"]},
    },
    {201: "The field"},
)
def define_field(call: Call, body: dict[str, Any]) -> Reply:
    """A dynamic field of contacts, companies, orders, order lines or stores (replaces one of its name)."""
    fields = call.tenant.settings["dynamic_fields"].setdefault(body["owner"], [])
    fields[:] = [f for f in fields if f["Name"].lower() != body["name"].lower()] + [_field(body)]
    return Reply(201, _field(body))


@_OWN.post(
    "tables",
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": _NAME,
            "label": {"type": "string"},
            "description": {"type": "string"},
            "fields": {"type": "array", "items": _FIELD, "maxItems": 100},
            "converters": {"type": "object", "properties": {k: {"type": "boolean"} for k in ("create", "update", "delete")}},
        },
    },
    {201: "The table", 409: "A table has that name"},
)
def define_table(call: Call, body: dict[str, Any]) -> Reply:
    """A dynamic table; `converters` says which writes must go through a converter (423)."""
    tables = call.tenant.table(TABLES)
    if tables.find("name", body["name"].casefold()) is not None:
        raise records.Conflict(f"table {body['name']} exists")
    converters = body.get("converters", {})
    table_id = call.tenant.next_id("dynamic_table")
    row = tables.insert(
        table_id,
        {
            "Id": table_id,
            "Name": body["name"],
            "Label": body.get("label", body["name"]),
            "Description": body.get("description"),
            "IsShared": False,
            "LastModified": call.clock.time(),
            "Fields": [_field(f) for f in body.get("fields", [])],
            **{
                f"{kind.capitalize()}ConverterId": (1000 + table_id) if converters.get(kind) else None
                for kind in ("create", "update", "delete")
            },
        },
    )
    return Reply(201, {k: v for k, v in row.items() if k != "Fields"} | {"LastModified": records.stamp(row["LastModified"])})


@_OWN.post(
    "types",
    {
        "type": "object",
        "properties": {
            k: {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}} for k in ("orderTypes", "pointTypes")
        },
    },
    {200: "`orderTypes` and `pointTypes`"},
)
def set_types(call: Call, body: dict[str, Any]) -> Reply:
    """The order types and point types the account knows (each list replaces the old one)."""
    if "orderTypes" in body:
        call.tenant.settings["order_types"] = list(dict.fromkeys(body["orderTypes"]))
    if "pointTypes" in body:
        call.tenant.settings["point_types"] = list(dict.fromkeys(body["pointTypes"]))
    return Reply(200, {"orderTypes": call.tenant.settings["order_types"], "pointTypes": call.tenant.settings["point_types"]})


@_OWN.post(
    "bounces",
    {"type": "object", "required": ["contactId"], "properties": {"contactId": {"type": "integer", "minimum": 1}}},
    {200: "The contact's id, bounced", 404: "No such contact"},
)
def bounce(call: Call, body: dict[str, Any]) -> Reply:
    """The contact's e-mail bounced (so that UnblockEmail has something to unblock)."""
    row = records.require(call.tenant.table(CONTACTS), body["contactId"], "Contact")
    row["EmailBounced"] = True
    return Reply(200, {"contactId": row["Id"], "emailBounced": True})


ADMIN = AdminActions(_OWN, misc.ADMIN, messaging.ADMIN, media.ADMIN)
