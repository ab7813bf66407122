"""Yulsn stores: create (the number is unique), look-ups by id and number, the list with and
without JsonString, PATCH by the Id in the body, dynamic fields of owner Stores, the demo's
stores."""

from __future__ import annotations

from typing import Any

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import admin

STORE_KEYS = {"Id", "Number", "Name", "Phone", "Address", "ZipCode", "City", "Email", "JsonString", "LastModified"}


def create(client: ApiSession, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/Stores", json=fields)
    assert response.status_code == 200, response.text
    store: dict[str, Any] = response.json()
    return store


def define_field(account: Account, name: str, kind: int = 1) -> None:
    admin(account, "dynamic-fields", {"owner": "Stores", "name": name, "type": kind})


def test_create_answers_the_store_and_get_reads_it_back(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101", Name="Strøget", City="København K", JsonString='{"a":1}')
    assert set(store) == STORE_KEYS
    assert isinstance(store["Id"], int)
    assert (store["Number"], store["Name"], store["City"], store["JsonString"]) == ("101", "Strøget", "København K", '{"a":1}')
    assert store["Phone"] is None and store["Email"] is None, "fields not given are null"
    assert yulsn.get(f"/api/v1/Stores/{store['Id']}").json() == store


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession) -> None:
    store = create(yulsn, number="7", name="Odense", zipCode="5000", jsonstring="{}")
    assert (store["Number"], store["Name"], store["ZipCode"], store["JsonString"]) == ("7", "Odense", "5000", "{}")


def test_a_taken_number_is_409_and_nothing_is_stored(yulsn: ApiSession) -> None:
    create(yulsn, Number="101", Name="First")
    response = yulsn.post("/api/v1/Stores", json={"Number": "101", "Name": "Second"})
    assert response.status_code == 409
    assert response.json() == {"Message": "Cannot save duplicate value '101'!"}
    assert [s["Name"] for s in yulsn.get("/api/v1/Stores").json()] == ["First"]


def test_a_number_is_required(yulsn: ApiSession) -> None:
    for body in ({"Name": "No number"}, {"Number": ""}):
        response = yulsn.post("/api/v1/Stores", json=body)
        assert response.status_code == 400, body
        assert "Message" in response.json()
    assert yulsn.get("/api/v1/Stores").json() == []


def test_get_by_number_in_any_case_of_path_and_query_name(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101")
    create(yulsn, Number="102")
    for path in ("/api/v1/Stores/?number=101", "/api/v1/stores?Number=101", "/API/V1/STORES?NUMBER=101"):
        response = yulsn.get(path)
        assert response.status_code == 200, path
        assert response.json() == store


def test_an_unknown_number_or_id_is_404(yulsn: ApiSession) -> None:
    create(yulsn, Number="101")
    assert yulsn.get("/api/v1/Stores", params={"number": "999"}).status_code == 404
    missing = yulsn.get("/api/v1/Stores/999")
    assert missing.status_code == 404
    assert "Message" in missing.json()


def test_the_list_holds_every_store_and_can_leave_json_string_out(yulsn: ApiSession) -> None:
    first = create(yulsn, Number="1", JsonString='{"x":1}')
    second = create(yulsn, Number="2", JsonString='{"y":2}')
    assert yulsn.get("/api/v1/Stores").json() == [first, second]
    assert yulsn.get("/api/v1/Stores", params={"withoutJsonString": "false"}).json() == [first, second]
    for flag in ("true", "True"):
        listed = yulsn.get("/api/v1/Stores", params={"withoutJsonString": flag}).json()
        assert [s["JsonString"] for s in listed] == [None, None]
        assert [{**s, "JsonString": None} for s in (first, second)] == listed
    assert yulsn.get(f"/api/v1/Stores/{first['Id']}").json()["JsonString"] == '{"x":1}', "the store itself keeps it"


def test_an_empty_account_has_no_stores(yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/Stores").json() == []


def test_patch_sets_only_the_fields_given(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101", Name="Old", City="Aarhus", Phone="+4511")
    response = yulsn.patch("/api/v1/Stores", json={"Id": store["Id"], "Name": "New", "Phone": None})
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["Name"], patched["Phone"]) == ("New", None), "a null given clears the field"
    assert (patched["Number"], patched["City"]) == ("101", "Aarhus"), "fields not given are kept"
    assert yulsn.get(f"/api/v1/Stores/{store['Id']}").json() == patched


def test_patch_reads_camel_case(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101")
    patched = yulsn.patch("/api/v1/stores", json={"id": store["Id"], "zipcode": "8000"}).json()
    assert patched["ZipCode"] == "8000"


def test_patch_of_an_unknown_store_is_404(yulsn: ApiSession) -> None:
    response = yulsn.patch("/api/v1/Stores", json={"Id": 999, "Name": "x"})
    assert response.status_code == 404


def test_patch_needs_the_id(yulsn: ApiSession) -> None:
    assert yulsn.patch("/api/v1/Stores", json={"Name": "x"}).status_code == 400


def test_patch_to_a_taken_number_is_409_and_changes_nothing(yulsn: ApiSession) -> None:
    create(yulsn, Number="101")
    other = create(yulsn, Number="102", Name="Other")
    response = yulsn.patch("/api/v1/Stores", json={"Id": other["Id"], "Number": "101", "Name": "Changed"})
    assert response.status_code == 409
    assert response.json() == {"Message": "Cannot save duplicate value '101'!"}
    assert yulsn.get(f"/api/v1/Stores/{other['Id']}").json() == other
    same = yulsn.patch("/api/v1/Stores", json={"Id": other["Id"], "Number": "102"})
    assert same.status_code == 200, "a store keeps its own number"


def test_patch_moves_the_number_for_look_ups(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101")
    yulsn.patch("/api/v1/Stores", json={"Id": store["Id"], "Number": "201"})
    assert yulsn.get("/api/v1/Stores", params={"number": "201"}).json()["Id"] == store["Id"]
    assert yulsn.get("/api/v1/Stores", params={"number": "101"}).status_code == 404
    create(yulsn, Number="101")  # the old number is free again


def test_patch_without_a_known_field_is_400(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101")
    for body in ({"Id": store["Id"]}, {"Id": store["Id"], "Unknown": 1}):
        response = yulsn.patch("/api/v1/Stores", json=body)
        assert response.status_code == 400, body
        assert response.json() == {"Message": "There were no valid fields specified for patching!"}


def test_dynamic_fields_of_stores_sit_at_the_top_level(account: Account, yulsn: ApiSession) -> None:
    define_field(account, "Region")
    define_field(account, "Size", kind=3)
    store = create(yulsn, Number="101", region="Nord")
    assert (store["Region"], store["Size"]) == ("Nord", None)
    patched = yulsn.patch("/api/v1/Stores", json={"Id": store["Id"], "Size": 120}).json()
    assert (patched["Region"], patched["Size"]) == ("Nord", 120), "dynamic fields not given are kept"
    assert yulsn.get("/api/v1/Stores", params={"number": "101"}).json() == patched
    fields = yulsn.get("/api/v1/DynamicFields", params={"owner": "Stores"}).json()
    assert [f["Name"] for f in fields] == ["Region", "Size"]


def test_a_dynamic_field_of_the_wrong_type_is_400(account: Account, yulsn: ApiSession) -> None:
    define_field(account, "Size", kind=3)
    response = yulsn.post("/api/v1/Stores", json={"Number": "101", "Size": "big"})
    assert response.status_code == 400
    assert "Size" in response.json()["ModelState"]
    assert yulsn.get("/api/v1/Stores").json() == []


def test_contacts_may_prefer_a_created_store(yulsn: ApiSession) -> None:
    store = create(yulsn, Number="101")
    response = yulsn.post("/api/v1/Contacts", json={"Email": "s@example.dk", "PreferredStoreId": store["Id"]})
    assert response.status_code == 200, response.text
    assert response.json()["PreferredStoreId"] == store["Id"]


def test_the_demo_has_six_stores_with_a_region(yulsn_demo: ApiSession) -> None:
    stores = yulsn_demo.get("/api/v1/Stores").json()
    assert [s["Number"] for s in stores] == ["101", "102", "103", "104", "105", "106"]
    assert all(isinstance(s["Region"], str) and s["Region"] for s in stores)
    assert all(s["Name"] and s["City"] for s in stores)
    assert yulsn_demo.get("/api/v1/Stores/?number=101").json() == stores[0]
    contacts = [yulsn_demo.get(f"/api/v1/Contacts/{i}").json() for i in yulsn_demo.get("/api/v1/Contacts").json()[:20]]
    ids = {s["Id"] for s in stores}
    assert all(c["PreferredStoreId"] in ids for c in contacts if c["PreferredStoreId"] is not None)
    assert any(c["PreferredStoreId"] is not None for c in contacts), "demo contacts prefer the demo's stores"
