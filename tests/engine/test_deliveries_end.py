"""Deliveries that end (issue 17, item 5), through the real emulator and real receivers on
loopback: a receiver that always fails stops getting POSTs when its retry schedule ends, and
nothing stays outstanding; a receiver that hangs (or answers a byte at a time) is cut at the
timeout, one failed attempt and one POST each time; resolving a host name counts toward the
timeout; a target that is, or resolves to, a link-local address is refused unless allowed.

Nothing here leaves the machine, even were the code wrong: every test runs with connections
beyond loopback refused (and recorded) and with names resolved only when numeric, and names
are resolved by a resolver the test hands in (http_post.resolve)."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from ipaddress import ip_address
from typing import Any

import pytest

from mockserver.cli import main
from mockserver.engine import delivery, http_post
from mockserver.engine.delivery import Answer, Post, ProcessPoster
from mockserver.engine.http_post import Connections
from mockserver.engine.settings import Settings
from mockserver.testing import Account, Emulator, WebhookReceiver

# Systeme.io's retry schedule (60 s ... 6 h, 30,960 s in all) in a second: 6 attempts a message.
SCHEDULE_S = 30_960
SCALE = 0.00003
ATTEMPTS = 6
HINT = "allow it with --allow-webhook-target"


# -- nothing leaves loopback -------------------------------------------------------------


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Refuse (and record) any connection of this process beyond loopback, and resolve only
    numeric names, for the whole test: whatever the code does, no packet leaves."""
    tried: list[Any] = []
    real_connect, real_connect_ex, real_getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def beyond_loopback(sock: socket.socket, address: Any) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return False
        try:
            return not ip_address(str(address[0]).split("%")[0]).is_loopback
        except ValueError:  # a name: the kernel would resolve it, so it goes no further
            return True

    def connect(sock: socket.socket, address: Any) -> None:
        if beyond_loopback(sock, address):
            tried.append(address)
            raise OSError(errno.ENETUNREACH, "this test lets nothing leave loopback")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if beyond_loopback(sock, address):
            tried.append(address)
            return errno.ENETUNREACH
        return real_connect_ex(sock, address)

    def numeric_only(host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> Any:
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)
    yield tried
    assert tried == [], f"connections beyond loopback were attempted: {tried}"


# -- receivers ---------------------------------------------------------------------------

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class RawReceiver:
    """A loopback receiver speaking just enough HTTP: it counts the POSTs that arrive and
    treats the n-th (from 1) as `plan(n)` says: "ok" (200, the connection kept), "hang" (no
    answer, ever), "dribble" (a status line, then a byte every 50 ms, never the end) or
    "drop" (held `hold` seconds, then the connection closed unanswered)."""

    def __init__(self, plan: Callable[[int], str], hold: float = 0.0) -> None:
        self._plan = plan
        self._hold = hold
        self._cond = threading.Condition()
        self._posts = 0
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/hook"

    @property
    def posts(self) -> int:
        with self._cond:
            return self._posts

    def close(self) -> None:
        self._stop.set()
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
        with self._cond:
            conns = list(self._open)
        for conn in conns:  # wakes their threads, which close them
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(5)
        self._listener.close()

    def __enter__(self) -> RawReceiver:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._cond:
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            buffer = b""
            while not self._stop.is_set():
                request = self._read(conn, buffer)
                if request is None:
                    return
                buffer = request
                with self._cond:
                    self._posts += 1
                    number = self._posts
                    self._cond.notify_all()
                what = self._plan(number)
                if what == "ok":
                    conn.sendall(OK)
                elif what == "dribble":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not self._stop.wait(0.05):
                        conn.sendall(b"a")
                elif what == "drop":
                    self._stop.wait(self._hold)
                    return
                # "hang": no answer; read on until the sender gives up and closes
        except OSError:
            return
        finally:
            with self._cond:
                self._open.remove(conn)
            conn.close()

    @staticmethod
    def _read(conn: socket.socket, buffer: bytes) -> bytes | None:
        """Read one request; answers what came after it (None: the connection ended)."""
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
        )
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return rest[length:]


# -- the emulator ------------------------------------------------------------------------


