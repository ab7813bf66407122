"""ClickFunnels teams and workspaces over HTTP: list, get by id or public_id, another account's are 404."""

from __future__ import annotations

from typing import Any

from mockserver.testing import Account, ApiSession, Emulator
from tests.providers.clickfunnels.helpers import (
    PUBLIC_ID,
    TIMESTAMP,
    assert_not_found,
)
from tests.support import ok, trigger_response

TEAM_KEYS = {"id", "public_id", "name", "time_zone", "locale", "created_at", "updated_at"}
WORKSPACE_KEYS = {"id", "public_id", "team_id", "name", "subdomain", "created_at", "updated_at"}


def only_team(client: ApiSession) -> dict[str, Any]:
    teams = ok(client.get("/api/v2/teams"))
    assert len(teams) == 1
    return dict(teams[0])


# -- teams -----------------------------------------------------------------------------
def test_a_new_account_has_one_team_named_my_team(clickfunnels: ApiSession) -> None:
    response = clickfunnels.get("/api/v2/teams")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    teams = response.json()
    assert isinstance(teams, list) and len(teams) == 1
    team = teams[0]
    assert set(team) == TEAM_KEYS
    assert team["name"] == "My Team"
    assert isinstance(team["id"], int) and team["id"] >= 1
    assert PUBLIC_ID.match(team["public_id"])
    assert TIMESTAMP.match(team["created_at"]) and TIMESTAMP.match(team["updated_at"])


def test_a_single_team_list_has_no_next_page_headers(clickfunnels: ApiSession) -> None:
    response = clickfunnels.get("/api/v2/teams")

    assert response.status_code == 200
    assert "Pagination-Next" not in response.headers
    assert "Link" not in response.headers


def test_get_team_by_id_and_by_public_id(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)

    by_id = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}"))
    by_public_id = ok(clickfunnels.get(f"/api/v2/teams/{team['public_id']}"))

    assert by_id == team
    assert by_public_id == team


def test_an_unknown_team_is_404(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)

    assert_not_found(clickfunnels.get(f"/api/v2/teams/{team['id'] + 1000}"))
    assert_not_found(clickfunnels.get(f"/api/v2/teams/{team['public_id'].swapcase()}"))


def test_the_demo_account_has_the_demo_team(clickfunnels_demo: ApiSession) -> None:
    team = only_team(clickfunnels_demo)

    assert team["name"] == "Demo Team"


def test_a_team_of_another_account_is_404(clickfunnels: ApiSession, clickfunnels_demo: ApiSession) -> None:
    """Public ids are per record, so another account's team cannot be reached by one."""
    demo_team = only_team(clickfunnels_demo)

    assert_not_found(clickfunnels.get(f"/api/v2/teams/{demo_team['public_id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/teams/{demo_team['public_id']}/workspaces"))


# -- workspaces ------------------------------------------------------------------------
def test_a_new_team_has_one_workspace_named_my_workspace(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)

    workspaces = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces"))

    assert len(workspaces) == 1
    workspace = workspaces[0]
    assert set(workspace) == WORKSPACE_KEYS
    assert workspace["name"] == "My Workspace"
    assert workspace["team_id"] == team["id"]
    assert PUBLIC_ID.match(workspace["public_id"])
    assert isinstance(workspace["subdomain"], str) and workspace["subdomain"]
    assert TIMESTAMP.match(workspace["created_at"]) and TIMESTAMP.match(workspace["updated_at"])


def test_workspaces_of_a_team_by_its_public_id(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)

    by_id = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces"))
    by_public_id = ok(clickfunnels.get(f"/api/v2/teams/{team['public_id']}/workspaces"))

    assert by_public_id == by_id


def test_workspaces_of_an_unknown_team_is_404(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)

    assert_not_found(clickfunnels.get(f"/api/v2/teams/{team['id'] + 1000}/workspaces"))


def test_get_workspace_by_id_and_by_public_id(clickfunnels: ApiSession) -> None:
    team = only_team(clickfunnels)
    workspace = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    by_id = ok(clickfunnels.get(f"/api/v2/workspaces/{workspace['id']}"))
    by_public_id = ok(clickfunnels.get(f"/api/v2/workspaces/{workspace['public_id']}"))

    assert by_id == workspace
    assert by_public_id == workspace


def test_a_workspace_added_by_the_admin_api_is_listed_under_the_team(clickfunnels: ApiSession, account: Account) -> None:
    team = only_team(clickfunnels)

    created = trigger_response(account, "workspaces", name="Second Brand")

    assert created.status_code == 201, created.text
    added = created.json()
    workspaces = ok(clickfunnels.get(f"/api/v2/teams/{team['id']}/workspaces"))
    assert [w["name"] for w in workspaces] == ["My Workspace", "Second Brand"]
    assert workspaces[1] == added
    assert added["team_id"] == team["id"]
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{added['public_id']}")) == added


def test_the_demo_team_has_two_workspaces(clickfunnels_demo: ApiSession) -> None:
    team = only_team(clickfunnels_demo)

    workspaces = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))

    assert [w["name"] for w in workspaces] == ["Demo Workspace", "Second Store"]
    assert all(w["team_id"] == team["id"] for w in workspaces)
    assert workspaces[0]["id"] < workspaces[1]["id"]


def test_an_unknown_workspace_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    assert_not_found(clickfunnels.get(f"/api/v2/workspaces/{workspace_id + 1000}"))


def test_a_workspace_of_another_account_is_404(clickfunnels: ApiSession, clickfunnels_demo: ApiSession) -> None:
    """The demo account's second workspace has an id this one-workspace account never handed out."""
    demo_team = only_team(clickfunnels_demo)
    demo_workspaces = ok(clickfunnels_demo.get(f"/api/v2/teams/{demo_team['id']}/workspaces"))
    second = demo_workspaces[1]

    for ref in (second["id"], second["public_id"], demo_workspaces[0]["public_id"]):
        assert_not_found(clickfunnels.get(f"/api/v2/workspaces/{ref}"))
        assert_not_found(clickfunnels.get(f"/api/v2/workspaces/{ref}/contacts"))


def test_a_workspace_added_to_another_account_is_404_here(
    clickfunnels: ApiSession, workspace_id: int, mockserver: Emulator
) -> None:
    other_account = mockserver.account("clickfunnels")
    created = trigger_response(other_account, "workspaces", name="Not Yours")
    assert created.status_code == 201, created.text
    theirs = created.json()
    other = other_account.session()

    assert ok(other.get(f"/api/v2/workspaces/{theirs['id']}"))["name"] == "Not Yours"
    assert_not_found(clickfunnels.get(f"/api/v2/workspaces/{theirs['id']}"))
    assert_not_found(clickfunnels.get(f"/api/v2/workspaces/{theirs['public_id']}"))
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}"))["name"] == "My Workspace"
