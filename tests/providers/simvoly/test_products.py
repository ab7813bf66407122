"""Simvoly products and store categories over HTTP: defaults, update-by-url, variants
against options, categories by id or name, list filters, get and PUT."""

from __future__ import annotations

from typing import Any

from mockserver.testing import ApiSession
from tests.providers.simvoly.helpers import refused
from tests.support import ok

PRODUCT_KEYS = {
    "id",
    "type",
    "title",
    "description",
    "url",
    "hidden",
    "images",
    "categories",
    "options",
    "variants",
    "subscription",
    "file",
}
VARIANT_KEYS = {"options", "price", "onSale", "regularPrice", "salePrice", "quantity", "sku", "weight"}
CATEGORY_KEYS = {"id", "name", "url", "parentCategory"}
# The demo website's category tree (the brief): Clothing(1) > Shoes(2), T-Shirts(3); Courses(4); Gift cards(5).
CLOTHING, SHOES, T_SHIRTS, COURSES = 1, 2, 3, 4


def create(
    client: ApiSession, title: str, status: int = 201, params: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    body = {"type": "physical", "title": title, **fields}
    return dict(ok(client.post("/api/site/products", json=body, params=params), status))


def get(client: ApiSession, product_id: int) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/site/products/{product_id}")))


def all_products(client: ApiSession, **params: Any) -> list[dict[str, Any]]:
    page = ok(client.get("/api/site/products", params={"limit": 50, **params}))
    assert page["totalCount"] == len(page["items"])
    return list(page["items"])


def categories(client: ApiSession, **params: Any) -> list[dict[str, Any]]:
    return list(ok(client.get("/api/site/products/categories", params=params)))


SIZES = {"name": "Size", "values": ["S", "M", "L"]}
COLORS = {"name": "Color", "values": ["Red", "Blue"]}


# -- create ----------------------------------------------------------------------------
def test_create_answers_201_with_defaults_and_a_url_from_the_title(simvoly: ApiSession) -> None:
    product = create(simvoly, "Interior Door")

    assert set(product) == PRODUCT_KEYS
    assert product["type"] == "physical"
    assert product["title"] == "Interior Door"
    assert product["url"] == "interior-door"
    assert product["hidden"] is False
    assert product["images"] == []
    assert product["categories"] == []
    assert product["options"] == []
    assert product["subscription"] is None
    assert product["file"] is None
    assert len(product["variants"]) == 1
    assert set(product["variants"][0]) == VARIANT_KEYS
    assert product["variants"][0]["options"] == []
    assert get(simvoly, product["id"]) == product


def test_create_keeps_the_given_fields(simvoly: ApiSession) -> None:
    product = create(
        simvoly,
        "Yoga Course",
        type="digital",
        url="yoga",
        description="<p>Ten lessons</p>",
        hidden=True,
        images=["https://cdn.example.com/yoga.jpg"],
        file="https://files.example.com/yoga.zip",
        variants=[{"price": 49.5, "sku": "YOGA-1", "quantity": 0}],
    )

    assert product["type"] == "digital"
    assert product["url"] == "yoga"
    assert product["description"] == "<p>Ten lessons</p>"
    assert product["hidden"] is True
    assert product["images"] == ["https://cdn.example.com/yoga.jpg"]
    assert product["file"] == "https://files.example.com/yoga.zip"
    assert len(product["variants"]) == 1
    assert product["variants"][0]["price"] == 49.5
    assert product["variants"][0]["sku"] == "YOGA-1"


def test_a_taken_url_gets_a_numeric_suffix_without_update_by_url(simvoly: ApiSession) -> None:
    first = create(simvoly, "Interior Door", url="x")
    second = create(simvoly, "Another Door", url="x")

    assert first["url"] == "x"
    assert second["url"] == "x-2"
    assert second["id"] != first["id"]
    assert get(simvoly, first["id"])["title"] == "Interior Door"
    assert len(all_products(simvoly)) == 2


def test_update_existing_product_by_url_updates_that_product_and_answers_200(simvoly: ApiSession) -> None:
    first = create(simvoly, "Interior Door", url="interior-door", variants=[{"price": 199, "quantity": 5, "sku": "D-001"}])

    updated = create(
        simvoly,
        "Interior Door Deluxe",
        status=200,
        params={"update_existing_product_by_url": "true"},
        url="interior-door",
        variants=[{"price": 249, "quantity": 2, "sku": "D-002"}],
    )

    assert updated["id"] == first["id"]
    assert updated["url"] == "interior-door"
    assert updated["title"] == "Interior Door Deluxe"
    assert [(v["price"], v["sku"]) for v in updated["variants"]] == [(249, "D-002")]
    assert get(simvoly, first["id"]) == updated
    assert [p["id"] for p in all_products(simvoly)] == [first["id"]]


def test_update_existing_product_by_url_creates_when_no_product_has_the_url(simvoly: ApiSession) -> None:
    create(simvoly, "Door", url="door")

    created = create(simvoly, "Window", params={"update_existing_product_by_url": "true"}, url="window")

    assert created["url"] == "window"
    assert len(all_products(simvoly)) == 2


def test_update_existing_product_by_url_false_still_creates_a_second_product(simvoly: ApiSession) -> None:
    first = create(simvoly, "Door", url="door")

    second = create(simvoly, "Door", params={"update_existing_product_by_url": "false"}, url="door")

    assert second["id"] != first["id"]
    assert second["url"] == "door-2"


# -- options and variants --------------------------------------------------------------
def test_variants_use_values_of_the_options(simvoly: ApiSession) -> None:
    product = create(
        simvoly,
        "Tee",
        options=[SIZES, COLORS],
        variants=[
            {"options": ["S", "Red"], "price": 20},
            {"options": ["L", "Blue"], "price": 22, "onSale": True, "salePrice": 18},
        ],
    )

    assert [o["name"] for o in product["options"]] == ["Size", "Color"]
    assert product["options"][0]["values"] == ["S", "M", "L"]
    assert [v["options"] for v in product["variants"]] == [["S", "Red"], ["L", "Blue"]]
    assert product["variants"][1]["onSale"] is True
    assert product["variants"][1]["salePrice"] == 18


def test_a_variant_value_that_is_not_a_value_of_its_option_is_refused_with_400(simvoly: ApiSession) -> None:
    refused(
        simvoly.post(
            "/api/site/products",
            json={"type": "physical", "title": "Tee", "options": [SIZES, COLORS], "variants": [{"options": ["S", "Green"]}]},
        )
    )
    refused(
        simvoly.post(
            "/api/site/products",
            json={"type": "physical", "title": "Tee", "options": [SIZES, COLORS], "variants": [{"options": ["Red", "S"]}]},
        )
    )

    assert all_products(simvoly) == []


def test_a_variant_with_more_values_than_options_is_refused_with_400(simvoly: ApiSession) -> None:
    refused(
        simvoly.post(
            "/api/site/products",
            json={"type": "physical", "title": "Tee", "options": [SIZES], "variants": [{"options": ["S", "Red"]}]},
        )
    )
    refused(simvoly.post("/api/site/products", json={"type": "physical", "title": "Plain", "variants": [{"options": ["S"]}]}))

    assert all_products(simvoly) == []


# -- categories ------------------------------------------------------------------------
def test_categories_named_by_name_are_created_and_listed(simvoly: ApiSession) -> None:
    jacket = create(simvoly, "Jacket", categories=[{"name": "Clothing"}])
    clothing = jacket["categories"][0]
    assert set(clothing) == CATEGORY_KEYS
    assert clothing["name"] == "Clothing"
    assert clothing["parentCategory"] == 0

    boots = create(simvoly, "Boots", categories=[{"name": "Shoes", "parentCategory": clothing["id"]}])
    shoes = boots["categories"][0]
    assert shoes["name"] == "Shoes"
    assert shoes["parentCategory"] == clothing["id"]
    assert shoes["id"] != clothing["id"]

    listed = categories(simvoly)
    assert sorted(listed, key=lambda c: c["id"]) == sorted([clothing, shoes], key=lambda c: c["id"])
    assert categories(simvoly, parent=0) == [clothing]
    assert categories(simvoly, parent=clothing["id"]) == [shoes]
    assert categories(simvoly, parent=shoes["id"]) == []


def test_a_category_named_again_is_found_not_created_twice(simvoly: ApiSession) -> None:
    first = create(simvoly, "Jacket", categories=[{"name": "Clothing"}])

    second = create(simvoly, "Coat", categories=[{"name": "Clothing"}])

    assert second["categories"] == first["categories"]
    assert len(categories(simvoly)) == 1


def test_categories_by_id_must_exist(simvoly: ApiSession) -> None:
    clothing = create(simvoly, "Jacket", categories=[{"name": "Clothing"}])["categories"][0]

    coat = create(simvoly, "Coat", categories=[{"id": clothing["id"]}])
    assert coat["categories"] == [clothing]

    refused(
        simvoly.post("/api/site/products", json={"type": "physical", "title": "Hat", "categories": [{"id": clothing["id"] + 50}]})
    )
    assert [p["title"] for p in all_products(simvoly)] == ["Jacket", "Coat"]


def test_a_category_by_name_under_an_unknown_parent_is_refused_with_400(simvoly: ApiSession) -> None:
    refused(
        simvoly.post(
            "/api/site/products",
            json={"type": "physical", "title": "Hat", "categories": [{"name": "Hats", "parentCategory": 77}]},
        )
    )

    assert categories(simvoly) == []


def test_demo_categories_form_the_documented_tree(simvoly_demo: ApiSession) -> None:
    tree = {c["id"]: (c["name"], c["parentCategory"]) for c in categories(simvoly_demo)}

    assert tree[CLOTHING] == ("Clothing", 0)
    assert tree[SHOES] == ("Shoes", CLOTHING)
    assert tree[T_SHIRTS] == ("T-Shirts", CLOTHING)
    assert {c["id"] for c in categories(simvoly_demo, parent=CLOTHING)} == {SHOES, T_SHIRTS}


# -- list filters ----------------------------------------------------------------------
def test_category_filter_includes_subcategories(simvoly_demo: ApiSession) -> None:
    everything = all_products(simvoly_demo)
    in_tree = [p["id"] for p in everything if {c["id"] for c in p["categories"]} & {CLOTHING, SHOES, T_SHIRTS}]
    in_shoes = [p["id"] for p in everything if SHOES in {c["id"] for c in p["categories"]}]
    in_tees = [p["id"] for p in everything if T_SHIRTS in {c["id"] for c in p["categories"]}]
    assert in_shoes
    assert in_tees  # the demo has products in both subcategories

    clothing = [p["id"] for p in all_products(simvoly_demo, category_id=CLOTHING)]

    assert clothing == in_tree
    assert set(in_shoes) <= set(clothing)
    assert set(in_tees) <= set(clothing)
    assert [p["id"] for p in all_products(simvoly_demo, category_id=SHOES)] == in_shoes
    assert not set(p["id"] for p in all_products(simvoly_demo, category_id=COURSES)) & set(clothing)


def test_category_filter_on_a_fresh_site(simvoly: ApiSession) -> None:
    jacket = create(simvoly, "Jacket", categories=[{"name": "Clothing"}])
    clothing = jacket["categories"][0]["id"]
    boots = create(simvoly, "Boots", categories=[{"name": "Shoes", "parentCategory": clothing}])
    create(simvoly, "Mug", categories=[{"name": "Kitchen"}])
    create(simvoly, "Loose")

    assert [p["id"] for p in all_products(simvoly, category_id=clothing)] == [jacket["id"], boots["id"]]
    assert [p["id"] for p in all_products(simvoly, category_id=boots["categories"][0]["id"])] == [boots["id"]]
    assert all_products(simvoly, category_id=999) == []


def test_title_filter_is_a_case_insensitive_substring(simvoly: ApiSession) -> None:
    blue = create(simvoly, "Blue Shirt")
    red = create(simvoly, "Red SHIRT long")
    create(simvoly, "Shoes")

    assert [p["id"] for p in all_products(simvoly, title="shirt")] == [blue["id"], red["id"]]
    assert [p["id"] for p in all_products(simvoly, title="IRT LO")] == [red["id"]]
    assert all_products(simvoly, title="hat") == []


def test_title_and_category_filters_combine(simvoly_demo: ApiSession) -> None:
    everything = all_products(simvoly_demo)
    expected = [
        p["id"]
        for p in everything
        if "shoe" in p["title"].casefold() and {c["id"] for c in p["categories"]} & {CLOTHING, SHOES, T_SHIRTS}
    ]
    assert expected

    assert [p["id"] for p in all_products(simvoly_demo, category_id=CLOTHING, title="SHOE")] == expected


# -- get and update --------------------------------------------------------------------
def test_get_an_unknown_product_answers_404(simvoly: ApiSession) -> None:
    product = create(simvoly, "Only")

    refused(simvoly.get(f"/api/site/products/{product['id'] + 1}"), 404)
    refused(simvoly.put(f"/api/site/products/{product['id'] + 1}", json={"type": "physical", "title": "X"}), 404)


def test_put_sets_only_non_empty_fields_and_keeps_variants_when_not_given(simvoly: ApiSession) -> None:
    product = create(
        simvoly,
        "Lamp",
        description="<p>Bright</p>",
        images=["https://cdn.example.com/lamp.jpg"],
        variants=[{"price": 30, "sku": "LAMP-1", "quantity": 3}],
    )

    response = simvoly.put(
        f"/api/site/products/{product['id']}", json={"type": "physical", "title": "", "description": None, "hidden": True}
    )

    updated = ok(response)
    assert updated["id"] == product["id"]
    assert updated["title"] == "Lamp"
    assert updated["description"] == "<p>Bright</p>"
    assert updated["hidden"] is True
    assert updated["url"] == product["url"]
    assert updated["images"] == product["images"]
    assert updated["variants"] == product["variants"]
    assert get(simvoly, product["id"]) == updated


def test_put_replaces_the_variants_when_given(simvoly: ApiSession) -> None:
    product = create(simvoly, "Tee", options=[SIZES], variants=[{"options": ["S"], "price": 20}])

    updated = ok(
        simvoly.put(
            f"/api/site/products/{product['id']}",
            json={
                "type": "physical",
                "title": "Tee",
                "variants": [{"options": ["M"], "price": 21}, {"options": ["L"], "price": 22}],
            },
        )
    )

    assert [(v["options"], v["price"]) for v in updated["variants"]] == [(["M"], 21), (["L"], 22)]
    assert get(simvoly, product["id"])["variants"] == updated["variants"]


def test_put_with_variant_values_outside_the_options_answers_400(simvoly: ApiSession) -> None:
    product = create(simvoly, "Tee", options=[SIZES], variants=[{"options": ["S"], "price": 20}])

    refused(
        simvoly.put(
            f"/api/site/products/{product['id']}", json={"type": "physical", "title": "Tee", "variants": [{"options": ["XXL"]}]}
        )
    )

    assert get(simvoly, product["id"]) == product


def test_put_changes_title_and_url(simvoly: ApiSession) -> None:
    product = create(simvoly, "Old Title")

    updated = ok(
        simvoly.put(f"/api/site/products/{product['id']}", json={"type": "digital", "title": "New Title", "url": "new-url"})
    )

    assert updated["title"] == "New Title"
    assert updated["url"] == "new-url"
    assert updated["type"] == "digital"
    # The old url is free again: a new product takes it without a suffix.
    assert create(simvoly, "Old Title")["url"] == "old-title"


def test_put_with_a_url_taken_by_another_product_answers_400(simvoly: ApiSession) -> None:
    create(simvoly, "Door", url="door")
    window = create(simvoly, "Window", url="window")

    refused(simvoly.put(f"/api/site/products/{window['id']}", json={"type": "physical", "title": "Window", "url": "door"}))

    assert get(simvoly, window["id"]) == window


def test_put_keeping_its_own_url_is_allowed(simvoly: ApiSession) -> None:
    door = create(simvoly, "Door", url="door")

    updated = ok(simvoly.put(f"/api/site/products/{door['id']}", json={"type": "physical", "title": "Front Door", "url": "door"}))

    assert updated["url"] == "door"
    assert updated["title"] == "Front Door"


def test_put_sets_categories(simvoly: ApiSession) -> None:
    product = create(simvoly, "Jacket")

    updated = ok(
        simvoly.put(
            f"/api/site/products/{product['id']}",
            json={"type": "physical", "title": "Jacket", "categories": [{"name": "Outerwear"}]},
        )
    )

    assert [c["name"] for c in updated["categories"]] == ["Outerwear"]
    assert [p["id"] for p in all_products(simvoly, category_id=updated["categories"][0]["id"])] == [product["id"]]
