"""An account's webhook deliveries, newest first, each attempt with its status, error,
latency, headers and body; redelivering a message."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for

from mockserver.dashboard.common import Dashboard, DashboardError, page, pretty, wants_json
from mockserver.engine.store import Tenant

SHOWN = 100  # attempts rendered (the history keeps up to 10,000 of every account)


def delivery_items(dash: Dashboard, tenant: Tenant, after: int | None = None) -> list[dict[str, Any]]:
    made = dash.emulator.dispatcher.attempts(tenant.provider, tenant.key)
    if after is not None:
        made = [a for a in made if int(a.get("id") or 0) > after]
    return [_item(attempt) for attempt in made[-SHOWN:][::-1]]


def _item(attempt: dict[str, Any]) -> dict[str, Any]:
    body = attempt.get("requestBody")
    with contextlib.suppress(ValueError):  # else shown as sent
        body = pretty(json.loads(body)) if isinstance(body, str) else pretty(body)
    return {
        **{name: attempt.get(name) for name in ("id", "messageId", "attempt", "ok", "status", "error", "durationMs", "event")},
        **{name: attempt.get(name) for name in ("url", "at", "willRetry", "nextAttemptInSeconds")},
        "headers": pretty(attempt.get("requestHeaders") or {}),
        "body": body,
        "response": attempt.get("responseBody") or "",
    }


def mount_webhooks(bp: Blueprint, dash: Dashboard) -> None:
    @bp.get("/accounts/<provider>/<ref>/deliveries")
    def deliveries(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        after = request.args.get("after", "")
        since = int(after) if after.isascii() and after.isdigit() and len(after) < 19 else None
        return page("_deliveries.html", deliveries=delivery_items(dash, tenant, since), account=dash.account_json(tenant))

    @bp.post("/accounts/<provider>/<ref>/redeliver")
    def redeliver(provider: str, ref: str) -> Response:
        tenant = dash.account(provider, ref)
        message_id = request.form.get("messageId", "")
        if not message_id:
            raise DashboardError(400, "which message? (messageId)")
        send_again = getattr(dash.emulator.dispatcher, "redeliver", None)
        if send_again is None:
            raise DashboardError(501, "this server cannot redeliver a message")
        schedule = dash.emulator.providers[provider].retry_schedule
        if not send_again(provider, tenant.key, message_id, schedule):
            raise DashboardError(404, "no delivery of this account has that message id (or its subscription was deleted)")
        if wants_json():
            return jsonify({"queued": True, "messageId": message_id})
        return redirect(url_for(".account", provider=provider, ref=ref) + "#webhooks", 303)  # type: ignore[return-value]
