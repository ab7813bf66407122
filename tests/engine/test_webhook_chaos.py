"""Webhook chaos per account (/__admin/webhooks/chaos): duplicates, a delay before the first
attempt and a shuffled order, drawn from the server's seed; through a real server and a real
receiver, so a receiver's idempotency and ordering logic can be tested against it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.testing import Account, Emulator, WebhookReceiver, verify_signature
from tests.support import STRICT_SETTINGS, admin_response, ok

SECRET = "s3cret-chaos"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    """A server of its own, in this process (the tests read its queue), whatever state the
    session's runs on: retries and chaos delays compressed a thousandfold."""
    with Emulator.start(**STRICT_SETTINGS) as running:
        yield running
        assert running.engine.strict_problems == []


def hooked(account: Account, receiver: WebhookReceiver) -> Account:
    body = {"name": "crm", "url": receiver.url, "secret": SECRET, "subscriptions": ["CONTACT_CREATED"]}
    assert account.session().post("/api/webhooks", json=body).status_code == 201
    return account


def create(account: Account, *emails: str) -> None:
    api = account.session()
    for email in emails:
        assert api.post("/api/contacts", json={"email": email}).status_code == 201


def emails(received: list[Any]) -> list[str]:
    return [item.json["contact"]["email"] for item in received]


def chaos(server: Emulator, account: Account, **fields: Any) -> dict[str, Any]:
    body = {"provider": account.provider, "apiKey": account.api_key, **fields}
    answer: dict[str, Any] = ok(admin_response(server, "POST", "webhooks/chaos", json=body))
    return answer


def test_duplicate_delivers_each_message_twice_as_the_same_message(server: Emulator) -> None:
    with WebhookReceiver() as receiver:
        account = hooked(server.account("systeme"), receiver)
        setting = chaos(server, account, duplicate=1)
        assert setting == {
            "provider": "systeme",
            "keyHint": "…" + account.api_key[-4:],
            "duplicate": 1,
            "delayMs": None,
            "shuffle": False,
        }
        create(account, "a@gmail.com", "b@gmail.com", "c@gmail.com")
        received = receiver.wait(6)
        assert account.wait_for_idle()

        # Each message twice, one right after the other: same id, same body, both signed.
        assert emails(received) == ["a@gmail.com", "a@gmail.com", "b@gmail.com", "b@gmail.com", "c@gmail.com", "c@gmail.com"]
        for first, second in zip(received[::2], received[1::2], strict=True):
            assert first.headers["X-Webhook-Message-Id"] == second.headers["X-Webhook-Message-Id"]
            assert first.body == second.body
            assert first.verify("systeme", SECRET) and verify_signature("systeme", SECRET, second.headers, second.body)
        # Each delivery is an attempt of its own, recorded as a first attempt.
        attempts = account.deliveries()
        assert len(attempts) == 6 and len({a.id for a in attempts}) == 6
        assert all(a.attempt == 1 and a.ok for a in attempts)
        assert set(Counter(a.message_id for a in attempts).values()) == {2}
        assert len(receiver.requests) == 6


def test_delay_holds_the_first_attempt_scaled_as_retries_are(server: Emulator) -> None:
    dispatcher = server.engine.dispatcher
    with WebhookReceiver() as receiver:
        late = hooked(server.account("systeme"), receiver)
        plain = hooked(server.account("systeme"), receiver)
        chaos(server, late, delayMs=400_000)  # 400 s on the provider's time scale: 0.4 s here
        create(late, "late@gmail.com")
        (held,) = dispatcher.pending("systeme", late.api_key)
        assert 0.2 < held["dueInSeconds"] <= 0.4
        assert late.deliveries() == []
        create(plain, "plain@gmail.com")  # written after, delivered before

        assert emails(receiver.wait(2)) == ["plain@gmail.com", "late@gmail.com"]
        assert late.wait_for_idle()
        assert [(d.attempt, d.ok) for d in late.deliveries()] == [(1, True)]

        # A range draws each message's delay within it.
        chaos(server, late, delayMs=[100_000, 300_000])
        create(late, "r1@gmail.com", "r2@gmail.com", "r3@gmail.com")
        dues = [m["dueInSeconds"] for m in dispatcher.pending("systeme", late.api_key)]
        assert len(dues) == 3 and all(0 < due <= 0.3 for due in dues)
        receiver.wait(5)


def shuffled_burst(seed: int) -> tuple[list[str], list[str]]:
    """On a server of its own started with `seed`: a burst of ten writes of an account with
    shuffle on (well within one shuffle window, SHUFFLE_WINDOW), then ten of an account
    without, while the first ten are held; what each receiver got, in order."""
    with Emulator.start(**STRICT_SETTINGS, seed=seed) as running, WebhookReceiver() as mixed, WebhookReceiver() as calm:
        # The same key on both servers: its draws come from (seed, provider, key) alone.
        account = hooked(running.account("systeme", api_key="chaos-shuffle"), mixed)
        other = hooked(running.account("systeme"), calm)
        create(other, "o0@gmail.com")  # the server's first contact: what is made once is made now
        chaos(running, account, shuffle=True)
        create(account, *(f"c{number}@gmail.com" for number in range(10)))
        create(other, *(f"o{number}@gmail.com" for number in range(1, 10)))
        got = emails(mixed.wait(10)), emails(calm.wait(10))
        assert running.wait_for_idle()
        assert len(mixed.requests) == len(calm.requests) == 10
        return got


