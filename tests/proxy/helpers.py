"""What the proxy tests share: a WSGI app (proxy or replay) served on a free port."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, cast

import requests
from flask import Flask

from mockserver.proxy.app import ProxyApp
from mockserver.serving import Server
from mockserver.testing import ApiSession


@dataclass
class Running:
    """A WSGI app (proxy or replay) served on a free port; `output` is what the proxy printed."""

    app: Any
    output: io.StringIO = field(default_factory=io.StringIO)

    def __post_init__(self) -> None:
        self.server = Server(cast(Flask, self.app), host="127.0.0.1", port=0).start()
        self.url = self.server.url

    def client(self, **headers: str) -> ApiSession:
        return ApiSession(self.url, headers)

    @property
    def findings(self) -> list[tuple[str, str, str]]:
        """The proxy's violations as (request line, where, problem)."""
        return [(f"{v.method} {v.path}", v.where, v.problem) for v in self.app.violations]

    def stop(self) -> None:
        self.server.stop()
        if isinstance(self.app, ProxyApp):
            self.app.close()


def http() -> requests.Session:
    """A plain session, never through a proxy from the environment."""
    session = requests.Session()
    session.trust_env = False
    return session
