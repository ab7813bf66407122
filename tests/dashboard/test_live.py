"""What the dashboard's pages refresh themselves from: the event stream of one account (server-sent
events, over a real server) and the fragments dashboard.js fetches when an event comes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests

from mockserver.testing import Emulator
from tests.dashboard.helpers import account_url, attributes, html, ref_of


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start() as emulator:
        yield emulator


def test_the_event_stream_carries_this_accounts_requests_only(server: Emulator) -> None:
    mine, other = server.account("systeme"), server.account("systeme")
    ref = ref_of(server.app, "systeme", mine.api_key)
    url = f"{server.url}/__dashboard/events?provider=systeme&account={ref}"
    with requests.get(url, stream=True, timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == b": mockserver events"
        with other.session() as api:
            assert api.post("/api/contacts", json={"email": "other@example.com"}).status_code == 201
        with mine.session() as api:
            assert api.post("/api/contacts", json={"email": "mine@example.com"}).status_code == 201
        kinds = []
        for line in lines:
            if line.startswith(b"event: "):
                kinds.append(line)
            if line.startswith(b"data: "):
                event = json.loads(line.removeprefix(b"data: "))
                break
    assert kinds == [b"event: request"]
    assert event["keyHint"] == "…" + mine.api_key[-4:] and event["method"] == "POST" and event["status"] == 201
    assert event["requestBody"] == {"email": "mine@example.com"}
    # The stream's thread ends when, woken by an event, it finds its client gone.
    deadline = time.monotonic() + 10
    with mine.session() as api:
        while server.engine.feed.listeners and time.monotonic() < deadline:
            api.get("/api/contacts")
            time.sleep(0.02)
    assert server.engine.feed.listeners == 0


def test_an_unknown_account_has_no_stream(server: Emulator) -> None:
    response = requests.get(f"{server.url}/__dashboard/events?provider=systeme&account=0000", timeout=10)
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")


def test_the_fragments_bring_what_came_after_the_page(server: Emulator) -> None:
    account = server.account("systeme")
    client = server.app.test_client()
    page = html(client.get(account_url(server.app, "systeme", account.api_key)))
    assert attributes(page, "data-record-id") == [] and attributes(page, "data-seq") == []
    (requests_url,) = attributes(page, "data-requests")
    (records_url,) = attributes(page, "data-fragment")
    with account.session() as api:
        created = api.post("/api/contacts", json={"email": "live@example.com"}).json()
    fresh = html(client.get(requests_url.replace("&amp;", "&") + "&after=0"))
    (seq,) = attributes(fresh, "data-seq")
    assert 'data-method="POST" data-status="201"' in fresh
    assert attributes(html(client.get(requests_url.replace("&amp;", "&") + f"&after={seq}")), "data-seq") == []
    records = html(client.get(records_url.replace("&amp;", "&")))
    assert records.lstrip().startswith('<div id="records-view"')
    assert attributes(records, "data-record-id") == [str(created["id"])]


def test_the_stream_and_pages_refuse_a_foreign_host(server: Emulator) -> None:
    ref = ref_of(server.app, "systeme", server.account("systeme").api_key)
    for path in ("/__dashboard/", f"/__dashboard/events?provider=systeme&account={ref}"):
        response = requests.get(f"{server.url}{path}", headers={"Host": "evil.example"}, timeout=10)
        assert response.status_code == 403, path
