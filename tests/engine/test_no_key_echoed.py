"""No secret echoed: every admin listing (accounts, journal, delivery attempts, fault rules,
rate limits, webhook chaos; the event stream in tests/e2e/test_waits.py) shows an account's key as its fingerprint, and
the journal shows the secrets a request carried (a webhook's signing secret, a query token)
as fingerprints too. Through a real server, a real receiver and the kit."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mockserver.testing import Emulator, WebhookReceiver
from tests.support import STRICT_SETTINGS

SECRET = "whsec-do-not-echo-0042"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(**STRICT_SETTINGS) as running:
        yield running


def test_no_listing_shows_a_key_or_a_secret_the_account_sent(server: Emulator) -> None:
    account = server.account("systeme")
    key, hint = account.api_key, "…" + account.api_key[-4:]
    api = account.session()
    with WebhookReceiver() as receiver:
        hook = {"name": "crm", "url": receiver.url, "secret": SECRET, "subscriptions": ["CONTACT_CREATED"]}
        assert api.post("/api/webhooks", json=hook).status_code == 201
        assert api.post("/api/contacts", json={"email": "ada@gmail.com"}).status_code == 201
        assert api.get("/api/contacts", params={"limit": 10, "token": "tok-query-secret-7777"}).status_code in (200, 400)
        account.wait_for_deliveries(1, timeout=10)
    scope = {"provider": "systeme", "apiKey": key}
    with account.fault(status=503, times=5), account.rate_limit(100, 10), account.webhook_chaos(duplicate=0.5):
        answers = {
            path: server.admin("GET", path, params=scope)
            for path in ("tenants", "journal", "webhooks/attempts", "faults", "rate-limits", "webhooks/chaos")
        }

    for path, answer in answers.items():
        text = json.dumps(answer, ensure_ascii=False)
        assert key not in text, path
        assert SECRET not in text and "tok-query-secret-7777" not in text, path
        assert answer["items"], path  # each listing does hold the account's records
        assert all(item["keyHint"] == hint for item in answer["items"]), path
    journal = answers["journal"]["items"]
    created = next(e for e in journal if e["operationId"] == "createWebhook")
    assert created["requestBody"]["secret"] == "***0042"
    listed = next(e for e in journal if e["operationId"] == "listContacts")
    assert listed["query"]["token"] == "***7777"
    assert listed["requestHeaders"]["X-Api-Key"] == "***" + key[-4:]
    # The account's own key still selects its records: the listings filter by it.
    assert [t["keyHint"] for t in answers["tenants"]["items"]] == [hint]
