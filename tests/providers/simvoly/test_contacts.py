"""Simvoly contacts over HTTP: the upsert by e-mail, properties, tags, subscriber lists,
search, get, PUT (non-empty fields only), delete and the created-at filters."""

from __future__ import annotations

from typing import Any

from mockserver.testing import Account, ApiSession
from tests.providers.simvoly.helpers import refused
from tests.support import ok

CONTACT_KEYS = {
    "id",
    "name",
    "email",
    "phone",
    "note",
    "address",
    "city",
    "state",
    "zip",
    "country",
    "companyName",
    "createdOn",
    "properties",
    "tags",
    "memberId",
    "subscribed",
    "subscriberLists",
}


def advance(account: Account, seconds: int) -> None:
    account.advance_clock(seconds)


def create(client: ApiSession, email: str, status: int = 201, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post("/api/site/contacts", json={"email": email, **fields}), status))


def get(client: ApiSession, contact_id: int) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/site/contacts/{contact_id}")))


def new_list(client: ApiSession, name: str) -> int:
    return int(ok(client.post("/api/site/subscriber-lists", json={"name": name}), 201)["id"])


def properties(contact: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["value"] for p in contact["properties"]}


# -- create ----------------------------------------------------------------------------
def test_create_answers_201_with_the_full_contact_shape(simvoly: ApiSession, clock: int) -> None:
    response = simvoly.post(
        "/api/site/contacts",
        json={"email": "john@doe.com", "name": "John Doe", "phone": "+1 555 0100", "city": "Boston", "companyName": "Doe Inc"},
    )

    contact = ok(response, 201)
    assert set(contact) == CONTACT_KEYS
    assert isinstance(contact["id"], int)
    assert contact["id"] >= 1
    assert contact["email"] == "john@doe.com"
    assert contact["name"] == "John Doe"
    assert contact["phone"] == "+1 555 0100"
    assert contact["city"] == "Boston"
    assert contact["companyName"] == "Doe Inc"
    for unset in ("note", "address", "state", "zip", "country"):
        assert contact[unset] is None, unset
    assert contact["properties"] == []
    assert contact["tags"] == []
    assert contact["memberId"] is None
    assert contact["subscribed"] is False
    assert contact["subscriberLists"] == []


def test_created_on_is_the_emulators_clock_in_unix_seconds(simvoly: ApiSession, clock: int, account: Account) -> None:
    first = create(simvoly, "first@example.com")
    advance(account, 125)
    second = create(simvoly, "second@example.com")

    assert first["createdOn"] == clock
    assert second["createdOn"] == clock + 125


def test_created_contact_is_readable_by_id(simvoly: ApiSession) -> None:
    contact = create(simvoly, "reader@example.com", name="Rea Der", note="met at the fair")

    assert get(simvoly, contact["id"]) == contact


def test_create_with_an_existing_email_in_another_case_updates_and_answers_200(simvoly: ApiSession) -> None:
    original = create(simvoly, "Ann.Lee@Example.com", name="Ann Lee", city="Oslo", country="NO")

    updated = create(simvoly, "ann.lee@EXAMPLE.COM", status=200, phone="+47 123", city="Bergen")

    assert updated["id"] == original["id"]
    assert updated["createdOn"] == original["createdOn"]
    assert updated["phone"] == "+47 123"
    assert updated["city"] == "Bergen"
    # Fields not supplied are kept, the address too.
    assert updated["name"] == "Ann Lee"
    assert updated["country"] == "NO"
    assert updated["email"].casefold() == "ann.lee@example.com"
    assert get(simvoly, original["id"]) == updated
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 1


def test_upsert_merges_properties_by_name(simvoly: ApiSession) -> None:
    create(simvoly, "props@example.com", properties=[{"name": "plan", "value": "free"}, {"name": "source", "value": "ads"}])

    updated = create(
        simvoly, "props@example.com", status=200, properties=[{"name": "plan", "value": "pro"}, {"name": "seats", "value": "5"}]
    )

    assert properties(updated) == {"plan": "pro", "source": "ads", "seats": "5"}
    assert len(updated["properties"]) == 3


