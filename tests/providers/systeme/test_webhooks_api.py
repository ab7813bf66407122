"""Systeme.io webhook subscriptions over HTTP (the API only; delivery is tested elsewhere)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.systeme.helpers import violations

SUBSCRIPTION_KEYS = {"id", "event", "schemaVersion", "disabledAt", "disabledReason"}
WEBHOOK_KEYS = {"id", "name", "url", "active", "subscriptions"}


def body(name: str = "Main hook", url: str = "https://hooks.example.com/systeme", **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": url, "secret": "s3cr3t-value", "subscriptions": ["CONTACT_CREATED"], **extra}


def create_webhook(client: ApiSession, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/webhooks", json=body(**fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def listed(client: ApiSession, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/webhooks", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    return list(response.json()["items"])


def by_event(webhook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["event"]: s for s in webhook["subscriptions"]}


# -- create ----------------------------------------------------------------------------
def test_create_returns_201_with_a_uuid7_id_and_no_secret(systeme: ApiSession) -> None:
    response = systeme.post("/api/webhooks", json=body())

    assert response.status_code == 201
    webhook = response.json()
    assert set(webhook) == WEBHOOK_KEYS
    assert "secret" not in response.text
    assert "s3cr3t-value" not in response.text
    assert uuid.UUID(webhook["id"]).version == 7
    assert webhook["name"] == "Main hook"
    assert webhook["url"] == "https://hooks.example.com/systeme"
    assert webhook["active"] is True


def test_event_names_become_subscription_objects_with_default_schema_versions(systeme: ApiSession) -> None:
    events = ["CONTACT_CREATED", "CONTACT_TAG_ADDED", "CONTACT_TAG_REMOVED", "CONTACT_OPT_IN", "SALE_NEW", "SALE_CANCELED"]

    webhook = create_webhook(systeme, subscriptions=events)

    assert [s["event"] for s in webhook["subscriptions"]] == events
    for sub in webhook["subscriptions"]:
        assert set(sub) == SUBSCRIPTION_KEYS
        assert uuid.UUID(sub["id"])
        assert sub["disabledAt"] is None and sub["disabledReason"] is None
        assert sub["schemaVersion"] == (2 if sub["event"].startswith("SALE_") else 1)
    assert len({s["id"] for s in webhook["subscriptions"]}) == len(events)


def test_subscription_objects_are_accepted_and_normalised(systeme: ApiSession) -> None:
    webhook = create_webhook(
        systeme,
        subscriptions=[{"event": "SALE_NEW", "schemaVersion": 1}, {"event": "CONTACT_OPT_IN"}, {"event": "SALE_CANCELED"}],
    )

    subs = by_event(webhook)
    assert list(subs) == ["SALE_NEW", "CONTACT_OPT_IN", "SALE_CANCELED"]
    assert subs["SALE_NEW"]["schemaVersion"] == 1
    assert subs["CONTACT_OPT_IN"]["schemaVersion"] == 1
    assert subs["SALE_CANCELED"]["schemaVersion"] == 2
    assert all(set(s) == SUBSCRIPTION_KEYS for s in webhook["subscriptions"])


def test_strings_and_objects_may_be_mixed(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, subscriptions=["SALE_NEW", {"event": "CONTACT_CREATED", "schemaVersion": 2}])

    assert {e: s["schemaVersion"] for e, s in by_event(webhook).items()} == {"SALE_NEW": 2, "CONTACT_CREATED": 2}


def test_create_inactive(systeme: ApiSession) -> None:
    assert create_webhook(systeme, active=False)["active"] is False


def test_reused_name_is_422(systeme: ApiSession) -> None:
    create_webhook(systeme, name="Taken", url="https://hooks.example.com/one")

    response = systeme.post("/api/webhooks", json=body(name="Taken", url="https://hooks.example.com/two"))

    assert violations(response) == [("name", "This value is already used.")]
    assert "name: This value is already used." in response.json()["detail"]
    assert len(listed(systeme)) == 1


def test_reused_url_is_422(systeme: ApiSession) -> None:
    create_webhook(systeme, name="One", url="https://hooks.example.com/shared")

    response = systeme.post("/api/webhooks", json=body(name="Two", url="https://hooks.example.com/shared"))

    assert violations(response) == [("url", "This value is already used.")]
    assert "url: This value is already used." in response.json()["detail"]
    assert len(listed(systeme)) == 1


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://hooks.example.com/x", "https://", "hooks.example.com/no-scheme", "http://bad port:80/"]
)
def test_invalid_url_is_422(systeme: ApiSession, url: str) -> None:
    assert [path for path, _ in violations(systeme.post("/api/webhooks", json=body(url=url)))] == ["url"]
    assert listed(systeme) == []


def test_unknown_event_is_422(systeme: ApiSession) -> None:
    for subscriptions in (["CONTACT_DELETED"], [{"event": "ORDER_PAID"}], ["CONTACT_CREATED", "contact_created"]):
        found = violations(systeme.post("/api/webhooks", json=body(subscriptions=subscriptions)))
        assert found and all(path.startswith("subscriptions") for path, _ in found), subscriptions
    assert listed(systeme) == []


def test_duplicate_events_are_422(systeme: ApiSession) -> None:
    for subscriptions in (
        ["CONTACT_CREATED", "CONTACT_CREATED"],
        ["SALE_NEW", {"event": "SALE_NEW", "schemaVersion": 1}],
    ):
        found = violations(systeme.post("/api/webhooks", json=body(subscriptions=subscriptions)))
        assert [path for path, _ in found] == ["subscriptions"], subscriptions
    assert listed(systeme) == []


def test_no_subscriptions_is_422(systeme: ApiSession) -> None:
    violations(systeme.post("/api/webhooks", json=body(subscriptions=[])))
    assert listed(systeme) == []


def test_blank_name_or_secret_is_422(systeme: ApiSession) -> None:
    assert [p for p, _ in violations(systeme.post("/api/webhooks", json=body(name="  ")))] == ["name"]
    assert [p for p, _ in violations(systeme.post("/api/webhooks", json={**body(), "secret": ""}))] == ["secret"]


# -- read ------------------------------------------------------------------------------
def test_get_returns_the_webhook(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, subscriptions=["CONTACT_CREATED", "SALE_NEW"])

    response = systeme.get(f"/api/webhooks/{webhook['id']}")

    assert response.status_code == 200
    assert response.json() == webhook


def test_get_an_unknown_uuid_is_404(systeme: ApiSession) -> None:
    response = systeme.get(f"/api/webhooks/{uuid.uuid4()}")

    assert response.status_code == 404
    assert {"type", "title", "detail"} <= set(response.json())


def test_get_accepts_the_id_in_upper_case(systeme: ApiSession) -> None:
    """UUIDs are case-insensitive on input (RFC 9562, section 4); the real service parses them as such."""
    webhook = create_webhook(systeme)

    response = systeme.get(f"/api/webhooks/{webhook['id'].upper()}")

    assert response.status_code == 200, response.text
    assert response.json() == webhook


@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "0197a1b2-c3d4-7e5f"])
def test_get_with_a_non_uuid_id_is_404(systeme: ApiSession, bad_id: str) -> None:
    response = systeme.get(f"/api/webhooks/{bad_id}")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


# -- update ----------------------------------------------------------------------------
def test_merge_patch_renames(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, name="Before")

    response = systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"name": "After"})

    assert response.status_code == 200
    assert response.json() == {**webhook, "name": "After"}
    assert systeme.get(f"/api/webhooks/{webhook['id']}").json()["name"] == "After"


def test_renaming_to_another_webhooks_name_is_422(systeme: ApiSession) -> None:
    create_webhook(systeme, name="Occupied", url="https://hooks.example.com/a")
    mine = create_webhook(systeme, name="Mine", url="https://hooks.example.com/b")

    response = systeme.merge_patch(f"/api/webhooks/{mine['id']}", {"name": "Occupied"})

    assert violations(response) == [("name", "This value is already used.")]
    assert systeme.get(f"/api/webhooks/{mine['id']}").json()["name"] == "Mine"


def test_renaming_to_its_own_name_is_allowed(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, name="Same")

    response = systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"name": "Same"})

    assert response.status_code == 200
    assert response.json() == webhook


def test_merge_patch_ignores_the_url(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, url="https://hooks.example.com/fixed")

    response = systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"url": "https://elsewhere.example.com/new"})

    assert response.status_code == 200
    assert response.json()["url"] == "https://hooks.example.com/fixed"
    assert systeme.get(f"/api/webhooks/{webhook['id']}").json() == webhook


def test_merge_patch_ignores_null_members(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, subscriptions=["CONTACT_CREATED", "SALE_NEW"])

    response = systeme.merge_patch(
        f"/api/webhooks/{webhook['id']}", {"name": None, "secret": None, "active": None, "url": None, "subscriptions": None}
    )

    assert response.status_code == 200
    assert response.json() == webhook


def test_merge_patch_can_deactivate(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme)

    response = systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"active": False})

    assert response.status_code == 200
    assert response.json() == {**webhook, "active": False}


def test_replacing_subscriptions_keeps_the_ids_of_kept_events(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, subscriptions=["CONTACT_CREATED", "CONTACT_TAG_ADDED", "SALE_NEW"])
    before = by_event(webhook)

    response = systeme.merge_patch(
        f"/api/webhooks/{webhook['id']}",
        {"subscriptions": [{"event": "SALE_NEW", "schemaVersion": 1}, "CONTACT_CREATED", "SALE_CANCELED"]},
    )

    assert response.status_code == 200
    after = by_event(response.json())
    assert list(after) == ["SALE_NEW", "CONTACT_CREATED", "SALE_CANCELED"]
    assert after["SALE_NEW"]["id"] == before["SALE_NEW"]["id"]
    assert after["CONTACT_CREATED"]["id"] == before["CONTACT_CREATED"]["id"]
    assert after["SALE_CANCELED"]["id"] not in {s["id"] for s in webhook["subscriptions"]}
    assert after["SALE_NEW"]["schemaVersion"] == 1
    assert after["SALE_CANCELED"]["schemaVersion"] == 2
    assert systeme.get(f"/api/webhooks/{webhook['id']}").json() == response.json()


def test_merge_patch_with_invalid_subscriptions_changes_nothing(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, subscriptions=["CONTACT_CREATED"])

    for subscriptions in (["SALE_NEW", "SALE_NEW"], ["NOT_AN_EVENT"], []):
        response = systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"subscriptions": subscriptions})
        assert response.status_code == 422, subscriptions
    assert systeme.get(f"/api/webhooks/{webhook['id']}").json() == webhook


def test_patch_with_plain_json_is_415(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, name="Unchanged")

    response = systeme.patch(f"/api/webhooks/{webhook['id']}", json={"name": "Changed"})

    assert response.status_code == 415
    assert systeme.get(f"/api/webhooks/{webhook['id']}").json()["name"] == "Unchanged"


def test_merge_patch_of_an_unknown_webhook_is_404(systeme: ApiSession) -> None:
    assert systeme.merge_patch(f"/api/webhooks/{uuid.uuid4()}", {"name": "Ghost"}).status_code == 404


# -- delete ----------------------------------------------------------------------------
def test_delete_is_204_empty_then_404(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme)

    response = systeme.delete(f"/api/webhooks/{webhook['id']}")

    assert response.status_code == 204
    assert len(response.content) == 0
    assert systeme.get(f"/api/webhooks/{webhook['id']}").status_code == 404
    assert systeme.merge_patch(f"/api/webhooks/{webhook['id']}", {"name": "Back"}).status_code == 404
    assert systeme.delete(f"/api/webhooks/{webhook['id']}").status_code == 404
    assert listed(systeme) == []


def test_a_deleted_webhooks_name_and_url_can_be_used_again(systeme: ApiSession) -> None:
    webhook = create_webhook(systeme, name="Reusable", url="https://hooks.example.com/reusable")
    systeme.delete(f"/api/webhooks/{webhook['id']}")

    again = create_webhook(systeme, name="Reusable", url="https://hooks.example.com/reusable")

    assert again["id"] != webhook["id"]


# -- list ------------------------------------------------------------------------------
def test_a_new_account_has_no_webhooks(systeme: ApiSession) -> None:
    assert systeme.get("/api/webhooks").json() == {"items": [], "hasMore": False}


def test_list_paginates_with_starting_after_a_uuid(systeme: ApiSession) -> None:
    created = [create_webhook(systeme, name=f"Hook {n:02}", url=f"https://hooks.example.com/{n}")["id"] for n in range(12)]

    first = systeme.get("/api/webhooks").json()
    second = systeme.get("/api/webhooks", params={"startingAfter": first["items"][-1]["id"]}).json()

    assert len(first["items"]) == 10 and first["hasMore"] is True
    assert second["hasMore"] is False
    assert [w["id"] for w in first["items"] + second["items"]] == list(reversed(created))


def test_list_in_ascending_order_pages_forward(systeme: ApiSession) -> None:
    created = [create_webhook(systeme, name=f"Asc {n:02}", url=f"https://hooks.example.com/asc/{n}")["id"] for n in range(11)]

    first = systeme.get("/api/webhooks", params={"order": "asc"}).json()
    second = systeme.get("/api/webhooks", params={"order": "asc", "startingAfter": first["items"][-1]["id"]}).json()

    assert first["hasMore"] is True
    assert [w["id"] for w in first["items"] + second["items"]] == created


def test_list_with_a_non_uuid_cursor_is_422(systeme: ApiSession) -> None:
    create_webhook(systeme)

    response = systeme.get("/api/webhooks", params={"startingAfter": "12"})

    assert [path for path, _ in violations(response)] == ["startingAfter"]


def test_list_cursor_accepts_an_upper_case_uuid(systeme: ApiSession) -> None:
    """The same page whatever the case of the cursor (UUIDs are case-insensitive on input)."""
    created = [create_webhook(systeme, name=f"Case {n}", url=f"https://hooks.example.com/case/{n}")["id"] for n in range(3)]

    for order in ("asc", "desc"):
        lower = systeme.get("/api/webhooks", params={"order": order, "startingAfter": created[1]}).json()["items"]
        upper = systeme.get("/api/webhooks", params={"order": order, "startingAfter": created[1].upper()}).json()["items"]
        assert [w["id"] for w in upper] == [w["id"] for w in lower], order
