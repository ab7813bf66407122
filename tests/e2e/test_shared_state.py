"""Several emulators on one Redis (`mockserver serve --state redis://...`) serve one
emulator: no write lost or made twice, unique rules across processes, every pending webhook
delivered after every process was killed, a clear 503 while Redis is away, and workers."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

import requests

from mockserver.testing import WebhookReceiver
from tests.e2e.serve import Served
from tests.redis_server import started
from tests.support import created, ok

# How long the writers write (MOCKSERVER_SHARED_SOAK_SECONDS=60 for the long run).
SOAK_SECONDS = float(os.environ.get("MOCKSERVER_SHARED_SOAK_SECONDS", "8"))
KEY = {"X-API-Key": "shared-team"}
NO_LIMIT = ("--rate-limit", "100000000/1")  # (the default limit counts across both: it is reached)


def _walk(url: str) -> list[dict[str, Any]]:
    """Every contact of the account, page by page (cursor paging)."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"startingAfter": after} if after else {})}
        page = ok(requests.get(f"{url}/systeme/api/contacts", params=params, headers=KEY, timeout=10))
        found += page["items"]
        if not page["hasMore"]:
            return found
        after = page["items"][-1]["id"]


def test_sixteen_writers_through_two_emulators_lose_nothing_and_duplicate_nothing(redis_url: str) -> None:
    with Served("--state", redis_url, "--quiet", *NO_LIMIT) as one, Served("--state", redis_url, "--quiet", *NO_LIMIT) as two:
        servers = [one.url, two.url]
        made: list[dict[str, Any]] = []
        problems: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + SOAK_SECONDS

        def writer(number: int) -> None:
            http = requests.Session()
            count = 0
            while time.monotonic() < deadline:
                writes_to, reads_from = servers[count % 2], servers[(count + 1) % 2]
                email = f"w{number}-{count}@example.com"
                response = http.post(f"{writes_to}/systeme/api/contacts", json={"email": email}, headers=KEY, timeout=30)
                if response.status_code != 201:
                    problems.append(f"{email}: {response.status_code} {response.text[:200]}")
                    return
                contact = response.json()
                # Read-your-writes through the other emulator.
                seen = http.get(f"{reads_from}/systeme/api/contacts/{contact['id']}", headers=KEY, timeout=30)
                if seen.status_code != 200 or seen.json()["email"] != email:
                    problems.append(f"{email} not seen through the other emulator: {seen.status_code}")
                with lock:
                    made.append(contact)
                count += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not problems, problems[:5]
        assert len(made) > 16 * 5
        ids = [c["id"] for c in made]
        assert len(set(ids)) == len(ids), "an id was handed out twice"
        for url in servers:  # both walk the same account: every record exactly once
            walked = _walk(url)
            assert Counter(c["id"] for c in walked) == Counter(ids)
            assert {c["email"] for c in walked} == {c["email"] for c in made}

        # The same e-mail from 16 threads through both emulators at once: exactly one 201.
        start = threading.Barrier(16)
        statuses: list[int] = []

        def racer(number: int) -> None:
            start.wait()
            response = requests.post(
                f"{servers[number % 2]}/systeme/api/contacts", json={"email": "race@example.com"}, headers=KEY, timeout=30
            )
            statuses.append(response.status_code)

        racers = [threading.Thread(target=racer, args=(n,)) for n in range(16)]
        for thread in racers:
            thread.start()
        for thread in racers:
            thread.join()
        assert sorted(statuses) == [201] + [422] * 15


def test_deliveries_pending_when_every_emulator_is_killed_go_out_after_a_restart(redis_url: str) -> None:
    flags = ("--state", redis_url, "--quiet", "--webhook-time-scale", "0.001", "--webhook-timeout", "2")
    with WebhookReceiver() as receiver:
        receiver.respond_with(503)  # down for now: every delivery waits for a retry
        one, two = Served(*flags), Served(*flags)
        try:
            hook = {"name": "h", "url": receiver.url, "secret": "s3cret", "subscriptions": ["CONTACT_CREATED"]}
            created(requests.post(f"{one.url}/systeme/api/webhooks", json=hook, headers=KEY, timeout=10))
            emails = {f"p{n}@example.com" for n in range(200)}
            for number, email in enumerate(sorted(emails)):
                url = (one, two)[number % 2].url
                created(requests.post(f"{url}/systeme/api/contacts", json={"email": email}, headers=KEY, timeout=10))
            # One message at a time per endpoint, in order: the first is retried, the rest wait.
            receiver.wait(3, timeout=30)
            one.crash()
            two.crash()
        finally:
            one.close()
            two.close()
        failed = len(receiver.requests)
        receiver.respond_with(200)
        with Served(*flags) as again, Served(*flags):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                delivered = {r.json["contact"]["email"] for r in receiver.requests[failed:]}
                if delivered >= emails:
                    break
                time.sleep(0.2)
            assert delivered >= emails, f"{len(emails - delivered)} events never arrived"
            message_ids: dict[str, set[str]] = {}
            for request in receiver.requests:
                email = request.json["contact"]["email"]
                message_ids.setdefault(email, set()).add(request.headers["X-Webhook-Message-Id"])
            assert all(len(ids) == 1 for ids in message_ids.values()), "a retry changed its message id"
            assert len({next(iter(ids)) for ids in message_ids.values()}) == len(emails)
            assert ok(
                requests.get(
                    f"{again.url}/__admin/webhooks/attempts", params={"provider": "systeme", "apiKey": "shared-team"}, timeout=10
                )
            )


def test_while_redis_is_away_requests_get_a_native_503_and_it_recovers_by_itself() -> None:
    redis = started()
    try:
        with Served("--state", f"redis://127.0.0.1:{redis.port}/0", "--quiet") as served:
            api = f"{served.url}/systeme/api/contacts"
            created(requests.post(api, json={"email": "before@example.com"}, headers=KEY, timeout=10))
            redis.stop()
            away = requests.post(api, json={"email": "during@example.com"}, headers=KEY, timeout=30)
            assert away.status_code == 503
            assert away.headers["Content-Type"].startswith("application/")
            body = away.json()  # Systeme.io's own error shape, never a traceback
            assert set(body) >= {"type", "title", "detail"} and "Traceback" not in away.text
            assert requests.get(api, headers=KEY, timeout=30).status_code == 503
            admin = requests.get(f"{served.url}/__admin/tenants", timeout=30)
            assert admin.status_code == 503 and admin.json()["error"].startswith("shared state unavailable")
            redis.start()  # an empty Redis on the same address
            back = requests.post(api, json={"email": "after@example.com"}, headers=KEY, timeout=30)
            assert back.status_code == 201, back.text
            assert [c["email"] for c in ok(requests.get(api, headers=KEY, timeout=10))["items"]] == ["after@example.com"]
    finally:
        redis.close()


def test_two_workers_serve_one_state(redis_url: str) -> None:
    with Served("--state", redis_url, "--workers", "2", "--quiet") as served:
        assert "state: shared in" in "\n".join(served.banner) and "(2 workers)" in "\n".join(served.banner)
        api = f"{served.url}/systeme/api/contacts"
        for number in range(30):  # a new connection each time: the kernel spreads them over both workers
            created(requests.post(api, json={"email": f"c{number}@example.com"}, headers=KEY, timeout=10))
            listed = ok(requests.get(api, params={"limit": 100}, headers=KEY, timeout=10))["items"]
            assert len(listed) == number + 1
        ids = [c["id"] for c in _walk(served.url)]
        assert sorted(ids) == list(range(1, 31))


def test_workers_need_shared_state() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--workers N needs --state redis://" in result.stderr
