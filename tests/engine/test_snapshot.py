"""Snapshots (GET/PUT /__admin/snapshot, the test kit's snapshot/restore): exact round trips
of every provider's accounts, ids never handed out twice, pending deliveries that keep their
message ids and attempt counts, and snapshots that cannot be used refused without a change."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.engine.snapshot import FORMAT, VERSION
from mockserver.testing import Account, Emulator, MockserverError, WebhookReceiver
from tests.support import STRICT_SETTINGS, admin_response, assert_same_state, created, ok

REFUSED = "http://127.0.0.1:9/down"  # the discard port: nothing listens there


@pytest.fixture
def own_emulator() -> Iterator[Emulator]:
    """An emulator of the test's own, for whole-server snapshots."""
    with Emulator.start(**STRICT_SETTINGS) as emulator:
        yield emulator


@pytest.fixture
def second_emulator() -> Iterator[Emulator]:
    with Emulator.start(**STRICT_SETTINGS) as emulator:
        yield emulator


def _busy_accounts(emulator: Emulator) -> list[Account]:
    """One demo account per provider, changed through the API after seeding (creates,
    updates and deletes), so counters, deletes and indexes all have something to say."""
    accounts = [emulator.account(name, demo=True) for name in emulator.providers]
    named = {account.provider: account for account in accounts}
    systeme, clickfunnels, simvoly, yulsn = (named[name] for name in ("systeme", "clickfunnels", "simvoly", "yulsn"))
    api = systeme.session()
    contact = created(api.post("/api/contacts", json={"email": "kept@example.com"}))
    ok(api.merge_patch(f"/api/contacts/{contact['id']}", {"fields": [{"slug": "city", "value": "Lyon"}]}))
    gone = created(api.post("/api/contacts", json={"email": "gone@example.com"}))
    assert api.delete(f"/api/contacts/{gone['id']}").status_code == 204
    cf = clickfunnels.session()
    created(cf.post("/api/v2/workspaces/1/contacts", json={"contact": {"email_address": "c@example.com"}}))
    created(simvoly.session().post("/api/site/contacts", json={"email": "s@example.com", "name": "Sim"}))
    ok(yulsn.session().post("/api/v1/Contacts", json={"Email": "y@example.com"}))
    return accounts


def test_a_whole_server_round_trips_exactly(own_emulator: Emulator, second_emulator: Emulator) -> None:
    _busy_accounts(own_emulator)
    own_emulator.account("systeme").advance_clock(3600)
    restored = second_emulator.restore(own_emulator.snapshot())
    assert len(restored) == len(own_emulator.engine.store.tenants())
    assert_same_state(own_emulator.engine, second_emulator.engine)
    first = json.loads(own_emulator.snapshot())
    again = json.loads(second_emulator.snapshot())
    assert first["accounts"] == again["accounts"]
    assert first["server"]["registered"] == again["server"]["registered"]


def test_an_account_restored_under_another_key_answers_as_the_original(mockserver: Emulator) -> None:
    original = mockserver.account("systeme", demo=True)
    copy = mockserver.account("systeme")
    assert copy.restore(original.snapshot())["keyHint"] == "…" + copy.api_key[-4:]
    listed = ok(original.session().get("/api/contacts", params={"limit": 100}))
    assert ok(copy.session().get("/api/contacts", params={"limit": 100})) == listed
    assert listed["items"], "the demo account has contacts"
    # Counters came along: both hand out the same next id, and neither one an id it had.
    first = created(original.session().post("/api/contacts", json={"email": "next@example.com"}))
    second = created(copy.session().post("/api/contacts", json={"email": "next@example.com"}))
    assert first["id"] == second["id"]
    assert first["id"] not in {item["id"] for item in listed["items"]}
    # The copy is an account of its own from then on.
    assert copy.session().delete(f"/api/contacts/{second['id']}").status_code == 204
    assert original.session().get(f"/api/contacts/{first['id']}").status_code == 200


def test_an_account_snapshot_keeps_its_clock_and_unique_rules(mockserver: Emulator) -> None:
    original = mockserver.account("systeme")
    created(original.session().post("/api/contacts", json={"email": "one@example.com"}))
    moved = original.advance_clock(86_400)
    copy = mockserver.account("systeme")
    copy.restore(original.snapshot())
    assert abs((copy.now() - moved).total_seconds()) < 60
    duplicate = copy.session().post("/api/contacts", json={"email": "ONE@example.com"})
    assert duplicate.status_code == 422
    assert "already used" in duplicate.text


