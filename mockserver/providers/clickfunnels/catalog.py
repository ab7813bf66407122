"""A product's variants and prices (kept inside the product, as a product is made with its
default variant and price), and product tags."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.base import Handler
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.listing import rows_reply
from mockserver.providers.clickfunnels.records import PRODUCT_TAGS, PRODUCTS, invalid, shown
from mockserver.providers.clickfunnels.resources import Resource

# What a variant has when neither the request nor the product's default variant says.
VARIANT_DEFAULTS: dict[str, Any] = {
    "description": None,
    "product_type": "digital",
    "out_of_stock_sales": False,
    "weight": None,
    "weight_unit": "lb",
    "height": None,
    "width": None,
    "length": None,
    "dimensions_unit": None,
    "tax_category_id": None,
    "taxable": None,
    "track_quantity": False,
    "archived": False,
    "visible": True,
    "fulfillment_required": False,
    "country_of_manufacture_id": None,
    "image_ids": [],
    "fulfillments_location_ids": [],
    "properties_values": [],
}
VARIANT_FIELDS = ("name", "sku", *VARIANT_DEFAULTS)
MEASURES = ("weight", "height", "width", "length")
PRICE_DEFAULTS: dict[str, Any] = {
    "name": None,
    "cost": None,
    "duration": None,
    "interval": None,
    "interval_count": None,
    "trial_interval": None,
    "trial_duration": None,
    "trial_amount": "0.00",
    "setup_amount": None,
    "self_cancel": True,
    "self_upgrade": True,
    "self_downgrade": True,
    "self_reactivate": True,
    "payment_type": None,
    "visible": True,
    "compare_at_amount": None,
    "key": None,
    "archived": False,
}
PRICE_FIELDS = ("amount", "currency", *PRICE_DEFAULTS)
AMOUNTS = ("amount", "cost", "trial_amount", "setup_amount", "compare_at_amount")


# -- variants ------------------------------------------------------------------------------------------
def variant(product: Row, item: Row) -> dict[str, Any]:
    default_id = product["variants"][0]["id"]
    stored = {**VARIANT_DEFAULTS, **item}
    return shown(
        {
            **stored,
            "created_at": item.get("created_at", product["created_at"]),
            "updated_at": item.get("updated_at", product["updated_at"]),
        },
        "name",
        "description",
        "sku",
        "product_type",
        *MEASURES,
        "weight_unit",
        "dimensions_unit",
        "out_of_stock_sales",
        "tax_category_id",
        "taxable",
        "track_quantity",
        "archived",
        "visible",
        "fulfillment_required",
        "country_of_manufacture_id",
        product_id=product["id"],
        default=item["id"] == default_id,
        quantity=0,
        properties_value_ids=[],
        properties_values=[dict(value) for value in stored["properties_values"]],
        tag_ids=list(product["tag_ids"]),
        asset_ids=[],
        image_ids=list(stored["image_ids"]),
        fulfillments_location_ids=list(stored["fulfillments_location_ids"]),
        price_ids=[p["id"] for p in product["prices"] if p.get("variant_id", default_id) == item["id"]],
    )


def create_variant(call: Call) -> Reply:
    """A variant of the product; what it leaves out it takes from the default variant."""
    product = records.addressed(call, PRODUCTS)
    values = _variant_values(call.body["products_variant"])
    inherited = {k: v for k, v in product["variants"][0].items() if k in VARIANT_DEFAULTS}
    fields = {**VARIANT_DEFAULTS, "sku": None, **inherited, **values}
    item = records.nested(call, "variant", PRODUCTS, **{k: list(v) if isinstance(v, list) else v for k, v in fields.items()})
    item.update(created_at=call.clock.time(), updated_at=call.clock.time())
    product = _nested_changed(call, product, "variants", [*product["variants"], item])
    return Reply(201, variant(product, item))


def update_variant(call: Call) -> Reply:
    product, item = records.nested_find(call.tenant, PRODUCTS, "variants", str(call.params["variant_id"]))
    item = {**item, **_variant_values(call.body["products_variant"]), "updated_at": call.clock.time()}
    product = _nested_changed(call, product, "variants", [item if v["id"] == item["id"] else v for v in product["variants"]])
    return Reply(200, variant(product, item))


def _variant_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: attributes[name] for name in VARIANT_FIELDS if name in attributes}
    if "name" in values:
        values["name"] = records.filled("name", values["name"] or "")
    for name in MEASURES:
        if values.get(name) is not None:
            values[name] = decimal_text(values[name])
    return values


# -- prices --------------------------------------------------------------------------------------------
def price(product: Row, item: Row) -> dict[str, Any]:
    stored = {**PRICE_DEFAULTS, **item}
    payment_type = stored["payment_type"] or ("subscription" if stored["interval"] else "one_time")
    return shown(
        {
            **stored,
            "created_at": item.get("created_at", product["created_at"]),
            "updated_at": item.get("updated_at", product["updated_at"]),
        },
        "name",
        *AMOUNTS[:2],
        "currency",
        "duration",
        "interval",
        "interval_count",
        "trial_interval",
        "trial_duration",
        *AMOUNTS[2:],
        "self_cancel",
        "self_upgrade",
        "self_downgrade",
        "self_reactivate",
        "visible",
        "key",
        "archived",
        variant_id=item.get("variant_id", product["variants"][0]["id"]),
        payment_type=payment_type,
    )


def create_price(call: Call) -> Reply:
    """A price of the product's default variant."""
    product = records.addressed(call, PRODUCTS)
    values = _price_values(call.body["products_price"])
    item = records.nested(call, "price", PRODUCTS, **{**PRICE_DEFAULTS, **values})
    item.update(variant_id=product["variants"][0]["id"], created_at=call.clock.time(), updated_at=call.clock.time())
    product = _nested_changed(call, product, "prices", [*product["prices"], item])
    return Reply(201, price(product, item))


