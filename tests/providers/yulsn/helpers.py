"""What the Yulsn tests share: a client per account, the native error body, back-office
(admin API) actions, and the contacts and segments many tests start from."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import Account, ApiSession
from tests.support import trigger_response

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="  # 1x1, base64


def message(response: requests.Response, status: int) -> str:
    """The native error body `{"Message": ...}` of the status expected."""
    assert response.status_code == status, response.text
    text = response.json()["Message"]
    assert isinstance(text, str)
    assert text
    return text


def admin(account: Account, path: str, body: dict[str, Any] | None = None) -> Any:
    """A back-office action of the account that makes something (201); answers what it made."""
    response = trigger_response(account, path, **(body or {}))
    assert response.status_code == 201, response.text
    return response.json()


def admin_action(account: Account, path: str, body: dict[str, Any]) -> Any:
    """A back-office action of the account that makes or changes something (200 or 201);
    answers its JSON."""
    response = trigger_response(account, path, **body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def admin_items(account: Account, path: str) -> list[dict[str, Any]]:
    """What the back office lists for the account (GET /__admin/yulsn/<path>)."""
    items: list[dict[str, Any]] = account.emulator.admin("GET", f"yulsn/{path}", params={"apiKey": account.api_key})["items"]
    return items


def contact(client: ApiSession, email: str | None, **fields: Any) -> int:
    """A new contact's id."""
    response = client.post("/api/v1/Contacts", json={"Email": email, **fields})
    assert response.status_code == 200, response.text
    contact_id: int = response.json()["Id"]
    return contact_id


def segment(client: ApiSession, contact_ids: list[int]) -> int:
    """A new segment's id: a list segment of the contacts, in folder 1."""
    response = client.post("/api/v1/Segments/ContactIds", json={"Name": "S", "FolderId": 1, "ContactIds": contact_ids})
    assert response.status_code == 200, response.text
    segment_id: int = response.json()["Id"]
    return segment_id
