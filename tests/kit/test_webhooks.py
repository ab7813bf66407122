"""Webhooks through the test kit: the receiver, each provider's signature checked with
verify_signature, an account's delivery attempts, and waiting for them."""

from __future__ import annotations

import hashlib
import hmac
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from mockserver.testing import Account, Emulator, WebhookReceiver, verify_signature


def _systeme_hook(account: Account, url: str, secret: str = "s3cret-systeme") -> None:
    body = {"name": "crm", "url": url, "secret": secret, "subscriptions": ["CONTACT_CREATED"]}
    assert account.session().post("/api/webhooks", json=body).status_code == 201


def _clickfunnels_hook(account: Account, url: str) -> str:
    api = account.session()
    team = api.get("/api/v2/teams").json()[0]
    workspace = api.get(f"/api/v2/teams/{team['id']}/workspaces").json()[0]
    endpoint = {"url": url, "name": "crm", "event_type_ids": ["contact.created"]}
    created = api.post(
        f"/api/v2/workspaces/{workspace['id']}/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": endpoint}
    )
    assert created.status_code == 201, created.text
    api.post(f"/api/v2/workspaces/{workspace['id']}/contacts", json={"contact": {"email_address": "ada@example.com"}})
    return str(created.json()["webhook_secret"])


def test_a_systeme_delivery_is_signed_and_verifies(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    account = mockserver.account("systeme")
    _systeme_hook(account, webhook_receiver.url)
    account.session().post("/api/contacts", json={"email": "ada@gmail.com"})
    (hook,) = webhook_receiver.wait(1)
    assert hook.method == "POST" and hook.path == "/webhook"
    assert verify_signature("systeme", "s3cret-systeme", hook.headers, hook.body)
    assert hook.verify("systeme", "s3cret-systeme")
    assert not verify_signature("systeme", "another-secret", hook.headers, hook.body)
    assert not verify_signature("systeme", "s3cret-systeme", hook.headers, hook.body + b" ")
    lowered = {name.lower(): value for name, value in hook.headers.items()}
    assert verify_signature("systeme", "s3cret-systeme", lowered, hook.body)


def test_a_clickfunnels_delivery_is_signed_with_its_timestamp(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    account = mockserver.account("clickfunnels")
    secret = _clickfunnels_hook(account, webhook_receiver.url)
    (hook,) = webhook_receiver.wait(1)
    assert verify_signature("clickfunnels", secret, hook.headers, hook.body)
    stale = {**hook.headers, "X-Webhook-ClickFunnels-Timestamp": str(int(hook.headers["X-Webhook-ClickFunnels-Timestamp"]) - 1)}
    assert not verify_signature("clickfunnels", secret, stale, hook.body)
    unsigned = {k: v for k, v in hook.headers.items() if k.lower() != "x-webhook-clickfunnels-timestamp"}
    assert not verify_signature("clickfunnels", secret, unsigned, hook.body)


def test_a_simvoly_delivery_is_signed(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    account = mockserver.account("simvoly")
    api = account.session()
    api.post(
        "/api/site/webhooks", json={"target": webhook_receiver.url, "events": ["contact_updated"], "secret": "s3cret-simvoly"}
    )
    api.post("/api/site/contacts", json={"email": "ada@example.com"})
    (hook,) = webhook_receiver.wait(1)
    assert verify_signature("simvoly", "s3cret-simvoly", hook.headers, hook.body)
    assert not verify_signature("simvoly", "s3cret-simvoly", {}, hook.body)


def test_verify_signature_names_what_it_cannot_check() -> None:
    with pytest.raises(ValueError, match="sends no webhooks"):
        verify_signature("yulsn", "s", {}, b"")
    with pytest.raises(ValueError, match="unknown provider"):
        verify_signature("hubspot", "s", {}, b"")


def test_deliveries_and_waiting_for_them_are_per_account(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    mine, theirs = mockserver.account("systeme"), mockserver.account("systeme")
    for account in (mine, theirs):
        _systeme_hook(account, webhook_receiver.url)
    mine.session().post("/api/contacts", json={"email": "ada@gmail.com"})
    mine.session().post("/api/contacts", json={"email": "bo@gmail.com"})
    theirs.session().post("/api/contacts", json={"email": "cy@gmail.com"})

    delivered = mine.wait_for_deliveries(2, event="CONTACT_CREATED")

    assert len(delivered) == 2 and all(d.ok and d.status == 200 for d in delivered)
    assert sorted(d.json["contact"]["email"] for d in delivered) == ["ada@gmail.com", "bo@gmail.com"]
    assert verify_signature("systeme", "s3cret-systeme", delivered[0].headers, delivered[0].body)
    (their_delivery,) = theirs.wait_for_deliveries(1)
    assert their_delivery.json["contact"]["email"] == "cy@gmail.com"
    assert mine.deliveries(event="SALE_NEW") == []


def test_waiting_for_deliveries_that_never_come_fails_clearly(mockserver: Emulator) -> None:
    account = mockserver.account("systeme")
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"expected 1 delivery attempt\(s\) of CONTACT_CREATED within 0.5 s, got 0"):
        account.wait_for_deliveries(1, event="CONTACT_CREATED", timeout=0.5)
    assert time.monotonic() - started < 5


def test_a_failing_receiver_gets_retries_with_the_same_message_id(
    mockserver: Emulator, webhook_receiver: WebhookReceiver
) -> None:
    account = mockserver.account("systeme")
    _systeme_hook(account, webhook_receiver.url)
    webhook_receiver.respond_with(500, times=2)
    account.session().post("/api/contacts", json={"email": "ada@gmail.com"})

    attempts = account.wait_for_deliveries(3)

    assert [(a.attempt, a.ok, a.status) for a in attempts] == [(1, False, 500), (2, False, 500), (3, True, 200)]
    assert len({a.message_id for a in attempts}) == 1
    assert attempts[0].will_retry and not attempts[2].will_retry
    assert len(webhook_receiver.requests) == 3
    assert account.wait_for_idle(timeout=5)


def test_the_receiver_answers_as_told(webhook_receiver: WebhookReceiver) -> None:
    import requests

    def post(body: bytes = b"{}") -> requests.Response:
        return requests.post(webhook_receiver.url, data=body, headers={"Content-Type": "application/json"}, timeout=5)

    webhook_receiver.respond_with(503, times=1)
    assert [post().status_code, post().status_code] == [503, 200]
    webhook_receiver.respond_with(410)
    assert post().status_code == 410
    webhook_receiver.respond_with(200)
    seen: list[Any] = []
    webhook_receiver.respond = lambda hook: seen.append(hook.json) or 202
    assert post(b'{"n": 1}').status_code == 202 and seen == [{"n": 1}]
    webhook_receiver.respond = None
    webhook_receiver.delay = 0.3
    started = time.monotonic()
    assert post().status_code == 200 and time.monotonic() - started >= 0.3
    assert len(webhook_receiver.requests) == 5
    assert webhook_receiver.requests[3].json == {"n": 1}
    webhook_receiver.clear()
    assert webhook_receiver.requests == []
    with pytest.raises(AssertionError, match="expected 1 webhook request"):
        webhook_receiver.wait(1, timeout=0.2)


def test_a_request_held_by_the_receiver_has_arrived_before_it_is_answered(webhook_receiver: WebhookReceiver) -> None:
    import requests

    webhook_receiver.delay = 1.0
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(requests.post, webhook_receiver.url, data=b"{}", timeout=5)
        webhook_receiver.wait_arrived(1, timeout=5)
        assert not answer.done() and webhook_receiver.requests == []  # come in, held, not yet answered
        assert answer.result().status_code == 200
    assert len(webhook_receiver.requests) == 1
    with pytest.raises(AssertionError, match="expected 2 request"):
        webhook_receiver.wait_arrived(2, timeout=0.2)


def test_a_delivery_says_when_it_will_be_retried(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    account = mockserver.account("systeme")
    _systeme_hook(account, webhook_receiver.url)
    webhook_receiver.respond_with(500, times=1)
    account.session().post("/api/contacts", json={"email": "ada@gmail.com"})
    first, second = account.wait_for_deliveries(2)
    # Systeme.io retries after a minute; the test kit's emulator compresses that a thousandfold
    assert first.will_retry and first.next_attempt_in_seconds == pytest.approx(60 * mockserver.engine.settings.webhook_time_scale)
    assert second.ok and second.next_attempt_in_seconds is None


def test_signatures_are_the_documented_hmacs_computed_here_independently(
    mockserver: Emulator, webhook_receiver: WebhookReceiver
) -> None:
    """verify_signature shares the emulator's code: here each scheme is computed from its
    documentation alone, so a fault shared by signing and verifying cannot hide."""
    systeme = mockserver.account("systeme")
    _systeme_hook(systeme, webhook_receiver.url, secret="s3cret-systeme")
    systeme.session().post("/api/contacts", json={"email": "ada@gmail.com"})
    (hook,) = webhook_receiver.wait(1)
    digest = hmac.new(b"s3cret-systeme", hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["X-Webhook-Signature"] == digest

    webhook_receiver.clear()
    clickfunnels = mockserver.account("clickfunnels")
    secret = _clickfunnels_hook(clickfunnels, webhook_receiver.url)
    (hook,) = webhook_receiver.wait(1)
    signed = hook.headers["X-Webhook-ClickFunnels-Timestamp"].encode() + b"." + hook.body
    assert hook.headers["X-Webhook-ClickFunnels-Signature"] == hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()

    webhook_receiver.clear()
    simvoly = mockserver.account("simvoly")
    subscription = {"target": webhook_receiver.url, "events": ["contact_updated"], "secret": "s3cret-simvoly"}
    simvoly.session().post("/api/site/webhooks", json=subscription)
    simvoly.session().post("/api/site/contacts", json={"email": "ada@example.com"})
    (hook,) = webhook_receiver.wait(1)
    digest = hmac.new(b"s3cret-simvoly", hook.body, hashlib.sha512).hexdigest()
    assert hook.headers["X-Webhook-Signature"] == digest
