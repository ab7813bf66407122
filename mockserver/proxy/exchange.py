"""One HTTP exchange as the proxy sees it, and the few rules about headers and bodies that
the checker, the recorder and the replay server share."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# Headers that belong to one connection, not to the exchange (RFC 9110 7.6.1): never
# forwarded either way. Waitress refuses a WSGI app that sets any of them.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass(frozen=True)
class Request:
    """What the client sent. `path` is decoded (as routing sees it); `target` is the path
    and query exactly as they arrived, which is what goes upstream."""

    method: str
    path: str
    query: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)


@dataclass(frozen=True)
class Response:
    """What the upstream answered; `body` holds the bytes as sent (still content-encoded)."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return header_value(self.headers, name)

    def decoded_body(self) -> bytes | None:
        """The body without its content coding; None for a coding we cannot undo."""
        coding = (self.header("Content-Encoding") or "identity").strip().lower()
        if coding in ("", "identity"):
            return self.body
        try:
            if coding in ("gzip", "x-gzip"):
                return zlib.decompress(self.body, wbits=31)
            if coding == "deflate":
                try:
                    return zlib.decompress(self.body)
                except zlib.error:  # some servers send raw deflate without the zlib wrapper
                    return zlib.decompress(self.body, wbits=-15)
        except zlib.error:
            return None
        return None


def header_value(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    """A header's value (several occurrences joined with ", ", as HTTP allows)."""
    wanted = name.lower()
    values = [value for key, value in headers if key.lower() == wanted]
    return ", ".join(values) if values else None


def end_to_end(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers without hop-by-hop ones, including those the Connection header names."""
    pairs = list(headers)
    named = {
        token.strip().lower()
        for key, value in pairs
        if key.lower() == "connection"
        for token in value.split(",")
        if token.strip()
    }
    return [(key, value) for key, value in pairs if key.lower() not in HOP_BY_HOP and key.lower() not in named]


def media_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_json(media: str | None) -> bool:
    return media is not None and (media == "application/json" or media.endswith("+json"))


def as_text(data: bytes) -> str | None:
    """The body as UTF-8 text, or None when it is not text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def utc_now() -> str:
    """`2025-01-31T12:00:00.000Z`: when a violation was found or an exchange recorded."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
