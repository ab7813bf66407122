"""Who may use the admin API: a Host that is this server's, state changes only from its own
pages, and the token when one is set (serve on a non-loopback address makes one)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from mockserver.engine.admin_guard import is_loopback
from mockserver.testing import Emulator
from tests.e2e.serve import Served


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(allowed_hosts=("mock.internal",)) as emulator:
        yield emulator


def admin(emulator: Emulator, method: str, path: str, **headers: str) -> requests.Response:
    return requests.request(method, f"{emulator.url}/__admin/{path}", headers=headers, timeout=10)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1.nip.io", "192.168.1.20"])
def test_a_foreign_host_is_refused(server: Emulator, host: str) -> None:
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1."""
    for method, path in (("GET", "tenants"), ("POST", "reset"), ("GET", "journal")):
        response = admin(server, method, path, Host=host)
        assert response.status_code == 403, (method, path, response.text)
        assert "--allowed-host" in response.json()["error"]


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST:1234", "127.0.0.1", "127.0.0.2:80", "[::1]:8080", "mock.internal"])
def test_loopback_names_and_allowed_hosts_are_answered(server: Emulator, host: str) -> None:
    assert admin(server, "GET", "tenants", Host=host).status_code == 200


def test_health_stays_open_whatever_the_host(server: Emulator) -> None:
    assert admin(server, "GET", "health", Host="evil.example").json() == {"status": "ok"}


def test_a_change_from_a_foreign_page_is_refused_and_changes_nothing(server: Emulator) -> None:
    account = server.account("systeme")
    account.session().post("/api/contacts", json={"email": "kept@gmail.com"})
    refused = admin(server, "POST", "reset", Origin="http://evil.example")
    assert refused.status_code == 403 and "Origin" in refused.json()["error"]
    assert account.describe()["records"]["contacts"] == 1
    # a read from any page: the browser does not let that page see the answer (no CORS)
    assert admin(server, "GET", "tenants", Origin="http://evil.example").status_code == 200
    # its own pages (a dashboard on loopback) may change things
    port = server.url.rsplit(":", 1)[1]
    assert admin(server, "POST", "webhooks/wait", Origin=f"http://localhost:{port}").status_code == 200


def test_the_api_itself_is_not_guarded(server: Emulator) -> None:
    account = server.account("systeme")
    response = requests.get(
        f"{account.base_url}/api/contacts", headers={"X-API-Key": account.api_key, "Host": "api.systeme.io"}, timeout=10
    )
    assert response.status_code == 200


def test_with_a_token_the_admin_api_wants_it() -> None:
    with Emulator.start(admin_token="s3cret-token") as emulator:
        plain = admin(emulator, "GET", "tenants")
        assert plain.status_code == 401 and plain.headers["WWW-Authenticate"].startswith("Bearer")
        assert "Bearer" in plain.json()["error"]
        assert admin(emulator, "GET", "tenants", Authorization="Bearer wrong").status_code == 401
        assert admin(emulator, "GET", "tenants", Authorization="Bearer s3cret-token").status_code == 200
        assert admin(emulator, "GET", "health").status_code == 200
        kit = Emulator(emulator.url, admin_token="s3cret-token")
        account = kit.account("systeme")  # the kit sends it
        assert account.session().get("/api/contacts").status_code == 200  # the API needs only its own key


def test_is_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "app.localhost", "127.9.9.9"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "evil.example", ""))


def test_serve_beyond_loopback_makes_and_prints_a_token() -> None:
    with Served("--host", "0.0.0.0") as served:
        said = "\n".join(served.banner)
        token = re.search(r"admin token \(.*\): (\S+)", said)
        assert token, said
        url = served.url.replace("0.0.0.0", "127.0.0.1")
        assert requests.get(f"{url}/__admin/tenants", timeout=10).status_code == 401
        answered = requests.get(f"{url}/__admin/tenants", headers={"Authorization": f"Bearer {token.group(1)}"}, timeout=10)
        assert answered.status_code == 200
        assert requests.get(f"{url}/__admin/health", timeout=10).status_code == 200


def test_serve_admin_open_warns_and_loopback_needs_no_token() -> None:
    with Served("--host", "0.0.0.0", "--admin-open") as served:
        assert "admin token" not in "\n".join(served.banner)
        url = served.url.replace("0.0.0.0", "127.0.0.1")
        assert requests.get(f"{url}/__admin/tenants", timeout=10).status_code == 200
        assert "open to anyone" in served.stderr()
    with Served() as served:
        assert "admin token" not in "\n".join(served.banner)
        assert requests.get(f"{served.url}/__admin/tenants", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("provider", "headers", "path"),
    [
        ("systeme", "X-API-Key", "/api/contacts"),
        ("yulsn", "X-ApiKey", "/api/v1/Actions"),
    ],
)
def test_a_key_longer_than_any_vendors_is_refused_natively_and_makes_no_account(
    server: Emulator, provider: str, headers: str, path: str
) -> None:
    before = len(server.admin("GET", "tenants", params={"provider": provider})["items"])
    long_key = "k" * 257
    response = requests.get(f"{server.url}/{provider}{path}", headers={headers: long_key}, timeout=10)
    assert response.status_code == 401, response.text
    assert len(server.admin("GET", "tenants", params={"provider": provider})["items"]) == before
    refused = requests.post(f"{server.url}/__admin/tenants", json={"provider": provider, "apiKey": long_key}, timeout=10)
    assert refused.status_code == 400 and "256" in refused.json()["error"]
    # 256 is still a key
    assert requests.get(f"{server.url}/{provider}{path}", headers={headers: "k" * 256}, timeout=10).status_code == 200
