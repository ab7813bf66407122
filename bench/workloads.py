"""The fixed workloads, per provider: request shapes taken from specs/*.yaml and the
provider modules (auth headers, body wrappers, content types, paging), with ids read
from the demo tenant by a request made before the run."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from mockserver.providers import all_providers

# Every registered provider (the bench serves what `mockserver serve` serves).
PROVIDERS = tuple(provider.name for provider in all_providers())
DEMO_KEY = "demo"
# ClickFunnels and Simvoly refuse requests without a User-Agent (403 / 400); all get one.
USER_AGENT = "mockserver-bench/1.0"
# In a create body, the placeholder the wrk script replaces with a unique e-mail address.
EMAIL_SLOT = "__EMAIL__"
# Execution order. `create` runs last: it grows the tenant, which would change what
# `list` (Yulsn's list is every contact) and `walk` measure.
WRK_WORKLOADS = ("list", "get", "update", "create")


@dataclass(frozen=True)
class Call:
    """One workload's request, relative to the provider's root (no /<provider> prefix)."""

    workload: str
    method: str
    path: str
    body: str | None = None  # JSON text; EMAIL_SLOT marks the e-mail of a create
    content_type: str | None = None

    def body_for(self, email: str) -> str | None:
        return None if self.body is None else self.body.replace(EMAIL_SLOT, email)


# How a walk goes on: from a page's JSON body and headers, and the query that asked for
# it, the number of records on the page and the query of the next page (None: the end).
Follow = Callable[[Any, Mapping[str, str], dict[str, str]], tuple[int, dict[str, str] | None]]


@dataclass(frozen=True)
class Walk:
    path: str
    first: dict[str, str]
    follow: Follow
    note: str


@dataclass(frozen=True)
class Plan:
    provider: str
    headers: dict[str, str]
    calls: dict[str, Call]
    walk: Walk


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _get(session: requests.Session, url: str) -> Any:
    """A discovery request: must succeed, or the benchmark cannot be set up."""
    response = session.get(url, timeout=30)
    if not response.ok:
        raise SystemExit(f"bench: GET {url} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def plan(provider: str, base: str) -> Plan:
    """The provider's workloads; `base` is mockserver's URL of the provider (ids come from it)."""
    if provider not in BUILDERS:
        raise SystemExit(f"bench: no workload for provider {provider!r}: add its builder to BUILDERS in bench/workloads.py")
    return BUILDERS[provider](base)


def session_for(headers: Mapping[str, str]) -> requests.Session:
    session = requests.Session()
    session.headers.update(headers)
    return session


# -- Systeme.io: X-API-Key; newest-first pages with a startingAfter cursor; PATCH is a merge patch.
def _systeme(base: str) -> Plan:
    headers = {"X-API-Key": DEMO_KEY, "User-Agent": USER_AGENT, "Accept": "application/json"}
    contact_id = _get(session_for(headers), f"{base}/api/contacts?limit=10")["items"][0]["id"]
    first_name = [{"slug": "first_name", "value": "Bench"}]

    def follow(body: Any, _: Mapping[str, str], query: dict[str, str]) -> tuple[int, dict[str, str] | None]:
        items = body["items"]
        more = bool(body["hasMore"]) and bool(items)
        return len(items), ({"limit": query["limit"], "startingAfter": str(items[-1]["id"])} if more else None)

    return Plan(
        "systeme",
        headers,
        {
            "list": Call("list", "GET", "/api/contacts?limit=20"),
            "get": Call("get", "GET", f"/api/contacts/{contact_id}"),
            "update": Call(
                "update", "PATCH", f"/api/contacts/{contact_id}", _json({"fields": first_name}), "application/merge-patch+json"
            ),
            "create": Call(
                "create", "POST", "/api/contacts", _json({"email": EMAIL_SLOT, "fields": first_name}), "application/json"
            ),
        },
        Walk("/api/contacts", {"limit": "100"}, follow, "startingAfter cursor, limit 100"),
    )


# -- ClickFunnels 2.0: Bearer + User-Agent; collections under a workspace; bodies wrapped in
# {"contact": ...}; pages of 20 ascending, the next one named by the Pagination-Next header.
def _clickfunnels(base: str) -> Plan:
    headers = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": USER_AGENT, "Accept": "application/json"}
    session = session_for(headers)
    team_id = _get(session, f"{base}/api/v2/teams")[0]["id"]
    workspace_id = _get(session, f"{base}/api/v2/teams/{team_id}/workspaces")[0]["id"]
    contact_id = _get(session, f"{base}/api/v2/workspaces/{workspace_id}/contacts")[0]["id"]
    contacts = f"/api/v2/workspaces/{workspace_id}/contacts"

    def follow(body: Any, headers: Mapping[str, str], _: dict[str, str]) -> tuple[int, dict[str, str] | None]:
        after = headers.get("Pagination-Next")
        return len(body), ({"after": after} if after else None)

    return Plan(
        "clickfunnels",
        headers,
        {
            "list": Call("list", "GET", contacts),
            "get": Call("get", "GET", f"/api/v2/contacts/{contact_id}"),
            "update": Call(
                "update", "PUT", f"/api/v2/contacts/{contact_id}", _json({"contact": {"first_name": "Bench"}}), "application/json"
            ),
            "create": Call(
                "create",
                "POST",
                contacts,
                _json({"contact": {"email_address": EMAIL_SLOT, "first_name": "Bench"}}),
                "application/json",
            ),
        },
        Walk(contacts, {}, follow, f"workspace {workspace_id}, after=<Pagination-Next>, 20 a page"),
    )


# -- Simvoly: Bearer + User-Agent; skip/limit pages (limit at most 50); PUT needs the e-mail.
def _simvoly(base: str) -> Plan:
    headers = {"Authorization": f"Bearer {DEMO_KEY}", "User-Agent": USER_AGENT, "Accept": "application/json"}
    contact = _get(session_for(headers), f"{base}/api/site/contacts?limit=1&skip=0")["items"][0]

    def follow(body: Any, _: Mapping[str, str], query: dict[str, str]) -> tuple[int, dict[str, str] | None]:
        count = len(body["items"])
        skip = int(query["skip"]) + count
        return count, ({"limit": query["limit"], "skip": str(skip)} if count and skip < body["totalCount"] else None)

    return Plan(
        "simvoly",
        headers,
        {
            "list": Call("list", "GET", "/api/site/contacts?limit=20&skip=0"),
            "get": Call("get", "GET", f"/api/site/contacts/{contact['id']}"),
            "update": Call(
                "update",
                "PUT",
                f"/api/site/contacts/{contact['id']}",
                _json({"email": contact["email"], "name": "Bench Update"}),
                "application/json",
            ),
            "create": Call(
                "create", "POST", "/api/site/contacts", _json({"email": EMAIL_SLOT, "name": "Bench"}), "application/json"
            ),
        },
        Walk("/api/site/contacts", {"limit": "50", "skip": "0"}, follow, "skip/limit, limit 50"),
    )


# -- Yulsn: X-ApiKey. Its contact lists are not paged (GET /Contacts answers every id,
# GetContactsBaseInfo every contact, briefly), so `list` and `walk` are that one page.
# PATCH sets only what is given (PUT would null the fields left out).
def _yulsn(base: str) -> Plan:
    headers = {"X-ApiKey": DEMO_KEY, "User-Agent": USER_AGENT, "Accept": "application/json"}
    contact_id = _get(session_for(headers), f"{base}/api/v1/Contacts")[0]

    def follow(body: Any, _: Mapping[str, str], __: dict[str, str]) -> tuple[int, dict[str, str] | None]:
        return len(body), None

    return Plan(
        "yulsn",
        headers,
        {
            "list": Call("list", "GET", "/api/v1/Contacts/GetContactsBaseInfo"),
            "get": Call("get", "GET", f"/api/v1/Contacts/{contact_id}"),
            "update": Call(
                "update", "PATCH", f"/api/v1/Contacts/{contact_id}", _json({"FirstName": "Bench"}), "application/json"
            ),
            "create": Call(
                "create",
                "POST",
                "/api/v1/Contacts",
                _json({"Email": EMAIL_SLOT, "FirstName": "Bench", "RegistrationSource": "Bench"}),
                "application/json",
            ),
        },
        Walk("/api/v1/Contacts/GetContactsBaseInfo", {}, follow, "not paged: one page of every contact"),
    )


def preflight(call: Call, root: str, headers: Mapping[str, str], email: str) -> requests.Response:
    """Send the workload's request once, as wrk will (the caller judges the status)."""
    sent = dict(headers)
    if call.content_type:
        sent["Content-Type"] = call.content_type
    body = call.body_for(email)
    return requests.request(call.method, root + call.path, headers=sent, data=body.encode() if body else None, timeout=30)


# Each provider's workloads (a provider without one is refused by name: see plan()).
BUILDERS: dict[str, Callable[[str], Plan]] = {
    "systeme": _systeme,
    "clickfunnels": _clickfunnels,
    "simvoly": _simvoly,
    "yulsn": _yulsn,
}
