"""What the dashboard's views share: the emulator and the account refs, the error a view
raises to show a message in the page, and small helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Response, render_template, request

from mockserver.dashboard.refs import Refs
from mockserver.engine.journal import key_hint
from mockserver.engine.runtime import Emulator
from mockserver.engine.store import Tenant

PAGE_SIZE = 50


class DashboardError(Exception):
    """A request the dashboard refuses: the page shows the message (role="alert")."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Dashboard:
    emulator: Emulator
    refs: Refs = field(default_factory=Refs)
    asset_version: str = ""
    forms: dict[str, list[Any]] = field(default_factory=dict)  # each provider's action forms (actions.py)

    def account(self, provider: str, ref: str) -> Tenant:
        if provider not in self.emulator.providers:
            raise DashboardError(404, f"no provider is named {provider!r}")
        tenant = self.refs.tenant(self.emulator.store, provider, ref)
        if tenant is None:
            raise DashboardError(404, f"no {provider} account has that reference (reset, or made by another server run)")
        return tenant

    def account_json(self, tenant: Tenant) -> dict[str, Any]:
        """What the pages show of an account (never its key)."""
        return {
            "provider": tenant.provider,
            "ref": self.refs.of(tenant.provider, tenant.key),
            "keyHint": key_hint(tenant.key),
            "demo": tenant.demo,
        }


def page(template: str, status: int = 200, **values: Any) -> Response:
    return Response(render_template(template, **values), status=status, content_type="text/html; charset=utf-8")


def wants_json() -> bool:
    """A request of dashboard.js (fetch), answered with JSON rather than a page."""
    return request.headers.get("X-Dashboard") == "fetch"


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def page_number(value: str | None) -> int:
    if value is None or value == "":
        return 1
    if not value.isascii() or not value.isdigit() or int(value) < 1 or len(value) > 9:
        raise DashboardError(400, "page must be a whole number from 1")
    return int(value)
