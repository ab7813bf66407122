"""In front of the emulator, every provider's calls come back exactly as the emulator answers
them directly, and a conforming exchange produces no violation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import requests

from mockserver.testing import ApiSession, Emulator
from tests.proxy.helpers import Running

StartProxy = Callable[..., Running]


class Pair:
    """The same account reached through the proxy and directly."""

    def __init__(self, proxy: Running, direct_url: str, headers: dict[str, str]) -> None:
        self.proxy = proxy
        self.via = ApiSession(proxy.url, headers)
        self.direct = ApiSession(direct_url, headers)

    def same(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call both ways; the status, content type and body bytes must be the same."""
        proxied = self.via.request(method, path, **kwargs)
        direct = self.direct.request(method, path, **kwargs)
        assert proxied.status_code == direct.status_code, proxied.text
        assert proxied.headers.get("Content-Type") == direct.headers.get("Content-Type")
        assert proxied.content == direct.content
        return proxied

    def no_violations(self) -> None:
        assert self.proxy.findings == []
        assert self.proxy.output.getvalue() == ""


def pair(mockserver: Emulator, start_proxy: StartProxy, provider: str, headers: dict[str, str]) -> Pair:
    upstream = f"{mockserver.url}/{provider}"
    return Pair(start_proxy(provider, upstream), upstream, headers)


def email() -> str:
    return f"proxy-{uuid.uuid4().hex[:12]}@gmail.com"


def test_systeme(mockserver: Emulator, start_proxy: StartProxy) -> None:
    account = mockserver.account("systeme", demo=True)
    both = pair(mockserver, start_proxy, "systeme", account.headers)
    listed = both.same("GET", "/api/contacts", params={"limit": 10}).json()
    assert len(listed["items"]) == 10
    one = both.same("GET", f"/api/contacts/{listed['items'][0]['id']}").json()
    assert one == listed["items"][0]
    created = both.via.post("/api/contacts", json={"email": email(), "fields": [{"slug": "first_name", "value": "Ada"}]})
    assert created.status_code == 201, created.text
    assert both.direct.get(f"/api/contacts/{created.json()['id']}").json() == created.json()
    patched = both.via.merge_patch(f"/api/contacts/{created.json()['id']}", {"locale": "fr"})
    assert patched.status_code == 200 and patched.json()["locale"] == "fr"
    assert both.same("GET", "/api/contacts/999999").status_code == 404
    assert both.same("GET", "/api/contacts", headers={"X-API-Key": None}).status_code == 401
    both.no_violations()


def test_clickfunnels(mockserver: Emulator, start_proxy: StartProxy) -> None:
    account = mockserver.account("clickfunnels", demo=True)
    both = pair(mockserver, start_proxy, "clickfunnels", account.headers)
    team = both.same("GET", "/api/v2/teams").json()[0]
    workspace = both.same("GET", f"/api/v2/teams/{team['id']}/workspaces").json()[0]
    contacts = both.same("GET", f"/api/v2/workspaces/{workspace['id']}/contacts")
    assert contacts.headers.get("Pagination-Next"), "a full page of demo contacts says where the next one starts"
    both.same("GET", f"/api/v2/contacts/{contacts.json()[0]['id']}")
    created = both.via.post(f"/api/v2/workspaces/{workspace['id']}/contacts", json={"contact": {"email_address": email()}})
    assert created.status_code == 201, created.text
    assert both.direct.get(f"/api/v2/contacts/{created.json()['id']}").json() == created.json()
    assert both.same("GET", "/api/v2/contacts/999999").status_code == 404
    assert both.same("GET", "/api/v2/teams", headers={"Authorization": None}).status_code == 401
    both.no_violations()


def test_simvoly(mockserver: Emulator, start_proxy: StartProxy) -> None:
    account = mockserver.account("simvoly", demo=True)
    both = pair(mockserver, start_proxy, "simvoly", account.headers)
    listed = both.same("GET", "/api/site/contacts", params={"limit": 5, "skip": 0}).json()
    assert len(listed["items"]) == 5
    both.same("GET", f"/api/site/contacts/{listed['items'][0]['id']}")
    both.same("GET", "/api/site/products", params={"limit": 3})
    created = both.via.post("/api/site/contacts", json={"email": email(), "name": "Ada"})
    assert created.status_code == 201, created.text
    assert both.direct.get(f"/api/site/contacts/{created.json()['id']}").json() == created.json()
    assert both.same("GET", "/api/site/contacts/999999").status_code == 404
    assert both.same("GET", "/api/site/contacts", headers={"Authorization": None}).status_code == 401
    both.no_violations()


def test_yulsn_with_any_case_and_search(mockserver: Emulator, start_proxy: StartProxy) -> None:
    account = mockserver.account("yulsn", demo=True)
    both = pair(mockserver, start_proxy, "yulsn", account.headers)
    ids = both.same("GET", "/api/v1/Contacts").json()  # the ids of every contact
    assert ids
    both.same("GET", f"/api/v1/Contacts/{ids[0]}")
    both.same("GET", f"/api/v1/contacts/{ids[0]}/")  # ASP.NET: any case, a trailing slash
    created = both.via.post("/api/v1/Contacts", json={"email": email(), "RegistrationSource": "Proxy"})  # camelCase is read too
    assert created.status_code == 200, created.text
    assert both.direct.get(f"/api/v1/Contacts/{created.json()['Id']}").json() == created.json()
    fields = [{"name": "Price", "type": 5}]
    account.trigger("tables", name="ProxyItems", fields=fields)
    assert both.via.post("/api/v1/table/ProxyItems", json={"ExternalId": "a", "Price": 10}).status_code == 200
    found = both.same("SEARCH", "/api/v1/table/ProxyItems", json={"Fields": [{"Field": "Price", "Operator": 1, "Value": 10}]})
    assert [entity["ExternalId"] for entity in found.json()] == ["a"]
    assert both.same("GET", "/api/v1/Contacts/999999").status_code == 404
    assert both.same("GET", "/api/v1/Contacts", headers={"X-ApiKey": None}).status_code == 401
    both.no_violations()
