"""`--costs`: whether a request costs more as the account grows. A fresh mockserver (no demo
data) and an account per provider given 2,000 contacts, then 18,000 more (through the
public API, with wrk: bench/load.py). At each size, four requests that could read every
contact are timed under wrk with one connection (one request at a time: the latency of
the request, not a queue's):

- Systeme.io: a contact looked up by e-mail (`?email=`);
- Systeme.io: `?unsubscribed=true`, 50 unsubscribed contacts among the first 2,000 (the
  same answer at both sizes; a scan from the newest contact reads every one to find it);
- Simvoly: the last page of the contacts (`skip` = N - 20);
- ClickFunnels: a page sorted by `updated_at`, 40 contacts from the end of the walk.

Each answer is checked (a wrong one is a problem, as in the other scenarios); the target
is a p50 at 20,000 contacts within 1.5x of the p50 at 2,000."""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from bench import load, wrk
from bench.servers import start_mockserver
from bench.workloads import EMAIL_SLOT, USER_AGENT, Call, session_for

SIZES = (2_000, 20_000)
RATIO_TARGET = 1.5  # p50 at the larger size / p50 at the smaller
UNSUBSCRIBED_EVERY = 40  # every 40th of the first 2,000 contacts: 50 in all
PAGE = 20
# The e-mail looked up: one of the first contacts loaded, so the same at both sizes.
LOOKED_UP = f"costs-{SIZES[0]}-{SIZES[0] // 2}@gmail.com"

# The contacts' create request per provider: its path under /<provider>, and its body.
CREATES = {
    "systeme": ("/api/contacts", json.dumps({"email": EMAIL_SLOT})),
    "simvoly": ("/api/site/contacts", json.dumps({"email": EMAIL_SLOT})),
    "clickfunnels": ("/api/v2/workspaces/{workspace}/contacts", json.dumps({"contact": {"email_address": EMAIL_SLOT}})),
}


def run(
    args: argparse.Namespace, mockserver_bin: Path, cache: Path, rate_limit: str, progress: Callable[[str], None]
) -> dict[str, Any]:
    log = cache / "mockserver-costs.log"
    server = start_mockserver(mockserver_bin, log, progress, "costs", "--rate-limit", rate_limit, "--no-demo-data")
    with contextlib.ExitStack() as stack:
        stack.callback(server.stop)
        key = f"costs-{secrets.token_hex(4)}"  # the same key in each provider: new, empty accounts
        accounts = {name: _headers(name, key) for name in CREATES}
        workspace = _workspace(server.url, accounts["clickfunnels"])
        result: dict[str, Any] = {"api_key": key, "mockserver_argv": server.argv, "sizes": {}, "problems": []}
        loaded = 0
        for size in SIZES:
            progress(f"costs: loading contacts {loaded + 1:,}..{size:,} into each account (wrk)")
            for provider, headers in accounts.items():
                _load(
                    args,
                    server.url,
                    provider,
                    headers,
                    cache,
                    size - loaded,
                    prefix=f"costs-{size}",
                    workspace=workspace,
                    result=result,
                )
            if loaded == 0:
                _unsubscribe_some(server.url, accounts["systeme"])
            loaded = size
            calls = _calls(server.url, accounts, workspace, size, result["problems"])
            measured = result["sizes"][size] = {
                name: _measure(args, server.url, provider, accounts[provider], call, cache, progress, size)
                for name, (provider, call) in calls.items()
            }
            for name, entry in measured.items():
                if entry["wrk"]["errors"]:
                    result["problems"].append(
                        f"costs: {name} at {size:,} contacts under wrk: statuses {entry['wrk']['statuses']}"
                    )
        result["memory_kib"] = server.memory_kib()
    result["ratios"] = _ratios(result["sizes"])
    result["targets"] = [
        {
            "what": f"p50 of {name} at {SIZES[1]:,} contacts / at {SIZES[0]:,}",
            "target": f"<= {RATIO_TARGET:g}",
            "measured": "-" if ratio is None else f"{ratio:.2f}",
            "met": ratio is not None and ratio <= RATIO_TARGET,
        }
        for name, ratio in result["ratios"].items()
    ]
    return result


def _headers(provider: str, key: str) -> dict[str, str]:
    auth = {"X-API-Key": key} if provider == "systeme" else {"Authorization": f"Bearer {key}"}
    return {**auth, "User-Agent": USER_AGENT, "Accept": "application/json"}


def _workspace(url: str, headers: dict[str, str]) -> int:
    """The only workspace of a new ClickFunnels account (asking for it makes the account)."""
    session = session_for(headers)
    team = _ok(session.get(f"{url}/clickfunnels/api/v2/teams", timeout=30))[0]["id"]
    return int(_ok(session.get(f"{url}/clickfunnels/api/v2/teams/{team}/workspaces", timeout=30))[0]["id"])


def _load(
    args: argparse.Namespace,
    url: str,
    provider: str,
    headers: dict[str, str],
    cache: Path,
    count: int,
    *,
    prefix: str,
    workspace: int,
    result: dict[str, Any],
) -> None:
    path, body = CREATES[provider]
    done = load.create_contacts(
        url,
        headers,
        cache / "wrk",
        total=count,
        prefix=prefix,
        threads=args.threads,
        connections=args.connections,
        timeout=120 + count / 100,
        target=f"/{provider}" + path.format(workspace=workspace),
        body=body,
    )
    if not done.complete or done.created != count:
        result["problems"].append(f"costs: {provider}: {done.created:,} of {count:,} creates answered 2xx ({done.statuses})")


