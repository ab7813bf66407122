"""Systeme.io contacts over HTTP: create, read, merge-patch, delete, list filters, tags on contacts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.systeme.helpers import create_contact
from tests.support import SYSTEME_DEFAULT_SLUGS, trigger_response

CONTACT_KEYS = {
    "id",
    "email",
    "registeredAt",
    "locale",
    "sourceURL",
    "unsubscribed",
    "bounced",
    "needsConfirmation",
    "fields",
    "tags",
}
PROBLEM_KEYS = {"type", "title", "detail"}


def create_tag(client: ApiSession, name: str) -> int:
    response = client.post("/api/tags", json={"name": name})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def values(contact: dict[str, Any]) -> dict[str, Any]:
    """A contact's field values by slug."""
    return {field["slug"]: field["value"] for field in contact["fields"]}


def tag_ids(contact: dict[str, Any]) -> list[int]:
    return [tag["id"] for tag in contact["tags"]]


def assert_violation(response: requests.Response, path: str, message: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "detail", "violations"} <= set(body)
    assert {"propertyPath": path, "message": message} in [
        {"propertyPath": v["propertyPath"], "message": v["message"]} for v in body["violations"]
    ]
    assert f"{path}: {message}" in body["detail"]


def assert_not_found(response: requests.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert set(response.json()) >= PROBLEM_KEYS


def listed_ids(client: ApiSession, **params: Any) -> list[int]:
    response = client.get("/api/contacts", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["hasMore"] is False
    return [item["id"] for item in body["items"]]


# -- create ----------------------------------------------------------------------------
def test_create_returns_201_with_the_full_contact_shape(systeme: ApiSession, account: Account) -> None:
    response = systeme.post("/api/contacts", json={"email": "ann.shape@gmail.com"})

    assert response.status_code == 201
    contact = response.json()
    assert set(contact) == CONTACT_KEYS
    assert isinstance(contact["id"], int) and contact["id"] >= 1
    assert contact["email"] == "ann.shape@gmail.com"
    assert contact["locale"] == "en"
    assert contact["sourceURL"] is None
    assert contact["unsubscribed"] is False
    assert contact["bounced"] is False
    assert contact["needsConfirmation"] is False
    assert contact["tags"] == []
    registered = datetime.fromisoformat(contact["registeredAt"])
    assert registered.utcoffset() is not None
    assert abs(registered - account.now()) < timedelta(seconds=5)


def test_a_new_contact_lists_the_nine_default_fields_with_null_values(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "nine.fields@gmail.com")
    account_fields = systeme.get("/api/contact_fields").json()["items"]

    assert [field["slug"] for field in contact["fields"]] == SYSTEME_DEFAULT_SLUGS
    assert contact["fields"] == [{"fieldName": f["fieldName"], "slug": f["slug"], "value": None} for f in account_fields]


def test_create_sets_fields_given_by_slug(systeme: ApiSession) -> None:
    contact = create_contact(
        systeme,
        "by.slug@gmail.com",
        fields=[{"slug": "city", "value": "Lyon"}, {"slug": "country", "value": "FR"}, {"slug": "phone_number", "value": None}],
    )

    assert values(contact) == {slug: None for slug in SYSTEME_DEFAULT_SLUGS} | {"city": "Lyon", "country": "FR"}


def test_create_accepts_the_first_and_last_name_aliases(systeme: ApiSession) -> None:
    """The gateway reference's example sends firstName/lastName; they are the first_name and surname fields."""
    contact = create_contact(systeme, "aliases@gmail.com", firstName="Ada", lastName="Lovelace")

    assert values(contact)["first_name"] == "Ada"
    assert values(contact)["surname"] == "Lovelace"


def test_create_keeps_a_given_locale(systeme: ApiSession) -> None:
    assert create_contact(systeme, "locale.fr@gmail.com", locale="fr")["locale"] == "fr"


def test_create_assigns_tags_given_at_creation(systeme: ApiSession) -> None:
    lead, vip = create_tag(systeme, "Lead"), create_tag(systeme, "VIP")

    contact = create_contact(systeme, "tagged@gmail.com", tags=[{"id": lead}, {"id": vip}])

    assert contact["tags"] == [{"id": lead, "name": "Lead"}, {"id": vip, "name": "VIP"}]
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["tags"] == contact["tags"]


def test_create_with_an_unknown_tag_is_refused_and_stores_nothing(systeme: ApiSession) -> None:
    response = systeme.post("/api/contacts", json={"email": "ghost.tag@gmail.com", "tags": [{"id": 999}]})

    assert response.status_code == 422
    assert any("999" in v["message"] for v in response.json()["violations"])
    assert listed_ids(systeme) == []


def test_get_returns_the_contact_as_created(systeme: ApiSession) -> None:
    created = create_contact(systeme, "get.me@gmail.com", firstName="Get")

    response = systeme.get(f"/api/contacts/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_get_an_unknown_contact_is_404(systeme: ApiSession) -> None:
    assert_not_found(systeme.get("/api/contacts/424242"))


def test_contacts_of_one_account_are_invisible_to_another(systeme: ApiSession, mockserver: Emulator) -> None:
    created = create_contact(systeme, "private@gmail.com")
    other = mockserver.account("systeme").session()

    assert_not_found(other.get(f"/api/contacts/{created['id']}"))


# -- create: validation ----------------------------------------------------------------
def test_duplicate_email_is_422_on_email(systeme: ApiSession) -> None:
    create_contact(systeme, "twice@gmail.com")

    assert_violation(systeme.post("/api/contacts", json={"email": "twice@gmail.com"}), "email", "This value is already used.")


def test_duplicate_email_is_detected_ignoring_case(systeme: ApiSession) -> None:
    create_contact(systeme, "Mixed.Case@Gmail.com")

    response = systeme.post("/api/contacts", json={"email": "mixed.case@GMAIL.COM"})

    assert_violation(response, "email", "This value is already used.")
    assert len(listed_ids(systeme)) == 1


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "two@@signs.example.com",
        "someone@localhost",
        "someone@nodot",
        "someone@example.test",
        "someone@mail.invalid",
        "someone@nomx.example.org",
        "someone@mail.nomxhost.com",
    ],
    ids=["no-at", "two-ats", "localhost", "no-dot-domain", "test-tld", "invalid-tld", "nomx-label", "nomx-inner-label"],
)
def test_an_undeliverable_email_is_422(systeme: ApiSession, email: str) -> None:
    response = systeme.post("/api/contacts", json={"email": email})

    assert_violation(response, "email", "This value is not a valid email address.")
    assert listed_ids(systeme) == []


@pytest.mark.parametrize("email", ["someone@mail.example.org", "someone@denomx.example.org"])
def test_an_ordinary_dotted_domain_is_accepted(systeme: ApiSession, email: str) -> None:
    """The counterpart of the MX rule: only a label that *starts* with `nomx` is refused."""
    assert create_contact(systeme, email)["email"] == email


def test_unknown_field_slug_is_422(systeme: ApiSession) -> None:
    response = systeme.post(
        "/api/contacts", json={"email": "unknown.slug@gmail.com", "fields": [{"slug": "shoe_size", "value": "44"}]}
    )

    assert response.status_code == 422
    violations = response.json()["violations"]
    assert [v["propertyPath"] for v in violations] == ["fields[0].slug"]
    assert "shoe_size" in violations[0]["message"]
    assert listed_ids(systeme) == []


def test_invalid_country_is_422(systeme: ApiSession) -> None:
    response = systeme.post(
        "/api/contacts", json={"email": "bad.country@gmail.com", "fields": [{"slug": "country", "value": "Atlantis"}]}
    )

    assert response.status_code == 422
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["fields[0].value"]
    assert listed_ids(systeme) == []


# -- update ----------------------------------------------------------------------------
def test_merge_patch_sets_fields_and_keeps_the_ones_left_out(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "patch.me@gmail.com", firstName="Pat", fields=[{"slug": "city", "value": "Nice"}])

    response = systeme.merge_patch(
        f"/api/contacts/{contact['id']}",
        {"fields": [{"slug": "company_name", "value": "Acme"}, {"slug": "city", "value": "Nantes"}]},
    )

    assert response.status_code == 200
    expected = {slug: None for slug in SYSTEME_DEFAULT_SLUGS} | {"first_name": "Pat", "city": "Nantes", "company_name": "Acme"}
    assert values(response.json()) == expected
    assert values(systeme.get(f"/api/contacts/{contact['id']}").json()) == expected


def test_merge_patch_with_a_null_value_clears_the_field(systeme: ApiSession) -> None:
    contact = create_contact(
        systeme, "clear.me@gmail.com", fields=[{"slug": "city", "value": "Nice"}, {"slug": "state", "value": "PACA"}]
    )

    response = systeme.merge_patch(f"/api/contacts/{contact['id']}", {"fields": [{"slug": "city", "value": None}]})

    assert response.status_code == 200
    assert values(response.json())["city"] is None
    assert values(response.json())["state"] == "PACA"


def test_merge_patch_first_name_null_clears_the_first_name(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "no.name@gmail.com", firstName="Nora", lastName="Keep")

    response = systeme.merge_patch(f"/api/contacts/{contact['id']}", {"firstName": None})

    assert response.status_code == 200
    assert values(response.json())["first_name"] is None
    assert values(response.json())["surname"] == "Keep"


def test_merge_patch_aliases_set_the_name_fields(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "rename@gmail.com")

    response = systeme.merge_patch(f"/api/contacts/{contact['id']}", {"firstName": "Rita", "lastName": "Levi"})

    assert response.status_code == 200
    assert values(response.json())["first_name"] == "Rita"
    assert values(response.json())["surname"] == "Levi"


def test_merge_patch_changes_the_locale_only(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "locale.change@gmail.com", firstName="Lou")

    response = systeme.merge_patch(f"/api/contacts/{contact['id']}", {"locale": "de"})

    assert response.status_code == 200
    assert response.json()["locale"] == "de"
    assert values(response.json()) == values(contact)
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["locale"] == "de"


def test_merge_patch_cannot_change_the_email(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "fixed.address@gmail.com")

    response = systeme.merge_patch(f"/api/contacts/{contact['id']}", {"email": "moved.address@gmail.com"})

    assert response.status_code == 200
    assert response.json()["email"] == "fixed.address@gmail.com"
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["email"] == "fixed.address@gmail.com"
    assert listed_ids(systeme, email="moved.address@gmail.com") == []


def test_merge_patch_with_an_unknown_slug_is_422_and_changes_nothing(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "patch.unknown@gmail.com", fields=[{"slug": "city", "value": "Nice"}])

    response = systeme.merge_patch(
        f"/api/contacts/{contact['id']}", {"fields": [{"slug": "city", "value": "Metz"}, {"slug": "nope", "value": "x"}]}
    )

    assert response.status_code == 422
    assert values(systeme.get(f"/api/contacts/{contact['id']}").json())["city"] == "Nice"


def test_patch_with_plain_json_is_415_with_a_problem_body(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "plain.json@gmail.com")

    response = systeme.patch(f"/api/contacts/{contact['id']}", json={"locale": "fr"})

    assert response.status_code == 415
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert "application/merge-patch+json" in body["detail"]
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["locale"] == "en"


def test_merge_patch_of_an_unknown_contact_is_404(systeme: ApiSession) -> None:
    assert_not_found(systeme.merge_patch("/api/contacts/424242", {"locale": "fr"}))


# -- delete ----------------------------------------------------------------------------
def test_delete_is_204_with_an_empty_body(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "delete.me@gmail.com")

    response = systeme.delete(f"/api/contacts/{contact['id']}")

    assert response.status_code == 204
    assert len(response.content) == 0


def test_a_deleted_contact_is_gone_for_get_patch_and_delete(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "gone@gmail.com")
    assert systeme.delete(f"/api/contacts/{contact['id']}").status_code == 204

    assert_not_found(systeme.get(f"/api/contacts/{contact['id']}"))
    assert_not_found(systeme.merge_patch(f"/api/contacts/{contact['id']}", {"locale": "fr"}))
    assert_not_found(systeme.delete(f"/api/contacts/{contact['id']}"))
    assert listed_ids(systeme) == []


def test_a_deleted_contacts_email_can_be_used_again(systeme: ApiSession) -> None:
    first = create_contact(systeme, "again@gmail.com")
    systeme.delete(f"/api/contacts/{first['id']}")

    second = create_contact(systeme, "again@gmail.com")

    assert second["id"] != first["id"]


def test_deleting_a_contact_removes_its_enrollments_and_memberships(systeme: ApiSession, account: Account) -> None:
    course = trigger_response(account, "courses", name="Cleanup course", modules=["One"])
    community = trigger_response(account, "communities", name="Cleanup club")
    assert course.status_code == 201 and community.status_code == 201
    leaving = create_contact(systeme, "leaving@gmail.com")
    staying = create_contact(systeme, "staying@gmail.com")
    for contact in (leaving, staying):
        enrolled = systeme.post(f"/api/school/courses/{course.json()['id']}/enrollments", json={"contactId": contact["id"]})
        joined = systeme.post(
            f"/api/community/communities/{community.json()['id']}/memberships", json={"contactId": contact["id"]}
        )
        assert enrolled.status_code == 201 and joined.status_code == 202

    assert systeme.delete(f"/api/contacts/{leaving['id']}").status_code == 204

    enrollments = systeme.get("/api/school/enrollments", params={"limit": 100}).json()["items"]
    memberships = systeme.get("/api/community/memberships", params={"limit": 100}).json()["items"]
    assert [e["contact"]["id"] for e in enrollments] == [staying["id"]]
    assert [m["contact"]["id"] for m in memberships] == [staying["id"]]


# -- list filters ----------------------------------------------------------------------
def test_list_filters_by_email_ignoring_case(systeme: ApiSession) -> None:
    wanted = create_contact(systeme, "Find.Me@gmail.com")
    create_contact(systeme, "someone.else@gmail.com")

    assert listed_ids(systeme, email="find.me@GMAIL.com") == [wanted["id"]]
    assert listed_ids(systeme, email="find.me@gmail") == []


def test_list_filter_by_tags_keeps_contacts_carrying_all_of_them(systeme: ApiSession) -> None:
    lead, vip = create_tag(systeme, "Lead"), create_tag(systeme, "VIP")
    both = create_contact(systeme, "both@gmail.com", tags=[{"id": lead}, {"id": vip}])
    only_lead = create_contact(systeme, "lead@gmail.com", tags=[{"id": lead}])
    create_contact(systeme, "none@gmail.com")

    assert sorted(listed_ids(systeme, tags=f"{lead}")) == sorted([both["id"], only_lead["id"]])
    assert listed_ids(systeme, tags=f"{lead},{vip}") == [both["id"]]
    assert listed_ids(systeme, tags=f"{vip}") == [both["id"]]


def test_list_filters_by_registration_date(systeme_demo: ApiSession) -> None:
    """On the demo account contacts are registered days apart; cut between two of them."""
    contacts = systeme_demo.get("/api/contacts", params={"limit": 100, "order": "asc"}).json()["items"]
    assert len(contacts) > 10
    middle = len(contacts) // 2
    earlier = datetime.fromisoformat(contacts[middle - 1]["registeredAt"])
    later = datetime.fromisoformat(contacts[middle]["registeredAt"])
    assert later - earlier > timedelta(seconds=2)
    cut = (earlier + (later - earlier) / 2).isoformat()
    before_ids = {c["id"] for c in contacts[:middle]}
    after_ids = {c["id"] for c in contacts[middle:]}

    assert set(listed_ids(systeme_demo, registeredAfter=cut)) == after_ids
    assert set(listed_ids(systeme_demo, registeredBefore=cut)) == before_ids
    window_end = datetime.fromisoformat(contacts[middle + 1]["registeredAt"]) + timedelta(seconds=1)
    assert listed_ids(systeme_demo, registeredAfter=cut, registeredBefore=window_end.isoformat(), order="asc") == [
        contacts[middle]["id"],
        contacts[middle + 1]["id"],
    ]


@pytest.mark.parametrize("flag", ["unsubscribed", "bounced", "needsConfirmation"])
def test_list_filters_by_status_flags(systeme_demo: ApiSession, flag: str) -> None:
    """The API cannot set these flags, so the demo account (which has both kinds) is used."""
    contacts = systeme_demo.get("/api/contacts", params={"limit": 100}).json()["items"]
    flagged = {c["id"] for c in contacts if c[flag]}
    unflagged = {c["id"] for c in contacts if not c[flag]}
    assert flagged and unflagged

    assert set(listed_ids(systeme_demo, **{flag: "true"})) == flagged
    assert set(listed_ids(systeme_demo, **{flag: "false"})) == unflagged


def test_list_filters_combine_with_and(systeme: ApiSession) -> None:
    lead = create_tag(systeme, "Lead")
    tagged = create_contact(systeme, "combo@gmail.com", tags=[{"id": lead}])
    create_contact(systeme, "combo.other@gmail.com", tags=[{"id": lead}])

    assert listed_ids(systeme, email="combo@gmail.com", tags=str(lead), unsubscribed="false") == [tagged["id"]]
    assert listed_ids(systeme, email="combo@gmail.com", unsubscribed="true") == []


def test_list_pages_newest_first_with_starting_after(systeme: ApiSession) -> None:
    created = [create_contact(systeme, f"page{n:02}@gmail.com")["id"] for n in range(12)]

    first = systeme.get("/api/contacts").json()
    second = systeme.get("/api/contacts", params={"startingAfter": first["items"][-1]["id"]}).json()

    assert len(first["items"]) == 10 and first["hasMore"] is True
    assert second["hasMore"] is False
    assert [c["id"] for c in first["items"] + second["items"]] == list(reversed(created))


@pytest.mark.parametrize("limit", [9, 101])
def test_list_limit_out_of_range_is_422_on_pagination_limit(systeme: ApiSession, limit: int) -> None:
    response = systeme.get("/api/contacts", params={"limit": limit})

    assert response.status_code == 422
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["pagination.limit"]


# -- tags on contacts ------------------------------------------------------------------
def test_assign_tag_is_204_and_the_tag_appears_on_the_contact(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "assign@gmail.com")
    tag = create_tag(systeme, "Customer")

    response = systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag})

    assert response.status_code == 204
    assert len(response.content) == 0
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["tags"] == [{"id": tag, "name": "Customer"}]


