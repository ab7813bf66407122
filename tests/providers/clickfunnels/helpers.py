"""What the ClickFunnels tests share: a client per account, the formats of public ids and
timestamps, the 404 body, and the records most tests start from."""

from __future__ import annotations

import re
from typing import Any

import requests

from mockserver.testing import Account, ApiSession, Emulator
from tests.support import USER_AGENT, created

PUBLIC_ID = re.compile(r"^[A-Za-z]{7}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
NOT_FOUND = {"error": "Not found: Record missing"}


def client_for(mockserver: Emulator, key: str | None, **headers: str) -> ApiSession:
    """A client sending `key` as it is, whether an account has it or not (a fresh account is
    `mockserver.account("clickfunnels")`); without a key it sends no Authorization at all."""
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    return ApiSession(f"{mockserver.url}/clickfunnels", {"User-Agent": USER_AGENT, **auth, **headers})


def first_workspace(client: ApiSession) -> int:
    """The id of the account's first workspace (a fresh account's only one)."""
    team = client.get("/api/v2/teams").json()[0]
    workspace: int = client.get(f"/api/v2/teams/{team['id']}/workspaces").json()[0]["id"]
    return workspace


def assert_not_found(response: requests.Response) -> None:
    assert response.status_code == 404, response.text
    assert response.json() == NOT_FOUND


def create_contact(client: ApiSession, workspace_id: int, email: str | None = None, **attributes: Any) -> dict[str, Any]:
    """A contact of the workspace: `email` (when given) is its email_address, `attributes` the rest."""
    if email is not None:
        attributes = {"email_address": email, **attributes}
    return created(client.post(f"/api/v2/workspaces/{workspace_id}/contacts", json={"contact": attributes}))


def create_tag(client: ApiSession, workspace_id: int, name: str, color: str | None = None) -> dict[str, Any]:
    body = {"contacts_tag": {"name": name, "color": color}}
    return created(client.post(f"/api/v2/workspaces/{workspace_id}/contacts/tags", json=body))


def create_product(client: ApiSession, workspace_id: int, name: str, **attributes: Any) -> dict[str, Any]:
    body = {"product": {"name": name, **attributes}}
    return created(client.post(f"/api/v2/workspaces/{workspace_id}/products", json=body))


def events_of_last_request(account: Account) -> list[str]:
    """The event types the account's last request fired, in order."""
    return [event["event"] for event in account.journal()[-1].events]


def assert_invalid(response: requests.Response, attribute: str, message: str) -> None:
    """A 422 in Rails' words: `{"error": "<Attribute> <message>", "errors": {attribute: [message]}}`."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"] == {attribute: [message]}, body
    humanized = attribute.replace("_", " ")
    assert body["error"] == f"{humanized[:1].upper()}{humanized[1:]} {message}", body
