"""Yulsn orders and order lines: create with the order type and order line rules, totals,
look-ups by contact and external id, PATCH of orders and lines, deletes (never the last
line), SEARCH with a bare array of search fields, dynamic fields, the demo's orders."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import admin_action


def contact(client: ApiSession, email: str = "buyer@example.dk") -> int:
    response = client.post("/api/v1/Contacts", json={"Email": email})
    assert response.status_code == 200, response.text
    contact_id: int = response.json()["Id"]
    return contact_id


def line(quantity: float = 1, price: float = 10.0, **fields: Any) -> dict[str, Any]:
    return {"Quantity": quantity, "Price": price, **fields}


def create(client: ApiSession, lines: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, Any]:
    body = {"Type": "Default", "OrderLines": lines if lines is not None else [line()], **fields}
    response = client.post("/api/v1/Orders", json=body)
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


@pytest.fixture
def typed(account: Account, yulsn: ApiSession) -> ApiSession:
    """The fresh account with the order types Webshop and Store."""
    admin_action(account, "types", {"orderTypes": ["Webshop", "Store"]})
    return yulsn


# -- create -------------------------------------------------------------------------------
def test_create_answers_the_order_with_its_lines_and_totals(yulsn: ApiSession) -> None:
    buyer = contact(yulsn)
    order = create(
        yulsn,
        [line(2, 20.0, ExtProductId="SKU-1", Name="Shoes"), line(3, 1.1, Description="Socks")],
        ExtOrderId="W-1",
        ContactId=buyer,
        FirstName="Ada",
        City="Aarhus",
        OriginDate="2024-05-14T10:00:00+02:00",
    )
    assert isinstance(order["Id"], int)
    assert (order["Type"], order["ExtOrderId"], order["ContactId"], order["FirstName"]) == ("Default", "W-1", buyer, "Ada")
    assert order["StoreId"] is None and order["LastName"] is None, "fields not given are null"
    assert order["OriginDate"] == "2024-05-14T08:00:00+00:00"
    first, second = order["OrderLines"]
    assert (first["OrderId"], second["OrderId"]) == (order["Id"], order["Id"])
    assert first["PriceTotal"] == 40 and second["PriceTotal"] == pytest.approx(3.3)
    assert (first["ExtProductId"], first["Name"], second["Description"]) == ("SKU-1", "Shoes", "Socks")
    assert order["PriceTotal"] == pytest.approx(43.3), "the order's total is the sum of its lines"
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession) -> None:
    body = {"type": "default", "extOrderId": "c-1", "firstname": "Bo", "orderLines": [{"quantity": 2, "price": 5, "name": "Cap"}]}
    response = yulsn.post("/api/v1/orders", json=body)
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["Type"], order["ExtOrderId"], order["FirstName"]) == ("Default", "c-1", "Bo"), "the type in its own spelling"
    assert (order["OrderLines"][0]["Name"], order["OrderLines"][0]["PriceTotal"], order["PriceTotal"]) == ("Cap", 10, 10)


@pytest.mark.parametrize(
    "lines",
    [None, [], [{"Price": 1.0}], [{"Quantity": 1}], [line(), {"Quantity": 1, "Price": None}]],
    ids=["no-lines", "empty", "no-quantity", "no-price", "one-bad-line"],
)
def test_missing_or_invalid_lines_are_400_invalid_orderlines(yulsn: ApiSession, lines: list[dict[str, Any]] | None) -> None:
    body: dict[str, Any] = {"Type": "Default", "ExtOrderId": "bad"}
    if lines is not None:
        body["OrderLines"] = lines
    response = yulsn.post("/api/v1/Orders", json=body)
    assert response.status_code == 400
    assert response.json() == {"Message": "Invalid orderlines!"}
    assert yulsn.get("/api/v1/Orders", params={"extOrderId": "bad"}).json() == []


@pytest.mark.parametrize("order_type", ["Nope", None, ""])
def test_an_unknown_or_missing_type_is_400_invalid_order_type(yulsn: ApiSession, order_type: str | None) -> None:
    response = yulsn.post("/api/v1/Orders", json={"Type": order_type, "ExtOrderId": "bad", "OrderLines": [line()]})
    assert response.status_code == 400
    assert response.json() == {"Message": "Invalid order type!"}
    assert yulsn.get("/api/v1/Orders", params={"extOrderId": "bad"}).json() == []


def test_the_account_types_are_the_valid_ones(typed: ApiSession) -> None:
    assert typed.post("/api/v1/Orders", json={"Type": "Default", "OrderLines": [line()]}).status_code == 400
    assert create(typed, Type="store")["Type"] == "Store"


@pytest.mark.parametrize("field", ["ContactId", "StoreId"])
def test_an_unknown_contact_or_store_is_400(yulsn: ApiSession, field: str) -> None:
    response = yulsn.post("/api/v1/Orders", json={"Type": "Default", "ExtOrderId": "bad", field: 999, "OrderLines": [line()]})
    assert response.status_code == 400
    assert set(response.json()) >= {"Message"}
    assert yulsn.get("/api/v1/Orders", params={"extOrderId": "bad"}).json() == []


def test_a_line_of_an_unknown_contact_is_400(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/Orders", json={"Type": "Default", "OrderLines": [line(ContactId=999)]})
    assert response.status_code == 400


def test_a_known_store_is_accepted(yulsn: ApiSession) -> None:
    store = yulsn.post("/api/v1/Stores", json={"Number": "1"}).json()
    assert create(yulsn, StoreId=store["Id"])["StoreId"] == store["Id"]


def test_dates_before_the_year_1000_keep_four_digit_years(yulsn: ApiSession) -> None:
    """A date-time has a four-digit year (RFC 3339), however early the date."""
    order = create(yulsn, OriginDate="0420-02-13T13:05:53Z", StartDate="2024-05-14T10:00:00Z")
    assert order["OriginDate"] == "0420-02-13T13:05:53+00:00"
    assert order["StartDate"] == "2024-05-14T10:00:00+00:00"


def test_an_unreadable_date_is_400(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/Orders", json={"Type": "Default", "OriginDate": "yesterday", "OrderLines": [line()]})
    assert response.status_code == 400


def test_order_types_in_any_case_of_path(account: Account, yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/Orders/Types").json() == ["Default"], "a new account has one type"
    admin_action(account, "types", {"orderTypes": ["Webshop", "Store"]})
    for path in ("/api/v1/orders/types", "/API/V1/ORDERS/TYPES/"):
        response = yulsn.get(path)
        assert response.status_code == 200, path
        assert response.json() == ["Webshop", "Store"]


# -- look-ups -----------------------------------------------------------------------------
def test_get_of_an_unknown_order_is_404(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Orders/999")
    assert response.status_code == 404
    assert "Message" in response.json()


def test_find_by_contact_with_the_query_name_in_any_case(typed: ApiSession) -> None:
    buyer, other = contact(typed, "a@example.dk"), contact(typed, "b@example.dk")
    web = create(typed, Type="Webshop", ContactId=buyer)
    shop = create(typed, Type="Store", ContactId=buyer)
    create(typed, Type="Webshop", ContactId=other)
    for query in (f"contactId={buyer}", f"contactid={buyer}", f"CONTACTID={buyer}"):
        assert typed.get(f"/api/v1/Orders?{query}").json() == [web, shop], query
    assert typed.get(f"/api/v1/Orders?contactid={buyer}&orderType=store").json() == [shop]
    assert typed.get(f"/api/v1/Orders?contactid={buyer}&ordertype=Nope").json() == []
    assert typed.get("/api/v1/Orders?contactid=999").json() == [], "an unknown contact has no orders"


def test_find_without_lines(yulsn: ApiSession) -> None:
    buyer = contact(yulsn)
    order = create(yulsn, ContactId=buyer)
    for flag in ("False", "false"):
        found = yulsn.get(f"/api/v1/Orders?contactid={buyer}&withOrderLines={flag}").json()
        assert found == [{**order, "OrderLines": None}], "the total is still that of the lines"
    assert yulsn.get(f"/api/v1/Orders?contactid={buyer}&withOrderLines=True").json() == [order]


def test_find_by_external_id_answers_an_array(yulsn: ApiSession) -> None:
    first = create(yulsn, ExtOrderId="X-1")
    second = create(yulsn, ExtOrderId="X-1")
    create(yulsn, ExtOrderId="X-2")
    assert yulsn.get("/api/v1/Orders", params={"extOrderId": "X-1"}).json() == [first, second]
    assert yulsn.get("/api/v1/Orders", params={"extorderid": "none"}).json() == []


def test_find_without_contact_or_external_id_is_400(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Orders")
    assert response.status_code == 400
    assert "Message" in response.json()


# -- PATCH --------------------------------------------------------------------------------
def test_patch_sets_only_the_fields_given_and_keeps_the_lines(typed: ApiSession) -> None:
    order = create(typed, Type="Webshop", FirstName="Old", LastName="Kept", City="Odense")
    response = typed.patch(f"/api/v1/Orders/{order['Id']}", json={"FirstName": "New", "city": None, "Type": "store"})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["FirstName"], patched["City"], patched["Type"], patched["LastName"]) == ("New", None, "Store", "Kept")
    assert patched["OrderLines"] == order["OrderLines"]
    assert patched["PriceTotal"] == order["PriceTotal"]
    assert typed.get(f"/api/v1/Orders/{order['Id']}").json() == patched


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Type": "Nope"}, "Invalid order type!"),
        ({"Type": None}, "Invalid order type!"),
        ({}, "There were no valid fields specified for patching!"),
        ({"Unknown": 1}, "There were no valid fields specified for patching!"),
    ],
)
def test_patch_refusals_are_400_and_change_nothing(yulsn: ApiSession, body: dict[str, Any], message: str) -> None:
    order = create(yulsn, FirstName="Same")
    response = yulsn.patch(f"/api/v1/Orders/{order['Id']}", json=body)
    assert response.status_code == 400
    assert response.json() == {"Message": message}
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_patch_to_an_unknown_contact_is_400(yulsn: ApiSession) -> None:
    order = create(yulsn)
    response = yulsn.patch(f"/api/v1/Orders/{order['Id']}", json={"ContactId": 999, "FirstName": "x"})
    assert response.status_code == 400
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_patch_of_an_unknown_order_is_404(yulsn: ApiSession) -> None:
    assert yulsn.patch("/api/v1/Orders/999", json={"FirstName": "x"}).status_code == 404


# -- lines --------------------------------------------------------------------------------
def test_add_a_line_and_the_total_follows(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(1, 10.0)])
    response = yulsn.post(f"/api/v1/Orders/{order['Id']}/Lines", json={"quantity": 4, "price": 22.0, "ExtProductId": "P"})
    assert response.status_code == 200, response.text
    added = response.json()
    assert (added["OrderId"], added["Quantity"], added["Price"], added["PriceTotal"]) == (order["Id"], 4, 22.0, 88)
    reread = yulsn.get(f"/api/v1/Orders/{order['Id']}").json()
    assert reread["OrderLines"][-1] == added
    assert reread["PriceTotal"] == 98


@pytest.mark.parametrize("body", [{"Price": 1.0}, {"Quantity": 1}, {"Quantity": None, "Price": 1.0}])
def test_a_line_without_quantity_or_price_is_400_invalid_order_line(yulsn: ApiSession, body: dict[str, Any]) -> None:
    order = create(yulsn)
    response = yulsn.post(f"/api/v1/Orders/{order['Id']}/Lines", json=body)
    assert response.status_code == 400
    assert response.json() == {"Message": "Invalid order line!"}
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_a_line_for_an_unknown_order_is_404(yulsn: ApiSession) -> None:
    assert yulsn.post("/api/v1/Orders/999/Lines", json=line()).status_code == 404


def test_patch_a_line(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(2, 20.0, Description="Old", Name="Kept"), line(1, 5.0)])
    target = order["OrderLines"][0]
    response = yulsn.patch(
        f"/api/v1/Orders/{order['Id']}/Lines/{target['Id']}", json={"Quantity": 5, "price": 33.0, "Description": "New"}
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["Quantity"], patched["Price"], patched["PriceTotal"]) == (5, 33.0, 165)
    assert (patched["Description"], patched["Name"]) == ("New", "Kept")
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json()["PriceTotal"] == 170


def test_patch_of_a_line_refusals(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(), line()])
    other = create(yulsn)
    line_id = order["OrderLines"][0]["Id"]
    assert yulsn.patch(f"/api/v1/Orders/999/Lines/{line_id}", json={"Name": "x"}).status_code == 404
    assert yulsn.patch(f"/api/v1/Orders/{order['Id']}/Lines/999", json={"Name": "x"}).status_code == 404
    assert yulsn.patch(f"/api/v1/Orders/{other['Id']}/Lines/{line_id}", json={"Name": "x"}).status_code == 404, (
        "another order's line"
    )
    cleared = yulsn.patch(f"/api/v1/Orders/{order['Id']}/Lines/{line_id}", json={"Price": None})
    assert cleared.status_code == 400
    assert cleared.json() == {"Message": "Invalid order line!"}
    empty = yulsn.patch(f"/api/v1/Orders/{order['Id']}/Lines/{line_id}", json={})
    assert empty.json() == {"Message": "There were no valid fields specified for patching!"}
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_delete_a_line_answers_it(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(1, 10.0), line(1, 5.0)])
    first, second = order["OrderLines"]
    response = yulsn.delete(f"/api/v1/Orders/{order['Id']}/Lines/{first['Id']}")
    assert response.status_code == 200
    assert response.json() == first
    reread = yulsn.get(f"/api/v1/Orders/{order['Id']}").json()
    assert reread["OrderLines"] == [second]
    assert reread["PriceTotal"] == 5
    assert yulsn.delete(f"/api/v1/Orders/{order['Id']}/Lines/{first['Id']}").status_code == 404


def test_the_last_line_cannot_be_deleted(yulsn: ApiSession) -> None:
    order = create(yulsn, [line()])
    response = yulsn.delete(f"/api/v1/Orders/{order['Id']}/Lines/{order['OrderLines'][0]['Id']}")
    assert response.status_code == 400
    assert response.json() == {"Message": "Invalid operation on order!"}
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").json() == order


def test_delete_a_line_of_an_unknown_order_or_an_unknown_line_is_404(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(), line()])
    assert yulsn.delete(f"/api/v1/Orders/999/Lines/{order['OrderLines'][0]['Id']}").status_code == 404
    assert yulsn.delete(f"/api/v1/Orders/{order['Id']}/Lines/999").status_code == 404


# -- delete -------------------------------------------------------------------------------
def test_delete_answers_the_order_with_its_lines(yulsn: ApiSession) -> None:
    order = create(yulsn, [line(), line()], ExtOrderId="D-1")
    response = yulsn.delete(f"/api/v1/Orders/{order['Id']}")
    assert response.status_code == 200
    assert response.json() == order
    assert yulsn.get(f"/api/v1/Orders/{order['Id']}").status_code == 404
    assert yulsn.get("/api/v1/Orders", params={"extOrderId": "D-1"}).json() == []
    assert yulsn.delete(f"/api/v1/Orders/{order['Id']}").status_code == 404
    line_id = order["OrderLines"][0]["Id"]
    assert yulsn.patch(f"/api/v1/Orders/{order['Id']}/Lines/{line_id}", json={"Name": "x"}).status_code == 404


# -- SEARCH -------------------------------------------------------------------------------
@pytest.fixture
def three_orders(yulsn: ApiSession) -> list[dict[str, Any]]:
    """Totals 10, 20 and 30; the second has no ExtOrderId."""
    return [
        create(yulsn, [line(1, 10.0)], ExtOrderId="S-1", City="Aarhus"),
        create(yulsn, [line(2, 10.0)], City="Odense"),
        create(yulsn, [line(3, 10.0)], ExtOrderId="S-3", City="Aalborg"),
    ]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ({"Field": "ExtOrderId", "Operator": 1, "Value": "S-1"}, [0]),
        ({"Field": "City", "Operator": "Equal", "Value": "odense"}, [1]),
        ({"Field": "ExtOrderId", "Operator": 2, "Value": "S-1"}, [1, 2]),
        ({"Field": "PriceTotal", "Operator": 3, "Value": 20}, [2]),
        ({"Field": "PriceTotal", "Operator": "MoreThanOrEqual", "Value": 20}, [1, 2]),
        ({"Field": "PriceTotal", "Operator": 5, "Value": 20}, [0]),
        ({"Field": "PriceTotal", "Operator": "LessThanOrEqual", "Value": "20"}, [0, 1]),
        ({"Field": "ExtOrderId", "Operator": 7}, [1]),
        ({"Field": "ExtOrderId", "Operator": "NotNull"}, [0, 2]),
        ({"Field": "City", "Operator": 9, "Values": ["Aarhus", "Aalborg", "Nowhere"]}, [0, 2]),
    ],
)
def test_search_with_each_operator(
    yulsn: ApiSession, three_orders: list[dict[str, Any]], field: dict[str, Any], expected: list[int]
) -> None:
    response = yulsn.request("SEARCH", "/api/v1/Orders", json=[field])
    assert response.status_code == 200, response.text
    assert response.json() == [three_orders[i] for i in expected]


def test_search_fields_all_apply_and_names_may_be_camel_case(yulsn: ApiSession, three_orders: list[dict[str, Any]]) -> None:
    fields = [{"field": "pricetotal", "operator": 4, "value": 20}, {"field": "City", "operator": 1, "value": "Aalborg"}]
    assert yulsn.request("SEARCH", "/api/v1/orders", json=fields).json() == [three_orders[2]]
    assert yulsn.request("SEARCH", "/api/v1/Orders", json=[]).json() == three_orders, "no field: every order"


def test_search_by_an_unknown_field_or_without_an_array_is_400(yulsn: ApiSession) -> None:
    unknown = yulsn.request("SEARCH", "/api/v1/Orders", json=[{"Field": "Nope", "Operator": 1, "Value": 1}])
    assert unknown.status_code == 400
    assert set(unknown.json()) >= {"Message"}
    assert yulsn.request("SEARCH", "/api/v1/Orders", json={"Fields": []}).status_code == 400


# -- dynamic fields -----------------------------------------------------------------------
def test_dynamic_fields_of_orders_and_lines(account: Account, yulsn: ApiSession) -> None:
    admin_action(account, "dynamic-fields", {"owner": "Orders", "name": "Channel", "type": 1})
    admin_action(account, "dynamic-fields", {"owner": "OrderLines", "name": "Color", "type": 1})
    order = create(yulsn, [line(Color="Red"), line()], channel="Online")
    assert order["Channel"] == "Online"
    assert [item["Color"] for item in order["OrderLines"]] == ["Red", None], "unset dynamic fields are null"
    patched = yulsn.patch(f"/api/v1/Orders/{order['Id']}", json={"Channel": "Store"}).json()
    assert patched["Channel"] == "Store"
    line_id = order["OrderLines"][1]["Id"]
    assert yulsn.patch(f"/api/v1/Orders/{order['Id']}/Lines/{line_id}", json={"color": "Blue"}).json()["Color"] == "Blue"
    found = yulsn.request("SEARCH", "/api/v1/Orders", json=[{"Field": "Channel", "Operator": 1, "Value": "Store"}]).json()
    assert [o["Id"] for o in found] == [order["Id"]]
    fields = yulsn.get("/api/v1/DynamicFields", params={"owner": "OrderLines"}).json()
    assert [f["Name"] for f in fields] == ["Color"]


# -- demo ---------------------------------------------------------------------------------
def test_the_demo_orders_belong_to_demo_contacts_and_stores(yulsn_demo: ApiSession) -> None:
    types = yulsn_demo.get("/api/v1/Orders/Types").json()
    orders = yulsn_demo.request("SEARCH", "/api/v1/Orders", json=[]).json()
    assert 50 <= len(orders) <= 70
    contact_ids = set(yulsn_demo.get("/api/v1/Contacts").json())
    store_ids = {s["Id"] for s in yulsn_demo.get("/api/v1/Stores").json()}
    for order in orders:
        assert order["Type"] in types
        assert order["ContactId"] in contact_ids
        assert order["StoreId"] is None or order["StoreId"] in store_ids
        assert 1 <= len(order["OrderLines"]) <= 4
        assert order["PriceTotal"] == pytest.approx(sum(item["Quantity"] * item["Price"] for item in order["OrderLines"]))
    buyer = orders[0]["ContactId"]
    assert orders[0] in yulsn_demo.get(f"/api/v1/Orders?contactid={buyer}").json()
