"""`mockserver serve` at its default settings keeps answering while a client waits: for
deliveries (POST /__admin/webhooks/wait), or on the admin event stream; and a webhook
receiver that calls back into the emulator during its delivery does not deadlock."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests

from mockserver.testing import Emulator, ReceivedWebhook, WebhookReceiver
from tests.e2e.serve import Served


def _hook(api: requests.Session, url: str) -> None:
    body = {"name": "h", "url": url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    assert api.post("/api/webhooks", json=body).status_code == 201


def test_a_hundred_requests_are_answered_while_another_client_waits_30_s() -> None:
    with Served() as served, WebhookReceiver() as receiver:
        emulator = Emulator.connect(served.url)
        waiter, worker = emulator.account("systeme"), emulator.account("systeme")
        outcome: dict[str, Any] = {}

        def wait() -> None:
            started = time.monotonic()
            outcome["delivered"] = waiter.wait_for_deliveries(1, timeout=30)
            outcome["waited"] = time.monotonic() - started

        thread = threading.Thread(target=wait)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive()  # the wait is under way
        api = worker.session()
        latencies = []
        for number in range(100):
            started = time.monotonic()
            response = api.post("/api/tags", json={"name": f"tag {number}"}) if number % 2 else api.get("/api/tags")
            latencies.append(time.monotonic() - started)
            assert response.status_code in (200, 201)
        assert thread.is_alive(), "the other client is still waiting"
        assert max(latencies) < 1.0 and sum(latencies) < 10.0, latencies

        # what it waits for happens: its wait ends with it, long before its 30 s
        _hook(waiter.session(), receiver.url)
        waiter.session().post("/api/contacts", json={"email": "ada@gmail.com"})
        thread.join(30)
        assert outcome["waited"] < 20 and outcome["delivered"][0].ok


def test_a_receiver_that_calls_the_emulator_back_completes_within_a_second() -> None:
    with Served() as served, WebhookReceiver() as receiver:
        account = Emulator.connect(served.url).account("systeme")
        api = account.session()
        seen: list[Any] = []

        def call_back(hook: ReceivedWebhook) -> int:
            contact_id = hook.json["contact"]["id"]
            response = account.session(timeout=5).get(f"/api/contacts/{contact_id}")
            seen.append(response.json())
            return response.status_code

        receiver.respond = call_back
        _hook(api, receiver.url)
        api.post("/api/contacts", json={"email": "ada@gmail.com"})

        (delivery,) = account.wait_for_deliveries(1, timeout=10)

        assert delivery.ok and delivery.status == 200
        assert delivery.duration_ms < 1000
        assert [contact["email"] for contact in seen] == ["ada@gmail.com"]


def test_the_event_stream_follows_one_accounts_requests_and_deliveries() -> None:
    with Served() as served, WebhookReceiver() as receiver:
        emulator = Emulator.connect(served.url)
        watched, other = emulator.account("systeme"), emulator.account("systeme")
        stream = requests.get(
            f"{served.url}/__admin/events", params={"provider": "systeme", "apiKey": watched.api_key}, stream=True, timeout=10
        )
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        stream.encoding = "utf-8"  # an event stream is UTF-8 by definition; requests would read text/* as Latin-1
        lines = stream.iter_lines(decode_unicode=True)
        assert next(lines).startswith(":")  # the stream is open

        other.session().get("/api/tags")
        _hook(watched.session(), receiver.url)
        watched.session().post("/api/contacts", json={"email": "ada@gmail.com"})

        events: list[tuple[str, dict[str, Any]]] = []
        kind = ""
        for line in lines:
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
                if kind == "delivery":
                    break
        stream.close()

        assert [(k, e.get("operationId") or e.get("event")) for k, e in events] == [
            ("request", "createWebhook"),
            ("request", "createContact"),
            ("delivery", "CONTACT_CREATED"),
        ]
        assert all(e["keyHint"] == "…" + watched.api_key[-4:] for _, e in events)


def test_an_open_stream_or_wait_does_not_keep_the_server_from_stopping() -> None:
    served = Served()
    try:
        stream = requests.get(f"{served.url}/__admin/events", stream=True, timeout=10)
        waiting = threading.Thread(
            target=requests.post,
            args=(f"{served.url}/__admin/webhooks/wait",),
            kwargs={"json": {"timeout": 60, "count": 1}, "timeout": 70},
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # the wait is under way
        started = time.monotonic()
        assert served.stop() == 0
        assert time.monotonic() - started < 5
        waiting.join(5)
        assert not waiting.is_alive(), "the wait was answered when the server stopped"
        stream.close()
    finally:
        served.close()
