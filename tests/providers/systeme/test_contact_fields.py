"""Systeme.io contact fields over HTTP: defaults, custom fields, rename, delete."""

from __future__ import annotations

from typing import Any

from mockserver.testing import ApiSession
from tests.providers.systeme.helpers import violation_paths
from tests.support import SYSTEME_DEFAULT_SLUGS


def fields(client: ApiSession) -> list[dict[str, Any]]:
    response = client.get("/api/contact_fields")
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    return list(response.json()["items"])


def create_field(client: ApiSession, name: str, slug: str) -> dict[str, Any]:
    response = client.post("/api/contact_fields", json={"fieldName": name, "slug": slug})
    assert response.status_code == 201, response.text
    return dict(response.json())


def contact_values(client: ApiSession, contact_id: int) -> dict[str, Any]:
    contact = client.get(f"/api/contacts/{contact_id}").json()
    return {field["slug"]: field["value"] for field in contact["fields"]}


def test_a_new_account_has_the_nine_default_fields_in_order(systeme: ApiSession) -> None:
    items = fields(systeme)

    assert [item["slug"] for item in items] == SYSTEME_DEFAULT_SLUGS
    assert all(set(item) == {"fieldName", "slug"} and item["fieldName"] for item in items)


def test_create_a_custom_field_returns_201_and_lists_it_last(systeme: ApiSession) -> None:
    response = systeme.post("/api/contact_fields", json={"fieldName": "Favourite colour", "slug": "favourite_colour"})

    assert response.status_code == 201
    assert response.json() == {"fieldName": "Favourite colour", "slug": "favourite_colour"}
    assert fields(systeme)[-1] == {"fieldName": "Favourite colour", "slug": "favourite_colour"}
    assert [f["slug"] for f in fields(systeme)] == [*SYSTEME_DEFAULT_SLUGS, "favourite_colour"]


def test_a_custom_field_appears_on_contacts_and_takes_values(systeme: ApiSession) -> None:
    create_field(systeme, "Shoe size", "shoe_size")
    before = systeme.post("/api/contacts", json={"email": "before.field@gmail.com"})
    with_value = systeme.post(
        "/api/contacts", json={"email": "sized@gmail.com", "fields": [{"slug": "shoe_size", "value": "42"}]}
    )

    assert with_value.status_code == 201
    assert {"fieldName": "Shoe size", "slug": "shoe_size", "value": "42"} in with_value.json()["fields"]
    assert contact_values(systeme, before.json()["id"])["shoe_size"] is None


def test_duplicate_slug_is_422(systeme: ApiSession) -> None:
    create_field(systeme, "Plan", "plan")

    assert violation_paths(systeme.post("/api/contact_fields", json={"fieldName": "Plan again", "slug": "plan"})) == ["slug"]
    assert violation_paths(systeme.post("/api/contact_fields", json={"fieldName": "City again", "slug": "city"})) == ["slug"]
    assert [f["slug"] for f in fields(systeme)] == [*SYSTEME_DEFAULT_SLUGS, "plan"]


def test_duplicate_slug_says_already_used(systeme: ApiSession) -> None:
    response = systeme.post("/api/contact_fields", json={"fieldName": "Another name", "slug": "first_name"})

    assert violation_paths(response) == ["slug"]
    assert response.json()["violations"][0]["message"] == "This value is already used."


def test_bad_slug_is_422(systeme: ApiSession) -> None:
    for slug in ("has space", "dash-ed", "accént", "semi;colon", ""):
        assert violation_paths(systeme.post("/api/contact_fields", json={"fieldName": "Bad", "slug": slug})) == ["slug"], slug
    assert [f["slug"] for f in fields(systeme)] == SYSTEME_DEFAULT_SLUGS


def test_blank_field_name_is_422(systeme: ApiSession) -> None:
    assert violation_paths(systeme.post("/api/contact_fields", json={"fieldName": "  ", "slug": "nameless"})) == ["fieldName"]
    assert [f["slug"] for f in fields(systeme)] == SYSTEME_DEFAULT_SLUGS