def test_shuffle_reorders_a_burst_the_same_way_for_the_same_seed() -> None:
    commit_order = [f"c{number}@gmail.com" for number in range(10)]
    first, untouched = shuffled_burst(seed=4242)
    assert sorted(first) == commit_order, "each message once"
    assert first != commit_order
    # The other account's deliveries: once each, in commit order.
    assert untouched == [f"o{number}@gmail.com" for number in range(10)]
    again, _ = shuffled_burst(seed=4242)
    assert again == first


def test_chaos_of_one_account_leaves_another_alone(server: Emulator) -> None:
    dispatcher = server.engine.dispatcher
    with WebhookReceiver() as receiver:
        wild = hooked(server.account("systeme"), receiver)
        calm = hooked(server.account("systeme"), receiver)
        chaos(server, wild, duplicate=1, delayMs=300_000, shuffle=True)
        for number in range(5):
            create(wild, f"w{number}@gmail.com")
            create(calm, f"k{number}@gmail.com")
            assert all(m["dueInSeconds"] == 0 for m in dispatcher.pending("systeme", calm.api_key))
        received = emails(receiver.wait(15))
        # Undelayed: every message of the calm account came before any of the wild one's.
        assert received[:5] == [f"k{number}@gmail.com" for number in range(5)]
        assert sorted(received[5:]) == sorted(f"w{number}@gmail.com" for number in range(5) for _ in range(2))
        assert server.admin("GET", "webhooks/chaos", params={"provider": "systeme", "apiKey": calm.api_key}) == {"items": []}
        assert wild.wait_for_idle() and calm.wait_for_idle()
        assert len(calm.deliveries()) == 5 and len(wild.deliveries()) == 10


def test_delete_and_reset_clear_an_accounts_chaos(server: Emulator) -> None:
    with WebhookReceiver() as receiver:
        account = hooked(server.account("systeme"), receiver)
        who = {"provider": "systeme", "apiKey": account.api_key}
        setting = chaos(server, account, duplicate=0.5, delayMs=[0, 10], shuffle=False)
        assert ok(admin_response(server, "GET", "webhooks/chaos", params=who)) == {"items": [setting]}
        assert setting["delayMs"] == [0, 10]
        assert ok(admin_response(server, "DELETE", "webhooks/chaos", params=who)) == {"deleted": 1}
        assert ok(admin_response(server, "GET", "webhooks/chaos", params=who)) == {"items": []}
        assert ok(admin_response(server, "DELETE", "webhooks/chaos", params=who)) == {"deleted": 0}
        create(account, "once@gmail.com")
        assert emails(receiver.wait(1)) == ["once@gmail.com"]
        assert account.wait_for_idle() and len(receiver.requests) == 1

        # A reset of the account (Emulator.reset) clears it too; the test kit's Override removes it.
        chaos(server, account, duplicate=1)
        ok(admin_response(server, "POST", "reset", json=who))
        assert ok(admin_response(server, "GET", "webhooks/chaos", params=who)) == {"items": []}
        with account.webhook_chaos(shuffle=True) as override:
            assert override.setting["shuffle"] is True
            assert server.admin("GET", "webhooks/chaos", params=who)["items"] == [override.setting]
        assert server.admin("GET", "webhooks/chaos", params=who) == {"items": []}


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"provider": "hubspot"}, "provider"),
        ({"apiKey": None}, "apiKey"),
        ({"apiKey": ""}, "apiKey"),
        ({"apiKey": 7}, "apiKey"),
        ({"duplicate": 1.5}, "duplicate"),
        ({"duplicate": -0.1}, "duplicate"),
        ({"duplicate": True}, "duplicate"),
        ({"duplicate": "0.5"}, "duplicate"),
        ({"delayMs": -1}, "delayMs"),
        ({"delayMs": 600_001}, "delayMs"),
        ({"delayMs": [200, 100]}, "delayMs"),
        ({"delayMs": [100]}, "delayMs"),
        ({"delayMs": [1, 2, 3]}, "delayMs"),
        ({"delayMs": [0, 600_001]}, "delayMs"),
        ({"delayMs": "100"}, "delayMs"),
        ({"delayMs": True}, "delayMs"),
        ({"shuffle": "yes"}, "shuffle"),
        ({"shuffle": 1}, "shuffle"),
        ({"jitter": 5}, "jitter"),
    ],
)
def test_a_bad_field_is_refused_by_name(server: Emulator, fields: dict[str, Any], named: str) -> None:
    body = {"provider": "systeme", "apiKey": "chaos-refused", **fields}
    response = admin_response(server, "POST", "webhooks/chaos", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith(named + " ")
    assert server.admin("GET", "webhooks/chaos", params={"provider": "systeme", "apiKey": "chaos-refused"}) == {"items": []}


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"systeme"', b"{not json"])
def test_a_body_that_is_no_json_object_is_refused(server: Emulator, raw: bytes) -> None:
    response = admin_response(server, "POST", "webhooks/chaos", data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_listing_or_clearing_names_a_real_provider(server: Emulator) -> None:
    for method in ("GET", "DELETE"):
        response = admin_response(server, method, "webhooks/chaos", params={"provider": "hubspot"})
        assert response.status_code == 400
        assert response.json()["error"].startswith("provider ")
