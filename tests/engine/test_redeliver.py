"""Redelivering a webhook message (POST /__admin/webhooks/redeliver, Account.redeliver): the
same message id, body and endpoint, signed as an attempt is signed now, in a new sequence of
attempts numbered after the last; never another account's message, nor one whose
subscription was deleted; in memory and on shared state (two workers on one Redis)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.testing import Account, Emulator, MockserverError, WebhookReceiver, verify_signature
from mockserver.testing.receiver import ReceivedWebhook
from tests.support import STRICT_SETTINGS

SECRET = "s3cr3t-secret"
# Systeme.io's six attempts (five retries, 60 s to 6 h) in about a third of a second.
FAST = {**STRICT_SETTINGS, "webhook_time_scale": 0.00001}
ATTEMPTS = 6


class Failing:
    """Answers 500 to the first `failures` deliveries, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self._lock = threading.Lock()

    def __call__(self, _received: ReceivedWebhook) -> int:
        with self._lock:
            self.failures -= 1
            return 500 if self.failures >= 0 else 200


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(**FAST) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as made:
        yield made


def subscribe(account: Account, url: str) -> dict[str, Any]:
    hook = {"name": "hook", "url": url, "secret": SECRET, "subscriptions": ["CONTACT_CREATED"]}
    with account.session() as api:
        response = api.post("/api/webhooks", json=hook)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def contact(account: Account, email: str = "ada@gmail.com") -> None:
    with account.session() as api:
        assert api.post("/api/contacts", json={"email": email}).status_code == 201


def failed_out(account: Account, receiver: WebhookReceiver) -> str:
    """A contact whose CONTACT_CREATED message failed every attempt: its message id."""
    contact(account)
    made = account.wait_for_deliveries(ATTEMPTS)
    assert account.wait_for_idle()
    assert [(d.attempt, d.ok) for d in made] == [(n, False) for n in range(1, ATTEMPTS + 1)]
    assert made[-1].will_retry is False
    assert len({d.message_id for d in made}) == 1
    assert len(receiver.requests) == ATTEMPTS
    return made[0].message_id


def test_a_message_whose_attempts_ran_out_goes_again_as_a_new_sequence(server: Emulator, receiver: WebhookReceiver) -> None:
    account = server.account("systeme")
    receiver.respond = Failing(ATTEMPTS + 1)  # the redelivery's first attempt fails too, its retry succeeds
    subscribe(account, receiver.url)
    message_id = failed_out(account, receiver)
    first = account.deliveries()[0]
    moved = account.advance_clock(3600)

    account.redeliver(message_id)
    made = account.wait_for_deliveries(ATTEMPTS + 2)
    assert account.wait_for_idle()
    again, retried = made[ATTEMPTS:]
    assert (again.attempt, again.ok, again.will_retry) == (ATTEMPTS + 1, False, True)
    assert (retried.attempt, retried.ok, retried.will_retry) == (ATTEMPTS + 2, True, False)
    for delivery in (again, retried):
        assert (delivery.message_id, delivery.url, delivery.body) == (message_id, first.url, first.body)
    # Sent as the provider sends an attempt now: the same message, a new attempt id and time.
    received = receiver.requests[-1]
    assert received.body == first.body
    assert received.headers["X-Webhook-Message-Id"] == message_id
    assert verify_signature("systeme", SECRET, received.headers, received.body)
    attempt_ids = {d.headers["X-Webhook-Delivery-Attempt-Id"] for d in made}
    assert len(attempt_ids) == ATTEMPTS + 2
    assert first.headers["X-Webhook-Delivery-Attempt-Timestamp"] < retried.headers["X-Webhook-Delivery-Attempt-Timestamp"]
    assert retried.headers["X-Webhook-Delivery-Attempt-Timestamp"].startswith(moved.strftime("%Y-%m-%dT%H"))


