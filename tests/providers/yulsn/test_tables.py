"""Yulsn dynamic fields, dynamic tables and their entities: tables defined through the admin
API, entities created (one or in bulk, all or nothing), read by id, secret, external id and
pages of ids, patched, deleted and searched; converters refuse writes with 423."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.support import created, trigger_response

ENTITY_KEYS = {"Id", "Secret", "ExternalId", "Name", "Created", "LastModified"}
PRODUCT_FIELDS = [{"name": "Price", "type": 5}, {"name": "Category", "type": 1, "label": "Kind"}, {"name": "Active", "type": 2}]


def define_table(account: Account, name: str, **extra: Any) -> dict[str, Any]:
    return created(trigger_response(account, "tables", name=name, **extra))


@pytest.fixture
def products(account: Account) -> dict[str, Any]:
    """A "Products" table with Price (Decimal), Category (String) and Active (Boolean)."""
    return define_table(account, "Products", fields=PRODUCT_FIELDS)


def create(client: ApiSession, table: str = "Products", **fields: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/table/{table}", json=fields)
    assert response.status_code == 200, response.text
    entity: dict[str, Any] = response.json()
    return entity


def search(client: ApiSession, fields: list[dict[str, Any]], table: str = "Products", count: bool = False) -> Any:
    response = client.request("SEARCH", f"/api/v1/table/{table}" + ("/Count" if count else ""), json={"Fields": fields})
    assert response.status_code == 200, response.text
    return response.json()


# -- tables and fields --------------------------------------------------------------------
def test_tables_defined_in_the_back_office_are_listed(account: Account, yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/DynamicTables").json() == []
    define_table(account, "Products", label="Our products", description="All of them")
    define_table(account, "Vouchers", converters={"create": True, "delete": True})
    products, vouchers = yulsn.get("/api/v1/dynamictables").json()
    assert (products["Name"], products["Label"], products["Description"], products["IsShared"]) == (
        "Products",
        "Our products",
        "All of them",
        False,
    )
    assert (products["CreateConverterId"], products["UpdateConverterId"], products["DeleteConverterId"]) == (None, None, None)
    assert isinstance(vouchers["CreateConverterId"], int) and isinstance(vouchers["DeleteConverterId"], int)
    assert vouchers["UpdateConverterId"] is None
    assert "Fields" not in products


def test_the_fields_of_a_table_by_its_id(yulsn: ApiSession, products: dict[str, Any]) -> None:
    response = yulsn.get(f"/api/v1/DynamicFields/{products['Id']}", params={"owner": "DynamicTable"})
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"Name": "Price", "Type": 5, "Label": "Price", "Values": None},
        {"Name": "Category", "Type": 1, "Label": "Kind", "Values": None},
        {"Name": "Active", "Type": 2, "Label": "Active", "Values": None},
    ]
    missing = yulsn.get("/api/v1/DynamicFields/999", params={"owner": "DynamicTable"})
    assert missing.status_code == 404


def test_the_fields_of_other_owners_are_the_accounts(account: Account, yulsn: ApiSession) -> None:
    body = {"owner": "Contacts", "name": "Tier", "type": 1, "values": ["Gold", "Silver"]}
    assert trigger_response(account, "dynamic-fields", **body).status_code == 201
    expected = [{"Name": "Tier", "Type": 1, "Label": "Tier", "Values": ["Gold", "Silver"]}]
    assert yulsn.get("/api/v1/DynamicFields", params={"owner": "Contacts"}).json() == expected
    assert yulsn.get("/api/v1/DynamicFields/1", params={"OWNER": "Contacts"}).json() == expected, "the id is not used"
    assert yulsn.get("/api/v1/DynamicFields", params={"owner": "Orders"}).json() == []


def test_dynamic_fields_need_a_known_owner(yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/DynamicFields").status_code == 400
    assert yulsn.get("/api/v1/DynamicFields", params={"owner": "Nope"}).status_code == 400
    table_without_id = yulsn.get("/api/v1/DynamicFields", params={"owner": "DynamicTable"})
    assert table_without_id.status_code == 400
    assert "Message" in table_without_id.json()


# -- create -------------------------------------------------------------------------------
def test_create_answers_the_entity_with_its_fields_at_the_top_level(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, ExternalId="SKU-1", Name="Shoes", Price=499.95, Category="Shoes")
    assert set(entity) == ENTITY_KEYS | {"Price", "Category", "Active"}
    assert isinstance(entity["Id"], int)
    assert len(entity["Secret"]) == 8 and entity["Secret"].isalnum()
    assert (entity["ExternalId"], entity["Name"], entity["Price"], entity["Category"]) == ("SKU-1", "Shoes", 499.95, "Shoes")
    assert entity["Active"] is None, "fields not given are null"
    assert entity["Created"] == entity["LastModified"]
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").json() == entity


def test_the_table_name_matches_in_any_case(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, "products", ExternalId="a")
    for path in ("/api/v1/table/PRODUCTS", "/API/V1/TABLE/products", "/api/v1/Table/Products/"):
        assert yulsn.get(path).json() == [entity["Id"]], path
    assert yulsn.get(f"/api/v1/table/pRoDuCtS/{entity['Id']}").json() == entity


def test_camel_case_bodies_and_a_given_secret(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, externalId="c-1", name="Camel", secret="MySecret1", price=10, category="X", active=True)
    assert (entity["ExternalId"], entity["Name"], entity["Secret"]) == ("c-1", "Camel", "MySecret1")
    assert (entity["Price"], entity["Category"], entity["Active"]) == (10, "X", True)


def test_secrets_are_generated_unless_given(yulsn: ApiSession, products: dict[str, Any]) -> None:
    secrets = {create(yulsn, Name=str(n))["Secret"] for n in range(5)}
    assert len(secrets) == 5


def test_a_duplicate_external_id_is_409(yulsn: ApiSession, products: dict[str, Any]) -> None:
    create(yulsn, ExternalId="SKU-1")
    response = yulsn.post("/api/v1/table/Products", json={"ExternalId": "SKU-1", "Name": "Again"})
    assert response.status_code == 409
    assert response.json() == {"Message": "Cannot save duplicate value 'SKU-1'!"}
    assert len(yulsn.get("/api/v1/table/Products").json()) == 1


def test_external_ids_are_unique_per_table(account: Account, yulsn: ApiSession, products: dict[str, Any]) -> None:
    define_table(account, "Other")
    create(yulsn, ExternalId="same")
    other = create(yulsn, "Other", ExternalId="same")
    assert yulsn.get("/api/v1/table/Other", params={"externalId": "same"}).json() == other


def test_a_duplicate_secret_is_409(yulsn: ApiSession, products: dict[str, Any]) -> None:
    create(yulsn, Secret="abc12345")
    response = yulsn.post("/api/v1/table/Products", json={"Secret": "abc12345"})
    assert response.status_code == 409
    assert response.json() == {"Message": "Cannot save duplicate value 'abc12345'!"}


def test_a_field_of_the_wrong_type_is_400(yulsn: ApiSession, products: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/table/Products", json={"Name": "x", "Price": "cheap"})
    assert response.status_code == 400
    assert "Price" in response.json()["ModelState"]
    assert yulsn.get("/api/v1/table/Products").json() == []


def test_fields_the_table_does_not_have_are_ignored(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, Name="x", Colour="red")
    assert "Colour" not in entity


def test_an_unknown_table_is_404(yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/table/Nope").status_code == 404
    assert yulsn.get("/api/v1/table/Nope/1").status_code == 404
    assert yulsn.post("/api/v1/table/Nope", json={"Name": "x"}).status_code == 404
    assert yulsn.post("/api/v1/table/Nope/Bulk", json=[{"Name": "x"}]).status_code == 404
    assert yulsn.patch("/api/v1/table/Nope/1", json={"Name": "x"}).status_code == 404
    assert yulsn.delete("/api/v1/table/Nope/1").status_code == 404
    assert yulsn.request("SEARCH", "/api/v1/table/Nope/Count", json={"Fields": []}).status_code == 404
    response = yulsn.request("SEARCH", "/api/v1/table/Nope", json={"Fields": []})
    assert response.status_code == 404
    assert "Message" in response.json()


# -- bulk ---------------------------------------------------------------------------------
def test_bulk_creates_every_entity(yulsn: ApiSession, products: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/table/Products/Bulk", json=[{"ExternalId": "a", "Price": 1}, {"externalId": "b", "name": "B"}])
    assert response.status_code == 200, response.text
    first, second = response.json()
    assert (first["ExternalId"], first["Price"], second["ExternalId"], second["Name"]) == ("a", 1, "b", "B")
    assert yulsn.get("/api/v1/table/Products").json() == [first["Id"], second["Id"]]


@pytest.mark.parametrize(
    "batch",
    [
        [{"ExternalId": "new-1"}, {"ExternalId": "taken"}],
        [{"ExternalId": "new-1"}, {"ExternalId": "new-2"}, {"ExternalId": "new-1"}],
    ],
    ids=["in-use", "repeated"],
)
def test_bulk_is_all_or_nothing(yulsn: ApiSession, products: dict[str, Any], batch: list[dict[str, Any]]) -> None:
    create(yulsn, ExternalId="taken")
    response = yulsn.post("/api/v1/table/Products/Bulk", json=batch)
    assert response.status_code == 409
    assert response.json()["Message"] in ("Cannot save duplicate value 'taken'!", "Cannot save duplicate value 'new-1'!")
    assert len(yulsn.get("/api/v1/table/Products").json()) == 1
    assert yulsn.get("/api/v1/table/Products", params={"externalId": "new-1"}).status_code == 404


def test_bulk_with_a_bad_field_stores_nothing(yulsn: ApiSession, products: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/table/Products/Bulk", json=[{"Name": "fine"}, {"Active": "yes"}])
    assert response.status_code == 400
    assert yulsn.get("/api/v1/table/Products").json() == []


# -- reads --------------------------------------------------------------------------------
def test_get_by_secret_or_external_id(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, ExternalId="SKU-9", Name="Nine")
    create(yulsn, ExternalId="SKU-10")
    assert yulsn.get("/api/v1/table/Products", params={"secret": entity["Secret"]}).json() == entity
    assert yulsn.get("/api/v1/table/Products", params={"ExternalID": "SKU-9"}).json() == entity
    assert yulsn.get("/api/v1/table/Products", params={"secret": "nope"}).status_code == 404
    assert yulsn.get("/api/v1/table/Products", params={"externalId": "nope"}).status_code == 404


def test_get_of_an_unknown_entity_or_one_of_another_table_is_404(
    account: Account, yulsn: ApiSession, products: dict[str, Any]
) -> None:
    define_table(account, "Other")
    theirs = create(yulsn, "Other", Name="not a product")
    assert yulsn.get(f"/api/v1/table/Products/{theirs['Id']}").status_code == 404
    assert yulsn.get("/api/v1/table/Products/999").status_code == 404
    assert yulsn.get("/api/v1/table/Products", params={"secret": theirs["Secret"]}).status_code == 404


def test_ids_and_pages_hold_only_the_tables_entities(account: Account, yulsn: ApiSession, products: dict[str, Any]) -> None:
    define_table(account, "Other")
    mine = [create(yulsn, Name=f"p{n}") for n in range(2)]
    create(yulsn, "Other", Name="o")
    mine.append(create(yulsn, Name="p2"))
    assert yulsn.get("/api/v1/table/Products").json() == [e["Id"] for e in mine]
    assert yulsn.get("/api/v1/table/Products", params={"lastId": 0}).json() == mine


def test_last_id_and_take_page_ascending_and_exclusive(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entities = [create(yulsn, Name=f"e{n}") for n in range(5)]
    ids = [e["Id"] for e in entities]
    first = yulsn.get("/api/v1/table/Products", params={"lastId": 0, "take": 2}).json()
    assert first == entities[:2]
    second = yulsn.get("/api/v1/table/Products", params={"lastid": first[-1]["Id"], "TAKE": 2}).json()
    assert second == entities[2:4]
    third = yulsn.get("/api/v1/table/Products", params={"lastId": second[-1]["Id"], "take": 2}).json()
    assert third == entities[4:]
    assert yulsn.get("/api/v1/table/Products", params={"lastId": ids[-1], "take": 2}).json() == []
    assert yulsn.get("/api/v1/table/Products", params={"lastId": ids[0]}).json() == entities[1:], "take defaults to 1000"
    assert yulsn.get("/api/v1/table/Products", params={"take": 1}).json() == entities[:1], "take alone pages from the start"


def test_take_is_at_most_1000(yulsn: ApiSession, products: dict[str, Any]) -> None:
    assert yulsn.get("/api/v1/table/Products", params={"lastId": 0, "take": 1000}).status_code == 200
    for take in (0, 1001):
        response = yulsn.get("/api/v1/table/Products", params={"lastId": 0, "take": take})
        assert response.status_code == 400, take
        assert response.json() == {
            "Message": "The request is invalid.",
            "ModelState": {"take": ["The field take is out of range."]},
        }


def test_a_deleted_entity_is_a_valid_last_id(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entities = [create(yulsn, Name=f"e{n}") for n in range(3)]
    yulsn.delete(f"/api/v1/table/Products/{entities[1]['Id']}")
    assert yulsn.get("/api/v1/table/Products", params={"lastId": entities[1]["Id"]}).json() == entities[2:]


# -- PATCH --------------------------------------------------------------------------------
def test_patch_sets_only_the_fields_given(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, ExternalId="SKU-1", Name="Old", Price=10, Category="Shoes")
    response = yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"name": "New", "PRICE": 12.5, "Category": None})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["Name"], patched["Price"], patched["Category"]) == ("New", 12.5, None)
    assert (patched["ExternalId"], patched["Secret"], patched["Created"]) == ("SKU-1", entity["Secret"], entity["Created"])
    assert patched["LastModified"] >= entity["LastModified"]
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").json() == patched


def test_patch_moves_the_external_id(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, ExternalId="old")
    yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"ExternalId": "new"})
    assert yulsn.get("/api/v1/table/Products", params={"externalId": "new"}).json()["Id"] == entity["Id"]
    assert yulsn.get("/api/v1/table/Products", params={"externalId": "old"}).status_code == 404
    create(yulsn, ExternalId="old")  # free again


def test_patch_with_an_empty_body_is_404(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, Name="x")
    response = yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={})
    assert response.status_code == 404
    assert "Message" in response.json()


def test_patch_with_only_unknown_fields_is_400(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, Name="x")
    for body in ({"Colour": "red"}, {"Id": 5, "Created": "2024-01-01T00:00:00Z"}):
        response = yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json=body)
        assert response.status_code == 400, body
        assert response.json() == {"Message": "There were no valid fields specified for patching!"}
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").json() == entity


def test_patch_to_a_taken_external_id_is_409(yulsn: ApiSession, products: dict[str, Any]) -> None:
    create(yulsn, ExternalId="taken")
    entity = create(yulsn, ExternalId="mine", Name="Same")
    response = yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"ExternalId": "taken", "Name": "Changed"})
    assert response.status_code == 409
    assert response.json() == {"Message": "Cannot save duplicate value 'taken'!"}
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").json() == entity
    assert yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"ExternalId": "mine"}).status_code == 200


def test_patch_with_a_wrong_type_is_400(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, Name="x")
    assert yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"Active": "yes"}).status_code == 400
    assert yulsn.patch(f"/api/v1/table/Products/{entity['Id']}", json={"Name": 5}).status_code == 400
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").json() == entity


def test_patch_of_an_unknown_entity_is_404(yulsn: ApiSession, products: dict[str, Any]) -> None:
    assert yulsn.patch("/api/v1/table/Products/999", json={"Name": "x"}).status_code == 404


# -- DELETE -------------------------------------------------------------------------------
def test_delete_answers_the_entity(yulsn: ApiSession, products: dict[str, Any]) -> None:
    entity = create(yulsn, ExternalId="gone", Price=3)
    response = yulsn.delete(f"/api/v1/table/Products/{entity['Id']}")
    assert response.status_code == 200
    assert response.json() == entity
    assert yulsn.get(f"/api/v1/table/Products/{entity['Id']}").status_code == 404
    assert yulsn.get("/api/v1/table/Products", params={"externalId": "gone"}).status_code == 404
    assert yulsn.delete(f"/api/v1/table/Products/{entity['Id']}").status_code == 404
    create(yulsn, ExternalId="gone")  # the external id is free again


# -- converters ---------------------------------------------------------------------------
def test_every_write_a_converter_covers_is_423(account: Account, yulsn: ApiSession) -> None:
    define_table(account, "Locked", converters={"create": True, "update": True, "delete": True})
    for response in (
        yulsn.post("/api/v1/table/Locked", json={"Name": "x"}),
        yulsn.post("/api/v1/table/locked/Bulk", json=[{"Name": "x"}]),
        yulsn.patch("/api/v1/table/Locked/1", json={"Name": "x"}),
        yulsn.delete("/api/v1/table/Locked/1"),
    ):
        assert response.status_code == 423
        assert set(response.json()) == {"Message"}
    assert yulsn.get("/api/v1/table/Locked").json() == []


def test_a_converter_on_create_leaves_updates_and_deletes_open(account: Account, yulsn: ApiSession) -> None:
    define_table(account, "Half", converters={"create": True, "update": False})
    define_table(account, "Open", converters={"update": True})
    assert yulsn.post("/api/v1/table/Half", json={"Name": "x"}).status_code == 423
    entity = create(yulsn, "Open", Name="x")
    assert yulsn.patch(f"/api/v1/table/Open/{entity['Id']}", json={"Name": "y"}).status_code == 423
    assert yulsn.delete(f"/api/v1/table/Open/{entity['Id']}").status_code == 200


# -- SEARCH -------------------------------------------------------------------------------
@pytest.fixture
def catalogue(yulsn: ApiSession, products: dict[str, Any]) -> list[dict[str, Any]]:
    """Three products: prices 10, 20, 30; the second has no category."""
    return [
        create(yulsn, ExternalId="A", Name="Alpha", Price=10, Category="Shoes", Active=True),
        create(yulsn, ExternalId="B", Name="Beta", Price=20, Active=False),
        create(yulsn, ExternalId="C", Name="Gamma", Price=30, Category="Hats", Active=True),
    ]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ({"Field": "Category", "Operator": 1, "Value": "shoes"}, [0]),
        ({"Field": "Name", "Operator": "Equal", "Value": "Beta"}, [1]),
        ({"Field": "Category", "Operator": 2, "Value": "Shoes"}, [1, 2]),
        ({"Field": "Price", "Operator": 3, "Value": 20}, [2]),
        ({"Field": "Price", "Operator": "MoreThanOrEqual", "Value": 20}, [1, 2]),
        ({"Field": "Price", "Operator": 5, "Value": 20}, [0]),
        ({"Field": "Price", "Operator": "LessThanOrEqual", "Value": "20"}, [0, 1]),
        ({"Field": "Category", "Operator": 7}, [1]),
        ({"Field": "Category", "Operator": "NotNull"}, [0, 2]),
        ({"Field": "ExternalId", "Operator": 9, "Values": ["A", "C", "Z"]}, [0, 2]),
        ({"Field": "Active", "Operator": 1, "Value": True}, [0, 2]),
    ],
)
def test_search_with_each_operator(
    yulsn: ApiSession, catalogue: list[dict[str, Any]], field: dict[str, Any], expected: list[int]
) -> None:
    assert search(yulsn, [field]) == [catalogue[i] for i in expected]
    assert search(yulsn, [field], count=True) == len(expected)


def test_search_fields_all_apply_and_bodies_may_be_camel_case(yulsn: ApiSession, catalogue: list[dict[str, Any]]) -> None:
    body = {"fields": [{"field": "price", "operator": 4, "value": 20}, {"FIELD": "Active", "Operator": 1, "Value": True}]}
    response = yulsn.request("SEARCH", "/api/v1/table/products", json=body)
    assert response.json() == [catalogue[2]]
    assert search(yulsn, []) == catalogue, "no field: every entity"
    assert search(yulsn, [], count=True) == 3


def test_search_by_a_field_the_table_lacks_is_400(yulsn: ApiSession, products: dict[str, Any]) -> None:
    for path in ("/api/v1/table/Products", "/api/v1/table/Products/Count"):
        response = yulsn.request("SEARCH", path, json={"Fields": [{"Field": "Colour", "Operator": 1, "Value": "red"}]})
        assert response.status_code == 400, path
        assert set(response.json()) >= {"Message"}


def test_search_needs_the_fields(yulsn: ApiSession, products: dict[str, Any]) -> None:
    assert yulsn.request("SEARCH", "/api/v1/table/Products", json=[]).status_code == 400
    assert yulsn.request("SEARCH", "/api/v1/table/Products", json={"Fields": [{"Field": "Name"}]}).status_code == 400


# -- demo ---------------------------------------------------------------------------------
def test_the_demo_tables(yulsn_demo: ApiSession) -> None:
    tables = {t["Name"]: t for t in yulsn_demo.get("/api/v1/DynamicTables").json()}
    assert set(tables) == {"Products", "Vouchers"}
    fields = yulsn_demo.get(f"/api/v1/DynamicFields/{tables['Products']['Id']}?owner=DynamicTable").json()
    assert {(f["Name"], f["Type"]) for f in fields} == {("Price", 5), ("Category", 1)}
    ids = yulsn_demo.get("/api/v1/table/Products").json()
    assert 30 <= len(ids) <= 50
    page = yulsn_demo.get("/api/v1/table/products?lastId=0&take=1000").json()
    assert [e["Id"] for e in page] == ids
    assert all(isinstance(e["Price"], int | float) and e["Category"] and e["ExternalId"] for e in page)
    assert search(yulsn_demo, [], count=True) == len(ids)
    assert tables["Vouchers"]["CreateConverterId"] is not None
    assert yulsn_demo.get("/api/v1/table/Vouchers").json(), "the converter made a few vouchers"
    refused = yulsn_demo.post("/api/v1/table/Vouchers", json={"Name": "x"})
    assert refused.status_code == 423


def test_demo_orders_buy_products_of_the_catalogue(yulsn_demo: ApiSession) -> None:
    skus = {e["ExternalId"] for e in yulsn_demo.get("/api/v1/table/Products?lastId=0").json()}
    orders = yulsn_demo.request("SEARCH", "/api/v1/Orders", json=[]).json()
    assert orders
    assert all(item["ExtProductId"] in skus for order in orders for item in order["OrderLines"])
