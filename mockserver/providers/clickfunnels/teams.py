"""Teams and their workspaces."""

from __future__ import annotations

from mockserver.engine.context import Call, Reply
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.listing import list_reply, lists, shows
from mockserver.providers.clickfunnels.records import TEAMS, WORKSPACES


def list_teams(call: Call) -> Reply:
    return list_reply(call, call.tenant.table(TEAMS), records.team, lambda row: True)


get_team = shows(TEAMS, records.team)
list_workspaces = lists(WORKSPACES, records.workspace_view, within=TEAMS)
get_workspace = shows(WORKSPACES, records.workspace_view)
