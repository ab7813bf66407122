"""ClickFunnels users (the account's owner), changes to teams, and workspaces made and changed
through the API."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.clickfunnels.helpers import PUBLIC_ID, TIMESTAMP, assert_invalid, assert_not_found
from tests.support import created, ok

USER_KEYS = {"id", "public_id", "email", "first_name", "last_name", "time_zone", "locale", "created_at", "updated_at"}


def the_user(client: ApiSession) -> dict[str, Any]:
    (user,) = ok(client.get("/api/v2/users"))
    return dict(user)


def the_team(client: ApiSession) -> dict[str, Any]:
    return dict(ok(client.get("/api/v2/teams"))[0])


# -- users ---------------------------------------------------------------------------------------
def test_a_new_account_has_its_owner_as_only_user(clickfunnels: ApiSession) -> None:
    user = the_user(clickfunnels)

    assert set(user) == USER_KEYS
    assert PUBLIC_ID.match(user["public_id"])
    assert TIMESTAMP.match(user["created_at"])
    assert user["email"] == "owner@example.com"
    assert ok(clickfunnels.get(f"/api/v2/users/{user['id']}")) == user
    assert ok(clickfunnels.get(f"/api/v2/users/{user['public_id']}")) == user


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_user_is_updated_by_put_and_patch(clickfunnels: ApiSession, method: str) -> None:
    user = the_user(clickfunnels)
    body = {"user": {"first_name": "Ada", "email": "ada@example.com", "time_zone": "London"}}

    changed = ok(clickfunnels.request(method, f"/api/v2/users/{user['id']}", json=body))

    assert changed == {**changed, "first_name": "Ada", "email": "ada@example.com", "time_zone": "London"}
    assert changed["last_name"] == user["last_name"]
    assert ok(clickfunnels.get(f"/api/v2/users/{user['id']}")) == changed


@pytest.mark.parametrize(
    ("attributes", "attribute", "message"),
    [
        ({"email": "not-an-address"}, "email", "is invalid"),
        ({"first_name": "  "}, "first_name", "can't be blank"),
        ({"last_name": ""}, "last_name", "can't be blank"),
    ],
)
def test_an_invalid_user_is_422_and_unchanged(
    clickfunnels: ApiSession, attributes: dict[str, Any], attribute: str, message: str
) -> None:
    user = the_user(clickfunnels)

    assert_invalid(clickfunnels.put(f"/api/v2/users/{user['id']}", json={"user": attributes}), attribute, message)
    assert the_user(clickfunnels) == user


def test_a_user_body_without_its_wrapper_is_400(clickfunnels: ApiSession) -> None:
    user = the_user(clickfunnels)
    response = clickfunnels.put(f"/api/v2/users/{user['id']}", json={"first_name": "Flat"})
    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: user"}


def test_an_unknown_user_is_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.get("/api/v2/users/424242"))
    assert_not_found(clickfunnels.patch("/api/v2/users/424242", json={"user": {"first_name": "X"}}))


# -- teams ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_team_is_renamed_by_put_and_patch(clickfunnels: ApiSession, method: str) -> None:
    team = the_team(clickfunnels)

    changed = ok(clickfunnels.request(method, f"/api/v2/teams/{team['id']}", json={"team": {"name": "Growth", "locale": "de"}}))

    assert (changed["name"], changed["locale"], changed["time_zone"]) == ("Growth", "de", team["time_zone"])
    assert ok(clickfunnels.get(f"/api/v2/teams/{team['public_id']}")) == changed


def test_a_blank_team_name_is_422(clickfunnels: ApiSession) -> None:
    team = the_team(clickfunnels)
    assert_invalid(clickfunnels.put(f"/api/v2/teams/{team['id']}", json={"team": {"name": " "}}), "name", "can't be blank")
    assert the_team(clickfunnels) == team


def test_an_unknown_team_is_404_on_update(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.put("/api/v2/teams/424242", json={"team": {"name": "X"}}))


# -- workspaces ------------------------------------------------------------------------------------
def create_workspace(client: ApiSession, name: str, subdomain: str) -> dict[str, Any]:
    team = the_team(client)
    return created(
        client.post(f"/api/v2/teams/{team['id']}/workspaces", json={"workspace": {"name": name, "subdomain": subdomain}})
    )


def test_a_workspace_is_created_in_a_team_and_listed(clickfunnels: ApiSession, workspace_id: int) -> None:
    team = the_team(clickfunnels)

    space = create_workspace(clickfunnels, "Shop two", "shop-two")

    assert (space["name"], space["subdomain"], space["team_id"]) == ("Shop two", "shop-two", team["id"])
    assert PUBLIC_ID.match(space["public_id"])
    listed = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces"))
    assert [w["id"] for w in listed] == [workspace_id, space["id"]]
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{space['id']}")) == space
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{space['id']}/contacts")) == []


def test_a_taken_subdomain_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    taken = ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}"))["subdomain"]
    team = the_team(clickfunnels)
    response = clickfunnels.post(
        f"/api/v2/teams/{team['id']}/workspaces", json={"workspace": {"name": "Again", "subdomain": taken}}
    )
    assert_invalid(response, "subdomain", "has already been taken")


def test_a_subdomain_that_is_no_subdomain_is_422(clickfunnels: ApiSession) -> None:
    team = the_team(clickfunnels)
    response = clickfunnels.post(
        f"/api/v2/teams/{team['id']}/workspaces", json={"workspace": {"name": "X", "subdomain": "Not One"}}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {"subdomain"}


def test_a_workspace_needs_its_name_and_subdomain(clickfunnels: ApiSession) -> None:
    team = the_team(clickfunnels)
    response = clickfunnels.post(f"/api/v2/teams/{team['id']}/workspaces", json={"workspace": {}})
    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {"name", "subdomain"}


def test_a_workspace_in_an_unknown_team_is_404(clickfunnels: ApiSession) -> None:
    response = clickfunnels.post("/api/v2/teams/424242/workspaces", json={"workspace": {"name": "X", "subdomain": "x"}})
    assert_not_found(response)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_workspace_is_updated_by_put_and_patch(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    before = ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}"))

    changed = ok(clickfunnels.request(method, f"/api/v2/workspaces/{workspace_id}", json={"workspace": {"name": "Renamed"}}))

    assert (changed["name"], changed["subdomain"]) == ("Renamed", before["subdomain"])
    # Its own subdomain again is no conflict.
    again = {"workspace": {"subdomain": before["subdomain"]}}
    assert ok(clickfunnels.put(f"/api/v2/workspaces/{workspace_id}", json=again))["subdomain"] == before["subdomain"]


def test_a_workspace_cannot_take_another_workspaces_subdomain(clickfunnels: ApiSession, workspace_id: int) -> None:
    other = create_workspace(clickfunnels, "Other", "other")
    response = clickfunnels.patch(f"/api/v2/workspaces/{workspace_id}", json={"workspace": {"subdomain": other["subdomain"]}})
    assert_invalid(response, "subdomain", "has already been taken")
