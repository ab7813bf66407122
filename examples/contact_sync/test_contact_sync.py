"""The contact sync, tested end to end against emulated Systeme.io and ClickFunnels accounts.

Every test takes fresh accounts from the `mockserver` fixture (the pytest plugin mockserver
installs), so tests never see each other's data and run in parallel (`pytest -n 2`).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication

import pytest
import requests

from examples.contact_sync.sync import ClickFunnels, backfill, subscribe, webhook_app
from mockserver.testing import Account, Emulator, verify_signature

UPSERT = "/api/v2/workspaces/{workspace_id}/contacts/upsert"  # the spec's path template


# -- serving the app, as a test harness ------------------------------------------------
class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_: Any) -> None:
        pass


@contextmanager
def serving(app: WSGIApplication) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 (a free port) in a thread; yields its webhook URL."""
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/systeme"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Deployment:
    """The sync deployed for one Systeme.io account and one ClickFunnels account."""

    systeme: Account
    clickfunnels: Account
    app_clickfunnels: ClickFunnels  # the app's own client (its configuration)
    url: str
    secret: str


@contextmanager
def deployed(systeme: Account, clickfunnels: Account) -> Iterator[Deployment]:
    """The endpoint served and subscribed with Systeme.io's API, as in production."""
    secret = secrets.token_hex(16)
    client = ClickFunnels(clickfunnels.base_url, clickfunnels.api_key)
    with serving(webhook_app(secret, client)) as url:
        subscribe(systeme.base_url, systeme.api_key, url, secret)
        yield Deployment(systeme, clickfunnels, client, url, secret)


@pytest.fixture
def deployment(mockserver: Emulator) -> Iterator[Deployment]:
    with deployed(mockserver.account("systeme"), mockserver.account("clickfunnels")) as running:
        yield running


# -- reading both sides through their APIs ---------------------------------------------
def systeme_contacts(account: Account) -> dict[str, dict[str, Any]]:
    """Every contact of a Systeme.io account, by e-mail address."""
    found: dict[str, dict[str, Any]] = {}
    params: dict[str, Any] = {"limit": 100}
    with account.session() as api:
        while True:
            page = api.get("/api/contacts", params=params).json()
            found.update({contact["email"]: contact for contact in page["items"]})
            if not page["hasMore"]:
                return found
            params["startingAfter"] = page["items"][-1]["id"]


def clickfunnels_contacts(account: Account) -> dict[str, dict[str, Any]]:
    """Every contact of a ClickFunnels account's (only) workspace, by e-mail address."""
    found: dict[str, dict[str, Any]] = {}
    with account.session() as api:
        [team] = api.get("/api/v2/teams").json()
        [workspace] = api.get(f"/api/v2/teams/{team['id']}/workspaces").json()
        params: dict[str, Any] = {}
        while True:
            page = api.get(f"/api/v2/workspaces/{workspace['id']}/contacts", params=params)
            assert page.status_code == 200, page.text
            found.update({contact["email_address"]: contact for contact in page.json()})
            if "Pagination-Next" not in page.headers:
                return found
            params["after"] = page.headers["Pagination-Next"]


def as_synced(contact: dict[str, Any]) -> tuple[str | None, str | None, set[str]]:
    """What the sync carries over from a Systeme.io contact: first name, last name, tags."""
    fields = {field["slug"]: field["value"] for field in contact["fields"]}
    return fields["first_name"], fields["surname"], {tag["name"] for tag in contact["tags"]}


def as_stored(contact: dict[str, Any]) -> tuple[str | None, str | None, set[str]]:
    """The same of a ClickFunnels contact."""
    return contact["first_name"], contact["last_name"], {tag["name"] for tag in contact["tags"]}


