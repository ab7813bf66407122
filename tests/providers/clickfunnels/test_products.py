"""ClickFunnels products over HTTP: create, get, update, archive/unarchive, list filters."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import ApiSession
from tests.providers.clickfunnels.helpers import (
    NOT_FOUND,
    PUBLIC_ID,
    TIMESTAMP,
    create_product,
)
from tests.support import ok

PRODUCT_KEYS = {
    "id",
    "public_id",
    "workspace_id",
    "name",
    "current_path",
    "archived",
    "visible_in_store",
    "visible_in_customer_center",
    "image_id",
    "seo_title",
    "seo_description",
    "commissionable",
    "default_variant_id",
    "variant_ids",
    "price_ids",
    "tag_ids",
    "created_at",
    "updated_at",
}


def get_product(client: ApiSession, ref: int | str) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/v2/products/{ref}")))


def listed_ids(client: ApiSession, workspace_id: int, **params: Any) -> list[int]:
    return [p["id"] for p in ok(client.get(f"/api/v2/workspaces/{workspace_id}/products", params=params))]


def assert_conflict(response: requests.Response) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"]


# -- create ----------------------------------------------------------------------------
def test_create_returns_201_with_a_default_variant_and_price(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/products", json={"product": {"name": "Masterclass", "visible_in_store": True}}
    )

    assert response.status_code == 201, response.text
    product = response.json()
    assert set(product) == PRODUCT_KEYS
    assert product["name"] == "Masterclass"
    assert product["workspace_id"] == workspace_id
    assert product["archived"] is False
    assert product["visible_in_store"] is True
    assert isinstance(product["id"], int) and product["id"] >= 1
    assert PUBLIC_ID.match(product["public_id"])
    assert isinstance(product["default_variant_id"], int) and product["default_variant_id"] >= 1
    assert product["variant_ids"] == [product["default_variant_id"]]
    assert len(product["price_ids"]) == 1
    assert isinstance(product["price_ids"][0], int) and product["price_ids"][0] >= 1
    assert product["tag_ids"] == []
    assert TIMESTAMP.match(product["created_at"]) and product["updated_at"] == product["created_at"]


def test_create_echoes_the_attributes_given(clickfunnels: ApiSession, workspace_id: int) -> None:
    attributes = {
        "current_path": "/masterclass",
        "visible_in_store": False,
        "visible_in_customer_center": True,
        "seo_title": "The Masterclass",
        "seo_description": "Everything in one place.",
        "commissionable": True,
    }

    product = create_product(clickfunnels, workspace_id, "Masterclass", **attributes)

    assert {name: product[name] for name in attributes} == attributes


def test_each_product_gets_its_own_variant_and_price(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_product(clickfunnels, workspace_id, "First")
    second = create_product(clickfunnels, workspace_id, "Second")

    assert second["id"] > first["id"]
    assert second["default_variant_id"] != first["default_variant_id"]
    assert second["price_ids"] != first["price_ids"]


def test_a_missing_name_is_422_name_cant_be_blank(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products", json={"product": {"visible_in_store": True}})

    assert response.status_code == 422, response.text
    assert response.json() == {"error": "Name can't be blank", "errors": {"name": ["can't be blank"]}}
    assert listed_ids(clickfunnels, workspace_id) == []


def test_a_blank_name_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products", json={"product": {"name": "  "}})

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"name": ["can't be blank"]}


def test_create_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products", json={"name": "Flat"})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: product"}


# -- read ------------------------------------------------------------------------------
def test_get_by_id_and_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Book", price="19.95")

    assert get_product(clickfunnels, product["id"]) == product
    assert get_product(clickfunnels, product["public_id"]) == product


def test_an_unknown_product_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Known")

    for ref in (product["id"] + 1000, product["public_id"].swapcase()):
        response = clickfunnels.get(f"/api/v2/products/{ref}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


# -- update ----------------------------------------------------------------------------
def test_put_updates_the_attributes_given(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Old Name", seo_title="Keep me")

    response = clickfunnels.put(
        f"/api/v2/products/{product['id']}",
        json={"product": {"name": "New Name", "visible_in_store": True, "commissionable": True}},
    )

    updated = ok(response)
    assert updated["name"] == "New Name"
    assert updated["visible_in_store"] is True
    assert updated["commissionable"] is True
    assert updated["seo_title"] == "Keep me"
    assert updated["id"] == product["id"]
    assert updated["default_variant_id"] == product["default_variant_id"]
    assert updated["price_ids"] == product["price_ids"]
    assert updated["created_at"] == product["created_at"]
    assert updated["updated_at"] >= product["updated_at"]
    assert get_product(clickfunnels, product["public_id"]) == updated


def test_put_with_a_blank_name_is_422_and_changes_nothing(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Named")

    response = clickfunnels.put(f"/api/v2/products/{product['id']}", json={"product": {"name": ""}})

    assert response.status_code == 422, response.text
    assert response.json()["errors"] == {"name": ["can't be blank"]}
    assert get_product(clickfunnels, product["id"])["name"] == "Named"


def test_put_on_an_unknown_product_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.put("/api/v2/products/424242", json={"product": {"name": "Ghost"}})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# -- archive ---------------------------------------------------------------------------
def test_archive_then_archive_again_is_409(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Retiring")

    archived = ok(clickfunnels.post(f"/api/v2/products/{product['id']}/archive"))

    assert archived["archived"] is True
    assert archived["id"] == product["id"]
    assert get_product(clickfunnels, product["id"])["archived"] is True
    assert_conflict(clickfunnels.post(f"/api/v2/products/{product['id']}/archive"))
    assert get_product(clickfunnels, product["id"])["archived"] is True


def test_unarchive_then_unarchive_again_is_409(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Returning")
    ok(clickfunnels.post(f"/api/v2/products/{product['id']}/archive"))

    unarchived = ok(clickfunnels.post(f"/api/v2/products/{product['public_id']}/unarchive"))

    assert unarchived["archived"] is False
    assert get_product(clickfunnels, product["id"])["archived"] is False
    assert_conflict(clickfunnels.post(f"/api/v2/products/{product['id']}/unarchive"))


def test_unarchive_of_a_live_product_is_409(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Live")

    assert_conflict(clickfunnels.post(f"/api/v2/products/{product['id']}/unarchive"))
    assert get_product(clickfunnels, product["id"])["archived"] is False


def test_archive_of_an_unknown_product_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    for action in ("archive", "unarchive"):
        response = clickfunnels.post(f"/api/v2/products/424242/{action}")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


# -- list ------------------------------------------------------------------------------
def test_list_returns_the_workspace_products_ascending(clickfunnels: ApiSession, workspace_id: int) -> None:
    products = [create_product(clickfunnels, workspace_id, name) for name in ("A", "B", "C")]

    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/products")) == products


def test_list_filters_by_archived(clickfunnels: ApiSession, workspace_id: int) -> None:
    live = create_product(clickfunnels, workspace_id, "Live")
    retired = create_product(clickfunnels, workspace_id, "Retired")
    ok(clickfunnels.post(f"/api/v2/products/{retired['id']}/archive"))

    assert listed_ids(clickfunnels, workspace_id, **{"filter[archived]": "true"}) == [retired["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[archived]": "false"}) == [live["id"]]
    assert listed_ids(clickfunnels, workspace_id) == [live["id"], retired["id"]]


def test_list_filters_by_visible_in_store(clickfunnels: ApiSession, workspace_id: int) -> None:
    shown = create_product(clickfunnels, workspace_id, "Shown", visible_in_store=True)
    hidden = create_product(clickfunnels, workspace_id, "Hidden", visible_in_store=False)
    shown_but_archived = create_product(clickfunnels, workspace_id, "Gone", visible_in_store=True)
    ok(clickfunnels.post(f"/api/v2/products/{shown_but_archived['id']}/archive"))

    assert listed_ids(clickfunnels, workspace_id, **{"filter[visible_in_store]": "true"}) == [
        shown["id"],
        shown_but_archived["id"],
    ]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[visible_in_store]": "false"}) == [hidden["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[visible_in_store]": "true", "filter[archived]": "false"}) == [
        shown["id"]
    ]


def test_the_demo_workspace_has_one_archived_product_the_last(clickfunnels_demo: ApiSession) -> None:
    team = ok(clickfunnels_demo.get("/api/v2/teams"))[0]
    demo_workspace = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    products = ok(clickfunnels_demo.get(f"/api/v2/workspaces/{demo_workspace['id']}/products"))
    archived = listed_ids(clickfunnels_demo, demo_workspace["id"], **{"filter[archived]": "true"})

    assert len(products) == 6
    assert archived == [products[-1]["id"]]
