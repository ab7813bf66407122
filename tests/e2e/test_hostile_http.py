"""Requests whose framing the server cannot read are refused with 400, never a 500, on each
serving option: nothing is stored and the connection is closed."""

from __future__ import annotations

import socket

import pytest
import requests

from mockserver.testing import Emulator
from tests.e2e.serve import Served

# Framed two ways, and the chunk's size does not match the chunk (0x1a for 27 bytes).
SMUGGLED = (
    b"POST /systeme/api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: demo\r\nContent-Type: application/json\r\n"
    b'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{"email": "smug@gmail.com"}\r\n0\r\n\r\n'
)


def exchange(url: str, data: bytes) -> bytes:
    """What the server sends back, to the end (it closes the connection)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_hostile_requests_are_refused_and_the_connection_closed(server: str) -> None:
    with Served("--server", server, "--quiet") as served:
        smuggled = exchange(served.url, SMUGGLED)
        assert smuggled.startswith((b"HTTP/1.1 400", b"HTTP/1.0 400")), smuggled[:200]
        assert b"500" not in smuggled.split(b"\r\n", 1)[0]
        garbage = exchange(served.url, b"\x16\x03\x01 not a request line\r\n\r\n")
        assert garbage.startswith((b"HTTP/1.1 400", b"HTTP/1.0 400")), garbage[:200]
        listed = requests.get(
            f"{served.url}/systeme/api/contacts", params={"email": "smug@gmail.com"}, headers={"X-API-Key": "demo"}, timeout=10
        )
        assert listed.json()["items"] == []  # the smuggled body was stored by nobody


@pytest.mark.parametrize(
    ("provider", "path", "header"),
    [
        ("systeme", "/api/contacts", "X-API-Key"),
        ("clickfunnels", "/api/v2/workspaces/1/contacts", "Authorization"),
        ("simvoly", "/api/site/members/start-session", "Authorization"),
        ("yulsn", "/api/v1/ContactCompanies/1/AddContact", "X-ApiKey"),
    ],
)
def test_a_body_in_an_unknown_charset_is_the_providers_unsupported_media_type(provider: str, path: str, header: str) -> None:
    with Emulator.start() as emulator:
        account = emulator.account(provider, demo=True)
        key = account.api_key if header != "Authorization" else f"Bearer {account.api_key}"
        headers = {header: key, "User-Agent": "tests/1.0"}
        before = account.describe()["records"]
        bogus = requests.post(
            f"{account.base_url}{path}", data=b'{"email": "cs@gmail.com"}', timeout=10,
            headers={**headers, "Content-Type": "application/json; charset=bogus-8"},
        )  # fmt: skip
        plain = requests.post(
            f"{account.base_url}{path}", data=b"x", timeout=10, headers={**headers, "Content-Type": "text/plain"}
        )
        assert bogus.status_code in (400, 415), bogus.text
        assert (bogus.status_code, bogus.headers["Content-Type"]) == (plain.status_code, plain.headers["Content-Type"])
        assert account.describe()["records"] == before  # nothing was made
