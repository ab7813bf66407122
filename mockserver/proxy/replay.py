"""Serve recorded exchanges back (`mockserver replay`).

Matching. A request is answered from the recordings of its method and path (for
ASP.NET-style providers, paths in any case and with a trailing slash) whose query fits: the
same names with the same values, in any order between names (a value recorded as
"[scrubbed]" matches any value). Among those, the ones whose request body equals the
request's are chosen: a body recorded as JSON against the request's body read as JSON,
compared as values (member order and whitespace do not matter, nor, for ASP.NET-style
providers, the case of member names; `true` is not `1`), any other body byte for byte; no
body equals no body; a "[scrubbed]" in a recorded body matches any value (in JSON: any value
in its place; in a string or a text body: any text there). When no body is equal, every
recording that fits is chosen. The chosen recordings answer in recorded order, then the last
one again and again; each set of chosen recordings keeps its own count. Nothing fits: 404
with `{"error": "no recorded exchange for GET /path?query"}`, unless credentials decide (below).

Credentials. Recordings keep no API key: the proxy scrubs it and keeps no hash of it either
(replay is meant to run where the real key is not, e.g. in CI, and a hash in fixtures that
get committed would let anyone confirm a guessed key). So replay tells requests apart the only
way the recordings allow: by whether they carry a key where the provider reads one (its
`Provider.credentials`, e.g. `X-API-Key` for Systeme.io, `Authorization: Bearer` for
ClickFunnels). Any key passes, as it did when recorded; credentials the provider does not read
as a key (none at all, `Authorization: Basic ...` where a Bearer token is wanted) are missing,
as the emulator and the API treat them. A recorded request counts as made with credentials when
the provider's reader finds a key in it, a scrubbed header value read as `Bearer [scrubbed]`.

- A request without credentials is answered from the recordings made without credentials
  (what the API said to such a request then), chosen as above. When none fits, it gets the
  provider's native 401 for missing credentials, whatever the path: the emulator's own
  answer (`render_error(Unauthorized("missing"))`: status, body, content type and headers).
- A request with credentials is answered from the recordings made with credentials, or,
  when none of those fits, from those made without.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mockserver.engine.errors import ApiError, Unauthorized
from mockserver.engine.provider import Provider
from mockserver.engine.runtime import encode
from mockserver.proxy.exchange import end_to_end
from mockserver.proxy.fixtures import SCRUBBED, Fixture, load_fixtures

StartResponse = Callable[..., Any]
# How a scrubbed header value is read when telling whether a recorded request carried a key:
# a value every reader of the emulator's takes as a key (a key header's or a Bearer token).
_SCRUBBED_KEY = f"Bearer {SCRUBBED}"
# Headers no credentials reader looks at, left out of the scratch request built to ask one.
_FRAMING = frozenset({"content-length", "content-type", "transfer-encoding"})
_NOT_JSON = object()


@dataclass(frozen=True)
class _Recording:
    """What of one fixture a request is matched against."""

    index: int
    query: dict[str, list[str]]
    credentials: bool  # the recorded request carried a key where the provider reads one
    body_format: str  # "none", "json" or "bytes"
    body: Any  # the JSON value (names folded for ASP.NET-style providers), or the bytes
    text: str | None  # a text body recorded with scrubbed parts: matched as a pattern


class ReplayApp:
    """A WSGI app answering with recorded exchanges of `provider`: its credentials decide
    who gets its native 401, and `provider.case_insensitive` that paths, query names and
    JSON member names match in any case (and paths with a trailing slash)."""

    def __init__(self, fixtures: Iterable[Fixture], provider: Provider) -> None:
        self.fixtures = list(fixtures)
        self.provider = provider
        self.case_insensitive = provider.case_insensitive
        # Fixtures by (method, path), with what a request is matched against, built once.
        self._by_route: dict[tuple[str, str], list[_Recording]] = {}
        for index, fixture in enumerate(self.fixtures):
            key = (fixture.method, self._path(fixture.path))
            self._by_route.setdefault(key, []).append(self._recording(index, fixture))
        self._lock = threading.Lock()
        self._served: dict[tuple[int, ...], int] = {}  # how often each set of chosen fixtures answered

    def match(self, method: str, path: str, query: str, body: bytes = b"", *, credentials: bool = True) -> Fixture | None:
        """The fixture that answers this request now (it advances the recorded order);
        `credentials`: whether the request carries a key where the provider reads one."""
        wanted = self._query(query)
        fitting = [r for r in self._by_route.get((method.upper(), self._path(path)), []) if _fits(r.query, wanted)]
        made_with = [r for r in fitting if r.credentials]
        fitting = (made_with or fitting) if credentials else [r for r in fitting if not r.credentials]
        if not fitting:
            return None
        given = _Body(body, self.case_insensitive)
        chosen = tuple(r.index for r in fitting if given.equals(r)) or tuple(r.index for r in fitting)
        with self._lock:
            turn = self._served.get(chosen, 0)
            self._served[chosen] = turn + 1
        return self.fixtures[chosen[min(turn, len(chosen) - 1)]]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        request = Request(environ)
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
        query = str(environ.get("QUERY_STRING", ""))
        has_key = bool(self.provider.credentials(request))
        fixture = self.match(method, path, query, request.get_data(cache=False), credentials=has_key)
        if fixture is None and not has_key:
            return self._native(Unauthorized("missing"), method, start_response)
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

    def _native(self, err: ApiError, method: str, start_response: StartResponse) -> list[bytes]:
        """The provider's own answer to `err`, made as the emulator makes it (Emulator.render)."""
        reply = self.provider.render_error(err)
        payload = encode(reply.body)
        headers = [(k, v) for k, v in {**reply.headers, **err.headers}.items() if k.lower() != "content-length"]
        if payload:
            headers.append(("Content-Type", reply.content_type))
        headers.append(("Content-Length", str(len(payload))))
        start_response(f"{reply.status} {HTTP_STATUS_CODES.get(reply.status, 'Unknown')}", headers)
        return [b"" if method == "HEAD" else payload]

    def _recording(self, index: int, fixture: Fixture) -> _Recording:
        body_format, body, text = "bytes", fixture.request_body, None
        if fixture.request_format == "none":
            body_format = "none"
        elif fixture.request_format == "json":
            body_format, body = "json", _folded(json.loads(fixture.request_body), self.case_insensitive)
        elif fixture.request_format == "text" and SCRUBBED in (decoded := fixture.request_body.decode("utf-8")):
            text = decoded
        return _Recording(index, self._query(fixture.query), self._made_with_credentials(fixture), body_format, body, text)

    def _made_with_credentials(self, fixture: Fixture) -> bool:
        """Whether the provider's reader finds a key in the recorded request (scrubbed or not)."""
        headers = [
            (name, _SCRUBBED_KEY if value == SCRUBBED else value)
            for name, value in fixture.request_headers
            if name.lower() not in _FRAMING
        ]
        scratch = EnvironBuilder(method=fixture.method, path="/", query_string=fixture.query, headers=headers)
        try:
            return bool(self.provider.credentials(scratch.get_request()))
        finally:
            scratch.close()

    def _path(self, path: str) -> str:
        return (path.lower().rstrip("/") or "/") if self.case_insensitive else path

    def _query(self, query: str) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            values.setdefault(name.lower() if self.case_insensitive else name, []).append(value)
        return values


