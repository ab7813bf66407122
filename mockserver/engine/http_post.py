"""One webhook POST over a kept-alive connection, with the standard library's http.client.

Why not requests: a delivery through a requests Session cost the delivery process about
145 µs of CPU (bench/run --webhooks), and on a two-core machine that CPU is taken from the
server answering the API; http.client does the same POST for a fraction of it. Errors are
named as requests names them (ConnectionError, ConnectTimeout, ReadTimeout, SSLError), as
the attempt records and logs have always said.

A POST ends by its timeout, all of it: resolving the host name (on a thread of its own,
waited for no longer than the time left: getaddrinfo has no bound of its own), connecting,
the TLS handshake, sending and reading the answer. A socket timeout bounds each read, not the
whole, so a receiver sending a byte now and then would hold the POST for ever: the connection
is cut at the deadline. The addresses resolved are checked (webhook_targets.py) before
anything is sent, and the connection goes to the address checked, the URL's host kept for
Host and TLS. A POST is sent once: only on a kept connection the receiver closed as it went
(found closed before use, or ended within a round trip of the sending) does it go again, on a
new connection; one held by the receiver and then dropped is a failed attempt, never a second POST.
"""

from __future__ import annotations

import base64
import functools
import heapq
import http.client
import itertools
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from ipaddress import ip_address
from urllib.parse import unquote, urlsplit

from mockserver.engine.webhook_targets import Allowed, refusal

# What a POST came to: the receiver's status (None when there was no answer), the start of
# its body, and why HTTP itself failed (refused, timed out...), else None.
Sent = tuple[int | None, str, str | None]

ANSWER_KEPT = 1000  # characters of the receiver's answer kept in the attempt record
ANSWER_READ = 64 * 1024  # bytes read from it; a longer answer closes the connection instead
# A kept connection the receiver closed while the POST went ends within a round trip of the
# sending (loopback: microseconds; across the internet, well under this). Ended later, the
# receiver held the POST: it may have read it, so it does not go again.
STALE_S = 0.5
# How a kept connection ends that the receiver closed (or was closing) when the POST went.
_STALE = (BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)  # RemoteDisconnected included
Key = tuple[str, str, int | None]


@functools.cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # made once, at the first https POST; certificates verified, as requests does


