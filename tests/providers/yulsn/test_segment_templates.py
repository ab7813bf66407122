"""Yulsn template segments (`POST api/v1/Segments/Template`, the vendor's client's
PostTemplateSegmentAsync): a segment (Type 4) made from one of the account's segment
templates and a value for each of its parameters. Every account has templates 1
`Registration source`, 2 `Preferred store` and 3 `Contact company`; the demo adds 4
`Loyalty tier`. The segment holds the contacts whose field equals the value when it is made."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.yulsn.helpers import contact, message

TEMPLATE = "/api/v1/Segments/Template"
REGISTRATION_SOURCE, PREFERRED_STORE, CONTACT_COMPANY = 1, 2, 3


def dotnet_body(template_id: int, values: dict[str, str] | None, **overrides: Any) -> dict[str, Any]:
    """The body as the vendor's client serialises YulsnPostSegmentTemplateDto: every
    property, PascalCase, nulls and defaults included."""
    return {
        "FolderId": 2,
        "Name": "From a template",
        "Description": None,
        "DailyStatistic": False,
        "OnEmailMessages": True,
        "OnSmsMessages": False,
        "OnPushMessages": False,
        "TemplateId": template_id,
        "Values": values,
        **overrides,
    }


def members(client: ApiSession, segment_id: int) -> list[int]:
    ids: list[int] = client.get(f"/api/v1/Segments/{segment_id}/GetContactIds").json()
    return ids


def test_a_template_segment_holds_the_contacts_whose_field_has_the_value(yulsn: ApiSession) -> None:
    webshop = [
        contact(yulsn, "a@example.dk", RegistrationSource="Webshop"),
        contact(yulsn, "b@example.dk", RegistrationSource="webshop"),
    ]
    contact(yulsn, "c@example.dk", RegistrationSource="Store")
    contact(yulsn, "d@example.dk")

    response = yulsn.post(TEMPLATE, json=dotnet_body(REGISTRATION_SOURCE, {"RegistrationSource": "WEBSHOP"}, Description="Web"))

    assert response.status_code == 200, response.text
    segment = response.json()
    assert segment == {"Id": segment["Id"], "Name": "From a template", "FolderId": 2, "Type": 4, "Description": "Web"}
    assert yulsn.get(f"/api/v1/Segments/{segment['Id']}").json() == segment
    assert yulsn.get("/api/v1/Segments", params={"folderId": 2}).json() == [segment]
    assert members(yulsn, segment["Id"]) == webshop
    assert yulsn.post("/api/v1/Segments/GetContactCount", json=[segment["Id"]]).json() == 2


def test_a_store_template_matches_the_preferred_store(yulsn: ApiSession) -> None:
    store = yulsn.post("/api/v1/Stores", json={"Number": "S-1", "Name": "Aarhus"}).json()["Id"]
    regular = contact(yulsn, "regular@example.dk", PreferredStoreId=store)
    contact(yulsn, "elsewhere@example.dk")
    response = yulsn.post(TEMPLATE, json=dotnet_body(PREFERRED_STORE, {"PreferredStoreId": str(store)}))
    assert response.status_code == 200, response.text
    assert members(yulsn, response.json()["Id"]) == [regular]


def test_the_segment_is_what_the_contacts_were_when_it_was_made(yulsn: ApiSession) -> None:
    early = contact(yulsn, "early@example.dk", RegistrationSource="Newsletter")
    segment = yulsn.post(TEMPLATE, json=dotnet_body(REGISTRATION_SOURCE, {"RegistrationSource": "Newsletter"})).json()
    contact(yulsn, "late@example.dk", RegistrationSource="Newsletter")
    assert members(yulsn, segment["Id"]) == [early]


def test_names_are_read_without_regard_to_case(yulsn: ApiSession) -> None:
    shop = contact(yulsn, "shop@example.dk", RegistrationSource="Store")
    body = {"name": "camel", "folderId": 5, "templateId": REGISTRATION_SOURCE, "values": {"registrationsource": "store"}}
    response = yulsn.post("/api/v1/segments/template", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["Name"], response.json()["FolderId"], response.json()["Type"]) == ("camel", 5, 4)
    assert members(yulsn, response.json()["Id"]) == [shop]


def test_without_a_folder_the_segment_is_in_folder_0(yulsn: ApiSession) -> None:
    body = {"Name": "No folder", "TemplateId": REGISTRATION_SOURCE, "Values": {"RegistrationSource": "x"}}
    response = yulsn.post(TEMPLATE, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["FolderId"] == 0
    assert members(yulsn, response.json()["Id"]) == []


@pytest.mark.parametrize("template_id", [0, 4, 987654])
def test_an_unknown_template_is_404_and_nothing_is_made(yulsn: ApiSession, template_id: int) -> None:
    response = yulsn.post(TEMPLATE, json=dotnet_body(template_id, {"RegistrationSource": "x"}))
    assert message(response, 404) == f"SegmentTemplate with id {template_id} not found."
    assert yulsn.get("/api/v1/Segments", params={"folderId": 2}).json() == []


@pytest.mark.parametrize("values", [None, {}, {"Other": "x"}, {"RegistrationSource": None}])
def test_every_parameter_needs_a_value(yulsn: ApiSession, values: dict[str, Any] | None) -> None:
    response = yulsn.post(TEMPLATE, json=dotnet_body(REGISTRATION_SOURCE, values))
    assert message(response, 400) == "The following template values are missing: RegistrationSource."
    assert yulsn.get("/api/v1/Segments", params={"folderId": 2}).json() == []


def test_a_segment_needs_a_name(yulsn: ApiSession) -> None:
    response = yulsn.post(TEMPLATE, json=dotnet_body(CONTACT_COMPANY, {"ContactCompanyId": "1"}, Name="  "))
    assert message(response, 400) == "The Name field is required."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"TemplateId": "one", "Name": "X"}, "TemplateId"),
        ({"Name": "X"}, "TemplateId"),
        ({"TemplateId": 1, "Name": "X", "Values": ["RegistrationSource"]}, "Values"),
        ({"TemplateId": 1, "Name": "X", "OnSmsMessages": "yes"}, "OnSmsMessages"),
    ],
)
def test_a_body_that_does_not_bind_is_400_naming_the_member(yulsn: ApiSession, body: dict[str, Any], field: str) -> None:
    response = yulsn.post(TEMPLATE, json=body)
    message(response, 400)
    assert field in response.json()["ModelState"], response.json()


def test_the_path_takes_only_post(yulsn: ApiSession) -> None:
    response = yulsn.get(TEMPLATE)
    assert message(response, 405) == "The requested resource does not support http method 'GET'."


def test_the_demo_loyalty_tier_template_makes_the_demo_gold_segment(yulsn_demo: ApiSession) -> None:
    gold = next(s for s in yulsn_demo.get("/api/v1/Segments", params={"folderId": 2}).json() if s["Name"] == "Gold members")
    assert gold["Type"] == 4
    response = yulsn_demo.post(TEMPLATE, json=dotnet_body(4, {"LoyaltyTier": "gold"}))
    assert response.status_code == 200, response.text
    made = members(yulsn_demo, response.json()["Id"])
    assert made == members(yulsn_demo, gold["Id"])
    assert made, "some demo contacts are Gold"
    for contact_id in made:
        assert yulsn_demo.get(f"/api/v1/Contacts/{contact_id}").json()["LoyaltyTier"] == "Gold"


def test_a_new_account_has_no_loyalty_tier_template(yulsn: ApiSession) -> None:
    assert yulsn.post(TEMPLATE, json=dotnet_body(4, {"LoyaltyTier": "Gold"})).status_code == 404
