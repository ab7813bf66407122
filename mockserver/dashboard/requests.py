"""The Requests pages: the journal newest first (filtered by provider, account, method and
status), one request's headers and bodies (redacted as the journal redacts them), and the
live event stream the pages listen to (server-sent events)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, request

from mockserver.dashboard.common import Dashboard, DashboardError, page, pretty
from mockserver.engine.journal import Exchange, JournalFilter, key_hint
from mockserver.engine.streams import EventStream

SHOWN = 100  # entries rendered at first; newer ones arrive live
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def request_filter(dash: Dashboard, args: Any) -> tuple[JournalFilter, dict[str, str]]:
    """The journal filter a page's query asks for, and the query values as given."""
    given = {name: (args.get(name) or "").strip() for name in ("provider", "account", "method", "status")}
    provider = given["provider"] or None
    if provider is not None and provider not in dash.emulator.providers:
        raise DashboardError(400, f"provider must be one of {sorted(dash.emulator.providers)}")
    key = None
    if given["account"]:
        if provider is None:
            raise DashboardError(400, "an account filter needs a provider")
        key = dash.account(provider, given["account"]).key
    method = given["method"].upper() or None
    if method is not None and method not in METHODS:
        raise DashboardError(400, f"method must be one of {', '.join(METHODS)}")
    status = given["status"] or None
    if status is not None and not re.fullmatch(r"[1-5]([0-9][0-9]|xx|XX)", status):
        raise DashboardError(400, "status must be a status (404) or a class of them (4xx)")
    after = args.get("after")
    since = int(after) if after and after.isascii() and after.isdigit() and len(after) < 19 else None
    return JournalFilter(provider=provider, key=key, method=method, status=status, since=since), given


def request_items(dash: Dashboard, where: JournalFilter) -> list[dict[str, Any]]:
    """The newest matching entries, as the list shows them (no body is read here)."""
    return [_item(dash, entry) for entry in dash.emulator.journal.entries(where, SHOWN)]


def _item(dash: Dashboard, entry: Exchange) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "provider": entry.provider,
        "keyHint": key_hint(entry.api_key),
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "operationId": entry.operation_id,
        "durationMs": round(entry.duration_ms, 1),
        "ref": dash.refs.of(entry.provider, entry.api_key) if entry.api_key else None,
    }


def mount_requests(bp: Blueprint, dash: Dashboard) -> None:
    @bp.get("/requests")
    def requests_page() -> Response:
        where, given = request_filter(dash, request.args)
        items = request_items(dash, where)
        if request.args.get("fragment"):
            return page("_requests.html", items=items)
        events = {"provider": given["provider"], "account": given["account"]}
        return page(
            "requests.html",
            items=items,
            filters=given,
            methods=METHODS,
            providers=sorted(dash.emulator.providers),
            events=events,
        )

    @bp.get("/requests/<int:seq>")
    def request_page(seq: int) -> Response:
        entry = next((e for e in dash.emulator.journal.entries(JournalFilter(since=seq - 1)) if e.seq == seq), None)
        if entry is None:
            raise DashboardError(404, f"no request {seq} in the journal (it keeps the last requests only)")
        tenant = dash.emulator.store.get(entry.provider, entry.api_key) if entry.api_key else None
        data = entry.to_json()
        return page(
            "request.html",
            entry=data,
            account=dash.account_json(tenant) if tenant is not None else None,
            parts={
                name: pretty(data[name])
                for name in ("query", "requestHeaders", "requestBody", "responseHeaders", "responseBody", "events")
            },
        )

    @bp.get("/events")
    def events() -> Response:
        provider = request.args.get("provider") or None
        if provider is not None and provider not in dash.emulator.providers:
            raise DashboardError(400, f"provider must be one of {sorted(dash.emulator.providers)}")
        key = None
        if request.args.get("account"):
            if provider is None:
                raise DashboardError(400, "an account needs a provider")
            key = dash.account(provider, request.args["account"]).key
        stream = EventStream(dash.emulator.feed.subscribe(), provider, key, {"request", "delivery"})
        return Response(stream, content_type="text/event-stream", headers={"Cache-Control": "no-cache"}, direct_passthrough=True)
