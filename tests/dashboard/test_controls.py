"""An account's clock, fault rules and rate limit from its page: what the forms change is
what the admin API then reports."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from mockserver.testing import Account, Emulator
from tests.dashboard.helpers import account_url, html


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start() as emulator:
        yield emulator


def page_of(server: Emulator, account: Account) -> str:
    return account_url(server.app, account.provider, account.api_key)


def test_the_clock_is_advanced_frozen_and_reset(server: Emulator) -> None:
    account = server.account("simvoly")
    url, client = page_of(server, account), server.app.test_client()
    before = account.now()
    moved = client.post(url + "/clock", data={"do": "advance", "seconds": "86400"})
    assert moved.status_code == 303 and moved.headers["Location"].endswith("#controls")
    assert 86_000 < (account.now() - before).total_seconds() < 86_800
    client.post(url + "/clock", data={"do": "freeze"})
    clock = server.admin("GET", "clock", params={"provider": "simvoly", "apiKey": account.api_key})
    assert clock["frozen"] is True and "Unfreeze" in html(client.get(url))
    client.post(url + "/clock", data={"do": "reset"})
    clock = server.admin("GET", "clock", params={"provider": "simvoly", "apiKey": account.api_key})
    assert clock["frozen"] is False and clock["offsetSeconds"] == 0
    refused = html(client.post(url + "/clock", data={"do": "advance", "seconds": "1e300"}), 400)
    assert 'role="alert">the clock must stay between' in refused
    assert "seconds must be a number" in html(client.post(url + "/clock", data={"do": "advance", "seconds": "soon"}), 400)


def test_a_fault_rule_is_added_and_removed(server: Emulator) -> None:
    account = server.account("systeme")
    url, client = page_of(server, account), server.app.test_client()
    form = {"status": "503", "operation": "createContact", "method": "post", "path": "", "times": "2"}
    assert client.post(url + "/faults", data=form).status_code == 303
    (rule,) = server.faults("systeme", account.api_key)
    assert (rule["status"], rule["operation"], rule["method"], rule["times"]) == (503, "createContact", "POST", 2)
    with account.session() as api:
        assert api.post("/api/contacts", json={"email": "x@example.com"}).status_code == 503
    page = html(client.get(url))
    assert f'data-fault="{rule["id"]}"' in page
    assert client.post(f"{url}/faults/{rule['id']}/remove").status_code == 303
    assert server.faults("systeme", account.api_key) == []
    assert "no fault rule" in html(client.post(f"{url}/faults/{rule['id']}/remove"), 404)
    refused = html(client.post(url + "/faults", data={"status": "503", "operation": "noSuchOperation"}), 400)
    assert re.search(r'role="alert">[^<]*noSuchOperation', refused)


def test_a_rate_limit_is_set_and_removed(server: Emulator) -> None:
    account = server.account("clickfunnels")
    url, client = page_of(server, account), server.app.test_client()
    assert client.post(url + "/rate-limit", data={"limit": "3", "window": "60"}).status_code == 303
    quotas = server.admin("GET", "rate-limits", params={"provider": "clickfunnels", "apiKey": account.api_key})["items"]
    assert [(q["limit"], q["window"]) for q in quotas] == [(3, 60)]
    assert "3 requests per 60" in html(client.get(url))
    client.post(url + "/rate-limit", data={"do": "remove"})
    assert server.admin("GET", "rate-limits", params={"provider": "clickfunnels", "apiKey": account.api_key})["items"] == []
    assert "a rate limit needs" in html(client.post(url + "/rate-limit", data={"limit": "0", "window": "60"}), 400)
