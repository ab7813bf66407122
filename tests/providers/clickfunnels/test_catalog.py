"""ClickFunnels product variants and prices (made with a product, and through the API), and
product tags."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_invalid,
    assert_not_found,
    create_product,
    events_of_last_request,
)
from tests.support import created, ok


def variants_of(client: ApiSession, product_id: int, **params: Any) -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v2/products/{product_id}/variants", params=params)))


def add_variant(client: ApiSession, product_id: int, **attributes: Any) -> dict[str, Any]:
    body = {"products_variant": {"name": "Large", "product_type": "physical", "weight_unit": "kg", **attributes}}
    return created(client.post(f"/api/v2/products/{product_id}/variants", json=body))


# -- variants ------------------------------------------------------------------------------------------
def test_a_product_lists_its_default_variant(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Course")

    (variant,) = variants_of(clickfunnels, product["id"])

    assert variant["id"] == product["default_variant_id"]
    assert (variant["default"], variant["product_id"], variant["name"]) == (True, product["id"], "Course")
    assert (variant["product_type"], variant["weight_unit"]) == ("digital", "lb")
    assert variant["price_ids"] == product["price_ids"]
    assert PUBLIC_ID.match(variant["public_id"])
    assert ok(clickfunnels.get(f"/api/v2/products/variants/{variant['id']}")) == variant
    assert ok(clickfunnels.get(f"/api/v2/products/variants/{variant['public_id']}")) == variant


def test_a_variant_is_added_and_announced(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    product = create_product(clickfunnels, workspace_id, "Shirt")

    variant = add_variant(
        clickfunnels,
        product["id"],
        sku="SHIRT-L",
        weight=1.5,
        height="10",
        properties_values=[{"property_id": 1, "value": "Red"}],
    )

    assert events_of_last_request(account) == ["product.updated"]
    assert (variant["default"], variant["sku"], variant["weight"], variant["height"]) == (False, "SHIRT-L", "1.5", "10.0")
    assert (variant["product_type"], variant["weight_unit"], variant["price_ids"]) == ("physical", "kg", [])
    assert variant["properties_values"] == [{"property_id": 1, "value": "Red"}]
    assert TIMESTAMP.match(variant["created_at"])
    assert [v["id"] for v in variants_of(clickfunnels, product["id"])] == [product["default_variant_id"], variant["id"]]
    assert ok(clickfunnels.get(f"/api/v2/products/{product['id']}"))["variant_ids"] == [
        product["default_variant_id"],
        variant["id"],
    ]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_variant_is_updated(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    product = create_product(clickfunnels, workspace_id, "Shirt")
    variant = add_variant(clickfunnels, product["id"])

    changed = ok(
        clickfunnels.request(
            method, f"/api/v2/products/variants/{variant['id']}", json={"products_variant": {"name": "XL", "visible": False}}
        )
    )

    assert (changed["name"], changed["visible"], changed["weight_unit"]) == ("XL", False, "kg")
    assert ok(clickfunnels.get(f"/api/v2/products/variants/{variant['id']}")) == changed


def test_a_variant_needs_a_name_type_and_weight_unit(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Shirt")
    response = clickfunnels.post(f"/api/v2/products/{product['id']}/variants", json={"products_variant": {}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "product_type", "weight_unit"}
    response = clickfunnels.post(
        f"/api/v2/products/{product['id']}/variants",
        json={"products_variant": {"name": "X", "product_type": "gadget", "weight_unit": "lb"}},
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"product_type"}


def test_variants_page_twenty_at_a_time(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Poster")
    for size in range(21):
        add_variant(clickfunnels, product["id"], name=f"Size {size}")

    response = clickfunnels.get(f"/api/v2/products/{product['id']}/variants")
    first = response.json()

    assert len(first) == 20
    assert response.headers["Pagination-Next"] == str(first[-1]["id"])
    assert 'rel="next"' in response.headers["Link"]
    rest = variants_of(clickfunnels, product["id"], after=first[-1]["id"])
    assert len(rest) == 2
    assert (
        "Pagination-Next"
        not in clickfunnels.get(f"/api/v2/products/{product['id']}/variants", params={"after": first[-1]["id"]}).headers
    )
    newest_first = variants_of(clickfunnels, product["id"], sort_order="desc")
    assert newest_first[0]["id"] == rest[-1]["id"]


def test_unknown_variants_are_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/products/variants/424242"))
    assert_not_found(clickfunnels.get("/api/v2/products/424242/variants"))
    assert_not_found(clickfunnels.put("/api/v2/products/variants/Zzzzzzz", json={"products_variant": {"name": "X"}}))


# -- prices -------------------------------------------------------------------------------------------------
def test_a_product_lists_the_price_it_was_made_with(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Ebook", price="19.00")

    (price,) = ok(clickfunnels.get(f"/api/v2/products/{product['id']}/prices"))

    assert price["id"] == product["price_ids"][0]
    assert (price["amount"], price["currency"], price["payment_type"]) == ("19.00", "USD", "one_time")
    assert price["variant_id"] == product["default_variant_id"]
    assert ok(clickfunnels.get(f"/api/v2/products/prices/{price['public_id']}")) == price


def test_a_subscription_price_is_added(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    product = create_product(clickfunnels, workspace_id, "Club")
    body = {"products_price": {"amount": 29.5, "currency": "EUR", "interval": "months", "name": "Monthly", "setup_amount": "5"}}

    price = created(clickfunnels.post(f"/api/v2/products/{product['id']}/prices", json=body))

    assert events_of_last_request(account) == ["product.updated"]
    assert (price["amount"], price["currency"], price["interval"], price["interval_count"]) == ("29.50", "EUR", "months", 1)
    assert (price["payment_type"], price["setup_amount"], price["trial_amount"]) == ("subscription", "5.00", "0.00")
    variant = ok(clickfunnels.get(f"/api/v2/products/variants/{product['default_variant_id']}"))
    assert variant["price_ids"] == [*product["price_ids"], price["id"]]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_price_is_updated(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    product = create_product(clickfunnels, workspace_id, "Ebook", price="10")
    url = f"/api/v2/products/prices/{product['price_ids'][0]}"

    changed = ok(clickfunnels.request(method, url, json={"products_price": {"amount": "12.00", "visible": False}}))

    assert (changed["amount"], changed["visible"]) == ("12.00", False)
    assert ok(clickfunnels.get(url)) == changed


def test_a_price_without_amount_or_currency_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    product = create_product(clickfunnels, workspace_id, "Ebook")
    response = clickfunnels.post(f"/api/v2/products/{product['id']}/prices", json={"products_price": {"amount": "abc"}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"amount", "currency"}


def test_an_unknown_price_is_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/products/prices/424242"))
    assert_not_found(
        clickfunnels.post("/api/v2/products/424242/prices", json={"products_price": {"amount": "1", "currency": "USD"}})
    )


# -- product tags ---------------------------------------------------------------------------------------------
def add_tag(client: ApiSession, workspace_id: int, name: str) -> dict[str, Any]:
    return created(
        client.post(f"/api/v2/workspaces/{workspace_id}/products/tags", json={"products_tag": {"name": name, "color": "emerald"}})
    )


def test_product_tags_are_made_listed_and_carried(clickfunnels: ApiSession, workspace_id: int) -> None:
    books = add_tag(clickfunnels, workspace_id, "Books")
    courses = add_tag(clickfunnels, workspace_id, "Courses")

    product = create_product(clickfunnels, workspace_id, "Guide", tag_ids=[books["id"]])
    changed = ok(
        clickfunnels.patch(f"/api/v2/products/{product['id']}", json={"product": {"tag_ids": [courses["id"], books["id"]]}})
    )

    assert (books["name"], books["color"], books["workspace_id"]) == ("Books", "emerald", workspace_id)
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/products/tags")) == [books, courses]
    assert product["tag_ids"] == [books["id"]]
    assert changed["tag_ids"] == [courses["id"], books["id"]]
    assert ok(clickfunnels.get(f"/api/v2/products/tags/{books['public_id']}")) == books


def test_a_product_carries_only_product_tags_of_its_workspace(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact_tag = created(
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json={"contacts_tag": {"name": "Lead"}})
    )
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/products", json={"product": {"name": "X", "tag_ids": [contact_tag["id"] + 1000]}}
    )
    assert_invalid(response, "tag_ids", "must exist")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_product_tag_is_renamed_but_not_to_a_taken_name(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    add_tag(clickfunnels, workspace_id, "Books")
    tag = add_tag(clickfunnels, workspace_id, "Music")
    url = f"/api/v2/products/tags/{tag['id']}"

    assert ok(clickfunnels.request(method, url, json={"products_tag": {"name": "Audio"}}))["name"] == "Audio"
    assert_invalid(clickfunnels.request(method, url, json={"products_tag": {"name": "BOOKS"}}), "name", "has already been taken")
    assert_invalid(
        clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/products/tags", json={"products_tag": {"name": "audio"}}),
        "name",
        "has already been taken",
    )


def test_a_deleted_product_tag_comes_off_its_products(clickfunnels: ApiSession, workspace_id: int) -> None:
    tag = add_tag(clickfunnels, workspace_id, "Sale")
    kept = add_tag(clickfunnels, workspace_id, "New")
    product = create_product(clickfunnels, workspace_id, "Mug", tag_ids=[tag["id"], kept["id"]])

    response = clickfunnels.delete(f"/api/v2/products/tags/{tag['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(clickfunnels.get(f"/api/v2/products/tags/{tag['id']}"))
    assert ok(clickfunnels.get(f"/api/v2/products/{product['id']}"))["tag_ids"] == [kept["id"]]
