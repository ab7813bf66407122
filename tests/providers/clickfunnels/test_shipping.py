"""ClickFunnels shipping: profiles with their location groups, zones and rates, rate names,
and packages."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.clickfunnels.helpers import PUBLIC_ID, assert_invalid, assert_not_found, create_product
from tests.support import created, ok


def post(client: ApiSession, path: str, wrapper: str, **attributes: Any) -> Any:
    return client.post(path, json={wrapper: attributes})


def shipping(client: ApiSession, workspace_id: int) -> dict[str, Any]:
    """A location, a profile shipping a product's variant, its group, a zone, a rate name and a rate."""
    space = f"/api/v2/workspaces/{workspace_id}"
    body = {"name": "Depot", "address_name": "Main", "email_address": "d@example.com", "address": {"country": "US"}}
    location = created(post(client, f"{space}/fulfillments/locations", "fulfillments_location", **body))
    variant_id = create_product(client, workspace_id, "Mug")["default_variant_id"]
    profile = created(post(client, f"{space}/shipping/profiles", "shipping_profile", name="Standard", variant_ids=[variant_id]))
    (group,) = ok(client.get(f"/api/v2/shipping/profiles/{profile['id']}/location_groups"))
    zone = created(
        post(client, f"/api/v2/shipping/location_groups/{group['id']}/zones", "shipping_zone", name="Domestic", country_ids=[1])
    )
    name = created(post(client, f"{space}/shipping/rates/names", "shipping_rates_name", name="Ground"))
    rate = created(
        post(
            client,
            f"/api/v2/shipping/zones/{zone['id']}/rates",
            "shipping_rate",
            price=5,
            price_currency="USD",
            rates_name_id=name["id"],
        )
    )
    return {
        "location": location,
        "variant_id": variant_id,
        "profile": profile,
        "group": group,
        "zone": zone,
        "name": name,
        "rate": rate,
    }


def test_a_profile_ships_from_a_general_group_of_every_location(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)
    profile, group = made["profile"], made["group"]

    assert (profile["name"], profile["variant_ids"]) == ("Standard", [made["variant_id"]])
    assert PUBLIC_ID.match(profile["public_id"])
    assert (group["name"], group["profile_id"], group["fulfillments_location_ids"]) == (
        "General",
        profile["id"],
        [made["location"]["id"]],
    )
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/shipping/profiles")) == [profile]
    assert ok(clickfunnels.get(f"/api/v2/shipping/profiles/{profile['public_id']}")) == profile
    assert ok(clickfunnels.get(f"/api/v2/shipping/location_groups/{group['id']}")) == group


def test_a_zone_has_rates_described_by_their_names(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)
    zone, rate, name = made["zone"], made["rate"], made["name"]

    assert (zone["location_group_id"], zone["country_ids"], zone["includes_rest_of_world"]) == (made["group"]["id"], [1], False)
    assert (rate["zone_id"], rate["price"], rate["rates_name_id"], rate["description"]) == (
        zone["id"],
        "5.00",
        name["id"],
        "Ground",
    )
    assert ok(clickfunnels.get(f"/api/v2/shipping/zones/{zone['id']}/rates")) == [rate]
    renamed = ok(
        clickfunnels.put(f"/api/v2/shipping/rates/names/{name['id']}", json={"shipping_rates_name": {"name": "Express"}})
    )
    assert renamed["name"] == "Express"
    assert ok(clickfunnels.get(f"/api/v2/shipping/rates/{rate['id']}"))["description"] == "Express"


