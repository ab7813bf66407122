"""The store: products (with update-by-url), categories, and orders (placed by visitors
through the admin API, updated through the API)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.simvoly import records
from mockserver.providers.simvoly.contacts import upsert
from mockserver.providers.simvoly.members import record_email
from mockserver.providers.simvoly.records import CATEGORIES, MEMBERS, ORDERS, PRODUCTS, bad

VARIANT_DEFAULTS = {
    "options": [],
    "price": 0,
    "onSale": False,
    "regularPrice": 0,
    "salePrice": 0,
    "quantity": 0,
    "sku": None,
    "weight": 0,
}
DELIVERED_ONLINE = {"digital", "membership"}
# How each part of a fulfillment reads in the note it leaves on the order.
TRACKING_PARTS = (("courier", "courier"), ("tracking number", "trackingNo"), ("tracking url", "trackingUrl"))


# -- products --------------------------------------------------------------------------
def list_products(call: Call) -> Reply:
    tenant, params = call.tenant, call.params
    title = (params.get("title") or "").casefold()
    wanted = _with_subcategories(tenant, params["category_id"]) if "category_id" in params else None

    def where(row: Row) -> bool:
        return title in row["title"].casefold() and (wanted is None or bool(wanted & set(row["categoryIds"])))

    filtered = where if title or wanted is not None else None  # no filter: the page is a slice
    return records.page(call, PRODUCTS, lambda row: records.product(tenant, row), filtered)


def create_product(call: Call) -> Reply:
    tenant, body = call.tenant, call.body
    products = tenant.table(PRODUCTS)
    url = slug(body.get("url") or body["title"])
    existing = products.find("url", url.casefold()) if url else None
    if existing is not None and call.params.get("update_existing_product_by_url"):
        return Reply(200, records.product(tenant, _update(call, existing, body)))
    values = _product_values(call, body, current=None)
    product_id = tenant.next_id("product")
    row = products.insert(product_id, {"id": product_id, **values, "url": _free_url(tenant, url or f"product-{product_id}")})
    call.emit("product_created", records.product(tenant, row))
    return Reply(201, records.product(tenant, row))


def get_product(call: Call) -> Reply:
    return Reply(200, records.product(call.tenant, records.by_id(call, PRODUCTS)))


def update_product(call: Call) -> Reply:
    return Reply(200, records.product(call.tenant, _update(call, records.by_id(call, PRODUCTS), call.body)))


def list_categories(call: Call) -> Reply:
    parent = call.params.get("parent")
    rows = [row for row in call.tenant.table(CATEGORIES).rows() if parent is None or row["parentCategory"] == parent]
    return Reply(200, [records.category(row) for row in rows])


def _update(call: Call, row: Row, body: dict[str, Any]) -> Row:
    """Set the non-empty fields and any variants given; fires product_updated."""
    tenant = call.tenant
    values = _product_values(call, records.non_empty(body), current=row)
    if body.get("url"):
        url = slug(body["url"])
        records.refuse_taken(tenant.table(PRODUCTS), "url", url.casefold(), row, "Another product has this url.")
        values["url"] = url
    row = tenant.table(PRODUCTS).replace(row["id"], {**row, **values})
    call.emit("product_updated", records.product(tenant, row))
    return row


def _product_values(call: Call, body: dict[str, Any], current: Row | None) -> dict[str, Any]:
    title = records.required(body.get("title", current["title"] if current else ""), "title")
    given_options: list[dict[str, Any]] = body.get("options") or (current["options"] if current else [])
    options = [
        {"name": o["name"], "values": list(dict.fromkeys(o["values"])), "advanced": o.get("advanced", False)}
        for o in given_options
    ]
    variants = body.get("variants")
    if variants is None:
        variants = current["variants"] if current else [{}]
    checked = []
    for index, variant in enumerate(variants):
        full = {**VARIANT_DEFAULTS, **variant}
        if len(full["options"]) > len(options):
            raise bad(f"Variant {index + 1} has more option values than the product has options.", "variants")
        for option, value in zip(options, full["options"], strict=False):
            if value not in option["values"]:
                raise bad(f"Variant {index + 1} uses {value!r}, which is not a value of option {option['name']!r}.", "variants")
        checked.append(full)
    values: dict[str, Any] = {
        "type": body.get("type", current["type"] if current else "physical"),
        "title": title,
        "options": options,
        "variants": checked,
    }
    for name, default in (("description", None), ("hidden", False), ("images", []), ("file", None), ("subscription", None)):
        values[name] = body[name] if name in body else (current[name] if current else default)
    if "categories" in body or current is None:
        refs = body.get("categories", [])
        for ref in refs:  # every reference checked before any category is created
            _check_category(call.tenant, ref)
        values["categoryIds"] = [_category(call.tenant, ref)["id"] for ref in refs]
    return values


def _check_category(tenant: Tenant, ref: dict[str, Any]) -> None:
    """A reference names an existing category, or gives a name (under an existing parent)."""
    if "id" in ref:
        records.existing_ids(tenant, CATEGORIES, [ref["id"]], "Category", "categories")
    elif not str(ref.get("name") or "").strip():
        raise bad("A category needs an id or a name.", "categories")
    elif ref.get("parentCategory", 0):
        records.existing_ids(tenant, CATEGORIES, [ref["parentCategory"]], "Category", "categories")


def _category(tenant: Tenant, ref: dict[str, Any]) -> Row:
    """The category a reference `_check_category` passed names: by id, or by name (found
    under its parent, or created)."""
    categories = tenant.table(CATEGORIES)
    if "id" in ref:
        return records.found(categories.get(ref["id"]), "Category")
    name, parent = str(ref.get("name") or "").strip(), ref.get("parentCategory", 0)
    for row in categories.rows():
        if row["name"].casefold() == name.casefold() and row["parentCategory"] == parent:
            return row
    fields = {"name": name, "url": slug(ref.get("url") or name), "parentCategory": parent}
    return records.insert_new(tenant, CATEGORIES, "category", fields)


def _with_subcategories(tenant: Tenant, category_id: int) -> set[int]:
    found = {category_id}
    rows = list(tenant.table(CATEGORIES).rows())
    while below := {row["id"] for row in rows if row["parentCategory"] in found} - found:  # one level deeper each time
        found |= below
    return found


def _free_url(tenant: Tenant, url: str) -> str:
    products = tenant.table(PRODUCTS)
    candidate, number = url, 1
    while products.find("url", candidate.casefold()) is not None:
        number += 1
        candidate = f"{url}-{number}"
    return candidate


def slug(text: str) -> str:
    """`Interior Door!` -> `interior-door`: the store's url handle for a title."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200]


