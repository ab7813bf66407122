"""Fulfillment locations (where orders ship from) and shipping: profiles, their location
groups, zones and rates, rate names and packages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.contacts import EMAIL
from mockserver.providers.clickfunnels.records import (
    LOCATION_GROUPS,
    LOCATIONS,
    PACKAGES,
    PRODUCTS,
    PROFILES,
    RATE_NAMES,
    RATES,
    ZONES,
    invalid,
    shown,
)
from mockserver.providers.clickfunnels.resources import Resource

ADDRESS = ("address_one", "address_two", "city", "region", "country", "postal_code")


def location(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "workspace_id",
        "name",
        "address_name",
        "email_address",
        "phone_number",
        "sort_order",
        "external_app",
        # The real service always shows an address (empty for an app's location).
        address={part: (row["address"] or {}).get(part) for part in ADDRESS},
    )


def _located(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """An e-mail address that is one; an address, unless an app outside ClickFunnels ships
    (`external_app`). A new location comes last in the workspace's order."""
    if "email_address" in values and not EMAIL.match(values["email_address"]):
        raise invalid("email_address", "is invalid")
    if values.get("address") is not None:
        values["address"] = {part: values["address"].get(part) for part in ADDRESS}
    creating = "id" not in scope
    if creating and values.get("address") is None and not values.get("external_app"):
        raise invalid("address", "can't be blank")
    if creating:
        values["sort_order"] = len(records.children(call.tenant, LOCATIONS, "workspace_id", scope["workspace_id"])) + 1
    return values


LOCATION = Resource(
    LOCATIONS,
    "fulfillments_location",
    location,
    defaults={
        "name": None,
        "address_name": None,
        "email_address": None,
        "phone_number": None,
        "external_app": False,
        "address": None,
    },
    filled=("name", "address_name", "email_address"),
    check=_located,
)


def delete_location(call: Call) -> Reply:
    """The location leaves the location groups that ship from it."""
    row = records.addressed(call, LOCATIONS)
    groups = records.table(call.tenant, LOCATION_GROUPS, create=False)
    for group in [g for g in groups.rows() if row["id"] in g["fulfillments_location_ids"]]:
        kept = [i for i in group["fulfillments_location_ids"] if i != row["id"]]
        records.touch(call, groups, group, fulfillments_location_ids=kept)
    LOCATION.remove(call, row)
    return Reply(204)


# -- profiles and their location groups ------------------------------------------------------------------
def profile(row: Row) -> dict[str, Any]:
    return shown(row, "name", variant_ids=list(row["variant_ids"]))


def location_group(row: Row) -> dict[str, Any]:
    return shown(row, "profile_id", "name", fulfillments_location_ids=list(row["fulfillments_location_ids"]))