@pytest.fixture(params=["memory", "delivery process", "redis"])
def backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Where the queue lives and who makes the POSTs: in this process, a delivery process, Redis."""
    if request.param == "redis":
        return {"state": request.getfixturevalue("redis_url")}
    return {"delivery_process": request.param == "delivery process"}


def _subscribe(account: Account, url: str) -> None:
    hook = {"name": f"hook {url}", "url": url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    assert account.session().post("/api/webhooks", json=hook).status_code == 201


def _create_contact(account: Account, n: int = 0) -> None:
    assert account.session().post("/api/contacts", json={"email": f"c{n}@example.com"}).status_code == 201


def _outstanding(emulator: Emulator, account: Account) -> int:
    found = emulator.admin("GET", "webhooks/attempts", params={"provider": account.provider, "apiKey": account.api_key})
    return int(found["outstanding"])


def test_a_receiver_that_always_fails_stops_getting_posts_when_its_schedule_ends(backend: dict[str, Any]) -> None:
    with WebhookReceiver() as receiver, Emulator.start(webhook_time_scale=SCALE, webhook_timeout=2.0, **backend) as emulator:
        receiver.respond_with(500)
        account = emulator.account("systeme")
        _subscribe(account, receiver.url)
        began = time.monotonic()
        _create_contact(account)
        assert account.wait_for_idle(timeout=15)
        took = time.monotonic() - began
        assert _outstanding(emulator, account) == 0
        attempts = account.deliveries()
        assert [(a.attempt, a.error, a.will_retry) for a in attempts] == [
            *((n, "HTTP 500", True) for n in range(1, ATTEMPTS)),
            (ATTEMPTS, "HTTP 500", False),
        ]
        assert len(receiver.requests) == ATTEMPTS
    # On time: the whole schedule waited for, and little more.
    assert SCHEDULE_S * SCALE * 0.9 <= took < SCHEDULE_S * SCALE + 4


def test_a_hanging_receiver_is_cut_at_the_timeout_once_per_attempt(backend: dict[str, Any]) -> None:
    timeout = 0.3
    with (
        RawReceiver(lambda n: "hang") as receiver,
        Emulator.start(webhook_time_scale=0.00001, webhook_timeout=timeout, **backend) as emulator,
    ):
        account = emulator.account("systeme")
        _subscribe(account, receiver.url)
        _create_contact(account)
        assert account.wait_for_idle(timeout=20)
        assert _outstanding(emulator, account) == 0
        attempts = account.deliveries()
        assert [a.attempt for a in attempts] == list(range(1, ATTEMPTS + 1))
        assert all(a.status is None and (a.error or "").startswith("ReadTimeout: no answer from 127.0.0.1") for a in attempts)
        assert all(timeout * 900 <= a.duration_ms < timeout * 1000 + 700 for a in attempts), [a.duration_ms for a in attempts]
        assert receiver.posts == ATTEMPTS  # one POST for each attempt, never two


def test_a_receiver_answering_a_byte_at_a_time_is_cut_at_the_timeout() -> None:
    timeout = 0.4
    with RawReceiver(lambda n: "dribble") as receiver, Emulator.start(webhook_timeout=timeout) as emulator:
        account = emulator.account("systeme")
        _subscribe(account, receiver.url)
        _create_contact(account)
        [first] = account.wait_for_deliveries(1, timeout=10)
        assert first.error is not None and first.error.startswith("ReadTimeout: ") and "cut at the deadline" in first.error
        assert timeout * 900 <= first.duration_ms < timeout * 1000 + 700
        assert receiver.posts == 1


def test_a_post_the_receiver_held_and_then_dropped_is_not_sent_again() -> None:
    plan = {1: "ok", 2: "drop", 3: "ok"}
    with RawReceiver(plan.__getitem__, hold=http_post.STALE_S + 0.2) as receiver:
        connections = Connections()
        try:
            assert connections.post(receiver.url, b"{}", {}, 5)[0] == 200
            status, _, error = connections.post(receiver.url, b"{}", {}, 5)  # on the kept connection
            assert status is None and error is not None and error.startswith("ConnectionError: RemoteDisconnected")
            assert receiver.posts == 2  # it may have read it: not sent again
            assert connections.post(receiver.url, b"{}", {}, 5)[0] == 200  # a new connection
            assert receiver.posts == 3
        finally:
            connections.close()


# -- the delivery process ----------------------------------------------------------------


def _answers(poster: ProcessPoster, posts: list[Post], timeout: float) -> list[Answer]:
    got: list[Answer] = []
    done = threading.Event()

    def answered(answers: list[Answer]) -> None:
        got.extend(answers)
        if len(got) >= len(posts):
            done.set()

    poster.send(posts, answered)
    assert done.wait(timeout), f"answered {len(got)} of {len(posts)}"
    return sorted(got, key=lambda answer: answer.key)


@pytest.fixture
def quick_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server checks often, and thinks a delivery process stuck soon after its posts'
    timeout (its own side only: the delivery process is not touched)."""
    monkeypatch.setattr(delivery, "EXPIRY_CHECK_S", 0.05)
    monkeypatch.setattr(delivery, "WEDGED_S", 0.2)


