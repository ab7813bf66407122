"""Yulsn contact companies: create and PATCH (unique Number, primary contact and parent
must exist), the look-ups by number and primary contact e-mail, and associating contacts
(which sets their ContactCompanyId and bumps their Version)."""

from __future__ import annotations

from typing import Any

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import admin, message
from tests.support import ok

COMPANY_KEYS = {"Id", "Name", "Number", "PrimaryContactId", "ContactCompanyId", "EmailDomains", "Logo", "LastModified"}


def company(client: ApiSession, **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(client.post("/api/v1/ContactCompanies", json=fields))
    return found


def contact(client: ApiSession, email: str, **fields: Any) -> dict[str, Any]:
    found: dict[str, Any] = ok(client.post("/api/v1/Contacts", json={"Email": email, **fields}))
    return found


# -- create and read ----------------------------------------------------------------------
def test_create_answers_the_company_and_get_reads_it_back(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Acme A/S", Number="DK12345678", EmailDomains="acme.example.dk")
    assert set(made) == COMPANY_KEYS
    assert isinstance(made["Id"], int)
    assert (made["Name"], made["Number"], made["EmailDomains"]) == ("Acme A/S", "DK12345678", "acme.example.dk")
    assert made["PrimaryContactId"] is None
    assert made["ContactCompanyId"] is None
    assert made["Logo"] is None
    assert ok(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}")) == made


def test_camel_case_bodies_are_read_like_pascal_case(yulsn: ApiSession) -> None:
    made = company(yulsn, name="Beta ApS", number="DK2", emailDomains="beta.example.dk", logo="https://x.example/l.png")
    assert (made["Name"], made["Number"], made["EmailDomains"], made["Logo"]) == (
        "Beta ApS",
        "DK2",
        "beta.example.dk",
        "https://x.example/l.png",
    )


def test_list_without_parameters_answers_every_company(yulsn: ApiSession) -> None:
    assert ok(yulsn.get("/api/v1/ContactCompanies")) == []
    first = company(yulsn, Name="One", Number="N1")
    second = company(yulsn, Name="Two", Number="N2")
    assert ok(yulsn.get("/api/v1/ContactCompanies")) == [first, second]


def test_an_unknown_company_is_404(yulsn: ApiSession) -> None:
    message(yulsn.get("/api/v1/ContactCompanies/4242"), 404)


def test_a_taken_number_is_409_and_nothing_is_created(yulsn: ApiSession) -> None:
    company(yulsn, Name="First", Number="DK100")
    text = message(yulsn.post("/api/v1/ContactCompanies", json={"Name": "Second", "Number": "DK100"}), 409)
    assert "DK100" in text
    assert [c["Name"] for c in ok(yulsn.get("/api/v1/ContactCompanies"))] == ["First"]


def test_companies_without_a_number_do_not_conflict(yulsn: ApiSession) -> None:
    company(yulsn, Name="A")
    company(yulsn, Name="B", Number=None)
    assert len(ok(yulsn.get("/api/v1/ContactCompanies"))) == 2


def test_an_unknown_primary_contact_or_parent_is_400(yulsn: ApiSession) -> None:
    assert "777" in message(yulsn.post("/api/v1/ContactCompanies", json={"Name": "X", "PrimaryContactId": 777}), 400)
    assert "888" in message(yulsn.post("/api/v1/ContactCompanies", json={"Name": "X", "ContactCompanyId": 888}), 400)
    assert ok(yulsn.get("/api/v1/ContactCompanies")) == []


def test_a_primary_contact_and_a_parent_that_exist_are_kept(yulsn: ApiSession) -> None:
    boss = contact(yulsn, "boss@example.dk")
    parent = company(yulsn, Name="Holding", Number="H1")
    child = company(yulsn, Name="Child", Number="C1", PrimaryContactId=boss["Id"], ContactCompanyId=parent["Id"])
    assert child["PrimaryContactId"] == boss["Id"]
    assert child["ContactCompanyId"] == parent["Id"]


def test_the_body_must_be_json(yulsn: ApiSession) -> None:
    response = yulsn.post(
        "/api/v1/ContactCompanies", data="Name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    message(response, 415)


def test_dynamic_fields_of_companies_are_flat_and_typed(yulsn: ApiSession, account: Account) -> None:
    admin(account, "dynamic-fields", {"owner": "ContactCompanies", "name": "Industry", "type": 1})
    made = company(yulsn, Name="Dyn", industry="Retail")
    assert made["Industry"] == "Retail"
    assert company(yulsn, Name="Unset")["Industry"] is None, "dynamic fields not given are present as null"
    response = yulsn.post("/api/v1/ContactCompanies", json={"Name": "Bad", "Industry": 12})
    assert response.status_code == 400
    assert "Industry" in response.json()["ModelState"]


# -- look-ups -----------------------------------------------------------------------------
def test_by_number_answers_one_company_or_404(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Numbered", Number="DK555")
    company(yulsn, Name="Other", Number="DK556")
    assert ok(yulsn.get("/api/v1/ContactCompanies", params={"contactCompanyNumber": "DK555"})) == made
    message(yulsn.get("/api/v1/ContactCompanies", params={"contactCompanyNumber": "DK999"}), 404)


def test_query_names_are_read_without_regard_to_case(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Numbered", Number="DK557")
    assert ok(yulsn.get("/api/v1/contactcompanies", params={"ContactCompanyNumber": "DK557"})) == made


def test_by_primary_contact_email_answers_that_contacts_companies(yulsn: ApiSession) -> None:
    boss = contact(yulsn, "Chief@Example.dk")
    other = contact(yulsn, "other@example.dk")
    first = company(yulsn, Name="A", PrimaryContactId=boss["Id"])
    company(yulsn, Name="B", PrimaryContactId=other["Id"])
    third = company(yulsn, Name="C", PrimaryContactId=boss["Id"])
    company(yulsn, Name="D")
    found = ok(yulsn.get("/api/v1/ContactCompanies", params={"primaryContactEmail": "chief@example.DK"}))
    assert found == [first, third]
    assert ok(yulsn.get("/api/v1/ContactCompanies", params={"primaryContactEmail": "nobody@example.dk"})) == []


# -- PATCH --------------------------------------------------------------------------------
def test_patch_sets_only_the_fields_given(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Old", Number="P1", EmailDomains="old.example.dk", Logo="https://x.example/a.png")
    patched = ok(yulsn.patch("/api/v1/ContactCompanies", json={"Id": made["Id"], "Name": "New", "Logo": None}))
    assert patched["Name"] == "New"
    assert patched["Logo"] is None, "a field given as null is cleared"
    assert (patched["Number"], patched["EmailDomains"]) == ("P1", "old.example.dk"), "fields not given are kept"
    assert ok(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}")) == patched


def test_patch_accepts_camel_case(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Old", Number="P2")
    patched = ok(yulsn.patch("/api/v1/ContactCompanies", json={"id": made["Id"], "emailDomains": "new.example.dk"}))
    assert patched["EmailDomains"] == "new.example.dk"
    assert patched["Name"] == "Old"


def test_patch_of_an_unknown_company_is_404(yulsn: ApiSession) -> None:
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": 999, "Name": "X"}), 404)


def test_patch_needs_an_id_and_a_field(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Only", Number="P3")
    assert yulsn.patch("/api/v1/ContactCompanies", json={"Name": "No id"}).status_code == 400
    text = message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": made["Id"], "Unknown": 1}), 400)
    assert text == "There were no valid fields specified for patching!"
    assert ok(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}"))["Name"] == "Only"


def test_patch_to_a_number_another_company_has_is_409(yulsn: ApiSession) -> None:
    first = company(yulsn, Name="First", Number="Q1")
    second = company(yulsn, Name="Second", Number="Q2")
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": second["Id"], "Number": "Q1", "Name": "Renamed"}), 409)
    assert ok(yulsn.get(f"/api/v1/ContactCompanies/{second['Id']}")) == second, "nothing of a refused PATCH is written"
    kept = ok(yulsn.patch("/api/v1/ContactCompanies", json={"Id": first["Id"], "Number": "Q1"}))
    assert kept["Number"] == "Q1", "a company may keep its own number"


def test_patch_checks_the_primary_contact_and_the_parent(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Checked")
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": made["Id"], "PrimaryContactId": 321}), 400)
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": made["Id"], "ContactCompanyId": 654}), 400)
    boss = contact(yulsn, "p@example.dk")
    patched = ok(yulsn.patch("/api/v1/ContactCompanies", json={"Id": made["Id"], "PrimaryContactId": boss["Id"]}))
    assert patched["PrimaryContactId"] == boss["Id"]


def test_a_company_cannot_be_its_own_ancestor(yulsn: ApiSession) -> None:
    top = company(yulsn, Name="Top")
    middle = company(yulsn, Name="Middle", ContactCompanyId=top["Id"])
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": top["Id"], "ContactCompanyId": top["Id"]}), 400)
    message(yulsn.patch("/api/v1/ContactCompanies", json={"Id": top["Id"], "ContactCompanyId": middle["Id"]}), 400)
    assert ok(yulsn.get(f"/api/v1/ContactCompanies/{top['Id']}"))["ContactCompanyId"] is None


# -- contacts of a company ----------------------------------------------------------------
def test_a_company_without_contacts_answers_404_for_its_contacts(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Empty")
    message(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}/Contacts"), 404)
    message(yulsn.get("/api/v1/ContactCompanies/999/Contacts"), 404)


def test_add_contact_sets_its_company_and_bumps_its_version(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Team")
    person = contact(yulsn, "member@example.dk")
    contact(yulsn, "outsider@example.dk")
    response = yulsn.post(f"/api/v1/ContactCompanies/{made['Id']}/AddContact", json={"ContactId": person["Id"]})
    assert response.status_code == 200, response.text
    assert response.content == b""
    now = ok(yulsn.get(f"/api/v1/Contacts/{person['Id']}"))
    assert now["ContactCompanyId"] == made["Id"]
    assert now["Version"] != person["Version"]
    members = ok(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}/Contacts"))
    assert members == [now]


def test_add_contact_accepts_camel_case(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Team")
    person = contact(yulsn, "camel@example.dk")
    assert yulsn.post(f"/api/v1/ContactCompanies/{made['Id']}/addcontact", json={"contactId": person["Id"]}).status_code == 200
    assert ok(yulsn.get(f"/api/v1/Contacts/{person['Id']}"))["ContactCompanyId"] == made["Id"]


def test_add_contact_moves_a_contact_from_another_company(yulsn: ApiSession) -> None:
    first, second = company(yulsn, Name="First"), company(yulsn, Name="Second")
    person = contact(yulsn, "mover@example.dk", ContactCompanyId=first["Id"])
    assert person["ContactCompanyId"] == first["Id"]
    assert yulsn.post(f"/api/v1/ContactCompanies/{second['Id']}/AddContact", json={"ContactId": person["Id"]}).status_code == 200
    message(yulsn.get(f"/api/v1/ContactCompanies/{first['Id']}/Contacts"), 404)
    assert [c["Id"] for c in ok(yulsn.get(f"/api/v1/ContactCompanies/{second['Id']}/Contacts"))] == [person["Id"]]


def test_add_contact_with_an_unknown_contact_or_company_is_404(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Team")
    person = contact(yulsn, "x@example.dk")
    message(yulsn.post(f"/api/v1/ContactCompanies/{made['Id']}/AddContact", json={"ContactId": 999}), 404)
    message(yulsn.post("/api/v1/ContactCompanies/999/AddContact", json={"ContactId": person["Id"]}), 404)
    assert ok(yulsn.get(f"/api/v1/Contacts/{person['Id']}")) == person, "a refused association changes nothing"


def test_add_contact_needs_a_contact_id(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Team")
    assert yulsn.post(f"/api/v1/ContactCompanies/{made['Id']}/AddContact", json={}).status_code == 400


def test_remove_contact_clears_its_company(yulsn: ApiSession) -> None:
    made = company(yulsn, Name="Team")
    person = contact(yulsn, "leaver@example.dk", ContactCompanyId=made["Id"])
    response = yulsn.post(f"/api/v1/ContactCompanies/{made['Id']}/RemoveContact", json={"ContactId": person["Id"]})
    assert response.status_code == 200, response.text
    now = ok(yulsn.get(f"/api/v1/Contacts/{person['Id']}"))
    assert now["ContactCompanyId"] is None
    assert now["Version"] != person["Version"]
    message(yulsn.get(f"/api/v1/ContactCompanies/{made['Id']}/Contacts"), 404)


def test_remove_contact_refuses_unknown_or_unassociated_contacts(yulsn: ApiSession) -> None:
    first, second = company(yulsn, Name="First"), company(yulsn, Name="Second")
    person = contact(yulsn, "stay@example.dk", ContactCompanyId=first["Id"])
    message(yulsn.post(f"/api/v1/ContactCompanies/{first['Id']}/RemoveContact", json={"ContactId": 999}), 404)
    message(yulsn.post("/api/v1/ContactCompanies/999/RemoveContact", json={"ContactId": person["Id"]}), 404)
    message(yulsn.post(f"/api/v1/ContactCompanies/{second['Id']}/RemoveContact", json={"ContactId": person["Id"]}), 400)
    assert ok(yulsn.get(f"/api/v1/Contacts/{person['Id']}")) == person


# -- the demo account ---------------------------------------------------------------------
def test_the_demo_account_has_six_companies_some_below_a_parent(yulsn_demo: ApiSession) -> None:
    companies = ok(yulsn_demo.get("/api/v1/ContactCompanies"))
    assert len(companies) == 6
    ids = {c["Id"] for c in companies}
    parents = [c["ContactCompanyId"] for c in companies if c["ContactCompanyId"] is not None]
    assert parents, "some demo companies have a parent"
    assert set(parents) <= ids
    assert all(c["PrimaryContactId"] is None for c in companies)
    assert len({c["Number"] for c in companies}) == 6


def test_the_demo_contacts_of_a_company_are_those_that_name_it(yulsn_demo: ApiSession) -> None:
    everyone = [ok(yulsn_demo.get(f"/api/v1/Contacts/{i}")) for i in ok(yulsn_demo.get("/api/v1/Contacts"))]
    for made in ok(yulsn_demo.get("/api/v1/ContactCompanies")):
        expected = [c for c in everyone if c["ContactCompanyId"] == made["Id"]]
        response = yulsn_demo.get(f"/api/v1/ContactCompanies/{made['Id']}/Contacts")
        if expected:
            assert ok(response) == expected
        else:
            message(response, 404)
