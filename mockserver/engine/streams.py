"""Response bodies that wait: a webhook wait's answer and the admin event stream. Each
says `waits = True`, so the granian adapter (mockserver/rsgi.py) iterates it on a thread of
its own while the event loop serves everyone else; a threaded WSGI server (waitress)
simply iterates it on the request's thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mockserver.engine.feed import Subscription
from mockserver.engine.journal import Exchange, without_key
from mockserver.engine.runtime import encode


class WaitingBody:
    """A body made by a function that blocks before each chunk."""

    waits = True

    def __init__(self, chunks: Callable[[], Iterator[bytes]], on_close: Callable[[], None] | None = None) -> None:
        self._chunks = chunks
        self._on_close = on_close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks()

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()


class EventStream:
    """The admin event stream (server-sent events): each request and delivery attempt as it
    happens, a keep-alive comment when quiet. An iterable with close(), so the server
    unsubscribes it even when the client leaves before the first event."""

    KEEP_ALIVE = 10.0  # seconds
    waits = True  # served aside (mockserver/rsgi.py)

    def __init__(self, subscription: Subscription, provider: str | None, key: str | None, kinds: set[str]) -> None:
        self._subscription = subscription
        self._provider = provider
        self._key = key
        self._kinds = kinds

    def __iter__(self) -> Iterator[bytes]:
        yield b": mockserver events\n\n"
        while not self._subscription.closed:
            items = self._subscription.next_items(self.KEEP_ALIVE)
            lines = [self._event(kind, what) for kind, what in items]
            chunk = b"".join(line for line in lines if line)
            yield chunk or b": keep-alive\n\n"

    def _event(self, kind: str, what: Any) -> bytes:
        if kind not in self._kinds:
            return b""
        if isinstance(what, Exchange):
            provider, key, data = what.provider, what.api_key, what.to_json()
        else:
            provider, key, data = what["provider"], what["apiKey"], without_key(what)
        if (self._provider is not None and provider != self._provider) or (self._key is not None and key != self._key):
            return b""
        return b"event: " + kind.encode() + b"\ndata: " + encode(data) + b"\n\n"

    def close(self) -> None:
        self._subscription.close()
