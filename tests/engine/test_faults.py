"""Faults on demand through the admin API (POST /__admin/faults, /__admin/rate-limits): what
a client sees, what the account holds after, and that nothing leaks to another account."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from mockserver.testing import Account, Emulator
from tests.e2e.serve import Served
from tests.support import admin_response

CONTACTS = "/api/contacts"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(seed=7) as emulator:
        yield emulator


def add(emulator: Emulator, **rule: Any) -> dict[str, Any]:
    response = admin_response(emulator, "POST", "faults", json=rule)
    assert response.status_code == 201, response.text
    return dict(response.json())


def email() -> str:
    return f"{uuid.uuid4().hex[:12]}@gmail.com"


def journal(emulator: Emulator, account: Account) -> list[dict[str, Any]]:
    """The account's requests, oldest first, as the admin API shows them."""
    scope = {"provider": account.provider, "apiKey": account.api_key, "order": "asc"}
    return list(admin_response(emulator, "GET", "journal", params=scope).json()["items"])


def contacts_named(account: Account, address: str) -> list[Any]:
    listed = account.session().get(CONTACTS, params={"email": address, "limit": 10})
    return list(listed.json()["items"])


def test_a_retry_loop_sees_exactly_the_injected_sequence_and_the_record_exists_once(server: Emulator) -> None:
    account = server.account("systeme")
    rule = add(server, provider="systeme", apiKey=account.api_key, operation="createContact", status=503, times=2)
    api, address, seen = account.session(), email(), []
    for _ in range(5):
        response = api.post(CONTACTS, json={"email": address})
        seen.append(response.status_code)
        if response.status_code == 201:
            break
    assert seen == [503, 503, 201]
    assert len(contacts_named(account, address)) == 1
    # the provider's own 503: Systeme.io's problem+json, with its title
    posts = [entry for entry in journal(server, account) if entry["method"] == "POST"]
    assert [(entry["status"], entry["fault"]) for entry in posts] == [(503, rule["id"]), (503, rule["id"]), (201, None)]
    # used up: gone from the list
    assert admin_response(server, "GET", "faults", params={"provider": "systeme", "apiKey": account.api_key}).json() == {
        "items": []
    }


def test_the_default_body_is_the_providers_native_error(server: Emulator) -> None:
    for provider, path, media_type, member in (
        ("systeme", CONTACTS, "application/problem+json", "detail"),
        ("clickfunnels", "/api/v2/teams", "application/json", "error"),
        ("simvoly", "/api/site/products", "application/json", "message"),
        ("yulsn", "/api/v1/Actions", "application/json", "Message"),
    ):
        account = server.account(provider)
        add(server, provider=provider, apiKey=account.api_key, status=502, times=1)
        response = account.session().get(path)
        assert response.status_code == 502, provider
        assert response.headers["Content-Type"].split(";")[0] == media_type, provider
        assert "Bad Gateway" in str(response.json()[member]), (provider, response.text)


def test_a_rule_may_give_its_own_body_and_headers(server: Emulator) -> None:
    account = server.account("systeme")
    add(
        server,
        provider="systeme",
        apiKey=account.api_key,
        status=429,
        body={"slow": "down"},
        headers={"Retry-After": "7"},
        times=1,
    )
    html = add(
        server, provider="systeme", apiKey=account.api_key, status=502, body="<html>bad gateway</html>",
        headers={"Content-Type": "text/html"}, times=1,
    )  # fmt: skip
    api = account.session()
    first = api.get(CONTACTS)
    assert (first.status_code, first.json(), first.headers["Retry-After"]) == (429, {"slow": "down"}, "7")
    second = api.get(CONTACTS)
    assert (second.status_code, second.text, second.headers["Content-Type"]) == (502, "<html>bad gateway</html>", "text/html")
    assert html["body"] == "<html>bad gateway</html>"


