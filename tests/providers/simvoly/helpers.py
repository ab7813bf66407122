"""What the Simvoly tests share: a client per website, the native error body, the instant
the `clock` fixture (conftest.py) freezes time at, and the e-mails the emulator "sent"."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.support import USER_AGENT

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


def client_for(mockserver: Emulator, key: str | None, **headers: str) -> ApiSession:
    """A client sending `key` as it is, whether an account has it or not (a fresh account is
    `mockserver.account("simvoly")`); without a key it sends no Authorization at all."""
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    return ApiSession(f"{mockserver.url}/simvoly", {"User-Agent": USER_AGENT, **auth, **headers})


def refused(response: requests.Response, status: int = 400) -> str:
    """The native error body: {"success": false, "message": "..."}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert body["message"]
    return str(body["message"])


def emails(account: Account) -> list[dict[str, Any]]:
    """The e-mails the emulator sent for the website."""
    items: list[dict[str, Any]] = account.emulator.admin("GET", "simvoly/emails", params={"apiKey": account.api_key})["items"]
    return items
