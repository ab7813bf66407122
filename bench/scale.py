"""`--scale N`: N Systeme contacts in one account. A fresh mockserver; the contacts loaded
through the public API with wrk (bench/load.py); the account walked page by page to check
it holds exactly those N; then the resident memory, and the first page of the list beside
a page deep in it, each under wrk."""

from __future__ import annotations

import argparse
import contextlib
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import load, wrk
from bench.servers import memory_kib, start_mockserver
from bench.workloads import USER_AGENT, Call, session_for
from mockserver.testing.redis_server import RedisServer

PAGE = 20  # the page size of the first/deep comparison
WALK_LIMIT = 100  # the page size of the verification walk
MEMORY_TARGET_BYTES = 300_000_000  # "under 300 MB resident"
DEEP_RATIO_TARGET = 2.0  # p50(deep page) / p50(first page)


def run(
    args: argparse.Namespace, mockserver_bin: Path, cache: Path, rate_limit: str, progress: Callable[[str], None]
) -> dict[str, Any]:
    total: int = args.scale
    log = cache / "mockserver-scale.log"
    options = ["--rate-limit", rate_limit, "--no-demo-data"]
    with contextlib.ExitStack() as stack:
        redis = None
        if args.state == "redis":  # a redis-server of the bench's own holds the state
            redis = stack.enter_context(RedisServer())
            options += ["--state", redis.url()]
        server = start_mockserver(mockserver_bin, log, progress, "scale", *options)
        stack.callback(server.stop)
        key = f"scale-{secrets.token_hex(4)}"  # not "demo": a new, empty account
        headers = {"X-API-Key": key, "User-Agent": USER_AGENT, "Accept": "application/json"}
        result: dict[str, Any] = {
            "contacts": total,
            "api_key": key,
            "mockserver_argv": server.argv,
            "memory_kib": {"start": server.memory_kib()},
        }

        progress(f"scale: creating {total:,} contacts (POST /systeme/api/contacts, wrk -t{args.threads} -c{args.connections})")
        loaded = load.create_contacts(
            server.url,
            headers,
            cache / "wrk",
            total=total,
            prefix="scale",
            threads=args.threads,
            connections=args.connections,
            timeout=120 + total / 100,  # wrk is ended if it goes slower than 100 contacts/s
        )
        result["load"] = loaded.as_dict()
        result["memory_kib"]["after_load"] = server.memory_kib()
        progress(f"scale: {loaded.created:,} created in {loaded.seconds:.1f}s; walking the account to count them")

        ids, verification = verify(server.url, headers, total)
        result["verification"] = verification
        if len(ids) < 2 * PAGE:
            raise RuntimeError(f"scale: the walk found {len(ids)} contacts; the page comparison needs {2 * PAGE}")
        result["memory_kib"]["after_walk"] = server.memory_kib()

        result["pages"] = measure_pages(args, server.url, headers, ids, cache, progress)
        result["memory_kib"]["end"] = server.memory_kib()
        if redis is not None and redis.process is not None:
            result["state"] = "redis"
            result["redis_memory_kib"] = memory_kib(redis.process.pid)
        # Last, as it doubles the account for a moment (memory is read before it).
        progress("scale: a snapshot of the account (GET /__admin/snapshot), and restoring it as another account")
        result["snapshot"] = measure_snapshot(server.url, key, total)
    result["targets"] = targets(result)
    result["problems"] = problems(result)
    return result


def measure_snapshot(url: str, key: str, total: int) -> dict[str, Any]:
    """What --state-file and the snapshot endpoints cost for the account: download it, then
    restore it under another key and check that account holds as many contacts."""
    session = session_for({})
    scope = {"provider": "systeme", "apiKey": key}
    started = time.perf_counter()
    saved = session.get(f"{url}/__admin/snapshot", params=scope, timeout=300)
    took = time.perf_counter() - started
    if saved.status_code != 200:
        raise RuntimeError(f"scale: GET /__admin/snapshot answered {saved.status_code}: {saved.text[:300]}")
    copy = {"provider": "systeme", "apiKey": f"{key}-copy"}
    started = time.perf_counter()
    restored = session.put(f"{url}/__admin/snapshot", params=copy, data=saved.content, timeout=300)
    put = time.perf_counter() - started
    if restored.status_code != 200:
        raise RuntimeError(f"scale: PUT /__admin/snapshot answered {restored.status_code}: {restored.text[:300]}")
    counted = restored.json()["restored"][0]["records"].get("contacts")
    session.post(f"{url}/__admin/reset", json=copy, timeout=60)
    return {
        "bytes": len(saved.content),
        "take_s": round(took, 3),
        "restore_s": round(put, 3),
        "restored_contacts": counted,
        "exact": counted == total,
    }


