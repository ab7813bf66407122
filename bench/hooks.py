"""`--webhooks N`: how fast mockserver's signed Systeme webhooks reach their receivers.
Three local receivers subscribe to CONTACT_CREATED in one account of a fresh mockserver
(retry delays compressed with --webhook-time-scale 0.001); N contacts are created with
wrk (bench/load.py), and we time the 3N deliveries as the receivers see them arrive."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from bench import load
from bench.servers import start_mockserver
from bench.workloads import USER_AGENT, session_for

RECEIVERS = 3
EVENT = "CONTACT_CREATED"
SIGNATURE_HEADER = "X-Webhook-Signature"  # hex HMAC-SHA256 of the raw body (providers/systeme/webhooks.py)
TIME_SCALE = "0.001"
TIMEOUT_S = 60.0  # from the first create until every delivery must have arrived
TARGET_S = 5.0  # N = 1,000 events to 3 receivers, all delivered within 5 s
SETTLE_S = 0.5  # after the last expected delivery: time for any surplus (a retry, a duplicate) to show
# Creates while deliveries run: this many contacts into an account without subscriptions,
# then as many into one whose three receivers get every event; the rates compared.
CONTENTION_CREATES = 5_000
CONTENTION_TARGET = 0.8  # creates with three busy receivers >= 80% of creates with none


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that answers every POST 200 at once and notes when it
    came, whether it carried a valid signature, and which message it was."""

    def __init__(self, name: str, secret: str) -> None:
        self.name = name
        self.secret = secret.encode()
        self.lock = threading.Lock()
        self.arrivals: list[float] = []  # time.monotonic() of each POST
        self.message_ids: set[str] = set()
        self.events: Counter[str] = Counter()
        self.missing_signature = 0
        self.invalid_signature = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would offer

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.record(body, self.headers)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/{self.name}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def record(self, body: bytes, headers: Any) -> None:
        now = time.monotonic()
        signature = headers.get(SIGNATURE_HEADER)
        with self.lock:
            self.arrivals.append(now)
            self.message_ids.add(headers.get("X-Webhook-Message-Id") or "")
            self.events[headers.get("X-Webhook-Event") or "(none)"] += 1
            if not signature:
                self.missing_signature += 1
            elif not hmac.compare_digest(signature, hmac.new(self.secret, body, hashlib.sha256).hexdigest()):
                self.invalid_signature += 1

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)

    def figures(self, started: float) -> dict[str, Any]:
        with self.lock:
            return {
                "url": self.url,
                "deliveries": len(self.arrivals),
                "distinct_messages": len(self.message_ids),
                "events": dict(self.events),
                "missing_signature": self.missing_signature,
                "invalid_signature": self.invalid_signature,
                "last_delivery_s": round(max(self.arrivals) - started, 3) if self.arrivals else None,
            }


def run(
    args: argparse.Namespace, mockserver_bin: Path, cache: Path, rate_limit: str, progress: Callable[[str], None]
) -> dict[str, Any]:
    total: int = args.webhooks
    expected = RECEIVERS * total
    with contextlib.ExitStack() as stack:
        receivers = []
        for number in range(1, RECEIVERS + 1):
            receiver = Receiver(f"r{number}", f"bench-secret-{number}-{secrets.token_hex(8)}")
            receiver.start()
            stack.callback(receiver.stop)
            receivers.append(receiver)

        options = ["--rate-limit", rate_limit, "--no-demo-data", "--webhook-time-scale", TIME_SCALE]
        server = start_mockserver(mockserver_bin, cache / "mockserver-webhooks.log", progress, "webhooks", *options)
        stack.callback(server.stop)

        key = f"hooks-{secrets.token_hex(4)}"  # not "demo": a new, empty account
        headers = {"X-API-Key": key, "User-Agent": USER_AGENT, "Accept": "application/json"}
        _subscribe(server.url, headers, receivers)

        progress(f"webhooks: creating {total:,} contacts; expecting {expected:,} deliveries to {RECEIVERS} receivers")
        loaded = load.create_contacts(
            server.url,
            headers,
            cache / "wrk",
            total=total,
            prefix="hook",
            threads=args.threads,
            connections=args.connections,
            timeout=TIMEOUT_S,
        )
        deadline = loaded.started + TIMEOUT_S
        while sum(r.count() for r in receivers) < expected and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(SETTLE_S)
        arrivals = sorted(t for r in receivers for t in _arrivals(r))
        attempts = _attempts(server.url, key)
        per_receiver = [r.figures(loaded.started) for r in receivers]  # before the contention run adds to them
        contention = _contention(args, server.url, cache, receivers, progress)
        result: dict[str, Any] = {
            "events": total,
            "receivers": RECEIVERS,
            "api_key": key,
            "mockserver_argv": server.argv,
            "load": loaded.as_dict(),
            "deliveries_expected": expected,
            "deliveries_arrived": len(arrivals),
            "timeout_s": TIMEOUT_S,
            "settle_s": SETTLE_S,
            "per_receiver": per_receiver,
            "mockserver_attempts": attempts,
            "memory_kib": server.memory_kib(),
            "contention": contention,
        }
    # The moment the expected number had arrived (a surplus after it does not count).
    done_at = arrivals[expected - 1] if len(arrivals) >= expected else None
    result["first_create_to_last_delivery_s"] = None if done_at is None else round(done_at - loaded.started, 3)
    result["last_create_to_last_delivery_s"] = None if done_at is None else round(done_at - loaded.finished, 3)
    result["missing_signature"] = sum(r["missing_signature"] for r in result["per_receiver"])
    result["invalid_signature"] = sum(r["invalid_signature"] for r in result["per_receiver"])
    result["distinct_messages"] = sum(r["distinct_messages"] for r in result["per_receiver"])
    seconds = result["first_create_to_last_delivery_s"]
    result["targets"] = [
        {
            "what": f"{total:,} events to {RECEIVERS} receivers: all {expected:,} delivered, first create to last delivery",
            "target": f"<= {TARGET_S:g} s" + ("" if total == 1_000 else " (set for 1,000 events)"),
            "measured": f"{seconds:.2f} s"
            if seconds is not None
            else f"{len(arrivals):,} of {expected:,} within {TIMEOUT_S:g} s",
            "met": seconds is not None and seconds <= TARGET_S,
        },
        {
            "what": f"creates/s while {RECEIVERS} receivers get every event, against creates/s with none "
            f"({CONTENTION_CREATES:,} creates each)",
            "target": f">= {CONTENTION_TARGET:g}x",
            "measured": f"{contention['ratio']:.2f}x ({contention['busy_per_second']:,.0f}/s against "
            f"{contention['quiet_per_second']:,.0f}/s)",
            "met": contention["ratio"] >= CONTENTION_TARGET,
        },
    ]
    result["problems"] = problems(result)
    return result