def test_upsert_without_properties_keeps_them(simvoly: ApiSession) -> None:
    create(simvoly, "keep@example.com", properties=[{"name": "plan", "value": "free"}])

    updated = create(simvoly, "keep@example.com", status=200, name="Kee P")

    assert properties(updated) == {"plan": "free"}
    assert updated["name"] == "Kee P"


def test_tags_are_stored_replaced_when_supplied_and_kept_otherwise(simvoly: ApiSession) -> None:
    created = create(simvoly, "tags@example.com", tags=["lead", "webinar"])
    assert sorted(created["tags"]) == ["lead", "webinar"]

    kept = create(simvoly, "tags@example.com", status=200, name="Tag Ged")
    assert sorted(kept["tags"]) == ["lead", "webinar"]

    replaced = create(simvoly, "tags@example.com", status=200, tags=["customer"])
    assert replaced["tags"] == ["customer"]


def test_subscribed_and_subscriber_lists_are_stored(simvoly: ApiSession) -> None:
    newsletter, customers = new_list(simvoly, "Newsletter"), new_list(simvoly, "Customers")

    contact = create(simvoly, "sub@example.com", subscribed=True, subscriberLists=[newsletter, customers])

    assert contact["subscribed"] is True
    assert sorted(contact["subscriberLists"]) == sorted([newsletter, customers])
    assert get(simvoly, contact["id"])["subscriberLists"] == contact["subscriberLists"]


def test_an_unknown_subscriber_list_is_refused_with_400_and_nothing_is_created(simvoly: ApiSession) -> None:
    known = new_list(simvoly, "Newsletter")

    refused(simvoly.post("/api/site/contacts", json={"email": "nolist@example.com", "subscriberLists": [known, known + 1000]}))

    assert refused(simvoly.get("/api/site/contacts/search-by-email", params={"email": "nolist@example.com"}), 404)


# -- search and get --------------------------------------------------------------------
def test_search_by_email_finds_the_contact_ignoring_case(simvoly: ApiSession) -> None:
    create(simvoly, "other@example.com")
    contact = create(simvoly, "Found.Me@example.com", name="Found Me")

    found = ok(simvoly.get("/api/site/contacts/search-by-email", params={"email": "found.me@EXAMPLE.com"}))

    assert found == contact


def test_search_by_email_answers_404_for_an_unknown_address(simvoly: ApiSession) -> None:
    create(simvoly, "someone@example.com")

    refused(simvoly.get("/api/site/contacts/search-by-email", params={"email": "nobody@example.com"}), 404)


def test_get_an_unknown_contact_answers_404(simvoly: ApiSession) -> None:
    contact = create(simvoly, "only@example.com")

    refused(simvoly.get(f"/api/site/contacts/{contact['id'] + 1}"), 404)


# -- update ----------------------------------------------------------------------------
def test_put_sets_only_non_empty_fields(simvoly: ApiSession) -> None:
    contact = create(simvoly, "put@example.com", name="Pat Put", phone="+1 555", city="Austin", tags=["lead"])

    response = simvoly.put(
        f"/api/site/contacts/{contact['id']}",
        json={"email": "put@example.com", "name": "", "phone": None, "city": "Dallas", "zip": "75201"},
    )

    updated = ok(response)
    assert updated["id"] == contact["id"]
    assert updated["name"] == "Pat Put"
    assert updated["phone"] == "+1 555"
    assert updated["city"] == "Dallas"
    assert updated["zip"] == "75201"
    assert updated["tags"] == ["lead"]
    assert updated["createdOn"] == contact["createdOn"]
    assert get(simvoly, contact["id"]) == updated


def test_put_merges_properties_by_name(simvoly: ApiSession) -> None:
    contact = create(simvoly, "putprops@example.com", properties=[{"name": "a", "value": "1"}, {"name": "b", "value": "2"}])

    updated = ok(
        simvoly.put(
            f"/api/site/contacts/{contact['id']}",
            json={"email": "putprops@example.com", "properties": [{"name": "b", "value": "3"}]},
        )
    )

    assert properties(updated) == {"a": "1", "b": "3"}


