"""Orders and their lines: look-ups by contact and external id, create with the order type
and order line rules, PATCH of orders and lines, deletes (never the last line), SEARCH.
Orders carry the dynamic fields of owner `Orders`, lines those of owner `OrderLines`."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import CONTACTS, LINES, ORDERS, STORES, invalid

FIELDS = (
    "Type",
    "ExtOrderId",
    "ContactId",
    "FirstName",
    "LastName",
    "Address",
    "PostCode",
    "City",
    "Country",
    "Company",
    "StoreId",
    "Email",
    "OriginDate",
    "StartDate",
    "EndDate",
)
DATES = ("OriginDate", "StartDate", "EndDate")
LINE_FIELDS = ("ExtProductId", "ImgUrl", "Name", "Description", "Quantity", "Price", "ContactId")
_ORDER_RESERVED = {name.lower() for name in ("Id", "PriceTotal", "LastModified", "OrderLines", *FIELDS)}
_LINE_RESERVED = {name.lower() for name in ("Id", "OrderId", "PriceTotal", "LastModified", *LINE_FIELDS)}


# -- rendering ----------------------------------------------------------------------------
def _order_fields(tenant: Tenant) -> list[dict[str, Any]]:
    """The account's order fields, less any that would hide a field of the order itself."""
    return [f for f in records.dynamic_fields(tenant, "Orders") if f["Name"].lower() not in _ORDER_RESERVED]


def _line_fields(tenant: Tenant) -> list[dict[str, Any]]:
    return [f for f in records.dynamic_fields(tenant, "OrderLines") if f["Name"].lower() not in _LINE_RESERVED]


def _line_total(row: Row) -> Decimal:
    return records.decimal(row["Quantity"]) * records.decimal(row["Price"])


def render_line(tenant: Tenant, row: Row) -> dict[str, Any]:
    view = {
        **records.view(row, ("Id", "OrderId", *LINE_FIELDS)),
        "PriceTotal": records.number(_line_total(row)),
        "LastModified": records.stamp(row["LastModified"]),
    }
    return records.with_dynamic(view, _line_fields(tenant), row["Dynamic"])


def _lines(tenant: Tenant, order: Row) -> list[Row]:
    table = tenant.table(LINES)
    return [line for line in (table.get(line_id) for line_id in order["_lines"]) if line is not None]


def render(tenant: Tenant, row: Row, *, with_lines: bool = True) -> dict[str, Any]:
    lines = _lines(tenant, row)
    view = {
        **records.view(row, ("Id", *FIELDS)),
        "PriceTotal": records.number(sum((_line_total(line) for line in lines), Decimal(0))),
        "LastModified": records.stamp(row["LastModified"]),
        "OrderLines": [render_line(tenant, line) for line in lines] if with_lines else None,
    }
    return records.with_dynamic(view, _order_fields(tenant), row["Dynamic"])


# -- checks -------------------------------------------------------------------------------
def _order_type(tenant: Tenant, value: Any) -> str:
    return records.spelling(tenant.settings["order_types"], value, "Invalid order type!")


def _check_refs(tenant: Tenant, values: dict[str, Any]) -> None:
    records.must_exist(tenant.table(CONTACTS), values.get("ContactId"), "Contact")
    records.must_exist(tenant.table(STORES), values.get("StoreId"), "Store")


def _dates(values: dict[str, Any]) -> dict[str, Any]:
    """The dates of a body as epoch seconds (400 when one is unreadable)."""
    for name in DATES:
        if values.get(name) is not None:
            values[name] = records.date_of(values[name], name)
    return values


