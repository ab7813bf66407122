"""The HTTP of webhook deliveries: in this process (tests, the in-process emulator), or in
a process of its own at a lower priority (`mockserver serve`), so that the POSTs take no
interpreter time from the API: the dispatcher (engine/webhooks.py) keeps the queue,
retries, history and waits here, and hands each POST to the delivery process.

Measured with `bench/run --webhooks`: creates while three receivers get every event ran at
0.24x the rate of creates with none when the POSTs ran in the serving process, 0.58x now
(what is left: the signing in each create, the bookkeeping of each delivery).

The delivery process reads jobs on its standard input and answers on its standard output
(multiprocessing connections: pickled tuples), ignores SIGINT and SIGTERM (the server tells
it to stop by closing the pipe, after its own graceful stop) and ends when the pipe closes,
so it never outlives the server, even a killed one.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any, Protocol

import requests

log = logging.getLogger("mockserver.webhooks")

# What a POST came to: the receiver's status (None when there was no answer), the start of
# its body, and why HTTP itself failed (refused, timed out...), else None.
Sent = tuple[int | None, str, str | None]

NICENESS = 10  # the delivery process yields the CPU to the server when both want it


class Poster(Protocol):
    def start(self) -> None: ...
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent: ...
    def close(self) -> None: ...


class LocalPoster:
    """POSTs from the calling thread, one keep-alive session per thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self) -> None:
        pass

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        try:
            response = self._session().post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        except requests.RequestException as exc:
            return None, "", f"{type(exc).__name__}: {exc}"
        return response.status_code, response.text[:1000], None

    def close(self) -> None:
        pass

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # never route loopback deliveries through a proxy
            self._local.session = session
        return session


class _Slot:
    __slots__ = ("done", "sent")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.sent: Sent = (None, "", "the delivery process ended")


class ProcessPoster:
    """POSTs made by a delivery process; each caller waits for its answer (waiting takes no
    interpreter time). A process that ends is started again at the next POST."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, _Slot] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: Connection | None = None
        self._here = LocalPoster()  # when no delivery process can run
        self._said = False

    def _say_unavailable(self, exc: OSError) -> None:
        if not self._said:
            self._said = True
            log.warning("the delivery process is not available (%s): webhooks go from the server process meanwhile", exc)

    def start(self) -> None:
        with self._lock:
            try:
                self._ensure_started()
            except OSError as exc:  # the POSTs are then made here, as in process
                self._say_unavailable(exc)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        slot = _Slot()
        with self._lock:
            number = next(self._ids)
            try:
                jobs = self._ensure_started()
                self._waiting[number] = slot
                jobs.send((number, url, body, dict(headers), timeout))
            except OSError as exc:  # it cannot start, or just died: this one goes from here
                self._waiting.pop(number, None)
                self._forget_process()
                self._say_unavailable(exc)
                unavailable = True
            else:
                unavailable = False
        if unavailable:
            return self._here.post(url, body, headers, timeout)
        # requests' timeout bounds each connect and read, not the whole exchange: allow more.
        if not slot.done.wait(max(2 * timeout, timeout + 5)):
            with self._lock:
                self._waiting.pop(number, None)
            return None, "", "the delivery process did not answer in time"
        return slot.sent

    def close(self) -> None:
        with self._lock:
            process, jobs = self._process, self._jobs
            self._process = self._jobs = None
        if jobs is not None:
            jobs.close()  # the process ends when its input closes
        if process is not None:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if process.stdout is not None:
                process.stdout.close()

    def _ensure_started(self) -> Connection:
        """The connection to a running delivery process (holding the lock)."""
        if self._process is not None and self._jobs is not None and self._process.poll() is None:
            return self._jobs
        self._forget_process()
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.engine.delivery", str(self._workers)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._jobs = Connection(os.dup(process.stdin.fileno()), readable=False)
        process.stdin.close()
        answers = Connection(os.dup(process.stdout.fileno()), writable=False)
        threading.Thread(target=self._read_answers, args=(answers,), name="webhooks-answers", daemon=True).start()
        return self._jobs

    def _forget_process(self) -> None:
        if self._jobs is not None:
            with contextlib.suppress(OSError):
                self._jobs.close()  # a process still running ends when its input closes
        if self._process is not None:
            self._process.poll()  # reaped if it has ended: no zombie left behind
        self._process = self._jobs = None

    def _read_answers(self, answers: Connection) -> None:
        try:
            while True:
                number, status, text, error = answers.recv()
                with self._lock:
                    slot = self._waiting.pop(number, None)
                if slot is not None:
                    slot.sent = (status, text, error)
                    slot.done.set()
        except (EOFError, OSError):  # the process ended: nobody waits for it in vain
            with self._lock:
                waiting = list(self._waiting.values())
                self._waiting.clear()
            for slot in waiting:
                slot.done.set()
        finally:
            answers.close()


def _serve_jobs(workers: int) -> None:
    """The delivery process: read jobs, POST them on a pool of threads, answer each."""
    for name in ("SIGINT", "SIGTERM"):  # the server ends it by closing the pipe, after its stop
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    off_the_servers_cpu()
    jobs = Connection(os.dup(0), writable=False)
    answers = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the answers
    poster, sending = LocalPoster(), threading.Lock()

    def deliver(job: tuple[Any, ...]) -> None:
        number, url, body, headers, timeout = job
        sent = poster.post(url, body, headers, timeout)
        with sending, contextlib.suppress(OSError):
            answers.send((number, *sent))

    with ThreadPoolExecutor(workers, thread_name_prefix="deliver") as pool:
        while True:
            try:
                job = jobs.recv()
            except (EOFError, OSError):
                break
            pool.submit(deliver, job)
        pool.shutdown(wait=False, cancel_futures=True)


def off_the_servers_cpu() -> None:
    """The server keeps to one CPU (fast_serving.py), and a process it starts inherits that:
    the delivery process moves to the other CPUs, where there are any (bench/run --webhooks:
    creates while delivering 0.46x -> 0.61x of creates with none)."""
    if not hasattr(os, "sched_setaffinity"):
        return
    with contextlib.suppress(OSError):
        others = set(range(os.cpu_count() or 1)) - os.sched_getaffinity(0)
        if others:
            os.sched_setaffinity(0, others)


if __name__ == "__main__":
    _serve_jobs(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