def test_after_the_write_is_committed_although_the_client_saw_the_fault(server: Emulator) -> None:
    account = server.account("systeme")
    add(server, provider="systeme", apiKey=account.api_key, operation="createContact", status=502, after="after", times=1)
    address = email()
    assert account.session().post(CONTACTS, json={"email": address}).status_code == 502
    assert len(contacts_named(account, address)) == 1


def test_rules_match_by_method_path_and_operation(server: Emulator) -> None:
    account = server.account("systeme")
    api = account.session()
    made = api.post(CONTACTS, json={"email": email()}).json()
    add(server, provider="systeme", apiKey=account.api_key, method="get", path="/api/contacts/*", status=500)
    assert api.get(f"{CONTACTS}/{made['id']}").status_code == 500
    assert api.get(CONTACTS).status_code == 200  # the list's path does not match the pattern
    add(server, provider="systeme", apiKey=account.api_key, path="/api/tags", status=418)  # a template matches too
    assert api.get("/api/tags").status_code == 418


def test_faults_on_one_account_never_touch_another_in_parallel(server: Emulator) -> None:
    faulted, other = server.account("systeme"), server.account("systeme")
    add(server, provider="systeme", apiKey=faulted.api_key, status=503)
    statuses: dict[str, list[int]] = {"faulted": [], "other": []}

    def hammer(name: str, account: Account) -> None:
        api = account.session()
        for _ in range(40):
            statuses[name].append(api.get(CONTACTS).status_code)

    threads = [threading.Thread(target=hammer, args=item) for item in (("faulted", faulted), ("other", other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses["faulted"]) == {503} and set(statuses["other"]) == {200}
    assert {entry["fault"] for entry in journal(server, other)} == {None}


def test_a_delay_only_rule_slows_the_answer_and_keeps_it(server: Emulator) -> None:
    account = server.account("systeme")
    add(server, provider="systeme", apiKey=account.api_key, delayMs=[300, 400], times=1)
    started = time.monotonic()
    response = account.session().get(CONTACTS)
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def seeded_pattern(seed: int) -> list[int]:
    with Emulator.start(seed=seed) as emulator:
        account = emulator.account("systeme", api_key="probability")
        add(emulator, provider="systeme", apiKey=account.api_key, status=503, probability=0.3)
        api = account.session()
        return [api.get(CONTACTS).status_code for _ in range(40)]


def test_two_seeded_runs_fault_the_same_requests() -> None:
    first, second = seeded_pattern(11), seeded_pattern(11)
    assert first == second
    assert 0 < first.count(503) < 40  # some, not all
    assert seeded_pattern(12) != first  # another seed, another draw


def test_rules_list_delete_one_and_clear(server: Emulator) -> None:
    account = server.account("simvoly")
    one = add(server, provider="simvoly", apiKey=account.api_key, status=500)
    add(server, provider="simvoly", apiKey=account.api_key, status=501)
    scope = {"provider": "simvoly", "apiKey": account.api_key}
    assert [r["status"] for r in admin_response(server, "GET", "faults", params=scope).json()["items"]] == [500, 501]
    assert admin_response(server, "DELETE", f"faults/{one['id']}").status_code == 204
    assert admin_response(server, "DELETE", f"faults/{one['id']}").status_code == 404
    assert admin_response(server, "DELETE", "faults", params=scope).json() == {"deleted": 1}
    assert account.session().get("/api/site/products", params={"limit": 1, "skip": 0}).status_code == 200


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"provider": "nope", "status": 500}, "provider"),
        ({"provider": "systeme", "status": 99}, "status"),
        ({"provider": "systeme", "status": "500"}, "status"),
        ({"provider": "systeme", "operation": "noSuchOperation", "status": 500}, "operation"),
        ({"provider": "systeme", "status": 500, "delayMs": -1}, "delayMs"),
        ({"provider": "systeme", "status": 500, "delayMs": [5, 1]}, "delayMs"),
        ({"provider": "systeme", "action": "explode"}, "action"),
        ({"provider": "systeme", "action": "hang"}, "delayMs"),
        ({"provider": "systeme", "status": 500, "after": "later"}, "after"),
        ({"provider": "systeme", "status": 500, "times": 0}, "times"),
        ({"provider": "systeme", "status": 500, "probability": 1.5}, "probability"),
        ({"provider": "systeme", "status": 500, "headers": {"X": 1}}, "headers"),
        ({"provider": "systeme", "status": 500, "colour": "red"}, "colour"),
        ({"provider": "systeme"}, "status"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(server: Emulator, rule: dict[str, Any], field: str) -> None:
    response = admin_response(server, "POST", "faults", json=rule)
    assert response.status_code == 400
    assert response.json()["error"].startswith(field), response.text


def test_a_rate_limit_set_while_running_answers_the_providers_429(server: Emulator) -> None:
    account, other = server.account("clickfunnels"), server.account("clickfunnels")
    scope = {"provider": "clickfunnels", "apiKey": account.api_key}
    assert admin_response(server, "POST", "rate-limits", json={**scope, "limit": 2, "window": 60}).status_code == 200
    api = account.session()
    statuses = [api.get("/api/v2/teams").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = api.get("/api/v2/teams")
    assert refused.headers["Retry-After"] and "error" in refused.json()
    assert [other.session().get("/api/v2/teams").status_code for _ in range(3)] == [200, 200, 200]
    assert admin_response(server, "GET", "rate-limits", params=scope).json()["items"] == [
        {"provider": "clickfunnels", "keyHint": "…" + account.api_key[-4:], "limit": 2, "window": 60}
    ]
    assert admin_response(server, "DELETE", "rate-limits", params=scope).json() == {"deleted": 1}
    assert api.get("/api/v2/teams").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"provider": "systeme", "limit": 0, "window": 1}, "limit"),
        ({"provider": "systeme", "limit": 5, "window": 0}, "window"),
        ({"provider": "systeme", "limit": 5, "window": 1, "apiKey": ""}, "apiKey"),
        ({"provider": "systeme", "limit": 5, "window": 1, "burst": 3}, "burst"),
    ],
)
def test_a_bad_rate_limit_is_refused_naming_the_field(server: Emulator, body: dict[str, Any], field: str) -> None:
    response = admin_response(server, "POST", "rate-limits", json=body)
    assert response.status_code == 400 and response.json()["error"].startswith(field), response.text


