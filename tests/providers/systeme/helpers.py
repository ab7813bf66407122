"""What the Systeme.io tests share: a client per account, the 401 message, 422 violations,
and the contacts most tests start from."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import ApiSession, Emulator
from tests.support import created

MISSING_KEY = "Full authentication is required to access this resource."


def client_for(mockserver: Emulator, key: str | None) -> ApiSession:
    """A client sending `key` as it is, whether an account has it or not (a fresh account is
    `mockserver.account("systeme")`); with None it sends no X-API-Key at all."""
    return ApiSession(f"{mockserver.url}/systeme", {"X-API-Key": key} if key is not None else {})


def create_contact(client: ApiSession, email: str, **extra: Any) -> dict[str, Any]:
    return created(client.post("/api/contacts", json={"email": email, **extra}))


def violations(response: requests.Response) -> list[tuple[str, str]]:
    """The (propertyPath, message) pairs of a 422 problem."""
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return [(v["propertyPath"], v["message"]) for v in response.json()["violations"]]


def violation_paths(response: requests.Response) -> list[str]:
    """The propertyPaths of a 422 problem."""
    assert response.status_code == 422, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    return [v["propertyPath"] for v in response.json()["violations"]]
