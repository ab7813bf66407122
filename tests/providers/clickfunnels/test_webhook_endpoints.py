"""ClickFunnels outgoing webhook endpoints over HTTP (the API only; deliveries are tested elsewhere)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_not_found,
)
from tests.support import ok, trigger_response

ENDPOINT_KEYS = {"id", "public_id", "workspace_id", "url", "name", "event_type_ids", "api_version", "created_at", "updated_at"}
SECRET = re.compile(r"^[0-9a-f]{64}$")


def post_endpoint(client: ApiSession, workspace_id: int, **attributes: Any) -> requests.Response:
    return client.post(
        f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": attributes}
    )


def create_endpoint(client: ApiSession, workspace_id: int, **attributes: Any) -> dict[str, Any]:
    body = {"url": "https://example.com/webhook", "name": "CRM sync", "event_type_ids": ["contact.created"], **attributes}
    return dict(ok(post_endpoint(client, workspace_id, **body), 201))


def without_secret(endpoint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in endpoint.items() if k != "webhook_secret"}


def listed(client: ApiSession, workspace_id: int) -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints")))


def assert_invalid(response: requests.Response, attribute: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert isinstance(body["error"], str) and body["error"]
    assert attribute in body["errors"]


# -- create ----------------------------------------------------------------------------
def test_create_returns_201_with_a_webhook_secret(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post_endpoint(
        clickfunnels,
        workspace_id,
        url="https://example.com/webhook",
        name="CRM sync",
        event_type_ids=["contact.created", "contact/applied_tag.created", "one-time-order.completed"],
    )

    assert response.status_code == 201, response.text
    endpoint = response.json()
    assert set(endpoint) == ENDPOINT_KEYS | {"webhook_secret"}
    assert SECRET.match(endpoint["webhook_secret"])
    assert endpoint["url"] == "https://example.com/webhook"
    assert endpoint["name"] == "CRM sync"
    assert endpoint["event_type_ids"] == ["contact.created", "contact/applied_tag.created", "one-time-order.completed"]
    assert endpoint["api_version"] == 2
    assert endpoint["workspace_id"] == workspace_id
    assert PUBLIC_ID.match(endpoint["public_id"])
    assert TIMESTAMP.match(endpoint["created_at"])


def test_each_endpoint_gets_its_own_secret(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_endpoint(clickfunnels, workspace_id)
    second = create_endpoint(clickfunnels, workspace_id, url="https://example.com/other")

    assert first["webhook_secret"] != second["webhook_secret"]
    assert second["id"] != first["id"]


def test_get_and_list_never_show_the_secret(clickfunnels: ApiSession, workspace_id: int) -> None:
    endpoint = create_endpoint(clickfunnels, workspace_id)

    by_id = ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}"))
    by_public_id = ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['public_id']}"))

    assert by_id == without_secret(endpoint)
    assert by_public_id == without_secret(endpoint)
    assert set(by_id) == ENDPOINT_KEYS
    assert listed(clickfunnels, workspace_id) == [without_secret(endpoint)]
    assert (
        endpoint["webhook_secret"] not in clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints").text
    )


def test_an_unknown_event_type_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post_endpoint(
        clickfunnels,
        workspace_id,
        url="https://example.com/webhook",
        name="Bad",
        event_type_ids=["contact.created", "contact.exploded"],
    )

    assert_invalid(response, "event_type_ids")
    assert listed(clickfunnels, workspace_id) == []


def test_empty_event_type_ids_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post_endpoint(clickfunnels, workspace_id, url="https://example.com/webhook", name="Empty", event_type_ids=[])

    assert_invalid(response, "event_type_ids")
    assert listed(clickfunnels, workspace_id) == []


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/webhook", "https://", "example.com/webhook"])
def test_a_bad_url_is_422(clickfunnels: ApiSession, workspace_id: int, url: str) -> None:
    response = post_endpoint(clickfunnels, workspace_id, url=url, name="Bad URL", event_type_ids=["contact.created"])

    assert_invalid(response, "url")
    assert listed(clickfunnels, workspace_id) == []


def test_a_missing_name_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post_endpoint(clickfunnels, workspace_id, url="https://example.com/webhook", event_type_ids=["contact.created"])

    assert_invalid(response, "name")
    assert listed(clickfunnels, workspace_id) == []


def test_create_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/webhooks/outgoing/endpoints",
        json={"url": "https://example.com/webhook", "name": "Flat", "event_type_ids": ["contact.created"]},
    )

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: webhooks_outgoing_endpoint"}


# -- update ----------------------------------------------------------------------------
def test_put_replaces_event_type_ids(clickfunnels: ApiSession, workspace_id: int) -> None:
    endpoint = create_endpoint(clickfunnels, workspace_id, event_type_ids=["contact.created", "contact.updated"])

    response = clickfunnels.put(
        f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}",
        json={"webhooks_outgoing_endpoint": {"event_type_ids": ["order.created", "fulfillment.created"]}},
    )

    updated = ok(response)
    assert set(updated) == ENDPOINT_KEYS
    assert updated["event_type_ids"] == ["order.created", "fulfillment.created"]
    assert updated["url"] == endpoint["url"]
    assert updated["name"] == endpoint["name"]
    assert updated["created_at"] == endpoint["created_at"]
    assert updated["updated_at"] >= endpoint["updated_at"]
    assert ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}")) == updated


def test_put_changes_url_and_name(clickfunnels: ApiSession, workspace_id: int) -> None:
    endpoint = create_endpoint(clickfunnels, workspace_id)

    updated = ok(
        clickfunnels.put(
            f"/api/v2/webhooks/outgoing/endpoints/{endpoint['public_id']}",
            json={"webhooks_outgoing_endpoint": {"url": "http://hooks.example.org/cf", "name": "Renamed"}},
        )
    )

    assert updated["url"] == "http://hooks.example.org/cf"
    assert updated["name"] == "Renamed"
    assert updated["event_type_ids"] == endpoint["event_type_ids"]


@pytest.mark.parametrize(
    ("attributes", "attribute"),
    [
        ({"event_type_ids": []}, "event_type_ids"),
        ({"event_type_ids": ["nope.nope"]}, "event_type_ids"),
        ({"url": "ftp://example.com/x"}, "url"),
    ],
)
def test_put_with_invalid_values_is_422_and_changes_nothing(
    clickfunnels: ApiSession, workspace_id: int, attributes: dict[str, Any], attribute: str
) -> None:
    endpoint = create_endpoint(clickfunnels, workspace_id)

    response = clickfunnels.put(
        f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}", json={"webhooks_outgoing_endpoint": attributes}
    )

    assert_invalid(response, attribute)
    assert ok(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}")) == without_secret(endpoint)


def test_put_on_an_unknown_endpoint_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_not_found(
        clickfunnels.put("/api/v2/webhooks/outgoing/endpoints/424242", json={"webhooks_outgoing_endpoint": {"name": "Ghost"}})
    )


# -- delete ----------------------------------------------------------------------------
def test_delete_answers_204_with_an_empty_body_then_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    endpoint = create_endpoint(clickfunnels, workspace_id)
    keeper = create_endpoint(clickfunnels, workspace_id, url="https://example.com/keep")

    response = clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['public_id']}"))
    assert_not_found(clickfunnels.delete(f"/api/v2/webhooks/outgoing/endpoints/{endpoint['id']}"))
    assert listed(clickfunnels, workspace_id) == [without_secret(keeper)]


# -- list ------------------------------------------------------------------------------
def test_the_list_is_scoped_to_the_workspace(clickfunnels: ApiSession, workspace_id: int, account: Account) -> None:
    created = trigger_response(account, "workspaces", name="Other")
    assert created.status_code == 201, created.text
    other = created.json()["id"]
    here = [create_endpoint(clickfunnels, workspace_id, url=f"https://example.com/here/{n}") for n in range(2)]
    there = create_endpoint(clickfunnels, other, url="https://example.com/there")

    assert listed(clickfunnels, workspace_id) == [without_secret(e) for e in here]
    assert listed(clickfunnels, other) == [without_secret(there)]
    assert there["workspace_id"] == other


def test_a_new_workspace_has_no_endpoints(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert listed(clickfunnels, workspace_id) == []