def test_assigning_a_tag_twice_is_idempotent(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "twice.tagged@gmail.com")
    tag = create_tag(systeme, "Customer")

    first = systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag})
    second = systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag})

    assert (first.status_code, second.status_code) == (204, 204)
    assert tag_ids(systeme.get(f"/api/contacts/{contact['id']}").json()) == [tag]


def test_assign_an_unknown_tag_is_422_tag_not_found(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "no.such.tag@gmail.com")

    response = systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": 9})

    assert_violation(response, "tagId", "Tag with ID 9 not found.")
    assert response.json()["detail"] == "tagId: Tag with ID 9 not found."
    assert systeme.get(f"/api/contacts/{contact['id']}").json()["tags"] == []


def test_assign_a_tag_to_an_unknown_contact_is_404(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Orphan")

    assert_not_found(systeme.post("/api/contacts/424242/tags", json={"tagId": tag}))


def test_remove_tag_is_204_and_the_tag_leaves_the_contact(systeme: ApiSession) -> None:
    keep, drop = create_tag(systeme, "Keep"), create_tag(systeme, "Drop")
    contact = create_contact(systeme, "untag@gmail.com", tags=[{"id": keep}, {"id": drop}])

    response = systeme.delete(f"/api/contacts/{contact['id']}/tags/{drop}")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert tag_ids(systeme.get(f"/api/contacts/{contact['id']}").json()) == [keep]
    assert systeme.get(f"/api/tags/{drop}").status_code == 200


def test_removing_a_tag_the_contact_lacks_is_404(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "lacks.tag@gmail.com")
    tag = create_tag(systeme, "Never given")

    assert_not_found(systeme.delete(f"/api/contacts/{contact['id']}/tags/{tag}"))


def test_removing_a_tag_twice_is_404_the_second_time(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Once")
    contact = create_contact(systeme, "untag.twice@gmail.com", tags=[{"id": tag}])

    assert systeme.delete(f"/api/contacts/{contact['id']}/tags/{tag}").status_code == 204
    assert_not_found(systeme.delete(f"/api/contacts/{contact['id']}/tags/{tag}"))


def test_removing_an_unknown_tag_or_from_an_unknown_contact_is_404(systeme: ApiSession) -> None:
    contact = create_contact(systeme, "unknowns@gmail.com")
    tag = create_tag(systeme, "Real")

    assert_not_found(systeme.delete(f"/api/contacts/{contact['id']}/tags/999"))
    assert_not_found(systeme.delete(f"/api/contacts/424242/tags/{tag}"))
