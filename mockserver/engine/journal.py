"""A bounded journal of recent API requests, for debugging and asserting on a client.

Recording is cheap (a request runs it every time): the request's parts are kept as they
came (raw header pairs, body bytes cut at a bound), and turned into JSON, with credentials
redacted, only when someone reads the journal.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus

from mockserver.engine.clock import iso

# Where a server adapter may leave the request's header list in the WSGI environ, so the
# journal need not pick the headers out of the environ again (mockserver/rsgi.py does).
HEADERS_KEY = "mockserver.headers"

# Bodies longer than this are kept cut, and shown with a marker saying how long they were
# (a page of 100 Systeme.io contacts is about 40 KiB; the journal holds 1,000 requests).
BODY_LIMIT = 64 * 1024

# Header and query names whose values are credentials (compared in lower case, "_" as "-").
SECRET_NAMES = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-apikey", "apikey", "api-key"}
)
SECRET_PARTS = ("token", "secret", "password", "apikey", "api-key")


@dataclass(slots=True)
class Exchange:
    """One API request and the answer it got, as recorded: plain values only (no reference
    to the request's objects, which hold reference cycles the journal must not keep alive)."""

    at: float  # the server's clock, epoch seconds
    provider: str
    api_key: str | None
    operation_id: str
    route: str  # the spec's path template, e.g. /api/contacts/{id}
    method: str
    path_info: str  # WSGI's PATH_INFO (UTF-8 bytes read as latin-1), without the query
    query: str  # the raw query string
    request_headers: list[tuple[str, str]]  # names as the server gave them (HTTP_X_API_KEY or x-api-key)
    status: int
    duration_ms: float
    request_body: bytes  # cut at BODY_LIMIT (64 KiB)
    request_size: int
    response_headers: Mapping[str, str]
    response_body: bytes  # cut at BODY_LIMIT
    response_size: int
    events: list[dict[str, Any]] = field(default_factory=list)  # webhook events the request caused
    fault: str | None = None  # the fault rules the request hit (ids, comma-separated)
    seq: int = 0

    @property
    def path(self) -> str:
        """Without the query string, as the client sent it."""
        return "/" + self.path_info.encode("latin-1", "replace").decode("utf-8", "replace").lstrip("/")

    @property
    def relative_path(self) -> str:
        """The path below the provider's prefix (`/api/contacts`), as the provider's docs write it."""
        path, prefix = self.path, f"/{self.provider}"
        return path[len(prefix) :] if path.startswith(prefix + "/") else path

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": iso(datetime.fromtimestamp(self.at, UTC)),
            "provider": self.provider,
            "keyHint": key_hint(self.api_key),
            "operationId": self.operation_id,
            "route": self.route,
            "method": self.method,
            "path": self.path,
            "query": _query(self.query),
            "status": self.status,
            "durationMs": self.duration_ms,
            "requestHeaders": redact_headers((header_name(k), v) for k, v in self.request_headers),
            "requestBody": body_view(self.request_body, self.request_size),
            "responseHeaders": redact_headers(self.response_headers.items()),
            "responseBody": body_view(self.response_body, self.response_size),
            "events": self.events,
            "fault": self.fault,
        }


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A request's headers from its WSGI environ (names as WSGI spells them)."""
    return [(k, v) for k, v in environ.items() if k[:5] == "HTTP_" or k in ("CONTENT_TYPE", "CONTENT_LENGTH")]


def cut(body: bytes) -> bytes:
    """What the journal keeps of a body (a slice only when it is over the bound)."""
    return body if len(body) <= BODY_LIMIT else body[:BODY_LIMIT]


def key_hint(key: str | None) -> str | None:
    """A key's fingerprint, its last 4 characters: enough to tell accounts apart, never the key
    (a key of 4 characters or fewer is no secret: a vendor's are 20 and more)."""
    if not key:
        return None
    return "…" + key[-4:]


def redact(value: str) -> str:
    """A credential as a fingerprint: `Bearer ***abcd`, `***abcd`."""
    scheme, space, secret = value.partition(" ")
    if space and scheme.lower() in {"bearer", "basic", "token", "digest"}:
        return f"{scheme} {redact(secret)}"
    return "***" + value[-4:] if len(value) > 8 else "***"


def is_secret_name(name: str) -> bool:
    """Whether a header, query or body field named so holds a credential (`tokenId` names one, it is not one)."""
    lowered = name.lower().replace("_", "-")
    if lowered.endswith(("id", "ids")):
        return False
    return lowered in SECRET_NAMES or any(part in lowered for part in SECRET_PARTS)


