"""ClickFunnels contacts over HTTP: create, read, update (PUT and PATCH), upsert, delete, list filters."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_not_found,
    create_contact,
    create_tag,
)
from tests.support import ok, trigger_response

CONTACT_KEYS = {
    "id",
    "public_id",
    "workspace_id",
    "anonymous",
    "email_address",
    "first_name",
    "last_name",
    "phone_number",
    "time_zone",
    "uuid",
    "unsubscribed_at",
    "last_notification_email_sent_at",
    "fb_url",
    "twitter_url",
    "instagram_url",
    "linkedin_url",
    "website_url",
    "custom_attributes",
    "tags",
    "created_at",
    "updated_at",
}


def upsert(client: ApiSession, workspace_id: int, **attributes: Any) -> requests.Response:
    return client.post(f"/api/v2/workspaces/{workspace_id}/contacts/upsert", json={"contact": attributes})


def get_contact(client: ApiSession, ref: int | str) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/v2/contacts/{ref}")))


def carried_tag_ids(contact: dict[str, Any]) -> list[int]:
    return [tag["id"] for tag in contact["tags"]]


def listed_ids(client: ApiSession, workspace_id: int, **params: Any) -> list[int]:
    return [c["id"] for c in ok(client.get(f"/api/v2/workspaces/{workspace_id}/contacts", params=params))]


def assert_invalid(response: requests.Response, attribute: str, message: str) -> None:
    """Rails' 422: the full messages in `error`, the messages by attribute in `errors`."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert message in body["errors"][attribute]
    human = attribute.replace("_", " ")
    assert f"{human[:1].upper()}{human[1:]} {message}" in body["error"]


def add_workspace(account: Account, name: str) -> int:
    response = trigger_response(account, "workspaces", name=name)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


# -- create ----------------------------------------------------------------------------
def test_create_returns_201_with_the_full_contact_shape(clickfunnels: ApiSession, workspace_id: int) -> None:
    attributes = {
        "email_address": "ada.lovelace@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone_number": "+44 20 7946 0000",
        "time_zone": "London",
        "fb_url": "https://facebook.com/ada",
        "twitter_url": "https://twitter.com/ada",
        "instagram_url": "https://instagram.com/ada",
        "linkedin_url": "https://linkedin.com/in/ada",
        "website_url": "https://ada.example.com",
    }

    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": attributes})

    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    contact = response.json()
    assert set(contact) == CONTACT_KEYS
    assert {name: contact[name] for name in attributes} == attributes
    assert isinstance(contact["id"], int) and contact["id"] >= 1
    assert PUBLIC_ID.match(contact["public_id"])
    assert contact["workspace_id"] == workspace_id
    assert str(uuid.UUID(contact["uuid"])) == contact["uuid"]
    assert contact["anonymous"] is None
    assert contact["unsubscribed_at"] is None
    assert contact["last_notification_email_sent_at"] is None
    assert contact["custom_attributes"] == {}
    assert contact["tags"] == []
    assert TIMESTAMP.match(contact["created_at"])
    assert contact["updated_at"] == contact["created_at"]


def test_attributes_not_given_are_null(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="only.email@example.com")

    for name in ("first_name", "last_name", "phone_number", "time_zone", "fb_url", "website_url"):
        assert contact[name] is None


def test_each_contact_gets_its_own_ids(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_contact(clickfunnels, workspace_id, email_address="first@example.com")
    second = create_contact(clickfunnels, workspace_id, email_address="second@example.com")

    assert second["id"] > first["id"]
    assert second["public_id"] != first["public_id"]
    assert second["uuid"] != first["uuid"]


def test_create_without_the_contact_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"email_address": "flat@example.com"})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: contact"}
    assert listed_ids(clickfunnels, workspace_id) == []