def test_unknown_ids_and_other_accounts_messages_are_not_found(server: Emulator, receiver: WebhookReceiver) -> None:
    account, other = server.account("systeme"), server.account("systeme")
    receiver.respond = Failing(0)
    subscribe(account, receiver.url)
    contact(account)
    message_id = account.wait_for_deliveries(1)[0].message_id
    for who, wanted in ((account, "no-such-message"), (other, message_id), (server.account("simvoly"), message_id)):
        with pytest.raises(MockserverError) as refused:
            who.redeliver(wanted)
        assert refused.value.status == 404
        assert "messageId" in refused.value.body["error"]
    assert len(account.deliveries()) == 1 and other.deliveries() == []

    asked = {"provider": "systeme", "apiKey": account.api_key, "messageId": message_id}
    answered = server.admin("POST", "webhooks/redeliver", json=asked)
    assert answered == {"queued": True, "messageId": message_id}
    assert [d.attempt for d in account.wait_for_deliveries(2)] == [1, 2]
    for bad in ({**asked, "messageId": None}, {**asked, "messageId": 5}, {**asked, "apiKey": ""}, {**asked, "provider": "nope"}):
        with pytest.raises(MockserverError) as refused:
            server.admin("POST", "webhooks/redeliver", json=bad)
        assert refused.value.status == 400


def test_a_deleted_subscriptions_messages_are_not_redelivered(server: Emulator, receiver: WebhookReceiver) -> None:
    account = server.account("systeme")
    receiver.respond = Failing(0)
    hook = subscribe(account, receiver.url)
    contact(account)
    message_id = account.wait_for_deliveries(1)[0].message_id
    with account.session() as api:
        assert api.delete(f"/api/webhooks/{hook['id']}").status_code == 204
    with pytest.raises(MockserverError) as refused:
        account.redeliver(message_id)
    assert refused.value.status == 404
    # A reset forgets the account: a new one's subscription with the same id is its own.
    account.reset()
    subscribe(account, receiver.url)
    contact(account)
    fresh = account.wait_for_deliveries(1)[0]
    account.redeliver(fresh.message_id)
    assert [d.attempt for d in account.wait_for_deliveries(2)] == [1, 2]


def test_a_message_restored_from_a_snapshot_is_redelivered(server: Emulator, receiver: WebhookReceiver) -> None:
    account, copy = server.account("systeme"), server.account("systeme")
    receiver.respond = Failing(0)
    subscribe(account, receiver.url)
    contact(account)
    first = account.wait_for_deliveries(1)[0]
    copy.restore(account.snapshot())  # the attempt comes back as a record alone
    copy.redeliver(first.message_id)
    again = copy.wait_for_deliveries(2)[-1]
    assert (again.message_id, again.attempt, again.ok, again.body) == (first.message_id, 2, True, first.body)
    assert receiver.wait(2)[-1].headers["X-Webhook-Message-Id"] == first.message_id
    assert len(account.deliveries()) == 1


def test_on_shared_state_any_worker_redelivers(redis_url: str, receiver: WebhookReceiver) -> None:
    with Emulator.start(**FAST, state=redis_url) as one, Emulator.start(**FAST, state=redis_url) as two:
        account = one.account("systeme")
        same_on_two = Account(two, "systeme", account.api_key)
        receiver.respond = Failing(ATTEMPTS)
        subscribe(account, receiver.url)
        message_id = failed_out(account, receiver)
        # What a redelivery needs stays beside the record, never in the listing.
        listed = one.admin("GET", "webhooks/attempts", params={"provider": "systeme", "apiKey": account.api_key})
        assert all(set(item) == set(listed["items"][0]) and "_message" not in item for item in listed["items"])

        same_on_two.redeliver(message_id)
        made = account.wait_for_deliveries(ATTEMPTS + 1)
        last = made[-1]
        assert (last.message_id, last.attempt, last.ok, last.body) == (message_id, ATTEMPTS + 1, True, made[0].body)
        received = receiver.requests[-1]
        assert received.headers["X-Webhook-Message-Id"] == message_id
        assert verify_signature("systeme", SECRET, received.headers, received.body)
        earlier = {d.headers["X-Webhook-Delivery-Attempt-Id"] for d in made[:-1]}
        assert received.headers["X-Webhook-Delivery-Attempt-Id"] not in earlier

        other = two.account("systeme")
        for who, wanted in ((other, message_id), (account, "no-such-message")):
            with pytest.raises(MockserverError) as refused:
                who.redeliver(wanted)
            assert refused.value.status == 404
        hook_id = made[0].webhook_id
        with same_on_two.session() as api:
            assert api.delete(f"/api/webhooks/{hook_id}").status_code == 204
        with pytest.raises(MockserverError) as refused:
            account.redeliver(message_id)
        assert refused.value.status == 404