# -- orders ----------------------------------------------------------------------------
def list_orders(call: Call) -> Reply:
    where = records.in_range(call, "created", "created_at_min", "created_at_max")
    return records.page(call, ORDERS, records.order, where)


get_order = records.READS.getter(ORDERS, records.order)


def update_order(call: Call) -> Reply:
    """Non-empty fields are set; the status comes in upper case and is kept in lower case."""
    body = records.non_empty(call.body)
    row = records.by_id(call, ORDERS)
    before = row["status"]
    row.update(records.given(body, ("customerName", "customerEmail", "paymentMethod", "transactionId", "paid")))
    row.update(records.addresses(body))
    if "status" in body:
        row["status"] = body["status"].lower()
    fulfillment = body.get("fulfillment")
    if fulfillment:
        tracking = ", ".join(f"{label}: {fulfillment[key]}" for label, key in TRACKING_PARTS if fulfillment.get(key))
        row["notes"] = [*row["notes"], {"time": records.now(call), "value": f"Fulfilled ({tracking or 'no tracking'})"}]
    invoice, status, to = row["invoiceNo"], row["status"], row["customerEmail"]
    if body.get("notifyCustomer") and (fulfillment or status != before):
        record_email(call, to, f"Your order #{invoice} is {status}", f"Order #{invoice} is now {status}.", "order_update")
    if status == "completed" and before != "completed" and any(i["type"] in DELIVERED_ONLINE for i in row["items"]):
        record_email(
            call, to, f"Your access for order #{invoice}", "Here is how to access your digital content.", "digital_access"
        )
    call.emit("order_updated", records.order(row))
    return Reply(200, records.order(row))


def place_order(call: Call, spec: dict[str, Any]) -> Row:
    """A visitor checks out: the contact is found or created, the order stored, and
    order_created fires."""
    tenant = call.tenant
    products = tenant.table(PRODUCTS)
    items, subtotal, weight = [], 0.0, 0.0
    for index, line in enumerate(spec["items"]):
        product = products.get(line["productId"])
        if product is None:
            raise bad(f"Product {line['productId']} not found.", f"items[{index}].productId")
        variant = product["variants"][min(line.get("variant", 0), len(product["variants"]) - 1)]
        quantity = int(line.get("quantity", 1))
        price = variant["salePrice"] if variant["onSale"] and variant["salePrice"] else variant["price"]
        line_total = round(price * quantity, 2)
        subtotal += line_total
        weight += variant["weight"] * quantity
        items.append(
            {
                "id": tenant.next_id("order_item"),
                "name": product["title"],
                "url": product["url"],
                "productId": product["id"],
                "type": product["type"],
                "sku": variant["sku"],
                "quantity": quantity,
                "total": line_total,
                "weight": variant["weight"],
                "width": 0,
                "height": 0,
                "length": 0,
                "shippingRequired": product["type"] == "physical",
                "variation": [
                    {"name": o["name"], "value": v} for o, v in zip(product["options"], variant["options"], strict=False)
                ],
                "additions": [],
            }
        )
    email = spec["customerEmail"]
    contact, _ = upsert(call, {"email": email, **({"name": spec["customerName"]} if spec.get("customerName") else {})})
    member = records.by_email(tenant.table(MEMBERS), email)
    discount = float(spec.get("discountAmount", 0))
    shipping = float(spec.get("shippingAmount", 0))
    order_id = tenant.next_id("order")
    row = tenant.table(ORDERS).insert(
        order_id,
        {
            "id": order_id,
            "invoiceNo": tenant.next_id("invoice"),
            "created": records.now(call),
            "customerName": spec.get("customerName"),
            "customerEmail": email,
            "contactId": contact["id"],
            "memberId": member["id"] if member else None,
            "shippingAddress": spec.get("shippingAddress"),
            "billingAddress": spec.get("billingAddress"),
            "shippingRequired": any(i["shippingRequired"] for i in items),
            "weight": round(weight, 3),
            "weightUnit": "kg",
            "subTotal": round(subtotal, 2),
            "total": round(max(0.0, subtotal - discount) + shipping, 2),
            "discountCode": spec.get("discountCode"),
            "discountType": "fixed_discount" if discount else None,
            "discountAmount": discount,
            "shippingName": spec.get("shippingName"),
            "shippingAmount": shipping,
            "paid": spec.get("paid", True),
            "paymentMethod": spec.get("paymentMethod", "stripe"),
            "transactionId": spec.get("transactionId"),
            "status": "pending",
            "taxes": [],
            "items": items,
            "tags": list(spec.get("tags", [])),
            "additionalFields": list(spec.get("additionalFields", [])),
            "notes": [],
        },
    )
    call.emit("order_created", records.order(row))
    return row