@pytest.mark.parametrize("email", ["not-an-email", "two@@example.com", "@example.com", "nobody@", "spaces in@example.com"])
def test_an_invalid_email_address_is_422(clickfunnels: ApiSession, workspace_id: int, email: str) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": email}})

    assert_invalid(response, "email_address", "is invalid")
    assert listed_ids(clickfunnels, workspace_id) == []


@pytest.mark.parametrize("email", ["double.dot@example..com", "leading.dot@.example.com"])
def test_an_email_address_with_an_empty_domain_label_is_422(clickfunnels: ApiSession, workspace_id: int, email: str) -> None:
    """A domain name has no empty labels (RFC 5321), so these addresses can never be delivered to."""
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": email}})

    assert_invalid(response, "email_address", "is invalid")
    assert listed_ids(clickfunnels, workspace_id) == []


def test_the_documented_invalid_email_body(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "nope"}})

    assert response.status_code == 422
    assert response.json() == {"error": "Email address is invalid", "errors": {"email_address": ["is invalid"]}}


def test_an_email_address_taken_in_the_workspace_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_contact(clickfunnels, workspace_id, email_address="taken@example.com")

    again = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "taken@example.com"}}
    )
    other_case = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "TAKEN@Example.com"}}
    )

    assert_invalid(again, "email_address", "has already been taken")
    assert_invalid(other_case, "email_address", "has already been taken")
    assert listed_ids(clickfunnels, workspace_id) == [first["id"]]


def test_the_same_email_address_is_allowed_in_another_workspace(
    clickfunnels: ApiSession, workspace_id: int, account: Account
) -> None:
    other_workspace = add_workspace(account, "Second Brand")
    here = create_contact(clickfunnels, workspace_id, email_address="both@example.com")

    there = create_contact(clickfunnels, other_workspace, email_address="both@example.com")

    assert there["workspace_id"] == other_workspace
    assert there["id"] != here["id"]
    assert listed_ids(clickfunnels, workspace_id) == [here["id"]]
    assert listed_ids(clickfunnels, other_workspace) == [there["id"]]


def test_a_contact_without_an_email_address_can_be_created(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, first_name="Anonymous")
    another = create_contact(clickfunnels, workspace_id, first_name="Another")

    assert contact["email_address"] is None and another["email_address"] is None
    assert contact["first_name"] == "Anonymous"


def test_tag_ids_at_creation_apply_the_tags(clickfunnels: ApiSession, workspace_id: int) -> None:
    lead = create_tag(clickfunnels, workspace_id, "Lead", "#3b82f6")
    vip = create_tag(clickfunnels, workspace_id, "VIP")

    contact = create_contact(clickfunnels, workspace_id, email_address="tagged@example.com", tag_ids=[lead["id"], vip["id"]])

    assert sorted(carried_tag_ids(contact)) == sorted([lead["id"], vip["id"]])
    by_id = {tag["id"]: tag for tag in contact["tags"]}
    assert set(by_id[lead["id"]]) == {"id", "public_id", "name", "color", "applied_at"}
    assert by_id[lead["id"]]["name"] == "Lead"
    assert by_id[lead["id"]]["color"] == "#3b82f6"
    assert by_id[lead["id"]]["public_id"] == lead["public_id"]
    assert by_id[vip["id"]]["color"] is None
    assert TIMESTAMP.match(by_id[vip["id"]]["applied_at"])
    applied = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags"))
    assert sorted(a["tag_id"] for a in applied) == sorted([lead["id"], vip["id"]])
    assert all(a["contact_id"] == contact["id"] for a in applied)


def test_an_unknown_tag_id_at_creation_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": {"email_address": "x@example.com", "tag_ids": [987654]}}
    )

    assert response.status_code == 422, response.text
    assert "tag_ids" in response.json()["errors"]
    assert listed_ids(clickfunnels, workspace_id) == []


def test_a_tag_of_another_workspace_in_tag_ids_is_422(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    foreign = create_tag(clickfunnels, add_workspace(account, "Other"), "Foreign")
    contact = create_contact(clickfunnels, workspace_id, email_address="local@example.com")

    response = clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"tag_ids": [foreign["id"]]}})

    assert response.status_code == 422, response.text
    assert "tag_ids" in response.json()["errors"]
    assert get_contact(clickfunnels, contact["id"])["tags"] == []