def resolve(host: str, port: int) -> list[str]:
    """The addresses of a host name, in the order to try them (tests replace this seam)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class Connections:
    """Keep-alive connections, one per scheme, host and port for each calling thread; only
    to the targets `allowed` lets through (webhook_targets.py)."""

    def __init__(self, allowed: Allowed | None = None) -> None:
        self._allowed = allowed or Allowed()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._pools: list[dict[Key, http.client.HTTPConnection]] = []  # every thread's

    def close(self) -> None:
        """Close the kept connections of every thread (one under way is closed by its POST)."""
        with self._lock:
            pools, self._pools = self._pools, []
        for pool in pools:
            for connection in list(pool.values()):
                connection.close()
            pool.clear()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        deadline = time.monotonic() + timeout
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
        pool = self._pool()
        kept = pool.pop(key, None)
        if kept is not None and _dropped(kept):  # the receiver closed it meanwhile: not used
            kept.close()
        elif kept is not None:
            try:
                return self._exchange(pool, key, kept, target, body, sent, deadline, timeout)
            except _Unread:
                pass  # stale: the receiver closed it as the POST went; once more, afresh
        fresh = self._connect(parts.scheme, parts.hostname, port, deadline, timeout)
        if isinstance(fresh, str):
            return None, "", fresh
        try:
            return self._exchange(pool, key, fresh, target, body, sent, deadline, timeout)
        except _Unread as unread:
            return None, "", unread.reason

    def _pool(self) -> dict[Key, http.client.HTTPConnection]:
        pool = getattr(self._local, "pool", None)
        if pool is None:
            pool = self._local.pool = {}
        if not any(known is pool for known in self._pools):  # new, or the pools were closed since
            with self._lock:
                self._pools.append(pool)
        return pool

    def _keep(self, pool: dict[Key, http.client.HTTPConnection], key: Key, connection: http.client.HTTPConnection) -> bool:
        with self._lock:
            if any(known is pool for known in self._pools):
                pool[key] = connection
                return True
        return False

    def _connect(self, scheme: str, host: str, port: int | None, deadline: float, timeout: float) -> _Opened | str:
        """A connection (TLS set up, for https) to an address of `host` that was checked, or
        why none could be made."""
        number = port or (443 if scheme == "https" else 80)
        addresses = _resolve(host, number, deadline, timeout)
        if isinstance(addresses, str):
            return addresses
        refused = refusal(host, addresses, self._allowed)
        if refused is not None:
            return refused
        opened = _open(host, number, addresses, deadline, timeout)
        if isinstance(opened, str):
            return opened
        connection = (_OpenedTls if scheme == "https" else _Opened)(host, port, timeout=timeout)
        connection.opened = opened
        cut = _CUTTER.arm(deadline, opened.fileno())
        try:
            connection.connect()
        except OSError as exc:  # ssl.SSLError included
            was_cut = _CUTTER.disarm(cut)  # before the close: its descriptor may be reused then
            connection.close()
            if was_cut or isinstance(exc, TimeoutError):
                return f"ConnectTimeout: connecting to {host}:{number} timed out ({timeout:g}s)"
            if isinstance(exc, ssl.SSLError):
                return f"SSLError: {exc}"
            return f"ConnectionError: cannot connect to {host}:{number}: {exc}"
        _CUTTER.disarm(cut)  # cut just now: the exchange finds the deadline passed
        return connection

    def _exchange(
        self,
        pool: dict[Key, http.client.HTTPConnection],
        key: Key,
        connection: http.client.HTTPConnection,
        target: str,
        body: bytes,
        headers: Mapping[str, str],
        deadline: float,
        timeout: float,
    ) -> Sent:
        """Send on the connection and read the answer, by the deadline; kept for the next POST
        when reusable. Raises _Unread when the connection was stale (closed by the receiver as
        the POST went: it may go again, on a new connection)."""
        cut = _CUTTER.arm(deadline, connection.sock.fileno())
        sent_at: float | None = None
        try:
            connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            connection.request("POST", target, body=body, headers=headers)
            sent_at = time.monotonic()
            response = connection.getresponse()
            data = response.read(ANSWER_READ)
        except (OSError, http.client.HTTPException) as exc:
            was_cut = _CUTTER.disarm(cut)  # before the close: its descriptor may be reused then
            connection.close()
            at_once = sent_at is None or time.monotonic() - sent_at < STALE_S
            return None, "", _failure(connection, exc, was_cut, at_once, timeout)
        if _CUTTER.disarm(cut):  # what was read ended where the cut ended it: no answer
            connection.close()
            return None, "", _failure(connection, TimeoutError(), True, False, timeout)
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


def _failure(connection: http.client.HTTPConnection, exc: Exception, cut: bool, at_once: bool, timeout: float) -> str:
    """Why an exchange failed; raises _Unread when the POST may go again: the connection
    ended `at_once` (as it was sent, or within STALE_S of it), as a stale one does."""
    if cut or isinstance(exc, TimeoutError):
        said = "cut at the deadline" if cut else exc
        return f"ReadTimeout: no answer from {connection.host}:{connection.port} in {timeout:g}s ({said})"
    if isinstance(exc, ssl.SSLError):
        return f"SSLError: {exc}"
    reason = f"ConnectionError: {type(exc).__name__}: {exc}"
    if at_once and isinstance(exc, _STALE):
        raise _Unread(reason)
    return reason


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether a kept connection was closed by the receiver meanwhile (readable while idle:
    its end, or bytes nobody asked for)."""
    if connection.sock is None:
        return True
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return bool(poller.poll(0))


