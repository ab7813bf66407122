"""Tenants: every API key is its own Systeme.io account. Keys never see each other's
records; the demo key has demo data; an unknown key gets an empty account, or, when the
emulator is told to refuse unknown keys, the real service's 401."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.testing import ApiSession, Emulator
from tests.providers.systeme.helpers import MISSING_KEY, client_for
from tests.support import SYSTEME_DEFAULT_SLUGS, admin_response, created, unregistered_key

# Lists every account has (the demo one with records in each).
ACCOUNT_LISTS = [
    "/api/contacts",
    "/api/tags",
    "/api/school/courses",
    "/api/school/enrollments",
    "/api/community/communities",
    "/api/community/memberships",
]
WEBHOOK = {"name": "Hook", "url": "https://hooks.example.com/a", "secret": "s3cret", "subscriptions": ["CONTACT_CREATED"]}


def items(client: ApiSession, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


# -- isolation -------------------------------------------------------------------------------------
def test_contacts_of_one_key_are_invisible_to_another(systeme: ApiSession, other: ApiSession) -> None:
    contact = created(systeme.post("/api/contacts", json={"email": "alice@example.com"}))

    assert items(other, "/api/contacts") == []
    assert items(other, "/api/contacts", email="alice@example.com") == []
    assert other.get(f"/api/contacts/{contact['id']}").status_code == 404
    assert other.delete(f"/api/contacts/{contact['id']}").status_code == 404
    assert other.merge_patch(f"/api/contacts/{contact['id']}", {"locale": "fr"}).status_code == 404
    assert systeme.get(f"/api/contacts/{contact['id']}").json() == contact


def test_tags_of_one_key_are_invisible_to_another(systeme: ApiSession, other: ApiSession) -> None:
    tag = created(systeme.post("/api/tags", json={"name": "VIP"}))

    assert items(other, "/api/tags") == []
    assert other.get(f"/api/tags/{tag['id']}").status_code == 404
    assert other.put(f"/api/tags/{tag['id']}", json={"name": "Renamed"}).status_code == 404
    assert other.delete(f"/api/tags/{tag['id']}").status_code == 404
    assert systeme.get(f"/api/tags/{tag['id']}").json() == tag


def test_a_tag_of_another_key_cannot_be_assigned(systeme: ApiSession, other: ApiSession) -> None:
    tag = created(systeme.post("/api/tags", json={"name": "VIP"}))
    contact = created(other.post("/api/contacts", json={"email": "bob@example.com"}))
    response = other.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]})
    assert response.status_code == 422
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["tagId"]


def test_webhooks_of_one_key_are_invisible_to_another(systeme: ApiSession, other: ApiSession) -> None:
    hook = created(systeme.post("/api/webhooks", json=WEBHOOK))

    assert items(other, "/api/webhooks") == []
    assert other.get(f"/api/webhooks/{hook['id']}").status_code == 404
    assert other.merge_patch(f"/api/webhooks/{hook['id']}", {"active": False}).status_code == 404
    assert other.delete(f"/api/webhooks/{hook['id']}").status_code == 404
    assert systeme.get(f"/api/webhooks/{hook['id']}").json() == hook


def test_unique_values_are_unique_per_account_only(systeme: ApiSession, other: ApiSession) -> None:
    """The same e-mail, tag name and webhook name/url can exist once in each account."""
    for client in (systeme, other):
        created(client.post("/api/contacts", json={"email": "same@example.com"}))
        created(client.post("/api/tags", json={"name": "Same"}))
        created(client.post("/api/webhooks", json=WEBHOOK))
        created(client.post("/api/contact_fields", json={"fieldName": "Shoe size", "slug": "shoe_size"}))
    assert len(items(systeme, "/api/contacts")) == len(items(other, "/api/contacts")) == 1


# -- the demo account and new accounts ---------------------------------------------------------------
@pytest.mark.parametrize("path", [*ACCOUNT_LISTS, "/api/payment/subscriptions"])
def test_demo_key_has_seeded_data(systeme_demo: ApiSession, path: str) -> None:
    assert items(systeme_demo, path)


def test_demo_contacts_carry_demo_tags(systeme_demo: ApiSession) -> None:
    tag_ids = {tag["id"] for tag in items(systeme_demo, "/api/tags")}
    carried = {tag["id"] for contact in items(systeme_demo, "/api/contacts") for tag in contact["tags"]}
    assert carried
    assert carried <= tag_ids


@pytest.fixture
def stranger(mockserver: Emulator) -> ApiSession:
    """A client with a key no account has (the emulator makes one on first use)."""
    return client_for(mockserver, unregistered_key())


@pytest.mark.parametrize("path", [*ACCOUNT_LISTS, "/api/webhooks"])
def test_unknown_key_gets_an_empty_account(stranger: ApiSession, path: str) -> None:
    response = stranger.get(path)
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "hasMore": False}


def test_unknown_key_gets_the_default_contact_fields(stranger: ApiSession) -> None:
    response = stranger.get("/api/contact_fields")
    assert response.status_code == 200
    body = response.json()
    assert [field["slug"] for field in body["items"]] == SYSTEME_DEFAULT_SLUGS
    assert all(field["fieldName"] for field in body["items"])
    assert body["hasMore"] is False


def test_unknown_key_has_no_payments(stranger: ApiSession) -> None:
    response = stranger.get("/api/payment/subscriptions")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Not Found"


def test_a_new_account_is_not_the_demo_one(systeme_demo: ApiSession, systeme: ApiSession) -> None:
    assert items(systeme_demo, "/api/contacts")
    assert items(systeme, "/api/contacts") == []


# -- refusing unknown keys ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def _locked_server() -> Iterator[Emulator]:
    with Emulator.start(allow_unknown_keys=False, api_keys=("known",), strict_responses=True) as running:
        yield running


@pytest.fixture
def locked(_locked_server: Emulator) -> Iterator[Emulator]:
    """An emulator that only knows `known` (and `demo`); its responses must match the spec too."""
    _locked_server.engine.strict_problems.clear()
    yield _locked_server
    assert not _locked_server.engine.strict_problems


@pytest.mark.parametrize("path", ["/api/contacts", "/api/tags/1", "/api/webhooks"])
def test_unknown_key_is_refused_when_unknown_keys_are_not_allowed(locked: Emulator, path: str) -> None:
    response = client_for(locked, "stranger").get(path)
    assert response.status_code == 401
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.headers["WWW-Authenticate"] == "API Key"
    assert response.json() == {"detail": "Invalid API Key."}


def test_refused_key_gets_no_account(locked: Emulator) -> None:
    client_for(locked, "intruder").post("/api/contacts", json={"email": "x@example.com"})
    listed = locked.admin("GET", "tenants", params={"provider": "systeme"})["items"]
    assert "…uder" not in {tenant["keyHint"] for tenant in listed}


def test_missing_key_is_refused_with_the_full_authentication_message(locked: Emulator) -> None:
    response = client_for(locked, None).get("/api/contacts")
    assert response.status_code == 401
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    assert response.json() == {"detail": MISSING_KEY}


def test_listed_key_works(locked: Emulator) -> None:
    known = client_for(locked, "known")
    contact = created(known.post("/api/contacts", json={"email": "known@example.com"}))
    assert known.get(f"/api/contacts/{contact['id']}").status_code == 200


def test_demo_key_works_and_has_demo_data(locked: Emulator) -> None:
    assert items(client_for(locked, "demo"), "/api/contacts")


def test_registering_a_tenant_lets_its_key_in(locked: Emulator) -> None:
    newcomer = client_for(locked, "newcomer")
    assert newcomer.get("/api/contacts").status_code == 401

    response = admin_response(locked, "POST", "tenants", json={"provider": "systeme", "apiKey": "newcomer"})

    assert response.status_code == 201, response.text
    assert response.json()["keyHint"] == "…omer"
    assert response.json()["demo"] is False
    assert newcomer.get("/api/contacts").json() == {"items": [], "hasMore": False}
    created(newcomer.post("/api/tags", json={"name": "Welcome"}))
    assert [tag["name"] for tag in items(newcomer, "/api/tags")] == ["Welcome"]
    assert client_for(locked, "newcomer-2").get("/api/contacts").status_code == 401
