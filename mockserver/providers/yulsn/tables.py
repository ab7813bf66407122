"""Dynamic fields, dynamic tables and their entities. Tables are defined in the back office
(the admin API); `{tableName}` is matched to a table's name without regard to case. An
entity has an Id, a Secret, an ExternalId (unique in its table), a Name, Created and
LastModified, and the table's fields at the top level. Writes to a table that goes
through a converter are refused with 423."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.errors import ValidationFailed, Violation
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import ENTITIES, TABLES, invalid

BUILTIN = ("Id", "Secret", "ExternalId", "Name", "Created", "LastModified")
_RESERVED = {name.lower() for name in BUILTIN}
PATCHABLE = {"externalid": "ExternalId", "name": "Name", "secret": "Secret"}
TAKE = 1000
SECRET_LENGTH = 8
TABLE_KEYS = ("Id", "Name", "Label", "Description", "IsShared", "CreateConverterId", "UpdateConverterId", "DeleteConverterId")


# -- tables and fields --------------------------------------------------------------------
def render_table(row: Row) -> dict[str, Any]:
    return records.view(row, (*TABLE_KEYS, "LastModified"))


def _table(call: Call) -> Row:
    name = call.params["tableName"]
    return records.found(call.tenant.table(TABLES).find("name", name.casefold()), f"Dynamic table '{name}' not found.")


def _fields(table: Row) -> list[dict[str, Any]]:
    """The table's fields, less any that would hide a field every entity has."""
    return [f for f in table["Fields"] if f["Name"].lower() not in _RESERVED]


def _through_converter(table: Row, kind: str) -> None:
    if table.get(f"{kind.capitalize()}ConverterId") is not None:
        name = table["Name"]
        raise records.locked(f"The table '{name}' is written through a converter: {kind} requests must be made through it.")


def list_fields_of(call: Call) -> Reply:
    """`owner=DynamicTable`: the fields of the table with that id; other owners: the account's."""
    tenant, owner = call.tenant, call.params["owner"]
    if owner == "DynamicTable":
        table = records.require(tenant.table(TABLES), call.params["id"], "Dynamic table")
        return Reply(200, [dict(f) for f in table["Fields"]])
    return Reply(200, [dict(f) for f in records.dynamic_fields(tenant, owner)])


def list_fields(call: Call) -> Reply:
    owner = call.params["owner"]
    if owner == "DynamicTable":
        raise invalid("The fields of a dynamic table are listed by its id: GET api/v1/DynamicFields/{id}?owner=DynamicTable.")
    return Reply(200, [dict(f) for f in records.dynamic_fields(call.tenant, owner)])


def list_tables(call: Call) -> Reply:
    return Reply(200, [render_table(row) for row in call.tenant.table(TABLES).rows()])


# -- entities: rendering and storage ------------------------------------------------------
def render(table: Row, row: Row) -> dict[str, Any]:
    return records.with_dynamic(records.view(row, BUILTIN), _fields(table), row["Dynamic"])


