"""`mockserver serve` on granian: its Rust threads read and write HTTP on the other core
while one Python thread (an event loop) runs the app one request at a time, so every
request sees one shared state.

Measured with bench/run and wrk on a 2-core machine, this serves about twice what
waitress does with the same app. More than one Python thread running requests makes the
interpreter lock change hands mid-request and the slowest answers much slower, hence one.
A request that waits (webhooks/wait, the admin event stream) waits on a thread of its
own (mockserver/rsgi.py), so it holds up nobody.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.persistence import StateFile


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


# Request threads of a lone worker with the state in Redis, so that requests waiting on
# Redis leave the CPU to others. bench/run --backends, Systeme, one worker, side by side
# with requests one at a time on the loop: list 1.26-1.39x, get 1.31-1.40x, create
# 1.15-1.22x the req/s (3 to 16 threads alike). Two workers overlap their waits already;
# threads there cost more than they give (list 0.93x, get 0.84x, create 0.78x with three).
SHARED_STATE_THREADS = 4


def serve_with_granian(
    app: Any,
    host: str,
    port: int,
    on_listening: Callable[[], None],
    *,
    pin_cpu: bool = True,
    state_file: StateFile | None = None,
    workers: int = 1,
) -> None:
    """Serve until SIGINT or SIGTERM. granian forks its worker process, which then holds all
    the state: the app is built here (once, with `deliver=False`), and its webhook threads,
    which a fork does not copy, are started in the worker (as is the state file's periodic
    write). `on_listening`
    runs once the socket is bound. At the stop, once the last request has finished, the
    worker keeps (state file) or reports what was not delivered."""
    from mockserver.app import MAX_BODY_BYTES, emulator_of
    from mockserver.engine.admin import MAX_SNAPSHOT_BYTES, SNAPSHOT_PATH
    from mockserver.persistence import stop_gracefully
    from mockserver.rsgi import RsgiApp

    emulator = emulator_of(app)
    dispatcher = emulator.dispatcher
    # granian stops its worker only once every response has ended, and an event stream or
    # a webhook wait would not end by itself: the parent tells the worker through a pipe,
    # first thing when it is asked to stop, and the worker ends them.
    stop_reader, stop_writer = os.pipe()

    def stopping() -> None:
        emulator.feed.close()
        dispatcher.release_waiters()

    def load_in_worker() -> Any:
        if pin_cpu:
            _one_cpu()
        os.close(stop_writer)
        if emulator.shared is not None:  # each worker makes ids of its own
            from mockserver.engine.shared_state import own_sequence

            own_sequence(emulator)
        threading.Thread(target=_on_stop_signal, args=(stop_reader, stopping), name="mockserver-stop", daemon=True).start()
        dispatcher.start()
        if state_file is not None:
            state_file.start()
        return RsgiApp(
            app.wsgi_app,
            MAX_BODY_BYTES,
            {SNAPSHOT_PATH: MAX_SNAPSHOT_BYTES},
            on_stop=lambda: stop_gracefully(emulator, state_file),
            threads=SHARED_STATE_THREADS if emulator.shared is not None and workers == 1 else 0,
        )

    from granian.constants import Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server as Granian

    class Server(Granian):  # type: ignore[misc,valid-type]
        def shutdown(self, exit_code: int = 0) -> None:
            with contextlib.suppress(OSError):
                os.write(stop_writer, b"x")
            super().shutdown(exit_code)

    from mockserver.connections import connection_limit

    server = Server(
        "mockserver",
        address=host,
        port=port,
        interface=Interfaces.RSGI,
        workers=workers,  # one process (one state), or several sharing it in Redis
        # Connections a worker holds at once, idle ones too: by default 1,024, which idle
        # connections fill for good (granian never closes one that has sent nothing).
        backpressure=connection_limit(),
        loop=_fastest_loop(Loops),
        websockets=False,
        log_level=LogLevels.warning,
        workers_kill_timeout=10,  # a last resort: what is still running after 10 s is cut off
    )
    # granian's worker opens the socket for listening a moment after start-up: announce the
    # address only once a connection gets through, so nobody who read it is refused.
    server.on_startup(lambda: _when_listening(host, port, on_listening))
    server.serve(target_loader=load_in_worker, wrap_loader=False)


def _one_cpu() -> None:
    """Keep the worker (its Python thread, granian's I/O threads, the webhook threads, all
    started after this) on the CPU it runs on: a request handed between threads on two CPUs
    runs its Python about a third slower (bench/, wrk on one connection). Several emulators
    on one machine may land on one CPU: `mockserver serve --no-cpu-pin` lets them spread."""
    if not hasattr(os, "sched_setaffinity"):
        return
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            cpu = int(stat.read().rsplit(")", 1)[1].split()[36])  # field 39, "processor"
        os.sched_setaffinity(0, {cpu})
    except (OSError, ValueError, IndexError):
        pass


def _on_stop_signal(reader: int, stopping: Callable[[], None]) -> None:
    """In the worker: wait for the parent's word, then end the waits. If the parent ends
    without a word (killed), the worker stops itself as on SIGTERM, so it never serves on as
    an orphan (keeping the port, and writing the state file) after its server is gone."""
    word = b""
    with contextlib.suppress(OSError):
        word = os.read(reader, 1)
    stopping()
    if not word:
        os.kill(os.getpid(), signal.SIGTERM)


def _fastest_loop(loops: Any) -> Any:
    """uvloop where it installs (bench/: about 4% more requests than asyncio's own loop)."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return loops.asyncio
    return loops.uvloop


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
