"""Yulsn v1: contacts, companies, events, points, dynamic tables, orders, segments, stores,
actions, e-mail and media. ASP.NET Web API conventions: case-insensitive paths, query
names and body names; PascalCase responses; `{"Message": ...}` errors."""

from __future__ import annotations

from mockserver.providers.base import Provider, by_convention, key_header, spec_path
from mockserver.providers.yulsn import admin, contacts, demo, exports
from mockserver.providers.yulsn.errors import render_error
from mockserver.providers.yulsn.handlers import HANDLERS

PROVIDER = Provider(
    name="yulsn",
    title="Yulsn v1",
    spec_file=spec_path("yulsn"),
    handlers=HANDLERS,
    credentials=key_header("X-ApiKey"),
    render_error=render_error,
    **by_convention(demo=demo, admin=admin),
    client_headers=lambda key: {"X-ApiKey": key, "Accept": "application/json"},
    pages={("GET", "PersonDataFiles/<token>"): contacts.person_data_page, **exports.PAGES},
    content_type="application/json; charset=utf-8",
    case_insensitive=True,
)
