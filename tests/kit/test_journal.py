"""An account's journal through the test kit: its own requests only, newest last, with
headers (credentials redacted), query, bodies, status and the events each caused."""

from __future__ import annotations

import pytest

from mockserver.testing import Emulator, WebhookReceiver


def test_the_journal_holds_the_accounts_requests_newest_last(mockserver: Emulator) -> None:
    account, other = mockserver.account("systeme"), mockserver.account("systeme")
    api = account.session()
    api.get("/api/tags", params={"limit": 10})
    api.post("/api/tags", json={"name": "Journal"})
    other.session().get("/api/tags")
    api.get("/api/tags/999999")

    calls = account.journal()

    assert [(c.method, c.path, c.status) for c in calls] == [
        ("GET", "/systeme/api/tags", 200),
        ("POST", "/systeme/api/tags", 201),
        ("GET", "/systeme/api/tags/999999", 404),
    ]
    listing, creation, missing = calls
    assert listing.query == {"limit": "10"}
    assert creation.body == {"name": "Journal"}
    assert creation.response_body["name"] == "Journal"
    assert creation.operation_id == "createTag" and creation.route == "/api/tags"
    assert missing.response_body == account.session().get("/api/tags/999999").json()  # the native error body
    assert missing.response_body["detail"] == "Not Found"
    assert calls[0].seq < calls[1].seq < calls[2].seq


def test_credentials_never_show_in_the_journal(mockserver: Emulator) -> None:
    account = mockserver.account("clickfunnels")
    account.session().get("/api/v2/teams")
    (call,) = account.journal()
    assert call.headers["Authorization"] == f"Bearer ***{account.api_key[-4:]}"
    assert account.api_key not in str(call.headers)
    assert call.headers["User-Agent"].startswith("mockserver-testing/")


def test_filters_by_method_and_path_template_or_glob(mockserver: Emulator) -> None:
    account = mockserver.account("systeme")
    api = account.session()
    tag = api.post("/api/tags", json={"name": "One"}).json()
    api.get(f"/api/tags/{tag['id']}")
    api.put(f"/api/tags/{tag['id']}", json={"name": "Two"})
    api.get("/api/tags")

    assert account.count("GET", "/api/tags/{id}") == 1
    assert account.count("GET", "/api/tags/*") == 1
    assert account.count("GET", "/api/tags") == 1
    assert account.count("PUT", f"/systeme/api/tags/{tag['id']}") == 1
    assert [c.method for c in account.journal(path="/api/tags*")] == ["POST", "GET", "PUT", "GET"]
    assert [c.status for c in account.journal(status="2xx")] == [201, 200, 200, 200]


def test_assert_called_counts_and_explains_a_miss(mockserver: Emulator) -> None:
    account = mockserver.account("simvoly")
    api = account.session()
    api.post("/api/site/contacts", json={"email": "ada@example.com"})
    api.post("/api/site/contacts", json={"email": "bo@example.com"})

    assert len(account.assert_called("POST", "/api/site/contacts", times=2)) == 2
    account.assert_called("POST", "/api/site/contacts")
    with pytest.raises(AssertionError, match=r"expected POST /api/site/contacts 3 time\(s\), got 2"):
        account.assert_called("POST", "/api/site/contacts", times=3)
    with pytest.raises(AssertionError, match=r"requests made: .*POST /simvoly/api/site/contacts -> 201"):
        account.assert_called("DELETE", "/api/site/contacts/{id}")


def test_the_journal_names_the_webhook_events_a_request_caused(mockserver: Emulator, webhook_receiver: WebhookReceiver) -> None:
    account = mockserver.account("systeme")
    api = account.session()
    hook = {"name": "crm", "url": webhook_receiver.url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    api.post("/api/webhooks", json=hook)
    api.post("/api/contacts", json={"email": "ada@gmail.com"})
    (creation,) = account.journal("POST", "/api/contacts")
    (caused,) = creation.events
    assert caused["event"] == "CONTACT_CREATED"
    (delivery,) = account.wait_for_deliveries(1)
    assert caused["messageIds"] == [delivery.message_id]


def test_clearing_one_accounts_journal_leaves_the_others(mockserver: Emulator) -> None:
    mine, theirs = mockserver.account("yulsn"), mockserver.account("yulsn")
    mine.session().get("/api/v1/Stores")
    theirs.session().get("/api/v1/Stores")
    mine.clear_journal()
    assert mine.journal() == []
    assert len(theirs.journal()) == 1
    mine.session().get("/api/v1/Stores")
    assert len(mine.journal()) == 1
