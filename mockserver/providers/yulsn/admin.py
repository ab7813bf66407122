"""Admin actions for what a Yulsn account sets up in its back office: dynamic fields and
tables (converters included), order and point types, bounced e-mails. Mounted under
/__admin/yulsn/."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from mockserver.engine.context import Call, Reply
from mockserver.providers.base import admin_body
from mockserver.providers.yulsn import media, messaging, misc, records
from mockserver.providers.yulsn.records import CONTACTS, TABLES

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
_SCHEMAS: dict[str, dict[str, Any]] = {
    "field": {
        "type": "object",
        "required": ["owner", "name", "type"],
        "properties": {"owner": {"enum": [o for o in records.OWNERS if o != "DynamicTable"]}, **_FIELD["properties"]},
    },
    "table": {
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
    "types": {
        "type": "object",
        "properties": {
            k: {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}} for k in ("orderTypes", "pointTypes")
        },
    },
    "bounce": {"type": "object", "required": ["contactId"], "properties": {"contactId": {"type": "integer", "minimum": 1}}},
}
_VALIDATORS = {name: Draft202012Validator(schema) for name, schema in _SCHEMAS.items()}


def _field(spec: dict[str, Any]) -> dict[str, Any]:
    return {"Name": spec["name"], "Type": spec["type"], "Label": spec.get("label", spec["name"]), "Values": spec.get("values")}


def define_field(call: Call) -> Reply:
    """A dynamic field of contacts, companies, orders, order lines or stores (replaces one of its name)."""
    body = admin_body(_VALIDATORS["field"], call.body)
    fields = call.tenant.settings["dynamic_fields"].setdefault(body["owner"], [])
    fields[:] = [f for f in fields if f["Name"].lower() != body["name"].lower()] + [_field(body)]
    return Reply(201, _field(body))


def define_table(call: Call) -> Reply:
    """A dynamic table; `converters` says which writes must go through a converter (423)."""
    body = admin_body(_VALIDATORS["table"], call.body)
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


def set_types(call: Call) -> Reply:
    """The order types and point types the account knows (each list replaces the old one)."""
    body = admin_body(_VALIDATORS["types"], call.body)
    if "orderTypes" in body:
        call.tenant.settings["order_types"] = list(dict.fromkeys(body["orderTypes"]))
    if "pointTypes" in body:
        call.tenant.settings["point_types"] = list(dict.fromkeys(body["pointTypes"]))
    return Reply(200, {"orderTypes": call.tenant.settings["order_types"], "pointTypes": call.tenant.settings["point_types"]})


def bounce(call: Call) -> Reply:
    """The contact's e-mail bounced (so that UnblockEmail has something to unblock)."""
    body = admin_body(_VALIDATORS["bounce"], call.body)
    row = records.require(call.tenant.table(CONTACTS), body["contactId"], "Contact")
    row["EmailBounced"] = True
    return Reply(200, {"contactId": row["Id"], "emailBounced": True})


ACTIONS = {
    ("POST", "dynamic-fields"): define_field,
    ("POST", "tables"): define_table,
    ("POST", "types"): set_types,
    ("POST", "bounces"): bounce,
    **getattr(misc, "ADMIN_ACTIONS", {}),
    **getattr(messaging, "ADMIN_ACTIONS", {}),
    **getattr(media, "ADMIN_ACTIONS", {}),
}

# The admin API's document of those actions (Provider.admin_schemas).
SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "dynamic-fields"): {"body": _SCHEMAS["field"], "responses": {201: "The field"}},
    ("POST", "tables"): {"body": _SCHEMAS["table"], "responses": {201: "The table", 409: "A table has that name"}},
    ("POST", "types"): {"body": _SCHEMAS["types"], "responses": {200: "`orderTypes` and `pointTypes`"}},
    ("POST", "bounces"): {"body": _SCHEMAS["bounce"], "responses": {200: "The contact's id, bounced", 404: "No such contact"}},
    **getattr(misc, "ADMIN_SCHEMAS", {}),
    **getattr(messaging, "ADMIN_SCHEMAS", {}),
    **getattr(media, "ADMIN_SCHEMAS", {}),
}