def test_custom_attributes_are_stored_as_strings(clickfunnels: ApiSession, workspace_id: int) -> None:
    custom = {"plan": "gold", "seats": 3, "ratio": 1.5, "vip": True, "trial": False}

    contact = create_contact(clickfunnels, workspace_id, email_address="custom@example.com", custom_attributes=custom)

    expected = {"plan": "gold", "seats": "3", "ratio": "1.5", "vip": "true", "trial": "false"}
    assert contact["custom_attributes"] == expected
    assert get_contact(clickfunnels, contact["id"])["custom_attributes"] == expected


@pytest.mark.parametrize("name", ["email_address", "first_name", "id", "tags"])
def test_a_reserved_custom_attribute_name_is_422(clickfunnels: ApiSession, workspace_id: int, name: str) -> None:
    """A custom attribute may not shadow one of the contact's own attributes."""
    body = {"contact": {"email_address": "reserved@example.com", "custom_attributes": {name: "x"}}}

    response = clickfunnels.post(f"/api/v2/workspaces/{workspace_id}/contacts", json=body)

    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "errors"}
    assert "custom_attributes" in response.json()["errors"]
    assert listed_ids(clickfunnels, workspace_id) == []


# -- read ------------------------------------------------------------------------------
def test_get_by_id_and_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="read@example.com", first_name="Read")

    assert get_contact(clickfunnels, contact["id"]) == contact
    assert get_contact(clickfunnels, contact["public_id"]) == contact


def test_an_unknown_contact_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="known@example.com")

    assert_not_found(clickfunnels.get(f"/api/v2/contacts/{contact['id'] + 1000}"))
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/{contact['public_id'].swapcase()}"))


def test_list_is_ascending_by_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    created = [create_contact(clickfunnels, workspace_id, email_address=f"list{n}@example.com")["id"] for n in range(3)]

    response = clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/contacts")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == created
    assert all(set(c) == CONTACT_KEYS for c in response.json())


def test_list_filters_by_email_address_and_tag_ids(clickfunnels: ApiSession, workspace_id: int) -> None:
    lead = create_tag(clickfunnels, workspace_id, "Lead")
    vip = create_tag(clickfunnels, workspace_id, "VIP")
    ann = create_contact(clickfunnels, workspace_id, email_address="ann@example.com", tag_ids=[lead["id"]])
    bob = create_contact(clickfunnels, workspace_id, email_address="bob@example.com", tag_ids=[vip["id"]])
    create_contact(clickfunnels, workspace_id, email_address="cy@example.com")

    assert listed_ids(clickfunnels, workspace_id, **{"filter[email_address]": "bob@example.com"}) == [bob["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[email_address]": "ann@example.com,bob@example.com"}) == [
        ann["id"],
        bob["id"],
    ]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[tag_ids]": str(lead["id"])}) == [ann["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[tag_ids]": f"{lead['id']},{vip['id']}"}) == [ann["id"], bob["id"]]


# -- update ----------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_sets_the_attributes_given(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="upd@example.com", first_name="Old", last_name="Name")

    response = getattr(clickfunnels, method)(
        f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "New", "phone_number": "+1 555 0100"}}
    )

    updated = ok(response)
    assert updated["first_name"] == "New"
    assert updated["phone_number"] == "+1 555 0100"
    assert updated["last_name"] == "Name"
    assert updated["email_address"] == "upd@example.com"
    assert updated["id"] == contact["id"] and updated["public_id"] == contact["public_id"]
    assert updated["uuid"] == contact["uuid"]
    assert updated["created_at"] == contact["created_at"]
    assert updated["updated_at"] >= contact["updated_at"]
    assert get_contact(clickfunnels, contact["id"]) == updated


