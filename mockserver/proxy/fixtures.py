"""Recorded exchanges: scrubbing, the file format, saving and loading.

`mockserver proxy --record DIR` writes one exchange per file, `NNNN-<method>-<path>.json`
(e.g. `0001-get-api-contacts.json`), numbered in arrival order (an exchange the upstream
never answered leaves its number unused); the numbering goes on after the files already in
DIR, and a file appears complete or not at all. Each file is UTF-8 JSON:

    {
      "format": 1,
      "provider": "systeme",
      "operationId": "listContacts",             (null: no operation in the spec)
      "recordedAt": "2025-01-31T12:00:00.000Z",
      "request": {
        "method": "GET",
        "path": "/api/contacts",                  (decoded, without the query)
        "query": "limit=10",                      (as sent)
        "headers": {"X-Api-Key": "[scrubbed]", "Accept": "application/json"},
        "bodyFormat": "none",                     (none | json | text | base64)
        "body": null
      },
      "response": {"status": 200, "headers": {...}, "bodyFormat": "json", "body": {...}},
      "violations": [{"where": "response", "problem": "body items[0].id: '3' is not of type 'integer'"}]
    }

Bodies: a JSON media type that parses is stored as parsed JSON, other UTF-8 text as text,
anything else as base64. Response bodies are stored without their content coding (gzip...),
so Content-Encoding and Content-Length are not kept; nor are hop-by-hop headers. Several
headers of one name are joined with ", ".

Scrubbing, before anything is written: the values of the headers Authorization, X-API-Key,
X-ApiKey, Cookie, Set-Cookie, Proxy-Authorization, and of every header, query parameter,
form field or JSON member (at any depth) whose name contains secret, password, token or
apikey (any case, ignoring `_` and `-`) become "[scrubbed]". A value scrubbed that way is
also replaced wherever else it shows in the file: in violations (3 characters or more, as
error messages quote values) and in bodies, headers and the query (8 characters or more).
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from mockserver.proxy.exchange import Request, Response, as_text, end_to_end, is_json, media_type, utc_now

FORMAT = 1
SCRUBBED = "[scrubbed]"
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-apikey", "cookie", "set-cookie", "proxy-authorization"})
_SECRET_WORDS = ("secret", "password", "token", "apikey")
# Secrets this short are only hunted in violation texts: elsewhere they would hit innocent text.
_MIN_ECHO_IN_PROBLEMS, _MIN_ECHO_ELSEWHERE = 3, 8
# Response headers a stored (decoded, possibly scrubbed) body no longer fits.
_BODY_FRAMING = frozenset({"content-length", "content-encoding"})
_NUMBERED = re.compile(r"(\d+)-.*\.json\Z")


def is_secret_name(name: str) -> bool:
    folded = name.lower().replace("_", "").replace("-", "")
    return any(word in folded for word in _SECRET_WORDS)


class Scrubber:
    """Scrubs one exchange, remembering each value it removed so that echoes go too."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()

    def headers(self, pairs: list[tuple[str, str]]) -> dict[str, str]:
        joined: dict[str, str] = {}
        for name, given in pairs:
            value = given
            if name.lower() in SECRET_HEADERS or is_secret_name(name):
                self._remember_header(name, given)
                value = SCRUBBED
            joined[name] = f"{joined[name]}, {value}" if name in joined and value != SCRUBBED else value
        return joined

    def query(self, query: str) -> str:
        """The query (or form body) as sent, with the values of secret names replaced."""
        pairs = []
        for given in query.split("&"):
            raw_name, equals, raw_value = given.partition("=")
            if equals and is_secret_name(unquote_plus(raw_name)):
                self._remember(unquote_plus(raw_value))
                pairs.append(f"{raw_name}={SCRUBBED}")
            else:
                pairs.append(given)
        return "&".join(pairs)

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            scrubbed = {}
            for key, member in value.items():
                if is_secret_name(key):
                    self._remember_json(member)
                    scrubbed[key] = SCRUBBED
                else:
                    scrubbed[key] = self.json(member)
            return scrubbed
        if isinstance(value, list):
            return [self.json(item) for item in value]
        return value

    def echoes(self, value: Any, min_length: int) -> Any:
        """`value` with every remembered secret (of `min_length` or more) replaced, at any depth."""
        secrets = sorted((s for s in self.secrets if len(s) >= min_length), key=len, reverse=True)
        return _replace(value, secrets) if secrets else value

    def _remember_header(self, name: str, value: str) -> None:
        """The credential a header carries: a cookie's value (not its attributes, whose
        dates and flags are no secret), or what follows an auth scheme (`Bearer <token>`)."""
        lowered = name.lower()
        if lowered in ("cookie", "set-cookie"):
            pairs = value.split(";") if lowered == "cookie" else value.split(";", 1)[:1]
            for pair in pairs:
                self._remember(pair.partition("=")[2].strip())
            return
        self._remember(value)
        scheme, _, credentials = value.strip().partition(" ")
        if credentials and scheme.isalpha():
            self._remember(credentials.strip())

    def _remember_json(self, value: Any) -> None:
        if isinstance(value, dict):
            for member in value.values():
                self._remember_json(member)
        elif isinstance(value, list):
            for item in value:
                self._remember_json(item)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            self._remember(str(value))

    def _remember(self, value: str) -> None:
        if value and value != SCRUBBED and len(value) >= _MIN_ECHO_IN_PROBLEMS:
            self.secrets.add(value)


