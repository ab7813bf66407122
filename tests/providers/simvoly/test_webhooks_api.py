"""Simvoly webhook subscriptions over HTTP (the API only; delivery is tested elsewhere)."""

from __future__ import annotations

import re
from typing import Any

from mockserver.testing import ApiSession, Emulator
from tests.providers.simvoly.helpers import EVENTS, refused
from tests.support import ok

WEBHOOK_ID = re.compile(r"^rh_\d+$")
WEBHOOK_KEYS = {"id", "target", "secret", "events"}


def create(client: ApiSession, **fields: Any) -> dict[str, Any]:
    body = {"target": "https://example.com/hooks/simvoly", "secret": "your-secret", "events": ["order_created"], **fields}
    return dict(ok(client.post("/api/site/webhooks", json=body), 201))


def listed(client: ApiSession) -> list[dict[str, Any]]:
    answer = ok(client.get("/api/site/webhooks"))
    assert isinstance(answer, list)
    return answer


def another_website(mockserver: Emulator) -> ApiSession:
    return mockserver.account("simvoly").session()


# -- create ----------------------------------------------------------------------------
def test_create_answers_201_with_an_rh_id_and_echoes_secret_and_events(simvoly: ApiSession) -> None:
    response = simvoly.post(
        "/api/site/webhooks",
        json={
            "target": "https://example.com/hooks/simvoly",
            "secret": "your-secret",
            "events": ["order_created", "order_updated"],
        },
    )

    webhook = ok(response, 201)
    assert set(webhook) == WEBHOOK_KEYS
    assert WEBHOOK_ID.match(webhook["id"])
    assert webhook["target"] == "https://example.com/hooks/simvoly"
    assert webhook["secret"] == "your-secret"
    assert webhook["events"] == ["order_created", "order_updated"]


def test_every_event_can_be_subscribed(simvoly: ApiSession) -> None:
    events = EVENTS

    webhook = create(simvoly, events=events)

    assert sorted(webhook["events"]) == sorted(events)


def test_a_webhook_without_a_secret_has_a_null_secret(simvoly: ApiSession) -> None:
    response = simvoly.post("/api/site/webhooks", json={"target": "http://example.com/plain", "events": ["contact_updated"]})

    webhook = ok(response, 201)
    assert webhook["secret"] is None
    assert webhook["target"] == "http://example.com/plain"


def test_each_webhook_gets_its_own_id(simvoly: ApiSession) -> None:
    ids = {create(simvoly)["id"] for _ in range(5)}

    assert len(ids) == 5
    assert all(WEBHOOK_ID.match(i) for i in ids)


def test_a_target_that_is_not_http_is_refused_with_400(simvoly: ApiSession) -> None:
    for target in ("ftp://example.com/hook", "mailto:hooks@example.com", "file:///etc/passwd", "not a url"):
        refused(simvoly.post("/api/site/webhooks", json={"target": target, "events": ["order_created"]}))

    assert listed(simvoly) == []


def test_an_unknown_event_is_refused_with_400(simvoly: ApiSession) -> None:
    refused(
        simvoly.post("/api/site/webhooks", json={"target": "https://example.com/h", "events": ["order_created", "order_deleted"]})
    )

    assert listed(simvoly) == []


def test_empty_events_are_refused_with_400(simvoly: ApiSession) -> None:
    refused(simvoly.post("/api/site/webhooks", json={"target": "https://example.com/h", "events": []}))
    refused(simvoly.post("/api/site/webhooks", json={"target": "https://example.com/h"}))

    assert listed(simvoly) == []


# -- list ------------------------------------------------------------------------------
def test_list_is_a_bare_array_of_the_websites_webhooks(simvoly: ApiSession) -> None:
    assert listed(simvoly) == []
    first = create(simvoly, events=["order_created"])
    second = create(simvoly, target="https://example.org/other", secret="other-secret", events=["booking_created"])

    webhooks = listed(simvoly)

    assert sorted(webhooks, key=lambda w: w["id"]) == sorted([first, second], key=lambda w: w["id"])


# -- delete ----------------------------------------------------------------------------
def test_delete_answers_success_then_404_on_a_second_delete(simvoly: ApiSession) -> None:
    kept = create(simvoly)
    doomed = create(simvoly)

    assert ok(simvoly.delete(f"/api/site/webhooks/{doomed['id']}")) == {"success": True}

    assert listed(simvoly) == [kept]
    refused(simvoly.delete(f"/api/site/webhooks/{doomed['id']}"), 404)


def test_deleting_an_unknown_webhook_answers_404(simvoly: ApiSession) -> None:
    refused(simvoly.delete("/api/site/webhooks/rh_123456789"), 404)


def test_a_webhook_of_another_website_answers_404_and_stays(simvoly: ApiSession, mockserver: Emulator) -> None:
    mine = create(simvoly)
    other = another_website(mockserver)

    refused(other.delete(f"/api/site/webhooks/{mine['id']}"), 404)

    assert listed(simvoly) == [mine]
    assert listed(other) == []