def test_update_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="pub@example.com")

    updated = ok(clickfunnels.put(f"/api/v2/contacts/{contact['public_id']}", json={"contact": {"last_name": "Public"}}))

    assert updated["id"] == contact["id"]
    assert get_contact(clickfunnels, contact["id"])["last_name"] == "Public"


def test_update_can_change_the_email_address(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="before@example.com")

    updated = ok(clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"email_address": "after@example.com"}}))

    assert updated["email_address"] == "after@example.com"
    assert listed_ids(clickfunnels, workspace_id, **{"filter[email_address]": "after@example.com"}) == [contact["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[email_address]": "before@example.com"}) == []
    # The old address is free again.
    create_contact(clickfunnels, workspace_id, email_address="before@example.com")


def test_update_keeping_its_own_email_address_is_allowed(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="same@example.com")

    response = clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"email_address": "same@example.com"}})

    assert ok(response)["email_address"] == "same@example.com"


def test_update_to_an_invalid_or_taken_email_address_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    create_contact(clickfunnels, workspace_id, email_address="holder@example.com")
    contact = create_contact(clickfunnels, workspace_id, email_address="mover@example.com")

    invalid = clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"email_address": "broken"}})
    taken = clickfunnels.patch(f"/api/v2/contacts/{contact['id']}", json={"contact": {"email_address": "holder@example.com"}})

    assert_invalid(invalid, "email_address", "is invalid")
    assert_invalid(taken, "email_address", "has already been taken")
    assert get_contact(clickfunnels, contact["id"])["email_address"] == "mover@example.com"


def test_update_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="wrap@example.com")

    response = clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"first_name": "Flat"})

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: contact"}
    assert get_contact(clickfunnels, contact["id"])["first_name"] is None


def test_update_of_an_unknown_contact_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_not_found(clickfunnels.put("/api/v2/contacts/424242", json={"contact": {"first_name": "Ghost"}}))


def test_update_tag_ids_replaces_the_tags(clickfunnels: ApiSession, workspace_id: int) -> None:
    one, two, three = (create_tag(clickfunnels, workspace_id, name) for name in ("One", "Two", "Three"))
    contact = create_contact(clickfunnels, workspace_id, email_address="replace@example.com", tag_ids=[one["id"], two["id"]])

    updated = ok(clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"tag_ids": [two["id"], three["id"]]}}))

    assert sorted(carried_tag_ids(updated)) == sorted([two["id"], three["id"]])
    applied = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags"))
    assert sorted(a["tag_id"] for a in applied) == sorted([two["id"], three["id"]])


def test_update_with_empty_tag_ids_removes_every_tag(clickfunnels: ApiSession, workspace_id: int) -> None:
    one, two = (create_tag(clickfunnels, workspace_id, name) for name in ("One", "Two"))
    contact = create_contact(clickfunnels, workspace_id, email_address="clear@example.com", tag_ids=[one["id"], two["id"]])

    updated = ok(clickfunnels.patch(f"/api/v2/contacts/{contact['id']}", json={"contact": {"tag_ids": []}}))

    assert updated["tags"] == []
    assert ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags")) == []


def test_update_without_tag_ids_keeps_the_tags(clickfunnels: ApiSession, workspace_id: int) -> None:
    one = create_tag(clickfunnels, workspace_id, "One")
    contact = create_contact(clickfunnels, workspace_id, email_address="keep@example.com", tag_ids=[one["id"]])

    updated = ok(clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"first_name": "Kept"}}))

    assert carried_tag_ids(updated) == [one["id"]]


def test_update_replaces_custom_attributes(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="c@example.com", custom_attributes={"a": "1", "b": "2"})

    updated = ok(clickfunnels.put(f"/api/v2/contacts/{contact['id']}", json={"contact": {"custom_attributes": {"c": 3}}}))

    assert updated["custom_attributes"] == {"c": "3"}