def _line_values(tenant: Tenant, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new line's fields and dynamic values (the contact checked); Quantity and Price
    are checked by the caller, whose message differs."""
    values = {name: body.get(name) for name in LINE_FIELDS}
    _check_refs(tenant, {"ContactId": values["ContactId"]})
    return values, records.dynamic_values(_line_fields(tenant), body)


def _missing_amounts(body: Any) -> bool:
    return not isinstance(body, dict) or body.get("Quantity") is None or body.get("Price") is None


# -- storage ------------------------------------------------------------------------------
def add_order(call: Call, body: dict[str, Any]) -> Row:
    """Store a new order with its lines (every rule checked first); used by the API and the demo."""
    tenant = call.tenant
    lines = body.get("OrderLines")
    if not lines or any(_missing_amounts(line) for line in lines):
        raise invalid("Invalid orderlines!")
    values = {name: body.get(name) for name in FIELDS}
    values["Type"] = _order_type(tenant, values["Type"])
    _check_refs(tenant, values)
    _dates(values)
    dynamic = records.dynamic_values(_order_fields(tenant), body)
    prepared = [_line_values(tenant, line) for line in lines]
    now = call.clock.time()
    order_id = tenant.next_id("order")
    line_ids = []
    for line_values, line_dynamic in prepared:
        line_id = tenant.next_id("order_line")
        tenant.table(LINES).insert(
            line_id,
            {
                "Id": line_id,
                "OrderId": order_id,
                **line_values,
                "LastModified": now,
                "Dynamic": line_dynamic,
            },
        )
        line_ids.append(line_id)
    row = {"Id": order_id, **values, "LastModified": now, "Dynamic": dynamic, "_lines": line_ids}
    return tenant.table(ORDERS).insert(order_id, row)


def _order(call: Call) -> Row:
    return records.require(call.tenant.table(ORDERS), call.params["id"], "Order")


def _line(call: Call, order: Row) -> Row:
    line = call.tenant.table(LINES).get(call.params["lid"])
    if line is None or line["OrderId"] != order["Id"]:
        raise records.not_found("Order line not found")
    return line


def _touch(call: Call, order: Row) -> None:
    order["LastModified"] = call.clock.time()


# -- handlers: orders ---------------------------------------------------------------------
def find_orders(call: Call) -> Reply:
    """By `contactId` (optionally of an `orderType`) or by `extOrderId`; both given: both apply."""
    tenant, params = call.tenant, call.params
    contact_id, ext_order_id, order_type = params.get("contactId"), params.get("extOrderId"), params.get("orderType")
    if contact_id is None and ext_order_id is None:
        raise invalid("A contactId or an extOrderId is required.")
    with_lines = params.get("withOrderLines") is not False
    found = [
        render(tenant, row, with_lines=with_lines)
        for row in tenant.table(ORDERS).rows()
        if (contact_id is None or row["ContactId"] == contact_id)
        and (ext_order_id is None or row["ExtOrderId"] == ext_order_id)
        and (not order_type or row["Type"].casefold() == order_type.strip().casefold())
    ]
    return Reply(200, found)


def get_order(call: Call) -> Reply:
    return Reply(200, render(call.tenant, _order(call)))


def list_order_types(call: Call) -> Reply:
    return Reply(200, list(call.tenant.settings["order_types"]))


def create_order(call: Call) -> Reply:
    return Reply(200, render(call.tenant, add_order(call, call.body)))


def patch_order(call: Call) -> Reply:
    """The fields in the body are set (null clears); the lines are left as they are."""
    tenant, body = call.tenant, call.body
    row = _order(call)
    changes = {name: body[name] for name in FIELDS if name in body}
    dynamic = records.dynamic_values(_order_fields(tenant), body)
    records.some_change(changes, dynamic)
    if "Type" in changes:
        changes["Type"] = _order_type(tenant, changes["Type"])
    _check_refs(tenant, changes)
    _dates(changes)
    row.update(changes)
    row["Dynamic"] = {**row["Dynamic"], **dynamic}
    _touch(call, row)
    return Reply(200, render(tenant, row))


def delete_order(call: Call) -> Reply:
    tenant = call.tenant
    row = _order(call)
    rendered = render(tenant, row)
    for line_id in row["_lines"]:
        tenant.table(LINES).delete(line_id)
    tenant.table(ORDERS).delete(row["Id"])
    return Reply(200, rendered)


def search_orders(call: Call) -> Reply:
    """Every search field must match the order as it is rendered (with its lines)."""
    tenant = call.tenant
    fields: Iterable[dict[str, Any]] = call.body
    _known_fields(tenant, fields)
    found = [view for view in (render(tenant, row) for row in tenant.table(ORDERS).rows()) if records.matches(view, fields)]
    return Reply(200, found)


def _known_fields(tenant: Tenant, fields: Iterable[dict[str, Any]]) -> None:
    """400 for a search field that no order has (even when there are no orders)."""
    known = {"id", "pricetotal", "lastmodified", "orderlines", *(n.lower() for n in FIELDS)}
    known |= {f["Name"].lower() for f in _order_fields(tenant)}
    for field in fields:
        if str(field["Field"]).lower() not in known:
            raise invalid(f"Unknown search field '{field['Field']}'.")


# -- handlers: lines ----------------------------------------------------------------------
def create_line(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    order = _order(call)
    if _missing_amounts(body):
        raise invalid("Invalid order line!")
    values, dynamic = _line_values(tenant, body)
    line_id = tenant.next_id("order_line")
    now = call.clock.time()
    line = tenant.table(LINES).insert(
        line_id,
        {
            "Id": line_id,
            "OrderId": order["Id"],
            **values,
            "LastModified": now,
            "Dynamic": dynamic,
        },
    )
    order["_lines"] = [*order["_lines"], line_id]
    _touch(call, order)
    return Reply(200, render_line(tenant, line))


def patch_line(call: Call) -> Reply:
    """The fields in the body are set; `Quantity` and `Price` cannot be cleared."""
    tenant, body = call.tenant, call.body
    order = _order(call)
    line = _line(call, order)
    changes = {name: body[name] for name in LINE_FIELDS if name in body}
    dynamic = records.dynamic_values(_line_fields(tenant), body)
    records.some_change(changes, dynamic)
    if any(name in changes and changes[name] is None for name in ("Quantity", "Price")):
        raise invalid("Invalid order line!")
    _check_refs(tenant, {"ContactId": changes.get("ContactId")})
    line.update(changes)
    line["Dynamic"] = {**line["Dynamic"], **dynamic}
    line["LastModified"] = call.clock.time()
    _touch(call, order)
    return Reply(200, render_line(tenant, line))


def delete_line(call: Call) -> Reply:
    tenant = call.tenant
    order = _order(call)
    line = _line(call, order)
    if len(order["_lines"]) <= 1:
        raise invalid("Invalid operation on order!")
    rendered = render_line(tenant, line)
    tenant.table(LINES).delete(line["Id"])
    order["_lines"] = [i for i in order["_lines"] if i != line["Id"]]
    _touch(call, order)
    return Reply(200, rendered)


HANDLERS = {
    "findOrders": find_orders,
    "createOrder": create_order,
    "searchOrders": search_orders,
    "getOrder": get_order,
    "patchOrder": patch_order,
    "deleteOrder": delete_order,
    "listOrderTypes": list_order_types,
    "createOrderLine": create_line,
    "patchOrderLine": patch_line,
    "deleteOrderLine": delete_line,
}


# -- demo data ----------------------------------------------------------------------------
ORDER_COUNT = 60
CHANNELS = {"Webshop": "Online", "Store": "In store", "Subscription": "Online"}
COLORS = ("Black", "White", "Navy", "Red", "Green")


def seed(call: Call) -> None:
    """About 60 orders of demo contacts, 1-4 lines each, of the products in the demo's
    Products table; in-store orders name the contact's preferred store."""
    from mockserver.providers.yulsn.tables import DEMO_PRODUCTS  # the same catalogue as the Products table

    tenant = call.tenant
    rng = call.services.random.derived("yulsn", "orders")
    contacts = list(tenant.table(CONTACTS).rows())
    store_ids = [row["Id"] for row in tenant.table(STORES).rows()]
    types = list(tenant.settings["order_types"])
    if not contacts:
        return
    for number in range(ORDER_COUNT):
        call.clock.advance(3600 * rng.uniform(0.5, 8))
        contact = rng.choice(contacts)
        order_type = rng.choice(types)
        in_store = order_type.casefold() == "store"
        store_id = (contact["PreferredStoreId"] or (rng.choice(store_ids) if store_ids else None)) if in_store else None
        lines = []
        for sku, name, _category, price in rng.sample(DEMO_PRODUCTS, rng.randint(1, 4)):
            lines.append(
                {
                    "ExtProductId": sku,
                    "Name": name,
                    "ImgUrl": f"https://cdn.yulsn-demo.dk/products/{sku.lower()}.jpg",
                    "Description": None,
                    "Quantity": rng.choice([1, 1, 1, 2, 2, 3]),
                    "Price": price,
                    "ContactId": contact["Id"],
                    "Color": rng.choice(COLORS),
                }
            )
        add_order(
            call,
            {
                "Type": order_type,
                "ExtOrderId": f"{order_type[0].upper()}-{10001 + number}",
                "ContactId": contact["Id"],
                "FirstName": contact["FirstName"],
                "LastName": contact["LastName"],
                "Email": contact["Email"],
                "Country": "DK",
                "StoreId": store_id,
                "OriginDate": records.stamp(call.clock.time()),
                "Channel": CHANNELS.get(order_type, "Online"),
                "OrderLines": lines,
            },
        )