def redact_fields(value: Any) -> Any:
    """A JSON value with the strings of credential-named fields (password, secret, token...) as fingerprints."""
    if isinstance(value, dict):
        return {
            name: redact(item) if isinstance(item, str) and is_secret_name(name) else redact_fields(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [redact_fields(item) for item in value]
    return value


def redact_query(raw: str) -> str:
    """A query or form body as sent, with credential-named values as fingerprints (the text
    itself when it names none, which is cheap to tell: most have no such word)."""
    lowered = raw.lower()
    if not any(part in lowered for part in ("token", "secret", "password", "key", "auth", "cookie")):
        return raw
    pieces = []
    for piece in raw.split("&"):
        name, equals, value = piece.partition("=")
        if equals and is_secret_name(unquote_plus(name)):
            value = quote(redact(unquote_plus(value)), safe="*…")
        pieces.append(f"{name}{equals}{value}")
    return "&".join(pieces)


def without_key(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the admin API shows it: the account's key as its fingerprint (`keyHint`), never whole."""
    return {
        ("keyHint" if name == "apiKey" else name): (key_hint(value) if name == "apiKey" else value)
        for name, value in record.items()
    }


def redact_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name: redact(value) if is_secret_name(name) else value for name, value in pairs}


def body_view(body: bytes, size: int) -> Any:
    """A recorded body for reading: its JSON when it is whole JSON, else its text; a cut body
    ends with a marker giving its full size; an empty one is None."""
    if not size:
        return None
    text = body.decode("utf-8", "replace")
    if len(body) < size:
        return f"{redact_query(text) if _looks_like_form(text) else text}…[truncated: {size} bytes in all]"
    try:
        return redact_fields(json.loads(text))
    except ValueError:
        return redact_query(text) if _looks_like_form(text) else text


def _looks_like_form(text: str) -> bool:
    """`a=1&b=2`: a form body (application/x-www-form-urlencoded has no spaces or new lines)."""
    return "=" in text and not any(char in text for char in " \n\r\t{<")


def _query(raw: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, given in parse_qsl(raw, keep_blank_values=True):
        value = redact(given) if is_secret_name(name) else given
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


def header_name(raw: str) -> str:
    """`HTTP_X_API_KEY` (WSGI) or `x-api-key` (as received) as `X-Api-Key`."""
    name = raw[5:] if raw.startswith("HTTP_") else raw
    return "-".join(part.capitalize() for part in name.replace("_", "-").split("-"))


@dataclass(frozen=True)
class JournalFilter:
    """Which exchanges a reader wants; every field left None matches all."""

    provider: str | None = None
    key: str | None = None
    method: str | None = None
    # An exact path (with or without the provider's prefix), a spec template with {braces},
    # or a glob with * and ?.
    path: str | None = None
    # An exact status ("404") or a class ("4xx").
    status: str | None = None
    operation_id: str | None = None
    since: int | None = None  # only entries after this seq

    def matches(self, entry: Exchange) -> bool:
        if self.provider is not None and entry.provider != self.provider:
            return False
        if self.key is not None and entry.api_key != self.key:
            return False
        if self.method is not None and entry.method != self.method.upper():
            return False
        if self.operation_id is not None and entry.operation_id != self.operation_id:
            return False
        if self.since is not None and entry.seq <= self.since:
            return False
        if self.status is not None and not _status_matches(self.status, entry.status):
            return False
        return self.path is None or path_matches(self.path, entry)


def path_matches(pattern: str, entry: Exchange) -> bool:
    if "{" in pattern:
        return pattern in (entry.route, f"/{entry.provider}{entry.route}")
    candidates = (entry.path, entry.relative_path)
    if any(char in pattern for char in "*?["):
        return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)
    return pattern in candidates


def _status_matches(pattern: str, status: int) -> bool:
    pattern = pattern.lower()
    if len(pattern) == 3 and pattern.endswith("xx"):
        return str(status)[0] == pattern[0]
    return str(status) == pattern


class Journal:
    """The last `size` exchanges, and no more than `max_bytes` of their bodies (the oldest go
    first; the newest is always kept)."""

    def __init__(
        self, size: int = 1000, max_bytes: int = 32 * 1024 * 1024, on_record: Callable[[Exchange], None] | None = None
    ) -> None:
        self._entries: deque[Exchange] = deque()
        self._size = max(1, size)
        self._max_bytes = max_bytes
        self._bytes = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._on_record = on_record

    def record(self, entry: Exchange) -> None:
        with self._lock:
            entry.seq = next(self._ids)
            entries = self._entries
            entries.append(entry)
            self._bytes += weight(entry)
            while len(entries) > 1 and (len(entries) > self._size or self._bytes > self._max_bytes):
                self._bytes -= weight(entries.popleft())
        if self._on_record is not None:
            self._on_record(entry)

    def entries(self, where: JournalFilter | None = None, limit: int | None = None) -> list[Exchange]:
        """The newest `limit` entries that match, newest first."""
        with self._lock:
            snapshot = list(self._entries)
        found: list[Exchange] = []
        for entry in reversed(snapshot):
            if limit is not None and len(found) >= limit:
                break
            if where is None or where.matches(entry):
                found.append(entry)
        return found

    def clear(self, provider: str | None = None, key: str | None = None) -> int:
        """Forget every entry, or one provider's, or one account's; answers how many went."""
        with self._lock:
            before = len(self._entries)
            if provider is None and key is None:
                self._entries.clear()
            else:
                kept = [
                    e
                    for e in self._entries
                    if not ((provider is None or e.provider == provider) and (key is None or e.api_key == key))
                ]
                self._entries.clear()
                self._entries.extend(kept)
            self._bytes = sum(weight(e) for e in self._entries)
            return before - len(self._entries)

    @property
    def bytes(self) -> int:
        """What the kept entries weigh (see weight())."""
        return self._bytes


# What an entry weighs beyond its bodies: its fields, headers and the objects holding them.
ENTRY_OVERHEAD = 1024


def weight(entry: Exchange) -> int:
    """An entry's bytes, as the journal's byte bound counts them."""
    return len(entry.request_body) + len(entry.response_body) + ENTRY_OVERHEAD
