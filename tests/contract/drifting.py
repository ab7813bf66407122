"""A deliberately drifting server: the real emulator behind a WSGI layer that breaks a few
documented promises, as a live API that changed would. It records every request it gets, so
tests can tell that a read-only run sent no write."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from mockserver.testing import Emulator
from tests.support import STRICT_SETTINGS

KEY = "drift-key"

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]


@dataclass
class Exchange:
    method: str
    path: str
    query: str
    status: str
    headers: Headers
    body: bytes


# What each drift breaks, in words the tests look for in the contract's report.
SYSTEME_DRIFTS = {
    "wrong type": "GET /api/contacts: every contact's id is a string",
    "broken paging": "GET /api/contacts: startingAfter is ignored, so every page is the first",
    "undocumented status": "GET /api/contacts/{id}: 410 where the spec says 404",
    "missing header": "GET /api/community/communities: no X-RateLimit-* headers",
    "error shape": "GET /api/tags/{id}: 404 with {'message': ...} instead of the native problem",
    "body on 204": "DELETE answers 204 with a body",
}
CLICKFUNNELS_DRIFTS = {
    "missing header": "GET /api/v2/workspaces/{id}/contacts: no Pagination-Next or Link while more remain",
}


def _drift(exchange: Exchange) -> Exchange:
    path, status = exchange.path, exchange.status
    if path == "/systeme/api/contacts" and exchange.method == "GET" and status.startswith("200"):
        data = json.loads(exchange.body)
        for item in data["items"]:
            item["id"] = str(item["id"])
        return replace(exchange, body=json.dumps(data).encode())
    if re.fullmatch(r"/systeme/api/contacts/[^/]+", path) and exchange.method == "GET" and status.startswith("404"):
        return replace(exchange, status="410 Gone")
    if path == "/systeme/api/community/communities":
        return replace(exchange, headers=[h for h in exchange.headers if not h[0].lower().startswith("x-ratelimit")])
    if re.fullmatch(r"/systeme/api/tags/[^/]+", path) and exchange.method == "GET" and status.startswith("404"):
        return replace(exchange, body=b'{"message": "Not found"}')
    if path.startswith("/systeme/") and exchange.method == "DELETE" and status.startswith("204"):
        return replace(exchange, body=b'{"deleted": true}', headers=[*exchange.headers, ("Content-Type", "application/json")])
    if re.fullmatch(r"/clickfunnels/api/v2/workspaces/[^/]+/contacts", path) and exchange.method == "GET":
        return replace(exchange, headers=[h for h in exchange.headers if h[0].lower() not in ("pagination-next", "link")])
    return exchange


class _Quiet(WSGIRequestHandler):
    def log(self, *_: Any) -> None:
        pass


@dataclass
class DriftingServer:
    """The emulator (demo data for KEY, unknown keys refused) served through the drifts."""

    received: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings = {**STRICT_SETTINGS, "strict_responses": False, "allow_unknown_keys": False, "api_keys": (KEY,)}
        self.emulator = Emulator.start(**settings)
        for provider in ("systeme", "clickfunnels"):
            self.emulator.account(provider, demo=True, api_key=KEY)
        self._lock = threading.Lock()
        # werkzeug's server sends what the app gives it, a body on a 204 included (waitress
        # would drop it), as a drifting server on the internet might.
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def methods(self, prefix: str = "/") -> set[str]:
        """The HTTP methods received on paths under `prefix`."""
        with self._lock:
            return {method for method, path in self.received if path.startswith(prefix)}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.emulator.stop()

    def __enter__(self) -> DriftingServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _call(self, environ: dict[str, Any]) -> Exchange:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, list(headers)
            return lambda _: None

        body = b"".join(self.emulator.app.wsgi_app(environ, start_response))
        return Exchange(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            captured["status"],
            captured["headers"],
            body,
        )

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.received.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        if environ.get("PATH_INFO") == "/systeme/api/contacts" and "startingAfter" in environ.get("QUERY_STRING", ""):
            # broken paging: the cursor is dropped, so every page is the first
            query = "&".join(p for p in environ["QUERY_STRING"].split("&") if not p.startswith("startingAfter="))
            environ = {**environ, "QUERY_STRING": query}
        exchange = _drift(self._call(environ))
        headers = [(k, v) for k, v in exchange.headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(exchange.body))))
        start_response(exchange.status, headers)
        return [exchange.body]