def _text(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed("invalid", violations=[Violation(name, f"The value is not valid for {name}.", "custom")])
    return value


def _entity(call: Call, table: Row) -> Row:
    row = call.tenant.table(ENTITIES).get(call.params["id"])
    if row is None or row["_table"] != table["Id"]:
        raise records.not_found(f"{table['Name']} entity not found")
    return row


def _rows(tenant: Tenant, table: Row) -> Iterable[Row]:
    return (row for row in tenant.table(ENTITIES).rows() if row["_table"] == table["Id"])


def add_entities(call: Call, table: Row, bodies: list[dict[str, Any]]) -> list[Row]:
    """Store new entities, all or none: every body is checked (types, secrets and external
    ids unused and not repeated) before the first is stored. Used by the API and the demo."""
    tenant = call.tenant
    entities = tenant.table(ENTITIES)
    fields = _fields(table)
    prepared: list[dict[str, Any]] = []
    secrets: set[str] = set()
    external_ids: set[str] = set()
    for body in bodies:
        external_id = _text("ExternalId", body.get("ExternalId"))
        name = _text("Name", body.get("Name"))
        given_secret = _text("Secret", body.get("Secret"))
        dynamic = records.dynamic_values(fields, body)
        if external_id:
            if external_id in external_ids or entities.find("external", (table["Id"], external_id)) is not None:
                raise records.duplicate(external_id)
            external_ids.add(external_id)
        if given_secret:
            if given_secret in secrets or entities.find("secret", (table["Id"], given_secret)) is not None:
                raise records.duplicate(given_secret)
            secrets.add(given_secret)
        prepared.append({"ExternalId": external_id, "Name": name, "Secret": given_secret or None, "Dynamic": dynamic})
    stored = []
    now = call.clock.time()
    for values in prepared:
        if values["Secret"] is None:
            values["Secret"] = fresh = _new_secret(call, table, secrets)
            secrets.add(fresh)
        row = {"_table": table["Id"], **values, "Created": now, "LastModified": now}
        stored.append(records.add_row(tenant, ENTITIES, "entity", row))
    return stored


def _new_secret(call: Call, table: Row, taken: set[str]) -> str:
    entities = call.tenant.table(ENTITIES)
    while True:
        value = records.secret(call.random, SECRET_LENGTH)
        if value not in taken and entities.find("secret", (table["Id"], value)) is None:
            return value


# -- entities: handlers -------------------------------------------------------------------
def find_entities(call: Call) -> Reply:
    """`secret` or `externalId`: the entity (404); `lastId`/`take`: a page of entities
    with higher ids, ascending (`take` alone pages from the start); nothing: every id."""
    tenant, params = call.tenant, call.params
    table = _table(call)
    entities = tenant.table(ENTITIES)
    if params.get("secret") is not None:
        row = entities.find("secret", (table["Id"], params["secret"]))
        return Reply(200, render(table, records.found(row, f"{table['Name']} entity not found")))
    if params.get("externalId") is not None:
        row = entities.find("external", (table["Id"], params["externalId"])) if params["externalId"] else None
        return Reply(200, render(table, records.found(row, f"{table['Name']} entity not found")))
    if params.get("lastId") is not None or params.get("take") is not None:
        page, _ = entities.page(
            after=params.get("lastId") or 0, limit=params.get("take") or TAKE, where=lambda row: row["_table"] == table["Id"]
        )
        return Reply(200, [render(table, row) for row in page])
    return Reply(200, [row["Id"] for row in _rows(tenant, table)])


def get_entity(call: Call) -> Reply:
    table = _table(call)
    return Reply(200, render(table, _entity(call, table)))


def create_entity(call: Call) -> Reply:
    table = _table(call)
    _through_converter(table, "create")
    (row,) = add_entities(call, table, [call.body])
    return Reply(200, render(table, row))


def create_entities(call: Call) -> Reply:
    table = _table(call)
    _through_converter(table, "create")
    return Reply(200, [render(table, row) for row in add_entities(call, table, call.body)])


def patch_entity(call: Call) -> Reply:
    """The fields given are set (names matched without regard to case); `{}` is 404 and a
    body without a known field 400, as the real service answers."""
    tenant, body = call.tenant, call.body
    table = _table(call)
    _through_converter(table, "update")
    row = _entity(call, table)
    if not body:
        raise records.not_found("There were no fields specified for patching.")
    changes: dict[str, Any] = {}
    for name, value in body.items():
        known = PATCHABLE.get(name.lower())
        if known is not None:
            changes[known] = _text(known, value)
    dynamic = records.dynamic_values(_fields(table), body)
    records.some_change(changes, dynamic)
    entities = tenant.table(ENTITIES)
    if "Secret" in changes:
        if not changes["Secret"]:
            raise invalid("The Secret field is required.")
        records.unique(entities, "secret", (table["Id"], changes["Secret"]), row["Id"], changes["Secret"])
    if changes.get("ExternalId"):
        records.unique(entities, "external", (table["Id"], changes["ExternalId"]), row["Id"], changes["ExternalId"])
    updated = records.patched(row, changes, dynamic, LastModified=call.clock.time())
    return Reply(200, render(table, entities.replace(row["Id"], updated)))


def delete_entity(call: Call) -> Reply:
    table = _table(call)
    _through_converter(table, "delete")
    row = _entity(call, table)
    rendered = render(table, row)
    call.tenant.table(ENTITIES).delete(row["Id"])
    return Reply(200, rendered)


def _matching(call: Call) -> tuple[Row, list[dict[str, Any]]]:
    """The table and its entities (rendered) that match every search field; a field the
    table does not have is 400 even when the table is empty."""
    table = _table(call)
    fields: list[Mapping[str, Any]] = call.body["Fields"]
    known = _RESERVED | {f["Name"].lower() for f in _fields(table)}
    for field in fields:
        if str(field["Field"]).lower() not in known:
            raise invalid(f"Unknown search field '{field['Field']}'.")
    views = (render(table, row) for row in _rows(call.tenant, table))
    return table, [view for view in views if records.matches(view, fields)]


def search_entities(call: Call) -> Reply:
    _, found = _matching(call)
    return Reply(200, found)


def count_entities(call: Call) -> Reply:
    _, found = _matching(call)
    return Reply(200, len(found))


HANDLERS = {
    "listDynamicFieldsOf": list_fields_of,
    "listDynamicFields": list_fields,
    "listDynamicTables": list_tables,
    "findTableEntities": find_entities,
    "createTableEntity": create_entity,
    "searchTableEntities": search_entities,
    "getTableEntity": get_entity,
    "patchTableEntity": patch_entity,
    "deleteTableEntity": delete_entity,
    "createTableEntities": create_entities,
    "countTableEntities": count_entities,
}


# -- demo data ----------------------------------------------------------------------------
# The demo shop's catalogue: (sku, name, category, price). Orders of the demo buy these.
DEMO_PRODUCTS: list[tuple[str, str, str, float]] = [
    *(
        (f"SH-{n:03d}", name, "Shoes", price)
        for n, (name, price) in enumerate(
            [
                ("Runner Pro", 899.0),
                ("Trail Blazer", 1099.0),
                ("City Walker", 749.95),
                ("Leather Loafer", 1299.0),
                ("Canvas Sneaker", 499.0),
                ("Winter Boot", 1499.0),
                ("Sandal Breeze", 349.5),
                ("Court Classic", 799.0),
            ],
            start=1,
        )
    ),
    *(
        (f"CL-{n:03d}", name, "Clothing", price)
        for n, (name, price) in enumerate(
            [
                ("Organic T-shirt", 199.95),
                ("Merino Sweater", 899.0),
                ("Rain Jacket", 1199.0),
                ("Chino Trousers", 599.0),
                ("Denim Jeans", 699.0),
                ("Linen Shirt", 449.0),
                ("Hoodie", 499.0),
                ("Wool Coat", 2199.0),
                ("Running Shorts", 299.0),
                ("Summer Dress", 649.0),
            ],
            start=1,
        )
    ),
    *(
        (f"AC-{n:03d}", name, "Accessories", price)
        for n, (name, price) in enumerate(
            [
                ("Leather Belt", 349.0),
                ("Wool Scarf", 249.0),
                ("Beanie", 149.0),
                ("Sunglasses", 599.0),
                ("Canvas Tote", 129.0),
                ("Backpack", 799.0),
                ("Wallet", 399.0),
                ("Cap", 179.0),
                ("Gloves", 229.0),
                ("Umbrella", 199.0),
            ],
            start=1,
        )
    ),
    *(
        (f"HO-{n:03d}", name, "Home", price)
        for n, (name, price) in enumerate(
            [
                ("Scented Candle", 129.95),
                ("Ceramic Mug", 89.0),
                ("Throw Blanket", 499.0),
                ("Cushion Cover", 159.0),
                ("Table Lamp", 899.0),
                ("Vase", 249.0),
                ("Coaster Set", 79.0),
                ("Photo Frame", 119.0),
            ],
            start=1,
        )
    ),
    *(
        (f"GC-{n:03d}", f"Gift card {amount}", "Gift cards", float(amount))
        for n, amount in enumerate((100, 250, 500, 1000), start=1)
    ),
]
VOUCHER_COUNT = 5


def seed(call: Call) -> None:
    """Two tables made as the admin API makes them: "Products" (Price, Category) with the
    demo catalogue, and "Vouchers", created through a converter (so creates answer 423),
    whose few entities the converter made."""
    from mockserver.engine.context import Call as AdminCall
    from mockserver.providers.yulsn import admin  # late: admin gathers other areas' actions

    tenant = call.tenant
    rng = call.services.random.derived("yulsn", "tables")
    definitions = [
        {
            "name": "Products",
            "label": "Products",
            "description": "The webshop's products.",
            "fields": [{"name": "Price", "type": 5, "label": "Price"}, {"name": "Category", "type": 1, "label": "Category"}],
        },
        {
            "name": "Vouchers",
            "label": "Vouchers",
            "description": "Vouchers issued by the loyalty converter.",
            "fields": [
                {"name": "Code", "type": 1, "label": "Code"},
                {"name": "Amount", "type": 5, "label": "Amount"},
                {"name": "ValidUntil", "type": 4, "label": "Valid until"},
                {"name": "Redeemed", "type": 2, "label": "Redeemed"},
            ],
            "converters": {"create": True},
        },
    ]
    for definition in definitions:
        admin.define_table(AdminCall(tenant, call.services, {}, None), definition)
    products = tenant.table(TABLES).find("name", "products")
    vouchers = tenant.table(TABLES).find("name", "vouchers")
    assert products is not None and vouchers is not None
    for sku, name, category, price in DEMO_PRODUCTS:
        call.clock.advance(60 * rng.uniform(1, 30))
        add_entities(call, products, [{"ExternalId": sku, "Name": name, "Price": price, "Category": category}])
    for number in range(1, VOUCHER_COUNT + 1):
        call.clock.advance(3600 * rng.uniform(1, 24))
        valid_until = records.stamp(call.clock.time() + 86400 * rng.choice([30, 60, 90]))
        add_entities(
            call,
            vouchers,
            [
                {
                    "ExternalId": f"V-{number:04d}",
                    "Name": f"Voucher {number}",
                    "Code": f"YUL{rng.randint(100000, 999999)}",
                    "Amount": float(rng.choice([50, 100, 200])),
                    "ValidUntil": valid_until,
                    "Redeemed": rng.random() < 0.3,
                }
            ],
        )