def _unsubscribe_some(url: str, headers: dict[str, str]) -> None:
    """Every 40th Systeme contact of the first load unsubscribes (through the admin API)."""
    session = session_for(headers)
    ids: list[int] = []
    query: dict[str, Any] = {"limit": 100, "order": "asc"}
    while True:
        page = _ok(session.get(f"{url}/systeme/api/contacts", params=query, timeout=30))
        ids += [item["id"] for item in page["items"]]
        if not page["hasMore"]:
            break
        query["startingAfter"] = ids[-1]
    key = headers["X-API-Key"]
    for contact_id in ids[::UNSUBSCRIBED_EVERY]:
        body = {"apiKey": key, "contactId": contact_id, "unsubscribed": True}
        _ok(session.post(f"{url}/__admin/systeme/email-status", json=body, timeout=30))


def _calls(
    url: str, accounts: dict[str, dict[str, str]], workspace: int, size: int, problems: list[str]
) -> dict[str, tuple[str, Call]]:
    """The four requests at this size, each checked once for the answer it must give."""
    contacts = f"/api/v2/workspaces/{workspace}/contacts"
    cursor = _clickfunnels_cursor(url, accounts["clickfunnels"], contacts)
    calls = {
        "systeme email": ("systeme", Call("email", "GET", "/api/contacts?" + urlencode({"email": LOOKED_UP, "limit": PAGE}))),
        "systeme flag": ("systeme", Call("flag", "GET", f"/api/contacts?unsubscribed=true&limit={PAGE}")),
        "simvoly deep": ("simvoly", Call("deep", "GET", f"/api/site/contacts?limit={PAGE}&skip={size - PAGE}")),
        "clickfunnels updated_at": ("clickfunnels", Call("sorted", "GET", f"{contacts}?sort_property=updated_at&after={cursor}")),
    }
    for name, (provider, call) in calls.items():
        response = session_for(accounts[provider]).get(f"{url}/{provider}{call.path}", timeout=60)
        wrong = _wrong(name, response, size) if response.status_code == 200 else f"status {response.status_code}"
        if wrong:
            problems.append(f"costs: {name} at {size:,} contacts: GET /{provider}{call.path}: {wrong}")
    return calls


def _clickfunnels_cursor(url: str, headers: dict[str, str], contacts: str) -> str:
    """The contact 40 from the end of the walk by updated_at: the second page's cursor in
    descending order."""
    session = session_for(headers)
    query = {"sort_property": "updated_at", "sort_order": "desc"}
    first = session.get(f"{url}/clickfunnels{contacts}", params=query, timeout=60)
    second = session.get(f"{url}/clickfunnels{contacts}", params={**query, "after": first.headers["Pagination-Next"]}, timeout=60)
    return second.headers["Pagination-Next"]


def _wrong(name: str, response: requests.Response, size: int) -> str | None:
    """What is wrong with an answer (None: it is right)."""
    body = response.json()
    if name == "systeme email":
        return None if [item["email"] for item in body["items"]] == [LOOKED_UP] else f"answered {body['items']}"
    if name == "systeme flag":
        items = body["items"]
        flagged = len(items) == PAGE and all(item["unsubscribed"] for item in items) and body["hasMore"]
        return None if flagged else f"{len(items)} contacts, not {PAGE} unsubscribed ones with more to come"
    if name == "simvoly deep":
        full = len(body["items"]) == PAGE and body["totalCount"] == size
        return None if full else f"{len(body['items'])} contacts of totalCount {body['totalCount']}"
    stamps = [record["updated_at"] for record in body]
    in_order = len(body) == PAGE and stamps == sorted(stamps) and "Pagination-Next" in response.headers
    return None if in_order else f"{len(body)} contacts, updated_at order {stamps == sorted(stamps)}"


def _measure(
    args: argparse.Namespace,
    url: str,
    provider: str,
    headers: dict[str, str],
    call: Call,
    cache: Path,
    progress: Callable[[str], None],
    size: int,
) -> dict[str, Any]:
    progress(f"costs: {size:,} contacts: GET /{provider}{call.path} under wrk -t1 -c1")
    runs = [("warmup", args.warmup), ("timed", args.duration)] if args.warmup else [("timed", args.duration)]
    for phase, seconds in runs:
        script = wrk.write_script(
            cache / "wrk" / f"costs-{provider}-{call.workload}-{phase}.lua", call, url, f"/{provider}", headers
        )
        figures, _ = wrk.run(url, script, threads=1, connections=1, duration=seconds)
    return {"request": f"GET /{provider}{call.path}", "wrk": figures.as_dict()}


def _ratios(sizes: dict[int, dict[str, Any]]) -> dict[str, float | None]:
    small, large = sizes[SIZES[0]], sizes[SIZES[1]]
    ratios: dict[str, float | None] = {}
    for name in small:
        before, after = small[name]["wrk"]["p50_ms"], large[name]["wrk"]["p50_ms"]
        ratios[name] = round(after / before, 3) if before else None
    return ratios


def _ok(response: requests.Response) -> Any:
    if not response.ok:
        raise RuntimeError(
            f"costs: {response.request.method} {response.url} answered {response.status_code}: {response.text[:300]}"
        )
    return response.json()