# -- upsert ----------------------------------------------------------------------------
def test_upsert_creates_then_updates_matching_the_email_address_without_regard_to_case(
    clickfunnels: ApiSession, workspace_id: int
) -> None:
    created = upsert(clickfunnels, workspace_id, email_address="Grace.Hopper@Example.com", first_name="Grace")
    assert created.status_code == 201, created.text
    contact = created.json()
    assert set(contact) == CONTACT_KEYS
    assert contact["first_name"] == "Grace"

    updated = upsert(clickfunnels, workspace_id, email_address="grace.hopper@example.com", last_name="Hopper")

    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == contact["id"]
    assert updated.json()["first_name"] == "Grace"
    assert updated.json()["last_name"] == "Hopper"
    assert listed_ids(clickfunnels, workspace_id) == [contact["id"]]


def test_upsert_matches_a_contact_created_by_the_api(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="existing@example.com", first_name="Before")

    response = upsert(clickfunnels, workspace_id, email_address="existing@example.com", first_name="After")

    assert ok(response)["id"] == contact["id"]
    assert get_contact(clickfunnels, contact["id"])["first_name"] == "After"


def test_upsert_ignores_null_and_empty_values(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(
        clickfunnels,
        workspace_id,
        email_address="keepme@example.com",
        first_name="Keep",
        last_name="These",
        phone_number="+1 555",
    )

    response = upsert(
        clickfunnels, workspace_id, email_address="keepme@example.com", first_name=None, last_name="", phone_number="+2 666"
    )

    updated = ok(response)
    assert updated["id"] == contact["id"]
    assert updated["first_name"] == "Keep"
    assert updated["last_name"] == "These"
    assert updated["phone_number"] == "+2 666"


def test_upsert_merges_custom_attributes(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert (
        upsert(clickfunnels, workspace_id, email_address="merge@example.com", custom_attributes={"a": "1", "b": "2"}).status_code
        == 201
    )

    response = upsert(clickfunnels, workspace_id, email_address="merge@example.com", custom_attributes={"b": "20", "c": 3})

    assert ok(response)["custom_attributes"] == {"a": "1", "b": "20", "c": "3"}


def test_upsert_with_tag_ids_replaces_the_tags_and_empty_tag_ids_keep_them(clickfunnels: ApiSession, workspace_id: int) -> None:
    one, two = (create_tag(clickfunnels, workspace_id, name) for name in ("One", "Two"))
    contact = create_contact(clickfunnels, workspace_id, email_address="tags@example.com", tag_ids=[one["id"]])

    kept = ok(upsert(clickfunnels, workspace_id, email_address="tags@example.com", tag_ids=[]))
    replaced = ok(upsert(clickfunnels, workspace_id, email_address="tags@example.com", tag_ids=[two["id"]]))

    assert carried_tag_ids(kept) == [one["id"]]
    assert carried_tag_ids(replaced) == [two["id"]]
    assert carried_tag_ids(get_contact(clickfunnels, contact["id"])) == [two["id"]]


def test_upsert_without_an_email_address_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = upsert(clickfunnels, workspace_id, first_name="Nobody")

    assert response.status_code == 422, response.text
    assert "email_address" in response.json()["errors"]
    assert listed_ids(clickfunnels, workspace_id) == []


@pytest.mark.parametrize("email", ["", "   "])
def test_upsert_with_a_blank_email_address_is_422(clickfunnels: ApiSession, workspace_id: int, email: str) -> None:
    """The match key is required: a blank one is refused like a missing one, not a new contact without an e-mail."""
    response = upsert(clickfunnels, workspace_id, email_address=email, first_name="Blank")

    assert response.status_code == 422, response.text
    assert "email_address" in response.json()["errors"]
    assert listed_ids(clickfunnels, workspace_id) == []


def test_upsert_with_an_invalid_email_address_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_invalid(upsert(clickfunnels, workspace_id, email_address="not-valid"), "email_address", "is invalid")
    assert listed_ids(clickfunnels, workspace_id) == []


def test_upsert_only_matches_in_its_own_workspace(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    other_workspace = add_workspace(account, "Elsewhere")
    here = create_contact(clickfunnels, workspace_id, email_address="split@example.com")

    response = upsert(clickfunnels, other_workspace, email_address="split@example.com")

    assert response.status_code == 201, response.text
    assert response.json()["id"] != here["id"]
    assert response.json()["workspace_id"] == other_workspace


# -- delete ----------------------------------------------------------------------------
def test_delete_answers_204_with_an_empty_body_then_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="gone@example.com")

    response = clickfunnels.delete(f"/api/v2/contacts/{contact['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/{contact['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/{contact['public_id']}"))
    assert_not_found(clickfunnels.delete(f"/api/v2/contacts/{contact['id']}"))
    assert listed_ids(clickfunnels, workspace_id) == []


def test_delete_by_public_id(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="pubgone@example.com")

    assert clickfunnels.delete(f"/api/v2/contacts/{contact['public_id']}").status_code == 204
    assert_not_found(clickfunnels.get(f"/api/v2/contacts/{contact['id']}"))


def test_a_deleted_contacts_email_address_can_be_used_again(clickfunnels: ApiSession, workspace_id: int) -> None:
    contact = create_contact(clickfunnels, workspace_id, email_address="reuse@example.com")
    assert clickfunnels.delete(f"/api/v2/contacts/{contact['id']}").status_code == 204

    again = create_contact(clickfunnels, workspace_id, email_address="reuse@example.com")

    assert again["id"] != contact["id"]


def test_delete_removes_the_applied_tags_and_enrollments(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    tag = create_tag(clickfunnels, workspace_id, "Lead")
    contact = create_contact(clickfunnels, workspace_id, email_address="cascade@example.com", tag_ids=[tag["id"]])
    keeper = create_contact(clickfunnels, workspace_id, email_address="keeper@example.com", tag_ids=[tag["id"]])
    applied = ok(clickfunnels.get(f"/api/v2/contacts/{contact['id']}/applied_tags"))
    course = trigger_response(account, "courses", title="Cascade Course")
    assert course.status_code == 201, course.text
    course_id = course.json()["id"]
    enrollments = {}
    for who in (contact, keeper):
        body = {"courses_enrollment": {"contact_id": who["id"]}}
        enrollments[who["id"]] = ok(clickfunnels.post(f"/api/v2/courses/{course_id}/enrollments", json=body), 201)

    assert clickfunnels.delete(f"/api/v2/contacts/{contact['id']}").status_code == 204

    assert_not_found(clickfunnels.delete(f"/api/v2/contacts/applied_tags/{applied[0]['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/courses/enrollments/{enrollments[contact['id']]['id']}"))
    remaining = ok(clickfunnels.get(f"/api/v2/courses/{course_id}/enrollments"))
    assert [e["id"] for e in remaining] == [enrollments[keeper["id"]]["id"]]
    assert carried_tag_ids(get_contact(clickfunnels, keeper["id"])) == [tag["id"]]
    assert listed_ids(clickfunnels, workspace_id, **{"filter[tag_ids]": str(tag["id"])}) == [keeper["id"]]


def test_delete_keeps_form_submissions_without_a_contact(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    form = trigger_response(account, "forms", name="Signup")
    assert form.status_code == 201, form.text
    form_id = form.json()["id"]
    submitted = trigger_response(account, f"forms/{form_id}/submissions", data={"email_address": "sub@example.com"})
    assert submitted.status_code == 201, submitted.text
    submission = submitted.json()
    assert submission["contact_id"] is not None

    assert clickfunnels.delete(f"/api/v2/contacts/{submission['contact_id']}").status_code == 204

    kept = ok(clickfunnels.get(f"/api/v2/forms/submissions/{submission['id']}"))
    assert kept["contact_id"] is None
    assert kept["data"] == {"email_address": "sub@example.com"}
