"""Funnels: made empty through the API (their pages are built in the page editor), or
named by the sales the admin API records (payments._funnel)."""

from __future__ import annotations

from typing import Any

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.base import fail
from mockserver.providers.systeme import records
from mockserver.providers.systeme.errors import BLANK, violation
from mockserver.providers.systeme.records import FUNNELS


def funnel(row: Row) -> dict[str, Any]:
    # Funnels saved before they had `isActive` (a state file) were active.
    return {"id": row["id"], "name": row["name"], "isActive": row.get("isActive", True)}


list_funnels = records.READS.lister(FUNNELS, funnel, where=records.name_contains)
get_funnel = records.READS.getter(FUNNELS, funnel)


def create_funnel(call: Call) -> Reply:
    name = call.body["name"].strip()
    if not name:
        raise fail(violation("name", *BLANK))
    row = records.add(call.tenant, FUNNELS, "funnel", {"name": name, "isActive": True, "steps": {}})
    return Reply(201, funnel(row))