def test_ids_are_never_handed_out_twice_after_a_restore(own_emulator: Emulator) -> None:
    account = own_emulator.account("systeme")
    api = account.session()
    before = [created(api.post("/api/webhooks", json=_hook(f"h{n}", REFUSED + str(n)))) for n in range(3)]
    saved = own_emulator.snapshot()
    after = [created(api.post("/api/webhooks", json=_hook(f"a{n}", REFUSED + f"/a{n}"))) for n in range(3)]
    own_emulator.restore(saved)  # back to the three: the later ids are gone ...
    again = [created(api.post("/api/webhooks", json=_hook(f"b{n}", REFUSED + f"/b{n}"))) for n in range(3)]
    seen = [hook["id"] for hook in before + after]
    # ... and the ids made after the restore are new ones (UUIDv7, in order after the kept).
    assert not {hook["id"] for hook in again} & set(seen)
    assert sorted(hook["id"] for hook in again)[0] > max(hook["id"] for hook in before)
    listed = {hook["id"] for hook in ok(api.get("/api/webhooks"))["items"]}
    assert listed == {hook["id"] for hook in before + again}


def test_pending_deliveries_come_back_with_their_message_ids_and_attempts(
    own_emulator: Emulator, second_emulator: Emulator
) -> None:
    account = own_emulator.account("systeme")
    created(account.session().post("/api/webhooks", json=_hook("h", REFUSED)))
    created(account.session().post("/api/contacts", json={"email": "ada@example.com"}))
    failed = account.wait_for_deliveries(2)  # two failed attempts: it now waits for a retry
    snapshot = json.loads(account.snapshot())
    [pending] = snapshot["accounts"][0]["pendingDeliveries"]
    assert pending["messageId"] == failed[0].message_id == failed[1].message_id
    assert pending["attempt"] >= 3
    assert [d.attempt for d in failed[:2]] == [1, 2]
    with WebhookReceiver() as receiver:
        pending["url"] = receiver.url  # the receiver is up now, at a new address
        restored = second_emulator.account("systeme", api_key=account.api_key)
        restored.restore(json.dumps(snapshot).encode())
        [received] = receiver.wait(1, timeout=30)
    assert received.headers["X-Webhook-Message-Id"] == pending["messageId"]
    assert received.json["contact"]["email"] == "ada@example.com"
    # The receiver may answer before the attempt is recorded: wait for it to be.
    history = restored.wait_for_deliveries(pending["attempt"])
    assert [d.attempt for d in history][:2] == [1, 2]  # the attempts made before came along
    assert history[-1].ok and history[-1].attempt == pending["attempt"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b'{"format": "something-else", "version": 1, "accounts": []}', "not a mockserver snapshot"),
        (json.dumps({"format": FORMAT, "version": VERSION + 1, "accounts": []}).encode(), "newer mockserver"),
        (json.dumps({"format": FORMAT, "version": VERSION, "accounts": {}}).encode(), '"accounts" is not a list'),
    ],
)
def test_a_snapshot_that_cannot_be_used_is_refused_and_changes_nothing(mockserver: Emulator, body: bytes, message: str) -> None:
    account = mockserver.account("systeme", demo=True)
    before = account.snapshot()
    answer = admin_response(mockserver, "PUT", "snapshot", data=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert _accounts_of(account.snapshot()) == _accounts_of(before)


def test_a_broken_account_in_a_snapshot_changes_no_account(mockserver: Emulator) -> None:
    first, second = mockserver.account("systeme", demo=True), mockserver.account("systeme", demo=True)
    doc = json.loads(mockserver.snapshot("systeme"))
    mine = [a for a in doc["accounts"] if a["apiKey"] in (first.api_key, second.api_key)]
    mine[0]["tables"]["contacts"]["rows"] = mine[0]["tables"]["contacts"]["rows"][:-1]  # a key without its row
    mine[1]["tables"]["contacts"]["rows"] = []  # this account would restore on its own
    doc["accounts"] = mine
    with pytest.raises(MockserverError) as refused:
        mockserver.restore(json.dumps(doc).encode())
    assert refused.value.status == 400 and "as many keys as rows" in str(refused.value)
    assert ok(second.session().get("/api/contacts"))["items"], "the second account kept its contacts"


def test_one_account_of_a_provider_and_errors_of_scope(mockserver: Emulator) -> None:
    account = mockserver.account("simvoly", demo=True)
    doc = json.loads(account.snapshot())
    assert doc["scope"] == "accounts" and "server" not in doc
    assert [(a["provider"], a["apiKey"]) for a in doc["accounts"]] == [("simvoly", account.api_key)]
    missing = admin_response(mockserver, "GET", "snapshot", params={"provider": "simvoly", "apiKey": "nobody-has-this"})
    assert missing.status_code == 404
    keyless = admin_response(mockserver, "GET", "snapshot", params={"apiKey": account.api_key})
    assert keyless.status_code == 400 and "needs a provider" in keyless.json()["error"]
    wrong = admin_response(
        mockserver, "PUT", "snapshot", params={"provider": "systeme", "apiKey": "x"}, data=json.dumps(doc).encode()
    )
    assert wrong.status_code == 400 and "simvoly account, not systeme" in wrong.json()["error"]


def test_the_snapshot_download_is_an_attachment(mockserver: Emulator) -> None:
    account = mockserver.account("yulsn", demo=True)
    answer = admin_response(mockserver, "GET", "snapshot", params={"provider": "yulsn", "apiKey": account.api_key})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert 'filename="mockserver-snapshot-yulsn.json"' in answer.headers["Content-Disposition"]


def _hook(name: str, url: str) -> dict[str, Any]:
    return {"name": name, "url": url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}


def _accounts_of(raw: bytes) -> Any:
    return json.loads(raw)["accounts"]


def test_a_snapshot_taken_during_writes_never_holds_half_of_one() -> None:
    """Creates from several threads while snapshots are taken: in every snapshot, each
    contact has exactly its one undelivered CONTACT_CREATED message (queued with the write,
    under the account's lock) and the id counter is past every contact."""
    with Emulator.start(**{**STRICT_SETTINGS, "webhook_time_scale": 1.0}) as emulator:  # retries an hour away
        account = emulator.account("systeme")
        created(account.session().post("/api/webhooks", json=_hook("h", REFUSED)))
        stop = threading.Event()

        def write(thread: int) -> None:
            api = account.session()
            for number in range(60):
                created(api.post("/api/contacts", json={"email": f"t{thread}-{number}@example.com"}))
            stop.set()

        writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for writer in writers:
            writer.start()
        seen = 0
        while not stop.is_set() or seen < 5:
            [saved] = json.loads(account.snapshot())["accounts"]
            contacts = saved["tables"]["contacts"]["rows"]
            messages = [p["messageId"] for p in saved["pendingDeliveries"]]
            assert len(messages) == len(set(messages)) == len(contacts)
            assert all(c["id"] <= saved["counters"]["contact"] for c in contacts)
            seen += 1
        for writer in writers:
            writer.join(60)
    assert seen >= 5


def test_a_restored_message_is_signed_afresh_at_each_attempt_as_before(own_emulator: Emulator, second_emulator: Emulator) -> None:
    """ClickFunnels signs every attempt with a fresh timestamp: a message restored from a
    snapshot still is (the endpoint's secret travels with it)."""
    account = own_emulator.account("clickfunnels")
    api = account.session()
    hook = {"url": REFUSED, "name": "Hook", "event_type_ids": ["contact.created"]}
    endpoint = created(api.post("/api/v2/workspaces/1/webhooks/outgoing/endpoints", json={"webhooks_outgoing_endpoint": hook}))
    created(api.post("/api/v2/workspaces/1/contacts", json={"contact": {"email_address": "signed@example.com"}}))
    account.wait_for_deliveries(1)
    doc = json.loads(account.snapshot())
    [pending] = doc["accounts"][0]["pendingDeliveries"]
    assert pending["signing"] == {"secret": endpoint["webhook_secret"]}
    with WebhookReceiver() as receiver:
        pending["url"] = receiver.url
        second_emulator.account("clickfunnels", api_key=account.api_key).restore(json.dumps(doc).encode())
        [received] = receiver.wait(1, timeout=30)
    assert received.verify("clickfunnels", endpoint["webhook_secret"])
    assert received.json["data"]["email_address"] == "signed@example.com"
