"""Users of the account (its owner, made with the account), and changes to teams and
workspaces; new workspaces of a team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.engine.context import Call, Reply, Services
from mockserver.engine.store import Row, Tenant
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.contacts import EMAIL
from mockserver.providers.clickfunnels.records import TEAMS, USERS, WORKSPACES, invalid

USER_FIELDS = ("email", "first_name", "last_name", "time_zone", "locale")
TEAM_FIELDS = ("name", "time_zone", "locale")
OWNER = {
    "email": "owner@example.com",
    "first_name": "Account",
    "last_name": "Owner",
    "time_zone": "Eastern Time (US & Canada)",
    "locale": "en",
}


def add_owner(tenant: Tenant, services: Services) -> Row:
    """The account's first user, who made it."""
    return records.new_record(tenant, services.random, USERS, services.clock.time(), **OWNER)


def update_user(call: Call) -> Reply:
    row = records.addressed(call, USERS)
    attributes = call.body["user"]
    values = _given(attributes, USER_FIELDS, ("email", "first_name", "last_name"))
    if "email" in values:
        if not EMAIL.match(values["email"]):
            raise invalid("email", "is invalid")
        taken = any(
            other["email"].casefold() == values["email"].casefold() and other["id"] != row["id"]
            for other in records.table(call.tenant, USERS).rows()
        )
        if taken:
            raise invalid("email", "has already been taken")
    row = records.touch(call, records.table(call.tenant, USERS), row, **values)
    return Reply(200, records.user(row))


def update_team(call: Call) -> Reply:
    row = records.addressed(call, TEAMS)
    values = _given(call.body["team"], TEAM_FIELDS, TEAM_FIELDS)
    return Reply(200, records.team(records.touch(call, call.tenant.table(TEAMS), row, **values)))


def create_workspace(call: Call) -> Reply:
    team = records.addressed(call, TEAMS)
    attributes = call.body["workspace"]
    name = records.filled("name", attributes["name"])
    subdomain = _subdomain(call, attributes["subdomain"], None)
    row = records.create(call, WORKSPACES, team_id=team["id"], name=name, subdomain=subdomain)
    return Reply(201, records.workspace_view(row))


def update_workspace(call: Call) -> Reply:
    row = records.workspace(call)
    attributes = call.body["workspace"]
    values = _given(attributes, ("name",), ("name",))
    if "subdomain" in attributes:
        values["subdomain"] = _subdomain(call, attributes["subdomain"], row["id"])
    return Reply(200, records.workspace_view(records.touch(call, call.tenant.table(WORKSPACES), row, **values)))


def _given(attributes: Mapping[str, Any], names: tuple[str, ...], filled: tuple[str, ...]) -> dict[str, Any]:
    """The attributes of `names` the body gives; those of `filled` must not be blank."""
    values = {name: attributes[name] for name in names if name in attributes}
    for name in filled:
        if name in values:
            values[name] = records.filled(name, values[name] or "")
    return values


def _subdomain(call: Call, subdomain: str, workspace_id: int | None) -> str:
    """Subdomains are unique among the account's workspaces."""
    if any(w["subdomain"] == subdomain and w["id"] != workspace_id for w in call.tenant.table(WORKSPACES).rows()):
        raise invalid("subdomain", "has already been taken")
    return subdomain