def verify(url: str, headers: dict[str, str], total: int) -> tuple[list[int], dict[str, Any]]:
    """Walk the whole list (limit 100, startingAfter = the last id of the page before):
    the ids in list order, and whether they are exactly the N contacts loaded."""
    session = session_for(headers)
    ids: list[int] = []
    emails: set[str] = set()
    pages = 0
    query: dict[str, str] = {"limit": str(WALK_LIMIT)}
    started = time.perf_counter()
    while True:
        response = session.get(f"{url}/systeme/api/contacts", params=query, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(
                f"scale: verification walk: page {pages + 1} answered {response.status_code}: {response.text[:300]}"
            )
        body = response.json()
        pages += 1
        items = body["items"]
        ids += [item["id"] for item in items]
        emails.update(item["email"] for item in items)
        if not body["hasMore"] or not items:
            break
        query = {"limit": str(WALK_LIMIT), "startingAfter": str(items[-1]["id"])}
    seconds = time.perf_counter() - started
    expected = {f"scale-{n}@gmail.com" for n in range(1, total + 1)}
    return ids, {
        "pages": pages,
        "seconds": round(seconds, 3),
        "counted": len(ids),
        "distinct_ids": len(set(ids)),
        "order": "newest first" if ids == sorted(ids, reverse=True) else "ascending" if ids == sorted(ids) else "unordered",
        "emails_expected_found": len(emails & expected),
        "emails_unexpected": len(emails - expected),
        "exact": len(ids) == total and len(set(ids)) == total and emails == expected,
    }


def page_calls(ids: list[int]) -> dict[str, tuple[Call, list[int], str]]:
    """The pages compared: each call, the ids it must answer, and how its cursor was found.

    The list's default order is newest first, so page P of it starts after the contact at
    position (P-1)*20 of that order. The same page number counted in ascending order
    (order=asc) starts after the (P-1)*20-th contact by ascending id (the 99,980th for
    N = 100,000): measured too, as a page deep in the other direction."""
    total = len(ids)
    page = total // PAGE
    skip = (page - 1) * PAGE
    newest_first = sorted(ids, reverse=True)
    ascending = sorted(ids)
    base = "/api/contacts"
    return {
        "first": (Call("first", "GET", f"{base}?limit={PAGE}"), newest_first[:PAGE], "page 1, default order (newest first)"),
        "deep": (
            Call("deep", "GET", f"{base}?limit={PAGE}&startingAfter={newest_first[skip - 1]}"),
            newest_first[skip : skip + PAGE],
            f"page {page:,} of the default order: after the {skip:,}th newest contact",
        ),
        "deep_asc": (
            Call("deep_asc", "GET", f"{base}?limit={PAGE}&order=asc&startingAfter={ascending[skip - 1]}"),
            ascending[skip : skip + PAGE],
            f"page {page:,} in ascending order: after the {skip:,}th contact by ascending id",
        ),
    }


def measure_pages(
    args: argparse.Namespace,
    url: str,
    headers: dict[str, str],
    ids: list[int],
    cache: Path,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    session = session_for(headers)
    pages: dict[str, Any] = {}
    for name, (call, expected, note) in page_calls(ids).items():
        response = session.get(f"{url}/systeme{call.path}", timeout=60)
        answered = [item["id"] for item in response.json()["items"]] if response.status_code == 200 else []
        entry: dict[str, Any] = {
            "request": f"GET /systeme{call.path}",
            "note": note,
            "status": response.status_code,
            "answers_expected_ids": answered == expected,
        }
        progress(f"scale: {name} page under wrk: {entry['request']}")
        runs = [("warmup", args.warmup), ("timed", args.duration)] if args.warmup else [("timed", args.duration)]
        for phase, seconds in runs:
            script = wrk.write_script(cache / "wrk" / f"scale-{name}-{phase}.lua", call, url, "/systeme", headers)
            figures, _ = wrk.run(url, script, threads=args.threads, connections=args.connections, duration=seconds)
        entry["wrk"] = figures.as_dict()
        pages[name] = entry
    return pages


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    rss_kib = result["memory_kib"]["after_load"].get("VmRSS", 0)
    pages = result["pages"]
    found = [
        {
            "what": f"resident memory (VmRSS) after loading {result['contacts']:,} contacts",
            "target": "< 300 MB" + ("" if result["contacts"] == 100_000 else " (set for 100,000)"),
            "measured": f"{rss_kib * 1024 / 1e6:,.1f} MB ({rss_kib / 1024:,.1f} MiB)",
            "met": rss_kib * 1024 < MEMORY_TARGET_BYTES,
        }
    ]
    first_p50 = pages["first"]["wrk"]["p50_ms"]
    for name in ("deep", "deep_asc"):
        ratio = pages[name]["wrk"]["p50_ms"] / first_p50 if first_p50 else None
        pages[name]["p50_ratio_to_first"] = None if ratio is None else round(ratio, 3)
        found.append(
            {
                "what": f"p50 of the {name.replace('_', ' ')} page / p50 of the first page",
                "target": f"<= {DEEP_RATIO_TARGET:g}",
                "measured": "-" if ratio is None else f"{ratio:.2f}",
                "met": ratio is not None and ratio <= DEEP_RATIO_TARGET,
            }
        )
    return found


def problems(result: dict[str, Any]) -> list[str]:
    """Wrong answers (not slow ones): a count that is not N, a page with the wrong ids."""
    found = []
    loaded, check = result["load"], result["verification"]
    if not loaded["complete"] or loaded["created"] != result["contacts"]:
        found.append(
            f"scale: {loaded['created']:,} of {result['contacts']:,} creates answered 2xx; statuses {loaded['statuses']}"
        )
    snapshot = result.get("snapshot")
    if snapshot and not snapshot["exact"]:
        found.append(f"scale: the account restored from its snapshot holds {snapshot['restored_contacts']} contacts")
    if not check["exact"]:
        found.append(
            f"scale: the account holds {check['counted']:,} contacts ({check['distinct_ids']:,} distinct ids, "
            f"{check['emails_expected_found']:,} of the expected e-mails, {check['emails_unexpected']:,} others), "
            f"not exactly the {result['contacts']:,} loaded"
        )
    for name, page in result["pages"].items():
        if page["status"] != 200 or not page["answers_expected_ids"]:
            found.append(f"scale: {page['request']} answered {page['status']}, not the {PAGE} contacts expected")
        if page["wrk"]["errors"]:
            found.append(f"scale: {name} page under wrk: {page['wrk']['errors']} errors, statuses {page['wrk']['statuses']}")
    return found