def test_a_profile_ships_only_variants_of_the_workspace(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post(
        clickfunnels, f"/api/v2/workspaces/{workspace_id}/shipping/profiles", "shipping_profile", name="X", variant_ids=[424242]
    )
    assert_invalid(response, "variant_ids", "must be variants of the workspace's products")


def test_a_rate_needs_a_rate_name_of_the_workspace(clickfunnels: ApiSession, workspace_id: int) -> None:
    zone = shipping(clickfunnels, workspace_id)["zone"]
    response = post(
        clickfunnels,
        f"/api/v2/shipping/zones/{zone['id']}/rates",
        "shipping_rate",
        price="1",
        price_currency="USD",
        rates_name_id=424242,
    )
    assert_invalid(response, "rates_name", "must exist")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_profiles_zones_and_rates_are_updated(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    made = shipping(clickfunnels, workspace_id)

    profile = ok(
        clickfunnels.request(
            method, f"/api/v2/shipping/profiles/{made['profile']['id']}", json={"shipping_profile": {"name": "Bulky"}}
        )
    )
    zone = ok(
        clickfunnels.request(
            method, f"/api/v2/shipping/zones/{made['zone']['id']}", json={"shipping_zone": {"includes_rest_of_world": True}}
        )
    )
    rate = ok(
        clickfunnels.request(method, f"/api/v2/shipping/rates/{made['rate']['id']}", json={"shipping_rate": {"price": "7.5"}})
    )

    assert (profile["name"], profile["variant_ids"]) == ("Bulky", [made["variant_id"]])
    assert (zone["includes_rest_of_world"], zone["name"]) == (True, "Domestic")
    assert (rate["price"], rate["description"]) == ("7.50", "Ground")


def test_a_deleted_profile_takes_its_groups_zones_and_rates(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)

    response = clickfunnels.delete(f"/api/v2/shipping/profiles/{made['profile']['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(clickfunnels.get(f"/api/v2/shipping/location_groups/{made['group']['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/shipping/zones/{made['zone']['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/shipping/rates/{made['rate']['id']}"))
    assert ok(clickfunnels.get(f"/api/v2/shipping/rates/names/{made['name']['id']}")) == made["name"]


def test_a_deleted_rate_name_takes_its_rates(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)

    assert clickfunnels.delete(f"/api/v2/shipping/rates/names/{made['name']['id']}").status_code == 204

    assert ok(clickfunnels.get(f"/api/v2/shipping/zones/{made['zone']['id']}/rates")) == []
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/shipping/rates/names")) == []


def test_a_deleted_location_leaves_its_groups(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)

    assert clickfunnels.delete(f"/api/v2/fulfillments/locations/{made['location']['id']}").status_code == 204

    assert ok(clickfunnels.get(f"/api/v2/shipping/location_groups/{made['group']['id']}"))["fulfillments_location_ids"] == []


def test_a_zone_and_a_rate_are_deleted(clickfunnels: ApiSession, workspace_id: int) -> None:
    made = shipping(clickfunnels, workspace_id)
    assert clickfunnels.delete(f"/api/v2/shipping/rates/{made['rate']['id']}").status_code == 204
    assert ok(clickfunnels.get(f"/api/v2/shipping/zones/{made['zone']['id']}/rates")) == []
    assert clickfunnels.delete(f"/api/v2/shipping/zones/{made['zone']['id']}").status_code == 204
    assert ok(clickfunnels.get(f"/api/v2/shipping/location_groups/{made['group']['id']}/zones")) == []


# -- packages ---------------------------------------------------------------------------------------------
def add_package(client: ApiSession, workspace_id: int, name: str, **extra: Any) -> Any:
    body = {"name": name, "package_type": "box", "height": "4.0", "width": 2, "length": 2.5, "distance_unit": "in", **extra}
    return post(client, f"/api/v2/workspaces/{workspace_id}/shipping/packages", "shipping_package", **body)


def test_a_package_measures_in_numbers(clickfunnels: ApiSession, workspace_id: int) -> None:
    package = ok(add_package(clickfunnels, workspace_id, "Small box"), 201)

    assert (package["height"], package["width"], package["length"], package["weight"]) == (4.0, 2.0, 2.5, 0.0)
    assert (package["weight_unit"], package["default_package"], package["token"], package["carrier"]) == ("lb", False, None, None)
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/shipping/packages")) == [package]


def test_a_workspace_has_one_default_package(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = ok(add_package(clickfunnels, workspace_id, "First", default_package=True), 201)
    second = ok(add_package(clickfunnels, workspace_id, "Second", default_package=True), 201)

    assert ok(clickfunnels.get(f"/api/v2/shipping/packages/{first['id']}"))["default_package"] is False
    assert second["default_package"] is True
    changed = ok(
        clickfunnels.patch(f"/api/v2/shipping/packages/{first['id']}", json={"shipping_package": {"default_package": True}})
    )
    assert changed["default_package"] is True
    assert ok(clickfunnels.get(f"/api/v2/shipping/packages/{second['id']}"))["default_package"] is False


def test_a_package_needs_its_measures(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post(clickfunnels, f"/api/v2/workspaces/{workspace_id}/shipping/packages", "shipping_package", name="X")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"package_type", "height", "width", "length", "distance_unit"}


def test_unknown_shipping_records_are_404(clickfunnels: ApiSession) -> None:
    for path in (
        "/api/v2/shipping/profiles/424242",
        "/api/v2/shipping/profiles/424242/location_groups",
        "/api/v2/shipping/location_groups/424242/zones",
        "/api/v2/shipping/zones/424242/rates",
        "/api/v2/shipping/rates/names/424242",
        "/api/v2/shipping/packages/424242",
    ):
        assert_not_found(clickfunnels.get(path))
    assert_not_found(clickfunnels.delete("/api/v2/shipping/packages/424242"))
