"""Systeme.io -> ClickFunnels 2.0 contact sync, on the vendors' public HTTP APIs only.

Base URLs and keys are passed in, so the same code runs against https://api.systeme.io and
https://<team>.myclickfunnels.com, or against an emulator of them:

- `webhook_app(secret, clickfunnels)`: a WSGI endpoint for Systeme.io's contact webhooks;
- `backfill(systeme_url, api_key, clickfunnels)`: copies the contacts that already exist;
- `subscribe(systeme_url, api_key, endpoint_url, secret)`: registers the endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import requests

USER_AGENT = "contact-sync/1.0"  # ClickFunnels' front door refuses requests without one
EVENTS = ("CONTACT_CREATED", "CONTACT_TAG_ADDED")  # both carry the whole contact
MAX_TRIES = 5


def send(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One API call; a 429 is waited out as its Retry-After says (both vendors send seconds)."""
    for _ in range(MAX_TRIES):
        response = requests.request(method, url, timeout=30, **kwargs)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After") or 1))
    response.raise_for_status()
    return response


class ClickFunnels:
    """The part of the ClickFunnels 2.0 API the sync needs: one workspace's contacts and tags."""

    def __init__(self, base_url: str, token: str, workspace_id: int | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
        # Without one, the first workspace of the first team: all a new account has.
        self.workspace_id = workspace_id or self._first_workspace_id()
        self._tag_ids: dict[str, int] = {}  # tag name -> id, learnt once per process

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return send(method, self.base_url + path, headers=self.headers, **kwargs)

    def _first_workspace_id(self) -> int:
        team = self.call("GET", "/api/v2/teams").json()[0]
        return int(self.call("GET", f"/api/v2/teams/{team['id']}/workspaces").json()[0]["id"])

    def tag_id(self, name: str) -> int:
        """The id of the workspace's tag of that name, created when it has none."""
        path = f"/api/v2/workspaces/{self.workspace_id}/contacts/tags"
        if name not in self._tag_ids:
            params: dict[str, str] = {}
            while True:  # pages of 20; Pagination-Next names the last id while more remain
                page = self.call("GET", path, params=params)
                self._tag_ids.update({tag["name"]: tag["id"] for tag in page.json()})
                if "Pagination-Next" not in page.headers:
                    break
                params = {"after": page.headers["Pagination-Next"]}
        if name not in self._tag_ids:
            self._tag_ids[name] = self.call("POST", path, json={"contacts_tag": {"name": name}}).json()["id"]
        return self._tag_ids[name]

    def upsert(self, contact: dict[str, Any]) -> dict[str, Any]:
        """Create or update (matched by e-mail) the contact of a Systeme.io contact."""
        fields = {field["slug"]: field["value"] for field in contact.get("fields", [])}
        attributes: dict[str, Any] = {
            "email_address": contact["email"],
            "first_name": fields.get("first_name"),
            "last_name": fields.get("surname"),  # Systeme.io's slug for the last name
        }
        tag_ids = [self.tag_id(tag["name"]) for tag in contact.get("tags", [])]
        if tag_ids:  # a non-empty list replaces the contact's tags: Systeme.io is the source of truth
            attributes["tag_ids"] = tag_ids
        path = f"/api/v2/workspaces/{self.workspace_id}/contacts/upsert"
        return dict(self.call("POST", path, json={"contact": attributes}).json())


def webhook_app(secret: str, clickfunnels: ClickFunnels) -> WSGIApplication:
    """The endpoint Systeme.io delivers to: it checks the signature, then syncs the contact."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        def answer(status: str) -> list[bytes]:
            start_response(status, [("Content-Type", "text/plain")])
            return [status.encode()]

        if environ["REQUEST_METHOD"] != "POST":
            return answer("405 Method Not Allowed")
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        # The signature covers the raw bytes, so check it before parsing; compare in constant time.
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(expected, environ.get("HTTP_X_WEBHOOK_SIGNATURE", "").encode("latin-1")):
            return answer("401 Unauthorized")
        if environ.get("HTTP_X_WEBHOOK_EVENT") in EVENTS:
            try:
                clickfunnels.upsert(json.loads(body)["contact"])
            except requests.RequestException:
                # Not acknowledged, so Systeme.io sends the message again later (1 min, 5 min, 30 min...).
                return answer("502 Bad Gateway")
        # A retry repeats a message already handled at most: upserts make that harmless.
        return answer("200 OK")

    return app


def backfill(systeme_url: str, api_key: str, clickfunnels: ClickFunnels) -> int:
    """Upsert every Systeme.io contact into ClickFunnels; answers how many there were."""
    url, headers = f"{systeme_url.rstrip('/')}/api/contacts", {"X-API-Key": api_key}
    # Oldest first: contacts created during the walk come at its end instead of being missed.
    params: dict[str, Any] = {"limit": 100, "order": "asc"}
    count = 0
    while True:
        page = send("GET", url, headers=headers, params=params).json()
        for contact in page["items"]:
            clickfunnels.upsert(contact)
        count += len(page["items"])
        if not page["hasMore"]:
            return count
        params["startingAfter"] = page["items"][-1]["id"]


def subscribe(systeme_url: str, api_key: str, endpoint_url: str, secret: str, name: str = "contact-sync") -> dict[str, Any]:
    """Register the endpoint for the events it syncs (an account's webhook names and urls are unique)."""
    body = {"name": name, "url": endpoint_url, "secret": secret, "subscriptions": list(EVENTS)}
    return dict(send("POST", f"{systeme_url.rstrip('/')}/api/webhooks", headers={"X-API-Key": api_key}, json=body).json())
