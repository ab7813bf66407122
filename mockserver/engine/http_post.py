"""One webhook POST over a kept-alive connection, with the standard library's http.client.

Why not requests: a delivery through a requests Session cost the delivery process about
145 µs of CPU (bench/run --webhooks), and on a two-core machine that CPU is taken from the
server answering the API; http.client does the same POST for a fraction of it. Errors are
named as requests names them (ConnectionError, ConnectTimeout, ReadTimeout, SSLError), as
the attempt records and logs have always said.
"""

from __future__ import annotations

import base64
import functools
import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

# What a POST came to: the receiver's status (None when there was no answer), the start of
# its body, and why HTTP itself failed (refused, timed out...), else None.
Sent = tuple[int | None, str, str | None]

ANSWER_KEPT = 1000  # characters of the receiver's answer kept in the attempt record
ANSWER_READ = 64 * 1024  # bytes read from it; a longer answer closes the connection instead
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # made once, at the first https POST; certificates verified, as requests does


class Connections:
    """Keep-alive connections, one per scheme, host and port for each calling thread."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pools: list[dict[tuple[str, str, int | None], http.client.HTTPConnection]] = []  # every thread's

    def close(self) -> None:
        """Close the kept connections of every thread (one under way is closed by its POST)."""
        with self._lock:
            pools, self._pools = self._pools, []
        for pool in pools:
            for connection in list(pool.values()):
                connection.close()
            pool.clear()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            return None, "", f"InvalidURL: {exc}"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None, "", f"InvalidURL: {url!r} is not an http(s) address"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = dict(headers)
        if parts.username is not None:  # user:password@host, as requests would send it
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            sent.setdefault("Authorization", "Basic " + base64.b64encode(token).decode("ascii"))
        key = (parts.scheme, parts.hostname, port)
        pool: dict[tuple[str, str, int | None], http.client.HTTPConnection] = self._pool()
        connection = pool.pop(key, None)
        if connection is not None:
            try:
                return self._exchange(pool, key, connection, target, body, sent, timeout)
            except _STALE:  # the receiver closed the kept connection meanwhile: once more, afresh
                connection.close()
            except _Failed as failed:
                return None, "", failed.reason
        fresh = self._connect(parts.scheme, parts.hostname, port, timeout)
        if isinstance(fresh, str):
            return None, "", fresh
        try:
            return self._exchange(pool, key, fresh, target, body, sent, timeout)
        except _STALE as exc:
            fresh.close()
            return None, "", f"ConnectionError: {type(exc).__name__}: {exc} ({url})"
        except _Failed as failed:
            return None, "", failed.reason

    def _pool(self) -> dict[tuple[str, str, int | None], http.client.HTTPConnection]:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        if not any(known is pool for known in self._pools):  # new, or the pools were closed since
            with self._lock:
                self._pools.append(pool)
        return pool

    def _keep(
        self,
        pool: dict[tuple[str, str, int | None], http.client.HTTPConnection],
        key: tuple[str, str, int | None],
        connection: http.client.HTTPConnection,
    ) -> bool:
        with self._lock:
            if any(known is pool for known in self._pools):
                pool[key] = connection
                return True
        return False

    @staticmethod
    def _connect(scheme: str, host: str, port: int | None, timeout: float) -> http.client.HTTPConnection | str:
        """A connected connection, or why none could be made."""
        if scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=timeout, context=_tls())
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except TimeoutError as exc:
            connection.close()
            return f"ConnectTimeout: connecting to {host}:{connection.port} timed out ({exc or timeout})"
        except ssl.SSLError as exc:
            connection.close()
            return f"SSLError: {exc}"
        except OSError as exc:
            connection.close()
            return f"ConnectionError: cannot connect to {host}:{connection.port}: {exc}"
        return connection

    def _exchange(
        self,
        pool: dict[tuple[str, str, int | None], http.client.HTTPConnection],
        key: tuple[str, str, int | None],
        connection: http.client.HTTPConnection,
        target: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,
    ) -> Sent:
        """Send on the connection and read the answer; kept for the next POST when reusable."""
        try:
            connection.sock.settimeout(timeout)
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(ANSWER_READ)
        except _STALE:
            raise
        except TimeoutError as exc:
            connection.close()
            raise _Failed(f"ReadTimeout: no answer from {connection.host}:{connection.port} in {timeout:g}s ({exc})") from exc
        except ssl.SSLError as exc:
            connection.close()
            raise _Failed(f"SSLError: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise _Failed(f"ConnectionError: {type(exc).__name__}: {exc}") from exc
        # Kept when reusable (not closed by the receiver, the whole answer read) and its pool
        # still open: one closed meanwhile (the poster stopping) would never close it again.
        if not (response.isclosed() and not response.will_close and self._keep(pool, key, connection)):
            connection.close()
        charset = response.headers.get_content_charset() or "utf-8"
        try:
            text = data.decode(charset, "replace")
        except LookupError:
            text = data.decode("utf-8", "replace")
        return response.status, text[:ANSWER_KEPT], None


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
