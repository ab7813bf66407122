"""An account's page: Records, Requests, Webhooks, Actions, Clock & faults, one section
each (the page listens to the account's events and refreshes its live parts)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from mockserver.dashboard.common import Dashboard, page
from mockserver.dashboard.controls import controls_section
from mockserver.dashboard.records import records_section, subscriptions
from mockserver.dashboard.requests import request_items
from mockserver.dashboard.webhooks import delivery_items
from mockserver.engine.journal import JournalFilter
from mockserver.engine.store import Tenant


def account_page(
    dash: Dashboard,
    tenant: Tenant,
    table: str | None = None,
    *,
    error: str | None = None,
    status: int = 200,
    result: dict[str, Any] | None = None,
) -> Response:
    records = records_section(dash, tenant, table, request.args)
    return page(
        "account.html",
        status,
        error=error,
        result=result,
        account=dash.account_json(tenant),
        records=records,
        requests=request_items(dash, JournalFilter(provider=tenant.provider, key=tenant.key)),
        deliveries=delivery_items(dash, tenant),
        subscriptions=subscriptions(dash, tenant),
        forms=dash.forms.get(tenant.provider, []),
        controls=controls_section(dash, tenant),
    )


def mount_account(bp: Blueprint, dash: Dashboard) -> None:
    @bp.get("/accounts/<provider>/<ref>")
    def account(provider: str, ref: str) -> Response:
        return account_page(dash, dash.account(provider, ref))

    @bp.get("/accounts/<provider>/<ref>/records/<table>")
    def records(provider: str, ref: str, table: str) -> Response:
        tenant = dash.account(provider, ref)
        if request.args.get("fragment"):
            return page(
                "_records.html", records=records_section(dash, tenant, table, request.args), account=dash.account_json(tenant)
            )
        return account_page(dash, tenant, table)
