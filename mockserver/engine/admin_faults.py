"""The admin API's faults on demand: fault rules (/__admin/faults) and rate limits set
while the server runs (/__admin/rate-limits), per provider or per account."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from mockserver.engine.faults import FaultRuleError
from mockserver.engine.journal import key_hint, without_key
from mockserver.engine.runtime import Emulator


def mount_faults(admin: Blueprint, emulator: Emulator) -> None:
    # admin.py imports this module: its helpers are taken when the routes are made.
    from mockserver.engine.admin import AdminError, _account_scope, _body, _json

    @admin.post("/faults")
    def add_fault() -> Response:
        try:
            rule = emulator.faults.add(_body())
        except FaultRuleError as exc:
            raise AdminError(400, str(exc)) from exc
        return _json(rule.to_json(), 201)

    @admin.get("/faults")
    def list_faults() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"items": [rule.to_json() for rule in emulator.faults.rules(provider, key)]})

    @admin.delete("/faults/<rule_id>")
    def remove_fault(rule_id: str) -> Response:
        if not emulator.faults.remove(rule_id):
            raise AdminError(404, f"no fault rule {rule_id!r} (a rule whose times ran out is gone)")
        return _no_content()

    @admin.delete("/faults")
    def clear_faults() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"deleted": emulator.faults.clear(provider, key)})

    @admin.post("/rate-limits")
    def set_rate_limit() -> Response:
        provider, key, limit, window = _rate_limit(_body())
        emulator.limiter.set_quota(provider, key, limit, window)
        return _json({"provider": provider, "keyHint": key_hint(key), "limit": limit, "window": window})

    @admin.get("/rate-limits")
    def list_rate_limits() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"items": [without_key(quota) for quota in emulator.limiter.quotas(provider, key)]})

    @admin.delete("/rate-limits")
    def clear_rate_limits() -> Response:
        provider, key = _account_scope(request.args)
        return _json({"deleted": emulator.limiter.clear_quotas(provider, key)})


def _rate_limit(body: dict[str, Any]) -> tuple[str, str | None, int, float]:
    """(provider, apiKey or None, limit, window) from POST /__admin/rate-limits, or a 400 naming the field."""
    from mockserver.engine.admin import AdminError, _provider_name

    unknown = sorted(set(body) - {"provider", "apiKey", "limit", "window"})
    if unknown:
        raise AdminError(400, f"{unknown[0]}: not a field of a rate limit (provider, apiKey, limit, window)")
    provider = _provider_name(body.get("provider"))
    key = body.get("apiKey")
    if key is not None and (not isinstance(key, str) or not key):
        raise AdminError(400, "apiKey: must be a non-empty string")
    limit, window = body.get("limit"), body.get("window")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise AdminError(400, "limit: must be a whole number of requests from 1")
    if not isinstance(window, int | float) or isinstance(window, bool) or not 0 < window < float("inf"):
        raise AdminError(400, "window: must be a positive number of seconds")
    return str(provider), key, limit, window


def _no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
