"""Yulsn contacts: look-ups, the create/update conflict rules, concurrency, PATCH, bulk
PATCH, passwords, bounces, registrations and the person data file."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.yulsn.helpers import admin_action


def create(client: ApiSession, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/Contacts", json={"RegistrationSource": "Test", **fields})
    assert response.status_code == 200, response.text
    contact: dict[str, Any] = response.json()
    return contact


def test_create_answers_the_contact_with_id_secret_and_version(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="ada@example.dk", FirstName="Ada", Phone="+4511223344")
    assert isinstance(contact["Id"], int)
    assert len(contact["Secret"]) == 12 and contact["Secret"].isalnum()
    assert len(base64.b64decode(contact["Version"])) == 8
    assert contact["Email"] == "ada@example.dk"
    assert contact["FirstName"] == "Ada"
    assert contact["LastName"] is None, "fields not given are null"
    assert contact["RegistrationSource"] == "Test"
    assert yulsn.get(f"/api/v1/Contacts/{contact['Id']}").json() == contact


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession) -> None:
    contact = create(yulsn, email="bo@example.dk", firstName="Bo", lastname="Berg")
    assert (contact["Email"], contact["FirstName"], contact["LastName"]) == ("bo@example.dk", "Bo", "Berg")


@pytest.mark.parametrize(
    ("first", "second"), [({"Email": "x@example.dk"}, {"Email": "X@EXAMPLE.dk"}), ({"Phone": "+4512"}, {"Phone": "+4512"})]
)
def test_a_duplicate_email_or_phone_is_409(yulsn: ApiSession, first: dict[str, str], second: dict[str, str]) -> None:
    create(yulsn, **first)
    response = yulsn.post("/api/v1/Contacts", json={"RegistrationSource": "Test", **second})
    assert response.status_code == 409
    assert "Message" in response.json()
    assert len(yulsn.get("/api/v1/Contacts").json()) == 1


def test_an_unknown_preferred_store_is_409(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/Contacts", json={"Email": "s@example.dk", "PreferredStoreId": 999})
    assert response.status_code == 409
    assert "999" in response.json()["Message"]


def test_look_ups_by_email_phone_secret_and_id(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="Find@Example.dk", Phone="+4599")
    assert yulsn.get("/api/v1/Contacts", params={"email": "find@example.dk"}).json()["Id"] == contact["Id"]
    assert yulsn.get("/api/v1/Contacts", params={"phone": "+4599"}).json()["Id"] == contact["Id"]
    assert yulsn.get("/api/v1/Contacts", params={"secret": contact["Secret"], "ip": "192.0.2.1"}).json()["Id"] == contact["Id"]
    assert yulsn.get("/api/v1/Contacts").json() == [contact["Id"]]
    for params in ({"email": "none@example.dk"}, {"phone": "+1"}, {"secret": "nope", "ip": "1.1.1.1"}):
        assert yulsn.get("/api/v1/Contacts", params=params).status_code == 404
    assert yulsn.get("/api/v1/Contacts/999").status_code == 404


def test_look_up_by_dynamic_field(account: Account, yulsn: ApiSession) -> None:
    admin_action(account, "dynamic-fields", {"owner": "Contacts", "name": "Tier", "type": 1})
    gold = create(yulsn, Email="g@example.dk", Tier="Gold")
    create(yulsn, Email="s@example.dk", Tier="Silver")
    found = yulsn.get("/api/v1/Contacts", params={"field": "tier", "value": "gold"}).json()
    assert [c["Id"] for c in found] == [gold["Id"]]
    assert found[0]["Tier"] == "Gold", "dynamic fields sit at the top level"
    assert yulsn.get("/api/v1/Contacts", params={"field": "Tier", "value": "Bronze"}).json() == []


def test_put_replaces_static_fields_and_keeps_dynamic_ones(account: Account, yulsn: ApiSession) -> None:
    admin_action(account, "dynamic-fields", {"owner": "Contacts", "name": "Note", "type": 1})
    contact = create(yulsn, Email="p@example.dk", FirstName="P", LastName="Q", Note="keep me")
    response = yulsn.put(
        f"/api/v1/Contacts/{contact['Id']}", json={"Email": "p@example.dk", "FirstName": "Pia", "Version": contact["Version"]}
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["FirstName"] == "Pia"
    assert updated["LastName"] is None, "a static field left out of a PUT becomes null"
    assert updated["Note"] == "keep me", "a dynamic field left out keeps its value"
    assert updated["Version"] != contact["Version"]


def test_put_with_a_stale_version_is_409_with_the_latest_contact(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="v@example.dk")
    first = yulsn.put(
        f"/api/v1/Contacts/{contact['Id']}", json={"Email": "v@example.dk", "FirstName": "One", "Version": contact["Version"]}
    )
    assert first.status_code == 200
    stale = yulsn.put(
        f"/api/v1/Contacts/{contact['Id']}", json={"Email": "v@example.dk", "FirstName": "Two", "Version": contact["Version"]}
    )
    assert stale.status_code == 409
    assert stale.json() == first.json(), "the body is the latest contact"
    assert yulsn.get(f"/api/v1/Contacts/{contact['Id']}").json()["FirstName"] == "One"


def test_put_with_another_contacts_email_is_409_with_the_latest_contact(yulsn: ApiSession) -> None:
    create(yulsn, Email="taken@example.dk")
    mine = create(yulsn, Email="mine@example.dk")
    response = yulsn.put(f"/api/v1/Contacts/{mine['Id']}", json={"Email": "taken@example.dk"})
    assert response.status_code == 409
    assert response.json() == mine


def test_patch_sets_non_null_values_and_empty_strings_clear(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="c@example.dk", Phone="+4577", PhoneCountryCode="+45", FirstName="C", LastName="D")
    response = yulsn.patch(
        f"/api/v1/Contacts/{contact['Id']}", json={"FirstName": "Cy", "LastName": None, "Phone": "", "PhoneCountryCode": ""}
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["FirstName"], patched["LastName"], patched["Phone"], patched["PhoneCountryCode"]) == ("Cy", "D", None, None)
    cleared = yulsn.patch(f"/api/v1/Contacts/{contact['Id']}", json={"Email": ""}).json()
    assert cleared["Email"] is None


def test_patch_without_valid_fields_is_400_with_the_vendors_message(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="n@example.dk")
    for body in ({"Unknown": "x"}, {"FirstName": None}, {}):
        response = yulsn.patch(f"/api/v1/Contacts/{contact['Id']}", json=body)
        assert response.status_code == 400
        assert response.json() == {"Message": "There were no valid fields specified for patching!"}


def test_patch_with_a_stale_version_is_409(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="s@example.dk")
    yulsn.patch(f"/api/v1/Contacts/{contact['Id']}", json={"FirstName": "A"})
    response = yulsn.patch(f"/api/v1/Contacts/{contact['Id']}", json={"FirstName": "B", "Version": contact["Version"]})
    assert response.status_code == 409
    assert response.json()["FirstName"] == "A"


@pytest.mark.parametrize("key_type", [3, "Email", "email"])
def test_bulk_patch_reports_updated_and_not_found_keys(yulsn: ApiSession, key_type: Any) -> None:
    create(yulsn, Email="one@example.dk")
    create(yulsn, Email="two@example.dk")
    response = yulsn.patch(
        "/api/v1/Contacts",
        json={
            "KeyType": key_type,
            "Keys": ["one@example.dk", "two@example.dk", "three@example.dk"],
            "Fields": {"lastName": "Bulk"},
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"Updated": ["one@example.dk", "two@example.dk"], "NotFound": ["three@example.dk"]}
    assert yulsn.get("/api/v1/Contacts", params={"email": "two@example.dk"}).json()["LastName"] == "Bulk"


def test_bulk_patch_with_no_patchable_field_is_400(yulsn: ApiSession) -> None:
    create(yulsn, Email="one@example.dk")
    response = yulsn.patch(
        "/api/v1/Contacts", json={"KeyType": 3, "Keys": ["one@example.dk"], "Fields": {"Email": "x@example.dk"}}
    )
    assert response.status_code == 400
    assert "Email" not in yulsn.get("/api/v1/Contacts/PatchFields").json()


def test_login_and_set_password(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="l@example.dk")
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/Login", json={"Password": "x"}).status_code == 422
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/SetPassword", json={"NewPassword": "s3cret"}).status_code == 200
    assert (
        yulsn.post(f"/api/v1/contacts/{contact['Id']}/login", json={"Password": "s3cret", "Ip": "1.2.3.4"}).json()["Id"]
        == contact["Id"]
    )
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/Login", json={"Password": "wrong"}).status_code == 422
    assert yulsn.post("/api/v1/Contacts/999/SetPassword", json={"NewPassword": "x"}).status_code == 404


def test_unblock_email_answers_false_unless_bounced(account: Account, yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="b@example.dk")
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/UnblockEmail").json() is False
    admin_action(account, "bounces", {"contactId": contact["Id"]})
    assert yulsn.get(f"/api/v1/Contacts/{contact['Id']}").json()["EmailBounced"] is True
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/UnblockEmail").json() is True
    assert yulsn.post(f"/api/v1/Contacts/{contact['Id']}/UnblockEmail").json() is False


def test_registrations_by_timespan_source_and_ip(yulsn: ApiSession) -> None:
    web = create(yulsn, Email="w@example.dk", RegistrationSource="Webshop", RegistrationIp="192.0.2.7")
    create(yulsn, Email="s@example.dk", RegistrationSource="Store", RegistrationDateTime="2020-01-01T00:00:00+00:00")
    recent = yulsn.get("/api/v1/Contacts/Registration", params={"timespan": "1.00:00:00"}).json()
    assert [c["Email"] for c in recent] == ["w@example.dk"]
    assert [
        c["Id"] for c in yulsn.get("/api/v1/Contacts/Registration", params={"source": "webshop", "ip": "192.0.2.7"}).json()
    ] == [web["Id"]]
    assert yulsn.get("/api/v1/Contacts/Registration", params={"timespan": "soon"}).status_code == 400


def test_base_info_and_delete(yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="d@example.dk", FirstName="D")
    assert yulsn.get("/api/v1/Contacts/GetContactsBaseInfo").json() == [
        {
            "Id": contact["Id"],
            "Secret": contact["Secret"],
            "Email": "d@example.dk",
            "Phone": None,
            "FirstName": "D",
            "LastName": None,
        }
    ]
    deleted = yulsn.delete(f"/api/v1/Contacts/{contact['Id']}")
    assert deleted.status_code == 200 and deleted.json()["Id"] == contact["Id"]
    assert yulsn.get(f"/api/v1/Contacts/{contact['Id']}").status_code == 404
    assert yulsn.delete(f"/api/v1/Contacts/{contact['Id']}").status_code == 404


def test_person_data_file_is_served_at_its_url(mockserver: Emulator, yulsn: ApiSession) -> None:
    contact = create(yulsn, Email="gdpr@example.dk")
    url = yulsn.get(f"/api/v1/Contacts/{contact['Id']}/PersonDataFile").json()
    assert url.startswith(mockserver.url + "/yulsn/")
    data = yulsn.get(url, timeout=10).json()
    assert data["Contact"]["Email"] == "gdpr@example.dk"
    assert yulsn.get(url + "x", timeout=10).status_code == 404


def test_dynamic_field_values_are_typed(account: Account, yulsn: ApiSession) -> None:
    admin_action(account, "dynamic-fields", {"owner": "Contacts", "name": "Newsletter", "type": 2})
    response = yulsn.post("/api/v1/Contacts", json={"Email": "t@example.dk", "Newsletter": "yes"})
    assert response.status_code == 400
    assert "Newsletter" in response.json()["ModelState"]
    assert create(yulsn, Email="t@example.dk", Newsletter=True)["Newsletter"] is True
