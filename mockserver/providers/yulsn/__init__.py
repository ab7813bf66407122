"""Yulsn v1: contacts, companies, events, points, dynamic tables, orders, segments, stores,
actions, e-mail and media. ASP.NET Web API conventions: case-insensitive paths, query
names and body names; PascalCase responses; `{"Message": ...}` errors."""

from __future__ import annotations

from werkzeug.wrappers import Request

from mockserver.engine.ratelimit import Quota
from mockserver.providers.base import Provider, spec_path
from mockserver.providers.yulsn import admin, contacts, demo, exports
from mockserver.providers.yulsn.errors import render_error
from mockserver.providers.yulsn.handlers import HANDLERS


def _api_key(request: Request) -> str | None:
    return request.headers.get("X-ApiKey")


def _no_quota_headers(_: Quota) -> dict[str, str]:
    return {}


def _no_webhooks(*_: object) -> list:  # type: ignore[type-arg]
    return []  # Yulsn's v1 API has no webhook subscriptions


PROVIDER = Provider(
    name="yulsn",
    title="Yulsn v1",
    spec_file=spec_path("yulsn"),
    handlers=HANDLERS,
    credentials=_api_key,
    render_error=render_error,
    init_tenant=demo.init_tenant,
    seed_demo=demo.seed_demo,
    deliveries=_no_webhooks,
    retry_schedule=(),
    quota_headers=_no_quota_headers,
    client_headers=lambda key: {"X-ApiKey": key, "Accept": "application/json"},
    admin_actions=admin.ACTIONS,
    admin_schemas=admin.SCHEMAS,
    pages={("GET", "PersonDataFiles/<token>"): contacts.person_data_page, **exports.PAGES},
    content_type="application/json; charset=utf-8",
    case_insensitive=True,
)
