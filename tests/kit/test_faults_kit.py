"""Failures on demand through the test kit: Account.fault, rate_limit and webhook_chaos,
against a real emulator in this process, seen by a plain `requests` client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mockserver.testing import Account, Emulator, MockserverError, WebhookReceiver


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # An emulator of its own: its start-up rate limit (1000/10) is what rate_limit restores.
    with Emulator.start() as emulator:
        yield emulator


def create_contact(base_url: str, api_key: str, email: str) -> list[int]:
    """Your client: POST the contact, again on a 503 (up to 5 tries); the statuses it saw.
    (The README's example, as it is there.)"""
    seen = []
    for _attempt in range(5):
        response = requests.post(f"{base_url}/api/contacts", json={"email": email}, headers={"X-API-Key": api_key}, timeout=10)
        seen.append(response.status_code)
        if response.status_code != 503:
            break
    return seen


def emails(account: Account) -> list[str]:
    return [contact["email"] for contact in account.session().get("/api/contacts").json()["items"]]


def test_a_retry_loop_sees_two_503s_then_creates_the_contact_once(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    with account.fault(operation="createContact", status=503, times=2):
        assert create_contact(account.base_url, account.api_key, "ada@gmail.com") == [503, 503, 201]
    contacts = account.session().get("/api/contacts").json()["items"]
    assert [contact["email"] for contact in contacts] == ["ada@gmail.com"]
    assert [call.status for call in account.journal("POST", "/api/contacts")] == [503, 503, 201]


def test_a_fault_after_the_request_commits_what_the_client_saw_fail(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    with account.fault(operation="createContact", status=502, after="after", times=1):
        response = account.session().post("/api/contacts", json={"email": "grace@gmail.com"})
    assert response.status_code == 502
    assert emails(account) == ["grace@gmail.com"]  # written, although the client saw a 502


def test_the_context_manager_removes_the_rule(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    api = account.session()
    with account.fault(path="/api/tags*", status=500) as fault:
        assert fault.rule["status"] == 500 and fault.rule["keyHint"] == "…" + account.api_key[-4:]
        assert [rule["id"] for rule in emulator.faults("systeme", account.api_key)] == [fault.id]
        assert api.get("/api/tags").status_code == 500
        assert api.get("/api/tags").status_code == 500
        assert fault.hits() == 2
    assert emulator.faults("systeme", account.api_key) == []
    assert api.get("/api/tags").status_code == 200


def test_a_rule_used_up_by_times_is_gone_and_removing_it_is_no_error(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    with account.fault(operation="listTags", status=503, times=1) as fault:
        assert account.session().get("/api/tags").status_code == 503
        assert fault.hits() == 0  # used up: gone from the server
    fault.remove()  # again: still no error


def test_snake_case_keywords_become_the_admin_apis_names(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    with account.fault(operation="listTags", delay_ms=(10, 20)) as fault:
        assert fault.rule["delayMs"] == [10, 20]
        assert account.session().get("/api/tags").status_code == 200  # only later


def test_a_bad_rule_raises_the_emulators_message(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    with pytest.raises(MockserverError, match="status") as refused:
        account.fault(status=999)
    assert refused.value.status == 400
    with pytest.raises(MockserverError, match="operation"):
        account.fault(operation="noSuchOperation", status=500)


def test_faults_are_listed_and_cleared_per_account(emulator: Emulator) -> None:
    first, second = emulator.account("systeme"), emulator.account("systeme")
    first.fault(operation="listTags", status=500)
    first.fault(operation="createTag", status=500)
    kept = second.fault(operation="listTags", status=500)
    assert len(emulator.faults("systeme", first.api_key)) == 2
    assert emulator.clear_faults("systeme", first.api_key) == 2
    assert emulator.faults("systeme", first.api_key) == []
    assert first.session().get("/api/tags").status_code == 200
    assert second.session().get("/api/tags").status_code == 500  # another account's rule stays
    kept.remove()


def test_rate_limit_makes_the_third_request_a_429_and_is_restored_on_exit(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    api = account.session()
    with account.rate_limit(2, 60) as limit:
        assert limit.setting["limit"] == 2 and limit.setting["window"] == 60
        assert [api.get("/api/tags").status_code for _ in range(2)] == [200, 200]
        refused = api.get("/api/tags")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.headers["X-RateLimit-Limit"] == "2" and refused.headers["X-RateLimit-Remaining"] == "0"
    again = api.get("/api/tags")
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Limit"] == "1000"  # the start-up limit


def test_rate_limit_without_with_lasts_until_removed(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    api = account.session()
    limit = account.rate_limit(1, 60)
    assert api.get("/api/tags").status_code == 200
    assert api.get("/api/tags").status_code == 429
    limit.remove()
    assert api.get("/api/tags").status_code == 200


def test_webhook_chaos_duplicates_deliveries_until_exit(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    api = account.session()
    with WebhookReceiver() as receiver:
        hook = {"name": "crm", "url": receiver.url, "secret": "s3cret", "subscriptions": ["CONTACT_CREATED"]}
        assert api.post("/api/webhooks", json=hook).status_code == 201
        with account.webhook_chaos(duplicate=1.0) as chaos:
            assert chaos.setting["duplicate"] == 1.0
            api.post("/api/contacts", json={"email": "twice@gmail.com"})
            first, second = receiver.wait(2)
            assert first.body == second.body
        assert emulator.admin("GET", "webhooks/chaos", params={"provider": "systeme", "apiKey": account.api_key})["items"] == []
        receiver.clear()
        api.post("/api/contacts", json={"email": "once@gmail.com"})
        (delivery,) = receiver.wait(1)
        assert account.wait_for_idle()
        assert delivery.json["contact"]["email"] == "once@gmail.com" and len(receiver.requests) == 1