def create_systeme_contact(account: Account, email: str, first: str, last: str) -> dict[str, Any]:
    fields = [{"slug": "first_name", "value": first}, {"slug": "surname", "value": last}]
    with account.session() as api:
        response = api.post("/api/contacts", json={"email": email, "fields": fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


# -- backfill --------------------------------------------------------------------------
def test_backfill_copies_every_contact_of_a_demo_account(mockserver: Emulator) -> None:
    systeme = mockserver.account("systeme", demo=True)
    clickfunnels = mockserver.account("clickfunnels")
    # The demo account has 60 contacts: enough more for two pages of 100.
    for n in range(105 - len(systeme_contacts(systeme))):
        create_systeme_contact(systeme, f"reader{n}@example.com", f"Reader{n}", "Backfill")
    source = systeme_contacts(systeme)
    assert len(source) == 105

    systeme.clear_journal()  # only the backfill's requests from here

    app = ClickFunnels(clickfunnels.base_url, clickfunnels.api_key)
    assert backfill(systeme.base_url, systeme.api_key, app) == 105

    _, second = systeme.assert_called("GET", "/api/contacts", times=2)  # two pages of 100
    hundredth = sorted(contact["id"] for contact in source.values())[99]
    assert second.query == {"limit": "100", "order": "asc", "startingAfter": str(hundredth)}
    upserts = clickfunnels.assert_called("POST", UPSERT, times=105)
    assert {call.status for call in upserts} == {201}
    copied = clickfunnels_contacts(clickfunnels)
    assert copied.keys() == source.keys()
    assert {email: as_stored(c) for email, c in copied.items()} == {email: as_synced(c) for email, c in source.items()}
    assert any(as_stored(c)[2] for c in copied.values()), "the demo contacts' tags came along"

    # A second run changes nothing: every upsert finds its contact (200), none is added.
    assert backfill(systeme.base_url, systeme.api_key, app) == 105
    assert [call.status for call in clickfunnels.journal("POST", UPSERT)[105:]] == [200] * 105
    assert {email: as_stored(c) for email, c in clickfunnels_contacts(clickfunnels).items()} == {
        email: as_stored(c) for email, c in copied.items()
    }


def test_backfill_waits_out_rate_limits() -> None:
    """A 429's Retry-After is honoured. The quota is the server's setting, so this test runs an
    emulator of its own with a tight one (40 requests a second per account), even when the
    others use one at --mockserver-url."""
    with Emulator.start(rate_limit=40, rate_window=1.0) as emulator:
        systeme = emulator.account("systeme", demo=True)
        clickfunnels = emulator.account("clickfunnels")

        app = ClickFunnels(clickfunnels.base_url, clickfunnels.api_key)
        assert backfill(systeme.base_url, systeme.api_key, app) == 60

        statuses = [call.status for call in clickfunnels.journal()]
        assert statuses.count(429) >= 1, "the quota was reached"
        # Every 429 was followed by a success: the client slept as long as it was told to.
        assert all(after != 429 for before, after in itertools.pairwise(statuses) if before == 429)
        assert statuses[-1] != 429
        created = [call for call in clickfunnels.journal("POST", UPSERT) if call.status == 201]
        assert len({call.body["contact"]["email_address"] for call in created}) == 60


# -- the live path: webhooks -----------------------------------------------------------
def test_a_new_contact_reaches_clickfunnels_through_the_webhook(deployment: Deployment) -> None:
    systeme, clickfunnels = deployment.systeme, deployment.clickfunnels
    create_systeme_contact(systeme, "ada.lovelace@gmail.com", "Ada", "Lovelace")

    [delivery] = systeme.wait_for_deliveries(1, event="CONTACT_CREATED")
    assert delivery.url == deployment.url
    assert (delivery.status, delivery.ok) == (200, True)
    assert verify_signature("systeme", deployment.secret, delivery.headers, delivery.body)
    assert delivery.json["contact"]["email"] == "ada.lovelace@gmail.com"

    [upsert] = clickfunnels.assert_called("POST", UPSERT, times=1)
    assert upsert.status == 201
    assert upsert.headers["User-Agent"] == "contact-sync/1.0"
    assert upsert.body == {"contact": {"email_address": "ada.lovelace@gmail.com", "first_name": "Ada", "last_name": "Lovelace"}}
    [contact] = clickfunnels_contacts(clickfunnels).values()
    assert as_stored(contact) == ("Ada", "Lovelace", set())


def test_a_tag_added_in_systeme_is_applied_in_clickfunnels(deployment: Deployment) -> None:
    systeme, clickfunnels = deployment.systeme, deployment.clickfunnels
    with systeme.session() as api:
        tag = api.post("/api/tags", json={"name": "VIP"}).json()
        contact = create_systeme_contact(systeme, "grace.hopper@gmail.com", "Grace", "Hopper")
        assert api.post(f"/api/contacts/{contact['id']}/tags", json={"tagId": tag["id"]}).status_code == 204

    attempts = systeme.wait_for_deliveries(2)
    assert sorted(a.event for a in attempts) == ["CONTACT_CREATED", "CONTACT_TAG_ADDED"]
    assert all(a.ok for a in attempts)
    clickfunnels.assert_called("POST", "/api/v2/workspaces/{workspace_id}/contacts/tags", times=1)  # created once
    assert as_stored(clickfunnels_contacts(clickfunnels)["grace.hopper@gmail.com"]) == ("Grace", "Hopper", {"VIP"})


def test_a_forged_delivery_is_refused(deployment: Deployment) -> None:
    systeme, clickfunnels = deployment.systeme, deployment.clickfunnels
    create_systeme_contact(systeme, "alan.turing@gmail.com", "Alan", "Turing")
    [genuine] = systeme.wait_for_deliveries(1)
    assert genuine.ok

    # The genuine message with another address in it, its signature kept: refused.
    forged = genuine.body.replace(b"alan.turing@gmail.com", b"mallory@gmail.com")
    headers = {name: value for name, value in genuine.headers.items() if name.lower().startswith(("x-webhook-", "content-type"))}
    assert requests.post(deployment.url, data=forged, headers=headers, timeout=10).status_code == 401
    # Signed with a guessed secret, or not signed at all: refused too.
    headers["X-Webhook-Signature"] = hmac.new(b"guess", forged, hashlib.sha256).hexdigest()
    assert requests.post(deployment.url, data=forged, headers=headers, timeout=10).status_code == 401
    del headers["X-Webhook-Signature"]
    assert requests.post(deployment.url, data=forged, headers=headers, timeout=10).status_code == 401

    # Only the genuine delivery reached ClickFunnels.
    clickfunnels.assert_called("POST", UPSERT, times=1)
    assert set(clickfunnels_contacts(clickfunnels)) == {"alan.turing@gmail.com"}


def test_a_clickfunnels_failure_makes_systeme_retry(deployment: Deployment) -> None:
    systeme, clickfunnels = deployment.systeme, deployment.clickfunnels
    real_workspace = deployment.app_clickfunnels.workspace_id
    deployment.app_clickfunnels.workspace_id = 999_999  # misconfigured: ClickFunnels answers 404
    create_systeme_contact(systeme, "katherine.johnson@gmail.com", "Katherine", "Johnson")

    [first, *_] = systeme.wait_for_deliveries(1)
    assert (first.status, first.ok, first.will_retry) == (502, False, True)
    deployment.app_clickfunnels.workspace_id = real_workspace  # fixed; the next retry goes through

    assert systeme.wait_for_idle()
    attempts = systeme.deliveries()
    assert len(attempts) >= 2
    assert len({a.message_id for a in attempts}) == 1, "retries of the one message"
    assert [a.ok for a in attempts] == [False] * (len(attempts) - 1) + [True]
    upserts = clickfunnels.journal("POST", UPSERT)
    assert [u.status for u in upserts] == [404] * (len(attempts) - 1) + [201]
    assert set(clickfunnels_contacts(clickfunnels)) == {"katherine.johnson@gmail.com"}


def test_two_deployments_run_side_by_side(mockserver: Emulator) -> None:
    """Two customers' syncs at once: each ClickFunnels account gets its own contacts only."""

    def run(customer: str) -> tuple[Deployment, set[str]]:
        with deployed(mockserver.account("systeme"), mockserver.account("clickfunnels")) as running:
            emails = {f"{customer}.{n}@gmail.com" for n in range(5)}
            for email in sorted(emails):
                create_systeme_contact(running.systeme, email, customer.title(), str(len(email)))
            assert all(a.ok for a in running.systeme.wait_for_deliveries(5, event="CONTACT_CREATED"))
            return running, emails

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, ["alice", "bob"]))

    for running, emails in results:
        assert set(clickfunnels_contacts(running.clickfunnels)) == emails
        running.clickfunnels.assert_called("POST", UPSERT, times=5)
    assert results[0][0].url != results[1][0].url
