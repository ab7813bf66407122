"""Vendor-side events from the dashboard: a form for every admin action of every provider
(as the admin API's OpenAPI document lists them), run for the page's account; deliveries
and redelivering one."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from mockserver.testing import Emulator, WebhookReceiver
from tests.dashboard.helpers import PROVIDERS, account_url, attributes, fetch, html


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start() as emulator:
        yield emulator


def test_every_admin_action_has_a_form(server: Emulator) -> None:
    document = server.admin("GET", "openapi.json")
    client = server.app.test_client()
    for provider in PROVIDERS:
        prefix = f"/__admin/{provider}/"
        documented = sorted(
            f"{method.upper()} {path.removeprefix(prefix)}"
            for path, item in document["paths"].items()
            if path.startswith(prefix)
            for method in item
        )
        page = html(client.get(account_url(server.app, provider, server.account(provider).api_key)))
        assert sorted(attributes(page, "data-action")) == documented, provider
        assert documented, provider


def test_each_field_is_a_labelled_input_of_its_type(server: Emulator) -> None:
    client = server.app.test_client()
    page = html(client.get(account_url(server.app, "systeme", server.account("systeme").api_key)))
    form = re.search(r'<form [^>]*data-action="POST email-status".*?</form>', page, flags=re.S)
    assert form is not None
    names = re.findall(r'<(?:input|select|textarea)[^>]* name="(\w+)"', form.group(0))
    assert names == ["_action", "contactId", "unsubscribed", "bounced"]
    assert re.search(r'<label for="(a\d+-contactId)">contactId <abbr title="required">', form.group(0))
    assert re.search(r'type="checkbox" id="a\d+-bounced" name="bounced"', form.group(0))
    assert re.search(r'id="a\d+-contactId" name="contactId" type="number" step="1" required', form.group(0))
    course = re.search(r'<form [^>]*data-action="POST courses".*?</form>', page, flags=re.S)
    assert course is not None and re.search(r'<textarea id="a\d+-modules" name="modules"', course.group(0))
    cancel = re.search(r'<form [^>]*data-action="POST sales/\{order_id\}/cancel".*?</form>', page, flags=re.S)
    assert cancel is not None and 'name="order_id" type="number" step="1" required' in cancel.group(0)


def subscribe(server: Emulator, receiver: WebhookReceiver) -> tuple[str, str]:
    """A Systeme.io account with a SALE_NEW subscription to the receiver: (its key, its actions URL)."""
    account = server.account("systeme")
    hook = {"name": "sales", "url": receiver.url, "secret": "s3cret", "subscriptions": ["SALE_NEW"]}
    with account.session() as api:
        assert api.post("/api/webhooks", json=hook).status_code == 201
    return account.api_key, account_url(server.app, "systeme", account.api_key)


def test_a_sale_through_the_form_is_delivered_and_listed(server: Emulator) -> None:
    client = server.app.test_client()
    with WebhookReceiver() as receiver:
        key, page_url = subscribe(server, receiver)
        status, answer = fetch(client, page_url + "/actions", _action="POST sales", email="buyer@example.com")
        assert status == 200 and answer["status"] == 201 and answer["body"]["order"]["status"] == "paid"
        (delivered,) = receiver.wait(1)
        assert delivered.headers["X-Webhook-Event"] == "SALE_NEW" and delivered.verify("systeme", "s3cret")
        assert server.engine.dispatcher.wait_idle(10, "systeme", key)
    page = html(client.get(page_url))
    assert attributes(page, "data-ok") == ["true"] and attributes(page, "data-attempt") == ["1"]
    assert "SALE_NEW" in page


def test_an_action_without_script_shows_its_answer_in_the_page(server: Emulator) -> None:
    client = server.app.test_client()
    url = account_url(server.app, "systeme", server.account("systeme").api_key)
    page = html(client.post(url + "/actions", data={"_action": "POST courses", "name": "Course A", "modules": '["One"]'}))
    assert re.search(r'<output id="action-result"[^>]*data-status="201"', page) and "Course A" in page
    refused = html(client.post(url + "/actions", data={"_action": "POST courses", "name": "B", "modules": "[oops"}), 400)
    assert 'role="alert">modules must be JSON' in refused
    status, answer = fetch(client, url + "/actions", _action="POST courses")
    assert status == 200 and answer["status"] == 422 and "violations" in answer["body"]
    assert fetch(client, url + "/actions", _action="POST nothing")[0] == 404


def test_a_failed_delivery_is_redelivered_from_its_button(server: Emulator) -> None:
    client = server.app.test_client()
    with WebhookReceiver() as receiver:
        key, page_url = subscribe(server, receiver)
        receiver.respond_with(500, times=1)
        fetch(client, page_url + "/actions", _action="POST sales", email="again@example.com")
        receiver.wait(2)  # the failure, then its retry
        assert server.engine.dispatcher.wait_idle(10, "systeme", key)
        page = html(client.get(page_url))
        assert attributes(page, "data-ok") == ["true", "false"]
        (message_id,) = set(attributes(page, "data-redeliver"))
        (newest_id, _) = attributes(page, "data-id")
        status, answer = fetch(client, page_url + "/redeliver", messageId=message_id)
        assert status == 200 and answer == {"queued": True, "messageId": message_id}
        receiver.wait(3)
        assert server.engine.dispatcher.wait_idle(10, "systeme", key)
    fresh = html(client.get(f"{page_url}/deliveries?after={newest_id}"))
    assert attributes(fresh, "data-message-id") == [message_id] and attributes(fresh, "data-attempt") == ["3"]
    status, answer = fetch(client, page_url + "/redeliver", messageId="no-such-message")
    assert status == 404 and "message" in answer["error"]
    no_script = client.post(page_url + "/redeliver", data={"messageId": message_id})
    assert no_script.status_code == 303 and no_script.headers["Location"].endswith("#webhooks")
