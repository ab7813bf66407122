"""Hostile HTTP on each serving option: requests whose framing the server cannot read are
refused with 400, never a 500 (nothing is stored and the connection is closed), a request
framed two ways smuggles no second one in, and idle connections keep nobody out."""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from mockserver.testing import Emulator
from tests.e2e.serve import Served

# Framed two ways, and the chunk's size does not match the chunk (0x1a for 27 bytes).
SMUGGLED = (
    b"POST /systeme/api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: demo\r\nContent-Type: application/json\r\n"
    b'Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n{"email": "smug@gmail.com"}\r\n0\r\n\r\n'
)


def exchange(url: str, data: bytes, wait: float = 10) -> bytes:
    """What the server sends back, to the end (it must close the connection within `wait`)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            raise AssertionError(f"the connection was left open after {answer[:400]!r}") from None
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


def framed_two_ways(email: str, then: bytes, *, length_first: bool) -> bytes:
    """A well-formed chunked POST whose Content-Length also covers `then`: a proxy that frames
    it by its Content-Length forwards one request; a server that frames it by its chunks
    alone reads `then` as a second one, which the proxy never saw (request smuggling)."""
    chunk = b'{"email": "%s"}' % email.encode()
    body = b"%x\r\n%s\r\n0\r\n\r\n%s" % (len(chunk), chunk, then)
    framing = [b"Transfer-Encoding: chunked\r\n", b"Content-Length: %d\r\n" % len(body)]
    if length_first:
        framing.reverse()
    head = b"POST /systeme/api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: demo\r\nContent-Type: application/json\r\n"
    return head + b"".join(framing) + b"\r\n" + body


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_a_request_framed_by_both_lengths_smuggles_nothing_in(server: str) -> None:
    smuggled = b"GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with Served("--server", server, "--quiet") as served:
        for length_first in (False, True):
            email = f"twoways{int(length_first)}@gmail.com"
            answer = exchange(served.url, framed_two_ways(email, smuggled, length_first=length_first), wait=5)
            # One answer, and the connection closed after it: the smuggled request is never served.
            assert answer.count(b"HTTP/1.") == 1, answer
            assert b'"status":"ok"' not in answer
            status = answer.split(b" ", 2)[1]
            if server == "waitress":
                assert status == b"400", answer  # refused (serving.py)
            else:
                # granian (hyper) frames it by its chunks alone and hands the app no trace of
                # the Content-Length, then closes the connection (RFC 9112 6.3 allows either).
                assert status in (b"400", b"201"), answer
            listed = requests.get(
                f"{served.url}/systeme/api/contacts", params={"email": email}, headers={"X-API-Key": "demo"}, timeout=10
            )
            assert len(listed.json()["items"]) == (0 if status == b"400" else 1)


IDLE = 1_100  # a thousand idle connections and more: granian's default took 1,024 at most at once
HALF_REQUESTS = (
    b"",  # nothing sent
    b"GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n",  # half a head (slowloris)
    b"POST /systeme/api/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: demo\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",  # the head, and a byte of the body
)


@contextlib.contextmanager
def open_files(wanted: int) -> Iterator[None]:
    """This process (and the server it starts) may open `wanted` files while in the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        yield
        return
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"{wanted} open files are needed, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_a_thousand_idle_connections_do_not_keep_out_a_new_request(server: str) -> None:
    with open_files(IDLE + 200), Served("--server", server, "--quiet") as served:
        host, port = served.url.removeprefix("http://").split(":")
        idle: list[socket.socket] = []
        try:
            for n in range(IDLE):
                idle.append(socket.create_connection((host, int(port)), timeout=10))
                idle[-1].sendall(HALF_REQUESTS[n % len(HALF_REQUESTS)])
            started = time.monotonic()
            health = requests.get(f"{served.url}/__admin/health", timeout=5)
            took = time.monotonic() - started
            assert health.status_code == 200
            assert took < 2, f"answered in {took:.2f} s"
        finally:
            for sock in idle:
                sock.close()
        assert requests.get(f"{served.url}/__admin/health", timeout=5).status_code == 200
        assert served.process.poll() is None


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