def test_put_can_change_the_email_address(simvoly: ApiSession) -> None:
    contact = create(simvoly, "old.address@example.com")

    updated = ok(simvoly.put(f"/api/site/contacts/{contact['id']}", json={"email": "new.address@example.com"}))

    assert updated["email"] == "new.address@example.com"
    assert (
        ok(simvoly.get("/api/site/contacts/search-by-email", params={"email": "new.address@example.com"}))["id"] == contact["id"]
    )
    refused(simvoly.get("/api/site/contacts/search-by-email", params={"email": "old.address@example.com"}), 404)


def test_put_with_the_email_of_another_contact_answers_400_and_changes_nothing(simvoly: ApiSession) -> None:
    create(simvoly, "taken@example.com")
    contact = create(simvoly, "mine@example.com", name="Mine")

    refused(simvoly.put(f"/api/site/contacts/{contact['id']}", json={"email": "TAKEN@example.com", "name": "Changed"}))

    assert get(simvoly, contact["id"]) == contact


def test_put_on_an_unknown_contact_answers_404(simvoly: ApiSession) -> None:
    refused(simvoly.put("/api/site/contacts/4242", json={"email": "ghost@example.com"}), 404)


def test_put_with_an_unknown_subscriber_list_answers_400(simvoly: ApiSession) -> None:
    contact = create(simvoly, "putlist@example.com")

    refused(simvoly.put(f"/api/site/contacts/{contact['id']}", json={"email": "putlist@example.com", "subscriberLists": [77]}))

    assert get(simvoly, contact["id"])["subscriberLists"] == []


# -- delete ----------------------------------------------------------------------------
def test_delete_answers_success_then_the_contact_is_gone(simvoly: ApiSession) -> None:
    keep = create(simvoly, "keep.me@example.com")
    contact = create(simvoly, "delete.me@example.com")

    response = simvoly.delete(f"/api/site/contacts/{contact['id']}")

    assert ok(response) == {"success": True}
    refused(simvoly.get(f"/api/site/contacts/{contact['id']}"), 404)
    refused(simvoly.delete(f"/api/site/contacts/{contact['id']}"), 404)
    refused(simvoly.get("/api/site/contacts/search-by-email", params={"email": "delete.me@example.com"}), 404)
    page = ok(simvoly.get("/api/site/contacts"))
    assert [c["id"] for c in page["items"]] == [keep["id"]]


def test_a_deleted_contacts_email_can_be_used_again_for_a_new_contact(simvoly: ApiSession) -> None:
    contact = create(simvoly, "again@example.com")
    ok(simvoly.delete(f"/api/site/contacts/{contact['id']}"))

    recreated = create(simvoly, "again@example.com")

    assert recreated["id"] != contact["id"]


# -- list ------------------------------------------------------------------------------
def test_list_is_an_offset_page_in_creation_order(simvoly: ApiSession) -> None:
    made = [create(simvoly, f"list{n}@example.com")["id"] for n in range(3)]

    page = ok(simvoly.get("/api/site/contacts"))

    assert page["totalCount"] == 3
    assert page["limit"] == 30
    assert page["skip"] == 0
    assert [c["id"] for c in page["items"]] == made
    assert all(set(c) == CONTACT_KEYS for c in page["items"])


def test_list_created_at_bounds_are_inclusive(simvoly: ApiSession, clock: int, account: Account) -> None:
    made = []
    for n in range(4):
        made.append(create(simvoly, f"dated{n}@example.com")["id"])
        advance(account, 100)
    # createdOn: clock, clock+100, clock+200, clock+300

    def ids(**params: int) -> list[int]:
        page = ok(simvoly.get("/api/site/contacts", params=params))
        assert page["totalCount"] == len(page["items"])
        return [c["id"] for c in page["items"]]

    assert ids(created_at_min=clock + 100) == made[1:]
    assert ids(created_at_max=clock + 200) == made[:3]
    assert ids(created_at_min=clock + 100, created_at_max=clock + 200) == made[1:3]
    assert ids(created_at_min=clock + 200, created_at_max=clock + 200) == [made[2]]
    assert ids(created_at_min=clock + 101, created_at_max=clock + 199) == []
    assert ids(created_at_min=clock + 301) == []