def update_price(call: Call) -> Reply:
    product, item = records.nested_find(call.tenant, PRODUCTS, "prices", str(call.params["price_id"]))
    item = {**item, **_price_values(call.body["products_price"]), "updated_at": call.clock.time()}
    product = _nested_changed(call, product, "prices", [item if p["id"] == item["id"] else p for p in product["prices"]])
    return Reply(200, price(product, item))


def _price_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: attributes[name] for name in PRICE_FIELDS if name in attributes}
    for name in AMOUNTS:
        if values.get(name) is not None:
            values[name] = records.money(int((Decimal(str(values[name])) * 100).to_integral_value()))
    if values.get("interval") is not None and not values.get("interval_count"):
        values.setdefault("interval_count", 1)
    return values


# -- shared ---------------------------------------------------------------------------------------------
def decimal_text(value: Any) -> str:
    """A measure as Rails writes a decimal: `20.0`, `4.25`."""
    text = format(Decimal(str(value)), "f")
    return text if "." in text else f"{text}.0"


# A product's variants and prices are kept inside it: their reads, made alike.
NestedRender = Callable[[Row, Row], dict[str, Any]]


def nested_lister(kind: str, render: NestedRender) -> Handler:
    """GET of the product's `kind` (variants, prices), paged as every list."""

    def list_nested(call: Call) -> Reply:
        product = records.addressed(call, PRODUCTS)
        return rows_reply(call, [_dated(product, item) for item in product[kind]], lambda item: render(product, item))

    return list_nested


def nested_getter(kind: str, render: NestedRender) -> Handler:
    """GET of one variant or price by its `{variant_id}` / `{price_id}`."""
    param = f"{kind.removesuffix('s')}_id"

    def get_nested(call: Call) -> Reply:
        product, item = records.nested_find(call.tenant, PRODUCTS, kind, str(call.params[param]))
        return Reply(200, render(product, item))

    return get_nested


def _dated(product: Row, item: Row) -> Row:
    """A nested record with the timestamps it lists by (its product's when it has none)."""
    return {"created_at": product["created_at"], "updated_at": product["updated_at"], **item}


def _nested_changed(call: Call, product: Row, kind: str, items: list[Row]) -> Row:
    """Store the product with its new variants or prices; fires product.updated."""
    product = records.touch(call, call.tenant.table(PRODUCTS), product, **{kind: items})
    records.announce(call, "product.updated", "Product", product, records.product(product))
    return product


# -- product tags ----------------------------------------------------------------------------------------
def unique_name(table: str) -> Callable[[Call, Mapping[str, Any], dict[str, Any]], dict[str, Any]]:
    """A tag's name is unique in its workspace, whatever its case."""

    def check(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        if "name" in values:
            wanted = (scope["workspace_id"], values["name"].casefold())
            for row in records.table(call.tenant, table, create=False).rows():
                if (row["workspace_id"], row["name"].casefold()) == wanted and row["id"] != scope.get("id"):
                    raise invalid("name", "has already been taken")
        return values

    return check


def tag_view(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "name", "color")


PRODUCT_TAG = Resource(
    PRODUCT_TAGS,
    "products_tag",
    tag_view,
    defaults={"name": None, "color": None},
    filled=("name",),
    check=unique_name(PRODUCT_TAGS),
)


def delete_product_tag(call: Call) -> Reply:
    """The tag goes from every product carrying it."""
    row = records.addressed(call, PRODUCT_TAGS)
    products = call.tenant.table(PRODUCTS)
    for product in [p for p in products.rows() if row["id"] in p["tag_ids"]]:
        records.touch(call, products, product, tag_ids=[t for t in product["tag_ids"] if t != row["id"]])
    PRODUCT_TAG.remove(call, row)
    return Reply(204)


def product_tag_ids(call: Call, workspace_id: int, tag_ids: list[int]) -> list[int]:
    """Tags a product is given: product tags of its workspace."""
    for tag_id in tag_ids:
        records.owned(call.tenant, PRODUCT_TAGS, tag_id, workspace_id, "tag_ids")
    return list(dict.fromkeys(tag_ids))


list_variants = nested_lister("variants", variant)
get_variant = nested_getter("variants", variant)
list_prices = nested_lister("prices", price)
get_price = nested_getter("prices", price)
