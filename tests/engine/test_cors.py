"""`--cors ORIGIN`: browser apps of the given origins may call the emulated APIs; off by
default (as the vendors' APIs are), and never on the admin API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from mockserver.testing import Emulator
from tests.e2e.serve import Served

APP = "http://localhost:3000"


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start(cors=(APP,)) as emulator:
        yield emulator


def contacts(emulator: Emulator, method: str = "GET", **headers: str) -> requests.Response:
    account = emulator.account("systeme")
    return requests.request(
        method, f"{account.base_url}/api/contacts", headers={"X-API-Key": account.api_key, **headers}, timeout=10
    )


def test_an_allowed_origin_may_read_the_answer_and_its_headers(server: Emulator) -> None:
    response = contacts(server, Origin=APP)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP and response.headers["Vary"] == "Origin"
    assert "X-RateLimit-Limit" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_of_an_allowed_origin_is_answered(server: Emulator) -> None:
    response = contacts(
        server,
        "OPTIONS",
        Origin=APP,
        **{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key, content-type"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "x-api-key, content-type"


def test_another_origin_gets_what_the_vendor_answers(server: Emulator) -> None:
    read = contacts(server, Origin="http://evil.example")
    assert read.status_code == 200 and "Access-Control-Allow-Origin" not in read.headers
    preflight = contacts(server, "OPTIONS", Origin="http://evil.example", **{"Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 405 and "Access-Control-Allow-Origin" not in preflight.headers


def test_the_admin_api_never_gets_cors_headers(server: Emulator) -> None:
    response = requests.get(f"{server.url}/__admin/tenants", headers={"Origin": APP}, timeout=10)
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response.headers


def test_off_by_default_and_any_origin_with_a_star() -> None:
    with Emulator.start() as plain:
        assert "Access-Control-Allow-Origin" not in contacts(plain, Origin=APP).headers
    with Emulator.start(cors=("*",)) as anyone:
        assert contacts(anyone, Origin="http://other.test").headers["Access-Control-Allow-Origin"] == "http://other.test"


def test_serve_takes_cors_origins() -> None:
    with Served("--cors", APP, "--cors", "http://localhost:5173") as served:
        emulator = Emulator.connect(served.url)
        assert (
            contacts(emulator, Origin="http://localhost:5173").headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
        )
