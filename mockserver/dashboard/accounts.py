"""The accounts page: every provider's accounts with their record counts (100 a page), and
making, resetting, seeding and deleting one, as the admin API does."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from mockserver.dashboard.common import Dashboard, DashboardError, page, page_number
from mockserver.engine.admin import AdminError, _room
from mockserver.engine.runtime import MAX_KEY_LENGTH
from mockserver.engine.store import Tenant

ACCOUNTS_SHOWN = 100


def accounts_page(dash: Dashboard, error: str | None = None, status: int = 200) -> Response:
    emulator = dash.emulator
    provider = request.args.get("provider") or None
    if provider is not None and provider not in emulator.providers:
        provider = None
    number = page_number(request.args.get("page"))
    tenants = sorted(emulator.store.tenants(provider), key=lambda t: (t.provider, t.key))
    shown = tenants[(number - 1) * ACCOUNTS_SHOWN : number * ACCOUNTS_SHOWN]
    return page(
        "accounts.html",
        status,
        error=error,
        accounts=[_row(dash, tenant) for tenant in shown],
        total=len(tenants),
        page=number,
        pages=max(1, -(-len(tenants) // ACCOUNTS_SHOWN)),
        provider=provider,
        providers=sorted(emulator.providers),
        seed=emulator.settings.seed,
    )


def _row(dash: Dashboard, tenant: Tenant) -> dict[str, Any]:
    with dash.emulator.store.hold(tenant, write=False):
        counts = sorted((name, len(table)) for name, table in tenant.tables.items())
    return {**dash.account_json(tenant), "records": [(name, n) for name, n in counts if n], "total": sum(n for _, n in counts)}


def _seed_value(dash: Dashboard) -> int:
    raw = request.form.get("seed", "").strip()
    if not raw:
        return dash.emulator.settings.seed
    try:
        return int(raw)
    except ValueError as exc:
        raise DashboardError(400, "seed must be an integer") from exc


def mount_accounts(bp: Blueprint, dash: Dashboard) -> None:
    emulator = dash.emulator

    def back() -> Response:
        return redirect(url_for(".accounts"), 303)  # type: ignore[return-value]

    @bp.get("/")
    def accounts() -> Response:
        return accounts_page(dash)

    @bp.post("/accounts")
    def create() -> Response:
        name = request.form.get("provider", "")
        key = request.form.get("apiKey", "").strip()
        if name not in emulator.providers:
            raise DashboardError(400, f"provider must be one of {sorted(emulator.providers)}")
        if not key:
            raise DashboardError(400, "an API key is required")
        if len(key) > MAX_KEY_LENGTH:
            raise DashboardError(400, f"the API key must be at most {MAX_KEY_LENGTH} characters")
        try:
            _room(emulator, name, key)
        except AdminError as exc:
            raise DashboardError(exc.status, exc.message) from exc
        provider = emulator.providers[name]
        if request.form.get("demo"):
            emulator.seed(provider, key, _seed_value(dash))
        else:
            emulator.create_tenant(provider, key)
        return back()

    @bp.post("/accounts/<provider>/<ref>/reset")
    def reset(provider: str, ref: str) -> Response:
        """Empty the account: forgotten (records, clock, deliveries, journal) and made anew."""
        tenant = dash.account(provider, ref)
        emulator.reset(provider, tenant.key)
        emulator.create_tenant(emulator.providers[provider], tenant.key)
        return back()

    @bp.post("/accounts/<provider>/<ref>/seed")
    def seed(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        emulator.seed(emulator.providers[provider], tenant.key, _seed_value(dash))
        return back()

    @bp.post("/accounts/<provider>/<ref>/delete")
    def delete(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        emulator.reset(provider, tenant.key)
        return back()
