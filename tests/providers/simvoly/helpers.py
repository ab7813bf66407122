"""What the Simvoly tests share: a client per website, the native error body, the instant
the `clock` fixture (conftest.py) freezes time at, and the e-mails the emulator "sent"."""

from __future__ import annotations

from typing import Any

import requests

from tests.support import ApiClient, RunningEmulator, bearer_client

# An instant the tests freeze the emulator's clock at (2030-03-17T17:46:40Z).
FROZEN_AT = 1_900_000_000
# Every event a webhook can subscribe to.
EVENTS = [
    "order_created",
    "order_updated",
    "product_created",
    "product_updated",
    "form_submitted",
    "contact_updated",
    "booking_created",
]


def client_for(emulator: RunningEmulator, key: str | None, **headers: str) -> ApiClient:
    """A client of the website `key` names; without a key it sends no Authorization at all."""
    return bearer_client(emulator, "simvoly", key, **headers)


def refused(response: requests.Response, status: int = 400) -> str:
    """The native error body: {"success": false, "message": "..."}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert body["message"]
    return str(body["message"])


def emails(emulator: RunningEmulator, key: str | None = None) -> list[dict[str, Any]]:
    """The e-mails the emulator sent (for the website `key` names, when given)."""
    response = emulator.admin("GET", "simvoly/emails", params={"apiKey": key} if key else None)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
