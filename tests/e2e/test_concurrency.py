"""Many clients at once on one account: no lost write, no id handed out twice, no torn list."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession, Emulator, WebhookReceiver

THREADS = 16


def walk(client: ApiSession, path: str) -> list[dict[str, object]]:
    seen: list[dict[str, object]] = []
    params: dict[str, object] = {"limit": 100}
    while True:
        page = client.get(path, params=params).json()
        seen += page["items"]
        if not page["hasMore"]:
            return seen
        params["startingAfter"] = page["items"][-1]["id"]


def test_parallel_creates_lose_nothing_and_never_reuse_an_id(systeme: ApiSession) -> None:
    def create(number: int) -> int:
        response = systeme.post("/api/contacts", json={"email": f"c{number}@gmail.com"})
        assert response.status_code == 201, response.text
        contact_id: int = response.json()["id"]
        return contact_id

    with ThreadPoolExecutor(THREADS) as pool:
        ids = list(pool.map(create, range(400)))
    assert len(set(ids)) == 400
    listed = walk(systeme, "/api/contacts")
    assert sorted(c["id"] for c in listed) == sorted(ids)  # type: ignore[type-var]
    assert {c["email"] for c in listed} == {f"c{n}@gmail.com" for n in range(400)}


def test_a_race_for_one_email_has_exactly_one_winner(systeme: ApiSession) -> None:
    def create(_: int) -> int:
        return systeme.post("/api/contacts", json={"email": "race@gmail.com"}).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(create, range(32)))
    assert statuses.count(201) == 1
    assert statuses.count(422) == 31


def test_parallel_tag_assignments_all_land(systeme: ApiSession) -> None:
    contact = systeme.post("/api/contacts", json={"email": "tagged@gmail.com"}).json()
    tag_ids = [systeme.post("/api/tags", json={"name": f"t{n}"}).json()["id"] for n in range(40)]

    def assign(tag_id: int) -> int:
        return systeme.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag_id}).status_code

    with ThreadPoolExecutor(THREADS) as pool:
        assert set(pool.map(assign, tag_ids)) == {204}
    carried = systeme.get(f"/api/contacts/{contact['id']}").json()["tags"]
    assert sorted(t["id"] for t in carried) == sorted(tag_ids)


def test_lists_read_during_writes_are_consistent(systeme: ApiSession) -> None:
    """Readers racing writers always get a well-formed page in strict id order."""

    def write(number: int) -> None:
        created = systeme.post("/api/contacts", json={"email": f"w{number}@gmail.com"}).json()
        if number % 3 == 0:
            systeme.delete(f"/api/contacts/{created['id']}")

    def read(_: int) -> list[int]:
        page = systeme.get("/api/contacts", params={"limit": 100}).json()
        ids: list[int] = [c["id"] for c in page["items"]]
        assert ids == sorted(ids, reverse=True)
        assert len(ids) == len(set(ids))
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        writes = [pool.submit(write, n) for n in range(150)]
        reads = [pool.submit(read, n) for n in range(150)]
        for future in writes + reads:
            future.result()
    remaining = walk(systeme, "/api/contacts")
    assert len(remaining) == 100


def test_webhook_events_leave_in_the_order_their_writes_committed(
    mockserver: Emulator, systeme_account: Account, webhook_receiver: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write's events are queued before the next write to the account commits: here the
    first write is slowed down just as its events are queued, while a second write comes in;
    the second must wait, so the deliveries keep the order of the contacts' ids."""
    systeme = systeme_account.session()
    hook = {"name": "h", "url": webhook_receiver.url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    assert systeme.post("/api/webhooks", json=hook).status_code == 201
    dispatcher = mockserver.engine.dispatcher
    queueing, submit = threading.Event(), dispatcher.submit

    def slow_first_submit(provider: str, tenant: str, messages: list[Any], schedule: Any) -> None:
        if tenant == systeme_account.api_key and messages and not queueing.is_set():
            queueing.set()
            time.sleep(0.3)  # the first write is between its commit and its events
        submit(provider, tenant, messages, schedule)

    monkeypatch.setattr(dispatcher, "submit", slow_first_submit)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(systeme.post, "/api/contacts", json={"email": "first@gmail.com"})
        assert queueing.wait(10)
        second = systeme.post("/api/contacts", json={"email": "second@gmail.com"})
        ids = [first.result().json()["id"], second.json()["id"]]
    arrived = [item.json["contact"]["id"] for item in webhook_receiver.wait(2, timeout=30)]
    assert arrived == ids == sorted(ids)