@pytest.mark.usefixtures("quick_checks")
def test_posts_waiting_in_their_lane_are_not_given_up_while_it_moves() -> None:
    timeout = 0.3
    with RawReceiver(lambda n: "hang") as receiver:
        poster = ProcessPoster(workers=2)
        try:
            posts = [Post(n, "one endpoint", receiver.url, b"{}", {}, timeout) for n in range(5)]
            answers = _answers(poster, posts, timeout=15)
        finally:
            poster.close()
    # Each waited its turn behind the others (1.5 s in all, past any post's own timeout) and
    # was made, once: none given up while it could still go.
    assert [answer.sent[2][:12] for answer in answers] == ["ReadTimeout:"] * 5
    assert receiver.posts == 5


@pytest.mark.usefixtures("quick_checks")
def test_a_stuck_delivery_process_is_replaced_and_its_posts_are_never_made() -> None:
    with WebhookReceiver() as receiver:
        poster = ProcessPoster(workers=2)
        try:
            assert poster.post(receiver.url, b"{}", {}, 1.0)[0] == 200
            stuck = poster._process
            assert stuck is not None
            os.kill(stuck.pid, signal.SIGSTOP)  # alive, reading nothing, answering nothing
            [answer] = _answers(poster, [Post("late", "lane", receiver.url, b"{}", {}, 0.3)], timeout=10)
            assert answer.sent == (None, "", "the delivery process ended")
            assert stuck.wait(5) == -signal.SIGKILL  # killed, so that post can never be made
            assert poster.post(receiver.url, b"{}", {}, 1.0)[0] == 200  # from a new process
            assert poster._process is not None and poster._process.pid != stuck.pid
            assert len(receiver.requests) == 2
        finally:
            poster.close()


def test_the_delivery_process_refuses_link_local_targets_unless_allowed() -> None:
    # A link-local address with no zone is refused by the kernel itself (EINVAL) before
    # any packet, so even the allowed post sends nothing.
    url = "http://[fe80::1]:9/hook"
    refusing, allowing = ProcessPoster(workers=1), ProcessPoster(workers=1, allowed=["fe80::/10"])
    try:
        assert refusing.post(url, b"{}", {}, 2.0) == (None, "", f"refused: fe80::1 is link-local (cloud metadata); {HINT}")
        status, _, error = allowing.post(url, b"{}", {}, 2.0)
        assert status is None and error is not None and error.startswith("ConnectionError: cannot connect to fe80::1:9")
    finally:
        refusing.close()
        allowing.close()


# -- resolving names ---------------------------------------------------------------------


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str] | float | None]]:
    """The resolution seam: a name maps to its addresses, to a delay (seconds) before
    127.0.0.1, or to None (the resolver never answers, until the test ends)."""
    table: dict[str, list[str] | float | None] = {}
    release = threading.Event()

    def resolve(host: str, port: int) -> list[str]:
        found = table.get(host, [])
        if found is None:
            release.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "released by the test")
        if isinstance(found, float):
            time.sleep(found)
            return ["127.0.0.1"]
        return list(found)

    monkeypatch.setattr(http_post, "resolve", resolve)
    yield table
    release.set()


def test_a_resolution_that_never_ends_fails_the_attempt_at_the_timeout(names: dict[str, Any]) -> None:
    names["hooks.example.test"] = None
    timeout = 0.5
    with WebhookReceiver() as receiver, Emulator.start(webhook_timeout=timeout) as emulator:
        account = emulator.account("systeme")
        _subscribe(account, receiver.url.replace("127.0.0.1", "hooks.example.test"))
        _create_contact(account)
        [first] = account.wait_for_deliveries(1, timeout=10)
        assert first.status is None and first.error == "ConnectTimeout: resolving hooks.example.test timed out (0.5s)"
        assert timeout * 900 <= first.duration_ms < timeout * 1000 + 700
        assert receiver.requests == []


