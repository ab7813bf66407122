"""`mockserver serve` on granian: its Rust threads read and write HTTP on the other core
while one Python thread runs the app, so every request still sees one shared state.

Measured with bench/run and wrk on a 2-core machine, this serves about twice what
waitress does with the same app. More than one Python thread makes the interpreter lock
change hands mid-request and the slowest answers much slower, hence one by default.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any


def free_port(host: str) -> int:
    """A port nothing listens on now (for --port 0: the banner must name it before serving)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def check_port(host: str, port: int) -> None:
    """Raise OSError now if the address is taken, rather than from inside granian."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def serve_with_granian(app: Any, host: str, port: int, threads: int, on_listening: Callable[[], None]) -> None:
    """Serve until SIGINT or SIGTERM. granian forks its worker process, which then holds all
    the state: the app is built here (once), and its webhook threads, which a fork does not
    copy, are started in the worker. `on_listening` runs once the socket is bound."""
    from mockserver.app import emulator_of

    dispatcher = emulator_of(app).dispatcher
    dispatcher.stop()

    def load_in_worker() -> Any:
        dispatcher.start()
        return app

    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server as Granian

    server = Granian(
        "mockserver",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=1,  # one process: one state
        blocking_threads=threads,
        websockets=False,
        log_level=LogLevels.warning,
    )
    # granian's worker opens the socket for listening a moment after start-up: announce the
    # address only once a connection gets through, so nobody who read it is refused.
    server.on_startup(lambda: _when_listening(host, port, on_listening))
    server.serve(target_loader=load_in_worker, wrap_loader=False)


def _when_listening(host: str, port: int, then: Callable[[], None]) -> None:
    def wait() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection((host, port), timeout=1).close()
            except OSError:
                time.sleep(0.02)
                continue
            then()
            return

    threading.Thread(target=wait, name="mockserver-announce", daemon=True).start()


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