def _replace(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, SCRUBBED)
        return value
    if isinstance(value, dict):
        return {key: _replace(member, secrets) for key, member in value.items()}
    if isinstance(value, list):
        return [_replace(item, secrets) for item in value]
    return value


def exchange_document(
    provider: str, operation_id: str | None, request: Request, response: Response, violations: list[tuple[str, str]]
) -> dict[str, Any]:
    """The exchange as a fixture, scrubbed; `violations` are (where, problem) pairs."""
    scrubber = Scrubber()
    request_format, request_body = _body_of(request.body, request.header("Content-Type"), scrubber)
    decoded = response.decoded_body()
    framing = _BODY_FRAMING if decoded is not None else frozenset({"content-length"})
    response_format, response_body = _body_of(
        response.body if decoded is None else decoded, response.header("Content-Type"), scrubber
    )
    document = {
        "format": FORMAT,
        "provider": provider,
        "operationId": operation_id,
        "recordedAt": utc_now(),
        "request": {
            "method": request.method,
            "path": request.path,
            "query": scrubber.query(request.query) if request.query else "",
            "headers": scrubber.headers([(k, v) for k, v in end_to_end(request.headers) if k.lower() != "host"]),
            "bodyFormat": request_format,
            "body": request_body,
        },
        "response": {
            "status": response.status,
            "headers": scrubber.headers([(k, v) for k, v in end_to_end(response.headers) if k.lower() not in framing]),
            "bodyFormat": response_format,
            "body": response_body,
        },
    }
    scrubbed: dict[str, Any] = scrubber.echoes(document, _MIN_ECHO_ELSEWHERE)
    scrubbed["violations"] = [
        {"where": where, "problem": scrubber.echoes(problem, _MIN_ECHO_IN_PROBLEMS)} for where, problem in violations
    ]
    return scrubbed


def _body_of(data: bytes, content_type: str | None, scrubber: Scrubber) -> tuple[str, Any]:
    if not data:
        return "none", None
    media = media_type(content_type)
    if is_json(media):
        try:
            return "json", scrubber.json(json.loads(data))
        except ValueError:
            pass  # stored as what it is: text or bytes
    text = as_text(data)
    if text is None:
        return "base64", base64.b64encode(data).decode("ascii")
    return "text", scrubber.query(text) if media == "application/x-www-form-urlencoded" else text


def body_bytes(body_format: str, body: Any) -> bytes:
    """The bytes a stored body stands for (JSON compact, as the emulator writes it)."""
    if body_format == "none":
        return b""
    if body_format == "json":
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if body_format == "text" and isinstance(body, str):
        return body.encode("utf-8")
    if body_format == "base64" and isinstance(body, str):
        return base64.b64decode(body, validate=True)
    raise ValueError(f"bodyFormat {body_format!r} with a {type(body).__name__} body")


class Recorder:
    """Numbers exchanges as they arrive and writes each one's file (thread-safe)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        numbers = [int(m.group(1)) for p in self.directory.iterdir() if (m := _NUMBERED.match(p.name))]
        self._last = max(numbers, default=0)

    def number(self) -> int:
        with self._lock:
            self._last += 1
            return self._last

    def save(self, number: int, document: dict[str, Any]) -> Path:
        request = document["request"]
        slug = re.sub(r"[^a-z0-9]+", "-", f"{request['method']} {request['path']}".lower()).strip("-")[:80].rstrip("-")
        path = self.directory / f"{number:04d}-{slug}.json"
        partial = path.with_name(f".{path.name}.partial")  # renamed into place: never half a file
        partial.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)
        return path


@dataclass(frozen=True)
class Fixture:
    """One recorded exchange, as replay matches and serves it: the request as recorded
    (scrubbed), and the response (`status`, `headers`, `body`)."""

    name: str  # the file's name
    method: str
    path: str
    query: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    operation_id: str | None = None
    request_headers: tuple[tuple[str, str], ...] = ()
    request_format: str = "none"  # the request's bodyFormat: none | json | text | base64
    request_body: bytes = b""  # the bytes it stands for (JSON compact, as body_bytes makes it)


def load_fixtures(directory: str | Path) -> list[Fixture]:
    """Every recorded exchange in `directory`, in recorded order; ValueError names a bad file."""
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a directory")
    files = sorted((p for p in folder.glob("*.json") if p.is_file()), key=lambda p: (_number(p.name), p.name))
    return [_fixture(path) for path in files]


def _fixture(path: Path) -> Fixture:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        request, response = document["request"], document["response"]
        request_format = str(request.get("bodyFormat", "none"))
        return Fixture(
            name=path.name,
            method=str(request["method"]).upper(),
            path=str(request["path"]),
            query=str(request.get("query") or ""),
            status=int(response["status"]),
            headers=tuple((str(k), str(v)) for k, v in dict(response.get("headers") or {}).items()),
            body=body_bytes(str(response.get("bodyFormat", "none")), response.get("body")),
            operation_id=document.get("operationId"),
            request_headers=tuple((str(k), str(v)) for k, v in dict(request.get("headers") or {}).items()),
            request_format=request_format,
            request_body=body_bytes(request_format, request.get("body")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a recorded exchange ({exc!r})") from exc


def _number(name: str) -> int:
    match = _NUMBERED.match(name)
    return int(match.group(1)) if match else 1 << 62