def _shipped_variants(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A profile ships variants of the workspace's products."""
    if "variant_ids" in values:
        offered = {
            variant["id"]
            for product in call.tenant.table(PRODUCTS).rows()
            if product["workspace_id"] == scope["workspace_id"]
            for variant in product["variants"]
        }
        if any(variant_id not in offered for variant_id in values["variant_ids"]):
            raise invalid("variant_ids", "must be variants of the workspace's products")
        values["variant_ids"] = list(dict.fromkeys(values["variant_ids"]))
    return values


def _general_group(call: Call, row: Row) -> None:
    """A new profile ships from one location group, of every location of the workspace."""
    locations = [location["id"] for location in records.children(call.tenant, LOCATIONS, "workspace_id", row["workspace_id"])]
    records.create(
        call,
        LOCATION_GROUPS,
        workspace_id=row["workspace_id"],
        profile_id=row["id"],
        name="General",
        fulfillments_location_ids=locations,
    )


PROFILE = Resource(
    PROFILES,
    "shipping_profile",
    profile,
    defaults={"name": None, "variant_ids": []},
    filled=("name",),
    check=_shipped_variants,
    cascade=(LOCATION_GROUPS,),
    after=_general_group,
)
LOCATION_GROUP = Resource(LOCATION_GROUPS, "shipping_location_group", location_group, parent=PROFILES, cascade=(ZONES,))


# -- zones, rates and rate names ------------------------------------------------------------------------------
def zone(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "location_group_id",
        "name",
        "address_filter_id",
        "includes_rest_of_world",
        region_ids=list(row["region_ids"]),
        country_ids=list(row["country_ids"]),
    )


def rate(row: Row) -> dict[str, Any]:
    return shown(
        row, "zone_id", "description", "provider_name", "price", "price_currency", "rates_name_id", "live_rates_provider"
    )


def rate_name(row: Row) -> dict[str, Any]:
    return shown(row, "workspace_id", "name")


def _rated(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A rate's name is a rate name of the workspace (its description); its price is money."""
    if "rates_name_id" in values:
        named = records.owned(call.tenant, RATE_NAMES, values["rates_name_id"], scope["workspace_id"], "rates_name")
        values["description"] = named["name"]
    if "price" in values:
        values["price"] = records.money(int((Decimal(str(values["price"])) * 100).to_integral_value()))
    return values


ZONE = Resource(
    ZONES,
    "shipping_zone",
    zone,
    parent=LOCATION_GROUPS,
    defaults={"name": None, "address_filter_id": None, "region_ids": [], "country_ids": [], "includes_rest_of_world": False},
    filled=("name",),
    cascade=(RATES,),
)
RATE = Resource(
    RATES,
    "shipping_rate",
    rate,
    parent=ZONES,
    defaults={"price": None, "price_currency": None, "rates_name_id": None, "provider_name": None, "live_rates_provider": None},
    check=_rated,
)
RATE_NAME = Resource(RATE_NAMES, "shipping_rates_name", rate_name, defaults={"name": None}, filled=("name",))


def update_rate_name(call: Call) -> Reply:
    """A renamed rate name renames the rates it names."""
    row = RATE_NAME.change(call, records.addressed(call, RATE_NAMES), call.body["shipping_rates_name"])
    rates = records.table(call.tenant, RATES, create=False)
    for named in [r for r in rates.rows() if r["rates_name_id"] == row["id"]]:
        rates.replace(named["id"], {**named, "description": row["name"]})
    return Reply(200, rate_name(row))


def delete_rate_name(call: Call) -> Reply:
    """The rates it names go with it."""
    row = records.addressed(call, RATE_NAMES)
    rates = records.table(call.tenant, RATES, create=False)
    for named in [r for r in rates.rows() if r["rates_name_id"] == row["id"]]:
        rates.delete(named["id"])
    RATE_NAME.remove(call, row)
    return Reply(204)


# -- packages ---------------------------------------------------------------------------------------------------
def package(row: Row) -> dict[str, Any]:
    return shown(
        row,
        "name",
        "package_type",
        "height",
        "width",
        "length",
        "distance_unit",
        "empty_weight",
        "weight",
        "weight_unit",
        "default_package",
        "token",
        "carrier",
    )


def _measured(call: Call, scope: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Sizes and weights are numbers; a workspace has one default package."""
    for name in ("height", "width", "length", "empty_weight", "weight"):
        if values.get(name) is not None:
            values[name] = float(Decimal(str(values[name])))
    if values.get("default_package"):
        packages = records.table(call.tenant, PACKAGES, create=False)
        for other in [p for p in packages.rows() if p["workspace_id"] == scope["workspace_id"] and p["default_package"]]:
            if other["id"] != scope.get("id"):
                packages.replace(other["id"], {**other, "default_package": False})
    return values


PACKAGE = Resource(
    PACKAGES,
    "shipping_package",
    package,
    defaults={
        "name": None,
        "package_type": None,
        "height": None,
        "width": None,
        "length": None,
        "distance_unit": None,
        "empty_weight": None,
        "weight": 0.0,
        "weight_unit": "lb",
        "default_package": False,
        "carrier": None,
    },
    filled=("name",),
    check=_measured,
    extra=lambda: {"token": None},
)