def test_time_spent_resolving_counts_toward_the_timeout(names: dict[str, Any]) -> None:
    names["slow.example.test"] = 0.6  # then 127.0.0.1, where nobody answers
    with RawReceiver(lambda n: "hang") as receiver:
        connections = Connections()
        try:
            began = time.monotonic()
            status, _, error = connections.post(receiver.url.replace("127.0.0.1", "slow.example.test"), b"{}", {}, 0.8)
            took = time.monotonic() - began
        finally:
            connections.close()
    assert status is None and error is not None and error.startswith("ReadTimeout: ")
    assert 0.75 <= took < 1.2  # resolving, connecting and waiting, all within the 0.8 s (not 0.6 + 0.8)
    assert receiver.posts == 1


def test_a_name_is_reached_at_the_address_resolved_and_keeps_its_name(names: dict[str, Any]) -> None:
    names["hooks.example.test"] = ["127.0.0.1"]
    with WebhookReceiver() as receiver, Emulator.start() as emulator:
        account = emulator.account("systeme")
        url = receiver.url.replace("127.0.0.1", "hooks.example.test")
        _subscribe(account, url)
        _create_contact(account)
        [delivered] = account.wait_for_deliveries(1, timeout=10)
        assert delivered.ok and delivered.url == url
        [received] = receiver.requests
        assert received.headers["Host"] == url.split("/")[2]  # hooks.example.test:PORT


# -- link-local targets ------------------------------------------------------------------


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The connect seam, recording each address asked for and failing it (no packet)."""
    asked: list[Any] = []

    def create_connection(address: Any, *_: Any, **__: Any) -> socket.socket:
        asked.append(address)
        raise OSError(errno.ENETUNREACH, "blocked by the test")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return asked


def test_link_local_targets_are_refused_with_nothing_connected(names: dict[str, Any], connects: list[Any]) -> None:
    names["metadata.example.test"] = ["169.254.169.254"]
    urls = {
        "http://metadata.example.test/latest/meta-data/": "metadata.example.test resolves to 169.254.169.254, which",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254",
        "http://[::ffff:169.254.169.254]/latest/": "::ffff:169.254.169.254",
        "http://[fe80::a9fe:a9fe]:8080/hook": "fe80::a9fe:a9fe",
    }
    with Emulator.start() as emulator:
        account = emulator.account("systeme")
        for url in urls:  # the API takes them, as the vendors' APIs do: refused when delivered
            _subscribe(account, url)
        _create_contact(account)
        account.wait_for_deliveries(len(urls), timeout=10)
        first = {d.url: d for d in account.deliveries() if d.attempt == 1}
    assert {url: (first[url].status, first[url].error) for url in urls} == {
        url: (None, f"refused: {said} is link-local (cloud metadata); {HINT}") for url, said in urls.items()
    }
    assert connects == []


def test_an_allowed_link_local_target_is_connected_at_the_address_checked(names: dict[str, Any], connects: list[Any]) -> None:
    names["metadata.example.test"] = ["169.254.169.254"]
    with Emulator.start(allowed_webhook_targets=("metadata.example.test",)) as emulator:
        account = emulator.account("systeme")
        _subscribe(account, "http://metadata.example.test/latest/meta-data/")
        _create_contact(account)
        [first] = account.wait_for_deliveries(1, timeout=10)
    assert first.error == "ConnectionError: cannot connect to metadata.example.test:80: [Errno 101] blocked by the test"
    assert connects[0] == ("169.254.169.254", 80)  # the address checked: not resolved again


# -- the command line --------------------------------------------------------------------


def test_serve_takes_allow_webhook_target_into_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver import cli

    started: list[Settings] = []
    monkeypatch.setattr(cli, "_serve_on_granian", lambda args, settings: started.append(settings) or 0)
    monkeypatch.setattr(cli.logs, "configure", lambda fmt: None)
    quiet = logging.getLogger("waitress.queue")
    monkeypatch.setattr(quiet, "level", quiet.level)
    assert main(["serve", "--allow-webhook-target", "169.254.169.254", "--allow-webhook-target", "metadata.internal"]) == 0
    assert started[0].allowed_webhook_targets == ("169.254.169.254", "metadata.internal")
    assert main(["serve"]) == 0
    assert started[1].allowed_webhook_targets == ()


def test_serve_refuses_a_malformed_allow_webhook_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--allow-webhook-target", "169.254.0.0/33"]) == 2
    assert "--allow-webhook-target '169.254.0.0/33' is not an address" in capsys.readouterr().err