# -- connections: on each serving option ---------------------------------------------------
def cut_and_hang(emulator: Emulator) -> None:
    account = emulator.account("systeme")
    api = account.session(timeout=5)
    add(emulator, provider="systeme", apiKey=account.api_key, operation="createContact", action="reset", times=1)
    address = email()
    with pytest.raises(requests.ConnectionError):
        api.post(CONTACTS, json={"email": address})
    assert contacts_named(account, address) == []  # before: the write never ran
    assert api.post(CONTACTS, json={"email": address}).status_code == 201  # the server serves on

    add(emulator, provider="systeme", apiKey=account.api_key, operation="listContacts", action="hang", delayMs=1500, times=1)
    other = emulator.account("systeme").session(timeout=5)
    outcome: dict[str, Any] = {}

    def hung() -> None:
        try:
            account.session(timeout=0.5).get(CONTACTS)
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=hung)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert other.get(CONTACTS).status_code == 200  # served while the other request hangs
    assert time.monotonic() - started < 0.5
    thread.join(5)
    assert isinstance(outcome["error"], requests.Timeout | requests.ConnectionError)


def test_reset_and_hang_in_process() -> None:
    with Emulator.start() as emulator:
        cut_and_hang(emulator)


@pytest.mark.parametrize("server_option", ["granian", "waitress"])
def test_reset_and_hang_under_serve(server_option: str) -> None:
    with Served("--server", server_option) as served:
        cut_and_hang(Emulator.connect(served.url))