def _subscribe(url: str, headers: dict[str, str], receivers: list[Receiver]) -> None:
    session = session_for(headers)
    for receiver in receivers:
        secret = receiver.secret.decode()
        body = {"name": f"bench {receiver.name}", "url": receiver.url, "secret": secret, "subscriptions": [EVENT]}
        response = session.post(f"{url}/systeme/api/webhooks", json=body, timeout=30)
        if response.status_code != 201:
            raise RuntimeError(f"webhooks: POST /systeme/api/webhooks answered {response.status_code}: {response.text[:300]}")


def _contention(
    args: argparse.Namespace, url: str, cache: Path, receivers: list[Receiver], progress: Callable[[str], None]
) -> dict[str, Any]:
    """Creates/s into an account nobody listens to, then into one whose every create makes
    three deliveries (which run while the creates go on)."""
    rates = {}
    for name, subscribed in (("quiet", False), ("busy", True)):
        key = f"contention-{name}-{secrets.token_hex(4)}"
        headers = {"X-API-Key": key, "User-Agent": USER_AGENT, "Accept": "application/json"}
        if subscribed:
            _subscribe(url, headers, receivers)
        progress(f"webhooks: {CONTENTION_CREATES:,} creates into an account with {RECEIVERS if subscribed else 0} receivers")
        loaded = load.create_contacts(
            url,
            headers,
            cache / "wrk",
            total=CONTENTION_CREATES,
            prefix=name,
            threads=args.threads,
            connections=args.connections,
            timeout=TIMEOUT_S,
        )
        rates[name] = loaded.created / loaded.seconds if loaded.seconds > 0 else 0.0
    return {
        "creates": CONTENTION_CREATES,
        "quiet_per_second": round(rates["quiet"], 1),
        "busy_per_second": round(rates["busy"], 1),
        "ratio": round(rates["busy"] / rates["quiet"], 3) if rates["quiet"] else 0.0,
    }


def _arrivals(receiver: Receiver) -> list[float]:
    with receiver.lock:
        return list(receiver.arrivals)


def _attempts(url: str, key: str) -> dict[str, Any]:
    """mockserver's own record of its delivery attempts for the account (the admin API)."""
    try:
        response = requests.get(f"{url}/__admin/webhooks/attempts", params={"provider": "systeme", "apiKey": key}, timeout=60)
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        return {"problem": str(exc)}
    items = body.get("items", [])
    failed = [a for a in items if not a.get("ok")]
    return {
        "recorded": len(items),
        "failed": len(failed),
        "failed_examples": sorted({str(a.get("error")) for a in failed})[:3],
        "outstanding": body.get("outstanding"),
    }


def problems(result: dict[str, Any]) -> list[str]:
    found = []
    loaded = result["load"]
    if not loaded["complete"] or loaded["created"] != result["events"]:
        found.append(
            f"webhooks: {loaded['created']:,} of {result['events']:,} creates answered 2xx; statuses {loaded['statuses']}"
        )
    if result["deliveries_arrived"] < result["deliveries_expected"]:
        found.append(
            f"webhooks: {result['deliveries_arrived']:,} of {result['deliveries_expected']:,} deliveries arrived "
            f"within {result['timeout_s']:g} s of the first create"
        )
    if result["missing_signature"] or result["invalid_signature"]:
        found.append(
            f"webhooks: {result['missing_signature']} deliveries without {SIGNATURE_HEADER}, "
            f"{result['invalid_signature']} with a signature that does not match the body"
        )
    if (
        result["distinct_messages"] != result["deliveries_expected"]
        and result["deliveries_arrived"] >= result["deliveries_expected"]
    ):
        found.append(
            f"webhooks: {result['distinct_messages']:,} distinct messages in {result['deliveries_arrived']:,} deliveries "
            f"(expected {result['deliveries_expected']:,} messages, one delivery each)"
        )
    return found
