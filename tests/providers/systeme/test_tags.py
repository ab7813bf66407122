"""Systeme.io tags over HTTP: CRUD, unique names, the `query` filter, and tags on contacts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mockserver.testing import Account, ApiSession
from tests.providers.systeme.helpers import violations


def create_tag(client: ApiSession, name: str) -> dict[str, Any]:
    response = client.post("/api/tags", json={"name": name})
    assert response.status_code == 201, response.text
    return dict(response.json())


def tag_names(client: ApiSession, **params: Any) -> list[str]:
    response = client.get("/api/tags", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    return [tag["name"] for tag in response.json()["items"]]


def test_a_new_account_has_no_tags(systeme: ApiSession) -> None:
    response = systeme.get("/api/tags")

    assert response.status_code == 200
    assert response.json() == {"items": [], "hasMore": False}


def test_create_returns_201_with_id_name_and_creation_time(systeme: ApiSession, account: Account) -> None:
    response = systeme.post("/api/tags", json={"name": "Lead"})

    assert response.status_code == 201
    tag = response.json()
    assert set(tag) == {"id", "name", "createdAt"}
    assert isinstance(tag["id"], int) and tag["id"] >= 1
    assert tag["name"] == "Lead"
    created = datetime.fromisoformat(tag["createdAt"])
    assert created.utcoffset() is not None
    assert abs(created - account.now()) < timedelta(seconds=5)


def test_get_returns_the_tag(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Customer")

    response = systeme.get(f"/api/tags/{tag['id']}")

    assert response.status_code == 200
    assert response.json() == tag


def test_get_an_unknown_tag_is_404(systeme: ApiSession) -> None:
    response = systeme.get("/api/tags/424242")

    assert response.status_code == 404
    assert {"type", "title", "detail"} <= set(response.json())


def test_list_is_newest_first_by_default_and_oldest_first_on_request(systeme: ApiSession) -> None:
    for name in ("One", "Two", "Three"):
        create_tag(systeme, name)

    assert tag_names(systeme) == ["Three", "Two", "One"]
    assert tag_names(systeme, order="asc") == ["One", "Two", "Three"]


def test_list_pages_with_starting_after(systeme: ApiSession) -> None:
    created = [create_tag(systeme, f"Tag {n:02}")["id"] for n in range(12)]

    first = systeme.get("/api/tags").json()
    second = systeme.get("/api/tags", params={"startingAfter": first["items"][-1]["id"]}).json()

    assert len(first["items"]) == 10 and first["hasMore"] is True
    assert second["hasMore"] is False
    assert [t["id"] for t in first["items"] + second["items"]] == list(reversed(created))


def test_rename_with_put_returns_the_renamed_tag(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Prospect")

    response = systeme.put(f"/api/tags/{tag['id']}", json={"name": "Hot prospect"})

    assert response.status_code == 200
    assert response.json() == {**tag, "name": "Hot prospect"}
    assert systeme.get(f"/api/tags/{tag['id']}").json()["name"] == "Hot prospect"


def test_rename_an_unknown_tag_is_404(systeme: ApiSession) -> None:
    assert systeme.put("/api/tags/424242", json={"name": "Nobody"}).status_code == 404


def test_delete_is_204_with_an_empty_body_then_404(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Temporary")

    response = systeme.delete(f"/api/tags/{tag['id']}")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert systeme.get(f"/api/tags/{tag['id']}").status_code == 404
    assert systeme.delete(f"/api/tags/{tag['id']}").status_code == 404
    assert systeme.put(f"/api/tags/{tag['id']}", json={"name": "Back"}).status_code == 404
    assert tag_names(systeme) == []


def test_names_are_unique_ignoring_case_on_create(systeme: ApiSession) -> None:
    create_tag(systeme, "Newsletter")

    for name in ("Newsletter", "NEWSLETTER", "newsletter"):
        assert violations(systeme.post("/api/tags", json={"name": name})) == [("name", "This value is already used.")]
    assert tag_names(systeme) == ["Newsletter"]


def test_names_are_unique_ignoring_case_on_rename(systeme: ApiSession) -> None:
    create_tag(systeme, "Webinar")
    other = create_tag(systeme, "Podcast")

    response = systeme.put(f"/api/tags/{other['id']}", json={"name": "WEBINAR"})

    assert violations(response) == [("name", "This value is already used.")]
    assert systeme.get(f"/api/tags/{other['id']}").json()["name"] == "Podcast"


def test_a_tag_may_be_renamed_to_its_own_name_in_another_case(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "vip")

    response = systeme.put(f"/api/tags/{tag['id']}", json={"name": "VIP"})

    assert response.status_code == 200
    assert response.json()["name"] == "VIP"


def test_a_deleted_tags_name_can_be_used_again(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Recycled")
    systeme.delete(f"/api/tags/{tag['id']}")

    assert create_tag(systeme, "Recycled")["name"] == "Recycled"


def test_blank_name_is_422(systeme: ApiSession) -> None:
    for name in ("", "   "):
        assert violations(systeme.post("/api/tags", json={"name": name})) == [("name", "This value should not be blank.")]
    assert tag_names(systeme) == []


def test_blank_name_on_rename_is_422(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Solid")

    assert violations(systeme.put(f"/api/tags/{tag['id']}", json={"name": " "})) == [("name", "This value should not be blank.")]
    assert systeme.get(f"/api/tags/{tag['id']}").json()["name"] == "Solid"


def test_name_over_64_characters_is_422(systeme: ApiSession) -> None:
    assert create_tag(systeme, "x" * 64)["name"] == "x" * 64

    found = violations(systeme.post("/api/tags", json={"name": "y" * 65}))

    assert [path for path, _ in found] == ["name"]
    assert "64" in found[0][1]
    assert tag_names(systeme) == ["x" * 64]


def test_missing_name_is_422(systeme: ApiSession) -> None:
    assert [path for path, _ in violations(systeme.post("/api/tags", json={}))] == ["name"]


def test_query_keeps_tags_whose_name_contains_the_text_ignoring_case(systeme: ApiSession) -> None:
    for name in ("Black Friday", "Friday webinar", "Newsletter"):
        create_tag(systeme, name)

    assert tag_names(systeme, query="friday", order="asc") == ["Black Friday", "Friday webinar"]
    assert tag_names(systeme, query="NEWS") == ["Newsletter"]
    assert tag_names(systeme, query="nothing like it") == []


def test_deleting_a_tag_removes_it_from_contacts(systeme: ApiSession) -> None:
    doomed, kept = create_tag(systeme, "Doomed"), create_tag(systeme, "Kept")
    created = systeme.post(
        "/api/contacts", json={"email": "tagged.twice@gmail.com", "tags": [{"id": doomed["id"]}, {"id": kept["id"]}]}
    )
    assert created.status_code == 201

    assert systeme.delete(f"/api/tags/{doomed['id']}").status_code == 204

    contact = systeme.get(f"/api/contacts/{created.json()['id']}").json()
    assert contact["tags"] == [{"id": kept["id"], "name": "Kept"}]
    listed = systeme.get("/api/contacts", params={"tags": str(kept["id"])}).json()["items"]
    assert [c["id"] for c in listed] == [contact["id"]]


def test_a_deleted_tag_can_no_longer_be_assigned(systeme: ApiSession) -> None:
    tag = create_tag(systeme, "Withdrawn")
    contact = systeme.post("/api/contacts", json={"email": "late@gmail.com"}).json()
    systeme.delete(f"/api/tags/{tag['id']}")

    response = systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]})

    assert violations(response) == [("tagId", f"Tag with ID {tag['id']} not found.")]


def test_ids_are_never_reused_after_a_delete(systeme: ApiSession) -> None:
    first = create_tag(systeme, "First")
    last = create_tag(systeme, "Last")
    systeme.delete(f"/api/tags/{last['id']}")

    replacement = create_tag(systeme, "Replacement")

    assert replacement["id"] > last["id"] > first["id"]
    assert systeme.get(f"/api/tags/{last['id']}").status_code == 404