class _Body:
    """A request's body, read as JSON once, and only when a recording asks."""

    def __init__(self, data: bytes, fold: bool) -> None:
        self.data = data
        self._fold = fold

    @functools.cached_property
    def json(self) -> Any:
        if not self.data:
            return _NOT_JSON
        try:
            return _folded(json.loads(self.data), self._fold)
        except ValueError:  # not JSON, or not text at all
            return _NOT_JSON

    def equals(self, recorded: _Recording) -> bool:
        if recorded.body_format == "none":
            return not self.data
        if recorded.body_format == "json":
            given = self.json
            return given is not _NOT_JSON and _same_json(recorded.body, given)
        if recorded.text is not None:
            try:
                return _same_text(recorded.text, self.data.decode("utf-8"))
            except UnicodeDecodeError:
                return False
        return bool(self.data == recorded.body)


def _same_json(recorded: Any, given: Any) -> bool:
    """Whether two JSON values are the same value; "[scrubbed]" in `recorded` matches any."""
    if isinstance(recorded, str):
        return recorded == SCRUBBED or (isinstance(given, str) and _same_text(recorded, given))
    if isinstance(recorded, bool) or isinstance(given, bool):
        return type(recorded) is type(given) and bool(recorded == given)
    if isinstance(recorded, int | float):
        return isinstance(given, int | float) and bool(recorded == given)
    if isinstance(recorded, dict):
        return (
            isinstance(given, dict)
            and recorded.keys() == given.keys()
            and all(_same_json(member, given[name]) for name, member in recorded.items())
        )
    if isinstance(recorded, list):
        return isinstance(given, list) and len(recorded) == len(given) and all(map(_same_json, recorded, given))
    return recorded is None and given is None


def _same_text(recorded: str, given: str) -> bool:
    """Whether `given` is the recorded text, each "[scrubbed]" in it standing for any text."""
    if SCRUBBED not in recorded:
        return recorded == given
    return _scrubbed_pattern(recorded).fullmatch(given) is not None


@functools.lru_cache(maxsize=1024)
def _scrubbed_pattern(recorded: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in recorded.split(SCRUBBED)), re.DOTALL)


def _folded(value: Any, fold: bool) -> Any:
    """The JSON value with member names in lower case (ASP.NET-style providers)."""
    if not fold:
        return value
    if isinstance(value, dict):
        return {name.lower(): _folded(member, fold) for name, member in value.items()}
    if isinstance(value, list):
        return [_folded(item, fold) for item in value]
    return value


def _fits(recorded: dict[str, list[str]], wanted: dict[str, list[str]]) -> bool:
    if recorded.keys() != wanted.keys():
        return False
    for name, values in recorded.items():
        given = wanted[name]
        if len(values) != len(given) or any(r not in (g, SCRUBBED) for r, g in zip(values, given, strict=True)):
            return False
    return True


def replay_app(fixtures: str | Path | Iterable[Fixture], provider: Provider | str) -> ReplayApp:
    """A replay app for `provider` (or the provider of that name) from a directory of
    recorded exchanges, or from fixtures already loaded."""
    if isinstance(provider, str):
        from mockserver.providers import provider_named

        provider = provider_named(provider)
    loaded = load_fixtures(fixtures) if isinstance(fixtures, str | Path) else list(fixtures)
    return ReplayApp(loaded, provider)
