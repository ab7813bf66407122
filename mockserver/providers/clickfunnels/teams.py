"""Teams and their workspaces."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.listing import list_reply
from mockserver.providers.clickfunnels.records import TEAMS, WORKSPACES


def list_teams(call: Call) -> Reply:
    return list_reply(call, call.tenant.table(TEAMS), records.team, lambda row: True)


def get_team(call: Call) -> Reply:
    return Reply(200, records.team(records.find(call.tenant.table(TEAMS), call.params["team_id"])))


def list_workspaces(call: Call) -> Reply:
    team = records.find(call.tenant.table(TEAMS), call.params["team_id"])
    return list_reply(call, call.tenant.table(WORKSPACES), records.workspace_view, lambda row: row["team_id"] == team["id"])


def get_workspace(call: Call) -> Reply:
    return Reply(200, records.workspace_view(records.workspace(call)))
