"""Fixtures of the contract suite's own scenarios: clients on fresh demo accounts of the
session's emulator, the drifting server, and a server that tampers with the emulator's
answers in one way a test chooses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from flask import Flask

from mockserver.contract.client import ContractClient
from mockserver.contract.findings import Finding, Verdict
from mockserver.contract.profiles import profile_named
from mockserver.serving import Server
from mockserver.testing import Emulator
from tests.contract.drifting import DriftingServer

Headers = list[tuple[str, str]]


@dataclass
class Answer:
    """One answer of the emulator, for a test to change before it leaves."""

    path: str
    query: str
    status: str
    headers: Headers
    body: bytes


Tamper = Callable[[Answer], Answer]


class TamperingServer:
    """The emulator behind a WSGI layer that hands every answer to `tamper` first."""

    def __init__(self, emulator: Emulator, tamper: Tamper) -> None:
        assert emulator.app is not None, "the tampering layer wraps an emulator running in this process"
        self.emulator, self.tamper = emulator, tamper
        # Server stops its loop before closing the sockets (closing them under a running
        # select() is an error in the serving thread).
        self._server = Server(cast(Flask, self._app), host="127.0.0.1", port=0, threads=4).start()

    @property
    def url(self) -> str:
        return self._server.url

    def stop(self) -> None:
        self._server.stop()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _: None

        body = b"".join(self.emulator.app.wsgi_app(environ, capture))
        answer = Answer(
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), captured["status"], captured["headers"], body
        )
        answer = self.tamper(answer)
        headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
        start_response(answer.status, [*headers, ("Content-Length", str(len(answer.body)))])
        return [answer.body]


@pytest.fixture(scope="session")
def drifting() -> Iterator[DriftingServer]:
    server = DriftingServer()
    yield server
    server.stop()


@pytest.fixture
def demo_client(mockserver: Emulator) -> Iterator[Callable[..., ContractClient]]:
    """Makes a ContractClient on a fresh account of a provider holding its demo data
    (`base_url` to reach it some other way, e.g. through a TamperingServer)."""
    clients: list[ContractClient] = []

    def make(provider: str, *, allow_writes: bool = False, base_url: str | None = None) -> ContractClient:
        account = mockserver.account(provider, demo=True)
        url = f"{base_url or mockserver.url}/{provider}"
        client = ContractClient(profile_named(provider), url, account.api_key, allow_writes=allow_writes)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def tampering(mockserver: Emulator) -> Iterator[Callable[[Tamper], TamperingServer]]:
    servers: list[TamperingServer] = []

    def start(tamper: Tamper) -> TamperingServer:
        servers.append(TamperingServer(mockserver, tamper))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def verdict_of(client: ContractClient) -> Verdict:
    return Verdict(client.profile.name, client.profile.title, client.base_url, client.allow_writes)


def requests_sent(client: ContractClient) -> list[tuple[str, str]]:
    """(method, URL) of every request the client sends from now on, 429s included."""
    sent: list[tuple[str, str]] = []
    client.session.hooks["response"].append(lambda response, *_, **__: sent.append((response.request.method, response.url)))
    return sent


def findings_text(findings: list[Finding]) -> str:
    return "\n".join(f"{f.operation}: {f.kind}: {f.detail}" for f in findings)