def _resolve(host: str, port: int, deadline: float, timeout: float) -> list[str] | str:
    """The addresses of `host` (itself when it is one), or why there are none in time."""
    try:
        ip_address(host)
        return [host]
    except ValueError:
        pass
    done = threading.Event()
    found: list[list[str] | Exception] = []

    def run() -> None:
        try:
            found.append(resolve(host, port))
        except Exception as exc:  # a name getaddrinfo refuses (gaierror, UnicodeError...)
            found.append(exc)
        finally:
            done.set()

    # A thread of its own: one that never returns is left behind, not waited for.
    threading.Thread(target=run, name="webhooks-resolve", daemon=True).start()
    if not done.wait(max(0.0, deadline - time.monotonic())):
        return f"ConnectTimeout: resolving {host} timed out ({timeout:g}s)"
    addresses = found[0]
    if isinstance(addresses, Exception):
        return f"ConnectionError: cannot resolve {host}: {addresses}"
    return addresses or f"ConnectionError: cannot resolve {host}: no address"


def _open(host: str, port: int, addresses: list[str], deadline: float, timeout: float) -> socket.socket | str:
    """A socket connected to the first of `addresses` that answers, by the deadline."""
    failure = f"ConnectTimeout: connecting to {host}:{port} timed out ({timeout:g}s)"
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            return socket.create_connection((address, port), timeout=left)
        except TimeoutError:
            break
        except OSError as exc:
            failure = f"ConnectionError: cannot connect to {host}:{port}: {exc}"
    return failure


class _Opened(http.client.HTTPConnection):
    """Connected beforehand, to an address that was checked: connect() takes that socket.
    (http.client connects by itself, by name, when it has no socket: never here.)"""

    opened: socket.socket | None = None

    def connect(self) -> None:
        if self.opened is None:
            raise ConnectionError("no connection to use")
        self.sock, self.opened = self.opened, None
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _OpenedTls(_Opened):
    """https over the socket connected beforehand: the certificate checked against the URL's
    host; the handshake made here, under the POST's deadline."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        self.sock = _tls().wrap_socket(self.sock, server_hostname=self.host, do_handshake_on_connect=False)
        self.sock.do_handshake()


class _Unread(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Armed:
    """One POST's socket, watched until disarmed."""

    __slots__ = ("cut", "fd")

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd
        self.cut = False


class _Cutter:
    """Shuts down the socket of a POST still under way at its deadline (one thread for every
    POST of the process, there only while some POST is)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, _Armed]] = []  # a heap by deadline
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, fd: int) -> _Armed:
        armed = _Armed(fd)
        with self._cond:
            heapq.heappush(self._due, (deadline, next(self._numbers), armed))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhooks-cutter", daemon=True)
                self._thread.start()
            elif self._due[0][2] is armed:
                self._cond.notify()
        return armed

    def disarm(self, armed: _Armed) -> bool:
        """Leave the POST's socket alone from now on; answers whether it was cut."""
        with self._cond:
            armed.fd = None
            return armed.cut

    def _run(self) -> None:
        with self._cond:
            while self._due:
                now = time.monotonic()
                while self._due and self._due[0][0] <= now:
                    armed = heapq.heappop(self._due)[2]
                    if armed.fd is not None:  # still under way (the lock keeps it from being closed meanwhile)
                        armed.cut = True
                        _shut(armed.fd)
                if self._due:
                    self._cond.wait(self._due[0][0] - now)
            self._thread = None


def _shut(fd: int) -> None:
    """Shut a socket down by its descriptor (the POST's thread, blocked on it, wakes)."""
    try:
        sock = socket.socket(fileno=fd)
    except OSError:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        sock.detach()  # the POST's own socket object closes it


_CUTTER = _Cutter()
os.register_at_fork(after_in_child=_CUTTER.reset)  # a forked copy starts with no POST under way
