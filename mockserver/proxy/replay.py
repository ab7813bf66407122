"""Serve recorded exchanges back (`mockserver replay`).

A request matches a fixture by method, path and query: the same names with the same values
(in any order between names; a value recorded as "[scrubbed]" matches any value). When
several fixtures match, they are served in recorded order, then the last one again and
again. Nothing matches: 404 with `{"error": "no recorded exchange for GET /path?query"}`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import HTTP_STATUS_CODES

from mockserver.proxy.exchange import end_to_end
from mockserver.proxy.fixtures import SCRUBBED, Fixture, load_fixtures

StartResponse = Callable[..., Any]


class ReplayApp:
    """A WSGI app answering with recorded exchanges. `case_insensitive`: paths and query
    names match in any case and with a trailing slash (ASP.NET-style providers)."""

    def __init__(self, fixtures: Iterable[Fixture], *, case_insensitive: bool = False) -> None:
        self.fixtures = list(fixtures)
        self.case_insensitive = case_insensitive
        # Fixtures by (method, path) with their parsed queries, built once.
        self._by_route: dict[tuple[str, str], list[tuple[int, dict[str, list[str]]]]] = {}
        for index, fixture in enumerate(self.fixtures):
            key = (fixture.method, self._path(fixture.path))
            self._by_route.setdefault(key, []).append((index, self._query(fixture.query)))
        self._lock = threading.Lock()
        self._served: dict[tuple[int, ...], int] = {}  # how often each set of matching fixtures answered

    def match(self, method: str, path: str, query: str) -> Fixture | None:
        """The fixture that answers this request now (it advances the recorded order)."""
        wanted = self._query(query)
        candidates = tuple(
            index for index, recorded in self._by_route.get((method.upper(), self._path(path)), []) if _fits(recorded, wanted)
        )
        if not candidates:
            return None
        with self._lock:
            turn = self._served.get(candidates, 0)
            self._served[candidates] = turn + 1
        return self.fixtures[candidates[min(turn, len(candidates) - 1)]]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
        query = str(environ.get("QUERY_STRING", ""))
        fixture = self.match(method, path, query)
        if fixture is None:
            target = path + (f"?{query}" if query else "")
            body = json.dumps({"error": f"no recorded exchange for {method} {target}"}).encode("utf-8")
            start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        headers = [(k, v) for k, v in end_to_end(fixture.headers) if k.lower() != "content-length"]
        body = fixture.body
        if fixture.status in (204, 304) or fixture.status < 200:
            body = b""  # never a body on these, whatever was recorded
        else:
            headers.append(("Content-Length", str(len(body))))
        start_response(f"{fixture.status} {HTTP_STATUS_CODES.get(fixture.status, 'Unknown')}", headers)
        return [b"" if method == "HEAD" else body]

    def _path(self, path: str) -> str:
        return (path.lower().rstrip("/") or "/") if self.case_insensitive else path

    def _query(self, query: str) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            values.setdefault(name.lower() if self.case_insensitive else name, []).append(value)
        return values


def _fits(recorded: dict[str, list[str]], wanted: dict[str, list[str]]) -> bool:
    if recorded.keys() != wanted.keys():
        return False
    for name, values in recorded.items():
        given = wanted[name]
        if len(values) != len(given) or any(r not in (g, SCRUBBED) for r, g in zip(values, given, strict=True)):
            return False
    return True


def replay_app(fixtures: str | Path | Iterable[Fixture], *, case_insensitive: bool = False) -> ReplayApp:
    """A replay app from a directory of recorded exchanges (or from fixtures already loaded)."""
    loaded = load_fixtures(fixtures) if isinstance(fixtures, str | Path) else list(fixtures)
    return ReplayApp(loaded, case_insensitive=case_insensitive)