def test_rename_with_merge_patch(systeme: ApiSession) -> None:
    create_field(systeme, "Old name", "renamed_field")

    response = systeme.merge_patch("/api/contact_fields/renamed_field", {"fieldName": "New name"})

    assert response.status_code == 200
    assert response.json() == {"fieldName": "New name", "slug": "renamed_field"}
    assert fields(systeme)[-1] == {"fieldName": "New name", "slug": "renamed_field"}


def test_a_rename_shows_on_contacts(systeme: ApiSession) -> None:
    contact = systeme.post(
        "/api/contacts", json={"email": "renamed.label@gmail.com", "fields": [{"slug": "city", "value": "Oslo"}]}
    ).json()

    assert systeme.merge_patch("/api/contact_fields/city", {"fieldName": "Town"}).status_code == 200

    refreshed = systeme.get(f"/api/contacts/{contact['id']}").json()
    assert {"fieldName": "Town", "slug": "city", "value": "Oslo"} in refreshed["fields"]


def test_rename_with_plain_json_is_415(systeme: ApiSession) -> None:
    response = systeme.patch("/api/contact_fields/city", json={"fieldName": "Town"})

    assert response.status_code == 415
    assert next(f for f in fields(systeme) if f["slug"] == "city")["fieldName"] != "Town"


def test_rename_an_unknown_slug_is_404(systeme: ApiSession) -> None:
    response = systeme.merge_patch("/api/contact_fields/no_such_field", {"fieldName": "Ghost"})

    assert response.status_code == 404
    assert {"type", "title", "detail"} <= set(response.json())


def test_delete_a_custom_field_is_204_and_removes_it(systeme: ApiSession) -> None:
    create_field(systeme, "Temporary", "temporary")

    response = systeme.delete("/api/contact_fields/temporary")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert [f["slug"] for f in fields(systeme)] == SYSTEME_DEFAULT_SLUGS
    assert systeme.delete("/api/contact_fields/temporary").status_code == 404


def test_deleting_a_custom_field_removes_its_values_from_contacts(systeme: ApiSession) -> None:
    create_field(systeme, "Referrer", "referrer")
    contact = systeme.post(
        "/api/contacts",
        json={"email": "referred@gmail.com", "fields": [{"slug": "referrer", "value": "Bob"}, {"slug": "city", "value": "Rome"}]},
    ).json()

    assert systeme.delete("/api/contact_fields/referrer").status_code == 204

    values = contact_values(systeme, contact["id"])
    assert "referrer" not in values
    assert values["city"] == "Rome"
    # The value is really gone: a new field with the same slug starts empty.
    create_field(systeme, "Referrer", "referrer")
    assert contact_values(systeme, contact["id"])["referrer"] is None


def test_a_deleted_fields_slug_is_refused_on_contacts(systeme: ApiSession) -> None:
    create_field(systeme, "Gone soon", "gone_soon")
    systeme.delete("/api/contact_fields/gone_soon")

    response = systeme.post(
        "/api/contacts", json={"email": "late.value@gmail.com", "fields": [{"slug": "gone_soon", "value": "x"}]}
    )

    assert violation_paths(response) == ["fields[0].slug"]


def test_default_fields_cannot_be_deleted(systeme: ApiSession) -> None:
    for slug in SYSTEME_DEFAULT_SLUGS:
        response = systeme.delete(f"/api/contact_fields/{slug}")
        assert response.status_code == 422, slug
        assert response.json()["violations"]
    assert [f["slug"] for f in fields(systeme)] == SYSTEME_DEFAULT_SLUGS


def test_delete_an_unknown_slug_is_404(systeme: ApiSession) -> None:
    response = systeme.delete("/api/contact_fields/no_such_field")

    assert response.status_code == 404
    assert {"type", "title", "detail"} <= set(response.json())
