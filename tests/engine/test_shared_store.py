"""The shared backend in process: two emulators on one Redis database (as two workers or
hosts are) see one state: rate limits, resets, account clocks, queued deliveries,
registered keys and snapshots."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from mockserver.app import create_app, emulator_of
from mockserver.engine import snapshot
from mockserver.engine.settings import Settings
from tests.support import STRICT_SETTINGS, assert_same_state

KEY = {"X-API-Key": "team"}


def _pair(url: str, **settings: Any) -> tuple[Any, Any, Flask, Flask]:
    apps = [create_app(Settings(**{**STRICT_SETTINGS, **settings, "state": url}), deliver=False) for _ in range(2)]
    return apps[0].test_client(), apps[1].test_client(), apps[0], apps[1]


def test_a_rate_limit_counts_the_requests_of_every_worker(redis_url: str) -> None:
    one, two, _, _ = _pair(redis_url, rate_limit=4, rate_window=60)
    statuses = [(one, two)[n % 2].get("/systeme/api/contacts", headers=KEY).status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]
    refused = two.get("/systeme/api/contacts", headers=KEY)
    assert refused.json["detail"] == "Too many requests" and int(refused.headers["Retry-After"]) > 0


def test_a_reset_and_an_account_clock_are_seen_by_the_other_worker(redis_url: str) -> None:
    one, two, _, _ = _pair(redis_url)
    assert one.post("/systeme/api/contacts", json={"email": "a@example.com"}, headers=KEY).status_code == 201
    assert len(two.get("/systeme/api/contacts", headers=KEY).json["items"]) == 1
    moved = one.post(
        "/__admin/clock", json={"provider": "systeme", "apiKey": "team", "set": "2030-01-02T03:04:05Z", "freeze": True}
    )
    assert moved.status_code == 200
    assert (
        two.get("/__admin/clock", query_string={"provider": "systeme", "apiKey": "team"})
        .json["now"]
        .startswith("2030-01-02T03:04:05")
    )
    made = two.post("/systeme/api/contacts", json={"email": "b@example.com"}, headers=KEY).json
    assert made["registeredAt"].startswith("2030-01-02T03:04:05")
    assert one.post("/__admin/reset", json={"provider": "systeme", "apiKey": "team"}).status_code == 200
    assert two.get("/systeme/api/contacts", headers=KEY).json["items"] == []
    again = one.post("/systeme/api/contacts", json={"email": "a@example.com"}, headers=KEY)
    assert again.status_code == 201 and again.json["id"] == 1  # a new account: ids start again


def test_deleting_a_subscription_drops_its_queued_messages_for_every_worker(redis_url: str) -> None:
    one, two, app_one, app_two = _pair(redis_url)
    hook = {"name": "h", "url": "http://127.0.0.1:9/hook", "secret": "s3cret", "subscriptions": ["CONTACT_CREATED"]}
    webhook = one.post("/systeme/api/webhooks", json=hook, headers=KEY).json
    for n in range(3):  # nobody delivers (no dispatcher started): they stay queued in Redis
        assert two.post("/systeme/api/contacts", json={"email": f"c{n}@example.com"}, headers=KEY).status_code == 201
    pending = emulator_of(app_one).dispatcher.pending("systeme", "team")
    assert [p["attempt"] for p in pending] == [1, 1, 1]
    assert len({p["messageId"] for p in pending}) == 3
    assert two.delete(f"/systeme/api/webhooks/{webhook['id']}", headers=KEY).status_code == 204
    assert emulator_of(app_one).dispatcher.pending("systeme", "team") == []
    assert emulator_of(app_two).dispatcher.outstanding() == 0


def test_registered_keys_and_unknown_keys_refused_hold_across_workers(redis_url: str) -> None:
    one, two, _, _ = _pair(redis_url, allow_unknown_keys=False)
    assert two.get("/systeme/api/contacts", headers={"X-API-Key": "late"}).status_code == 401
    assert one.post("/__admin/tenants", json={"provider": "systeme", "apiKey": "late"}).status_code == 201
    assert two.get("/systeme/api/contacts", headers={"X-API-Key": "late"}).status_code == 200


def test_a_snapshot_of_shared_state_restores_the_same_accounts_in_memory(redis_url: str) -> None:
    one, two, app_one, _ = _pair(redis_url)
    for n in range(5):
        assert (one, two)[n % 2].post(
            "/systeme/api/contacts", json={"email": f"s{n}@example.com"}, headers=KEY
        ).status_code == 201
    assert two.get("/clickfunnels/api/v2/teams", headers={"Authorization": "Bearer demo", "User-Agent": "t"}).status_code == 200
    shared = emulator_of(app_one)
    memory = emulator_of(create_app(Settings(**STRICT_SETTINGS), deliver=False))
    snapshot.restore(memory, snapshot.read(snapshot.take(shared), memory.providers), at_start=True)
    assert_same_state(shared, memory)


def test_the_journal_shows_the_requests_every_worker_answered(redis_url: str) -> None:
    one, two, _, _ = _pair(redis_url)
    assert one.post("/systeme/api/contacts", json={"email": "j1@example.com"}, headers=KEY).status_code == 201
    assert two.get("/systeme/api/contacts", headers=KEY).status_code == 200
    query = {"provider": "systeme", "apiKey": "team"}
    # The worker that answered always has its own requests; the other's arrive within moments.
    seen = [e["operationId"] for e in two.get("/__admin/journal", query_string=query).json["items"]]
    assert "listContacts" in seen
    deadline = time.monotonic() + 5
    while "createContact" not in seen and time.monotonic() < deadline:
        time.sleep(0.01)
        seen = [e["operationId"] for e in two.get("/__admin/journal", query_string=query).json["items"]]
    assert seen[:2] == ["listContacts", "createContact"]
    entry = one.get("/__admin/journal", query_string={**query, "method": "POST"}).json["items"][0]
    assert entry["requestBody"] == {"email": "j1@example.com"} and entry["status"] == 201
    assert entry["requestHeaders"]["X-Api-Key"] == "***"  # redacted as in memory
    assert one.delete("/__admin/journal", query_string=query).status_code == 204
    assert two.get("/__admin/journal", query_string=query).json["items"] == []


def test_the_account_limit_counts_the_accounts_of_every_worker(redis_url: str) -> None:
    one, two, _, _ = _pair(redis_url, max_accounts=2)
    assert one.get("/systeme/api/contacts", headers={"X-API-Key": "cap-a"}).status_code == 200
    assert (
        two.get("/simvoly/api/site/products", headers={"Authorization": "Bearer cap-b", "User-Agent": "t/1"}).status_code == 200
    )
    assert one.get("/systeme/api/contacts", headers={"X-API-Key": "cap-c"}).status_code == 401  # the third, on either
    assert two.get("/systeme/api/contacts", headers={"X-API-Key": "cap-c"}).status_code == 401
    assert two.get("/systeme/api/contacts", headers={"X-API-Key": "cap-a"}).status_code == 200  # one there: fine
