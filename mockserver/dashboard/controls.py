"""An account's clock, fault rules and rate limit, changed with the engine calls the admin
API makes (POST /__admin/clock, /__admin/faults, /__admin/rate-limits)."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from mockserver.dashboard.common import Dashboard, DashboardError
from mockserver.engine.admin import CLOCK_RANGE
from mockserver.engine.faults import FaultRuleError
from mockserver.engine.store import Tenant


def controls_section(dash: Dashboard, tenant: Tenant) -> dict[str, Any]:
    emulator = dash.emulator
    with emulator.store.hold(tenant, write=False):
        clock = tenant.clock.describe()
    return {
        "clock": clock,
        "faults": [rule.to_json() for rule in emulator.faults.rules(tenant.provider, tenant.key)],
        "quotas": emulator.limiter.quotas(tenant.provider, tenant.key),
        "operations": sorted(op.operation_id for op in emulator.specs[tenant.provider].operations),
    }


def _number(raw: str | None, name: str, *, whole: bool = False) -> float:
    try:
        value = float(raw or "")
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (whole and not value.is_integer()):
        raise DashboardError(400, f"{name} must be {'a whole number' if whole else 'a number'}")
    return value


def _move(tenant: Tenant, what: str, seconds: str | None) -> None:
    clock = tenant.clock
    if what == "advance":
        target = clock.time() + _number(seconds, "seconds")
        if not CLOCK_RANGE[0] <= target <= CLOCK_RANGE[1]:
            raise DashboardError(400, "the clock must stay between the years 1970 and 9000")
        clock.advance(target - clock.time())
    elif what in ("freeze", "unfreeze", "reset"):
        getattr(clock, what)()
    else:
        raise DashboardError(400, "do must be advance, freeze, unfreeze or reset")


def _fault_fields(provider: str, key: str, form: Any) -> dict[str, Any]:
    """A fault rule of one account from the add form (blank fields left out)."""
    fields: dict[str, Any] = {"provider": provider, "apiKey": key}
    for name in ("operation", "method", "path"):
        value = form.get(name, "").strip()
        if value:
            fields[name] = value.upper() if name == "method" else value
    for name in ("status", "times"):
        if form.get(name, "").strip():
            fields[name] = int(_number(form.get(name), name, whole=True))
    return fields


def mount_controls(bp: Blueprint, dash: Dashboard) -> None:
    emulator = dash.emulator

    def back(provider: str, ref: str) -> Response:
        return redirect(url_for(".account", provider=provider, ref=ref) + "#controls", 303)  # type: ignore[return-value]

    @bp.post("/accounts/<provider>/<ref>/clock")
    def clock(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        with emulator.store.hold(tenant, write=True):  # an account's clock is account state
            _move(tenant, request.form.get("do", ""), request.form.get("seconds"))
        return back(provider, ref)

    @bp.post("/accounts/<provider>/<ref>/faults")
    def add_fault(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        try:
            emulator.faults.add(_fault_fields(provider, tenant.key, request.form))
        except FaultRuleError as exc:
            raise DashboardError(400, str(exc)) from exc
        return back(provider, ref)

    @bp.post("/accounts/<provider>/<ref>/faults/<rule_id>/remove")
    def remove_fault(provider: str, ref: str, rule_id: str) -> Response:
        tenant = dash.account(provider, ref)
        if not any(rule.id == rule_id for rule in emulator.faults.rules(provider, tenant.key)):
            raise DashboardError(404, f"no fault rule {rule_id!r} of this account (a rule whose times ran out is gone)")
        emulator.faults.remove(rule_id)
        return back(provider, ref)

    @bp.post("/accounts/<provider>/<ref>/rate-limit")
    def rate_limit(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        if request.form.get("do") == "remove":
            emulator.limiter.clear_quotas(provider, tenant.key)
            return back(provider, ref)
        limit = _number(request.form.get("limit"), "limit", whole=True)
        window = _number(request.form.get("window"), "window")
        if limit < 1 or window <= 0:
            raise DashboardError(400, "a rate limit needs a limit from 1 and a window of more than 0 seconds")
        emulator.limiter.set_quota(provider, tenant.key, int(limit), window)
        return back(provider, ref)
