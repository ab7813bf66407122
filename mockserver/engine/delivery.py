"""The HTTP of webhook deliveries: in this process (tests, the in-process emulator), or in
a process of its own at a lower priority (`mockserver serve`), so that the POSTs take no
interpreter time from the API. The dispatcher (engine/webhooks.py) keeps the queue,
retries, history and waits, and hands the messages that fall due to a poster here.

A poster takes posts in batches (`send`) and answers in batches, from its own threads; no
thread of the server waits on a receiver. It posts one at a time per lane (an endpoint), in
the order given, so first deliveries keep the order the events happened; posts not yet
begun can be called back (`cancel`: a reset account, a deleted subscription). `post` makes
one post and waits for it (the shared queue's workers).

The delivery process reads batches of jobs on its standard input and writes batches of
answers on its standard output (length-prefixed pickles, read as many as have come in one
go), ignores SIGINT and SIGTERM (the server tells it to stop by closing the pipe, after its
own graceful stop) and ends when the pipe closes, so it never outlives the server, even a
killed one. Each POST ends by its timeout (http_post.py), so a process with posts to make
answers one at least every timeout: one silent for longer (WEDGED_S more) is stuck, and is
killed; its posts are answered as failed and go again, as retries, from a new one. No post
is given up while it may still be made (one waiting in its lane behind a slow receiver was,
and then made all the same: one attempt, two POSTs).

Measured with `bench/run --webhooks` (1,000 events to three receivers): the last delivery
came 2.08 s after the first create when each POST was answered to a server thread waiting
on it, 0.9 s now; the dispatcher's CPU per delivery in the server fell from 168 to 68 us.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple, Protocol

from mockserver.engine.http_post import Connections, Sent
from mockserver.engine.webhook_targets import allowed_targets

log = logging.getLogger("mockserver.webhooks")

NICENESS = 10  # the delivery process yields the CPU to the server when both want it
# Answers finishing within this time of the first go in one batch: fewer wake-ups of the
# server's reader for a delay no receiver notices.
GATHER_S = 0.002
EXPIRY_CHECK_S = 1.0  # how often the server checks that a delivery process with posts still answers
WEDGED_S = 5.0  # silent this long beyond the posts' timeout, the delivery process is stuck
# ...and this much more before its first answer: a process starting (its imports) on a busy
# machine can take seconds before it makes its first post.
STARTING_S = 10.0
NOT_SENT: Sent = (None, "", None)  # the answer to a post called back before it began


class Post(NamedTuple):
    key: Any  # the caller's name for it, handed back with the answer
    lane: Hashable  # posts of one lane go one at a time, in order
    url: str
    body: bytes
    headers: Mapping[str, str]
    timeout: float


class Answer(NamedTuple):
    key: Any
    sent: Sent
    began: float  # time.time() when the POST began (0 when it never did)
    seconds: float  # how long it took


Answered = Callable[[list[Answer]], None]


class Poster(Protocol):
    def start(self) -> None: ...
    def send(self, posts: list[Post], answered: Answered) -> None: ...
    def cancel(self, keys: set[Any]) -> None: ...
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent: ...
    def close(self) -> None: ...


def _tell(answered: Answered, answers: list[Answer]) -> None:
    try:
        answered(answers)
    except Exception:  # a bug of ours: the poster's thread goes on
        log.exception("recording webhook answers failed")


class Lanes:
    """Posts, one at a time per lane and in order, on a pool of threads; a lane with posts
    waiting has one task draining it."""

    def __init__(self, workers: int, post: Callable[[Post], Sent]) -> None:
        self._post = post
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, deque[tuple[Post, Answered]]] = {}  # a lane here is busy
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="webhooks")
        self._closed = False

    def add(self, posts: list[Post], answered: Answered) -> None:
        idle: list[Hashable] = []
        with self._lock:
            for one in posts:
                lane = self._waiting.get(one.lane)
                if lane is None:
                    lane = self._waiting[one.lane] = deque()
                    idle.append(one.lane)
                lane.append((one, answered))
        for name in idle:
            self._pool.submit(self._drain, name)

    def cancel(self, keys: set[Any]) -> None:
        """Call back the posts not yet begun: each is answered NOT_SENT."""
        called: dict[Answered, list[Answer]] = {}
        with self._lock:
            for lane in self._waiting.values():
                kept = [entry for entry in lane if entry[0].key not in keys]
                if len(kept) != len(lane):
                    for one, answered in lane:
                        if one.key in keys:
                            called.setdefault(answered, []).append(Answer(one.key, NOT_SENT, 0.0, 0.0))
                    lane.clear()
                    lane.extend(kept)
        for answered, answers in called.items():
            _tell(answered, answers)

    def close(self) -> None:
        """Begin nothing more; posts under way end by their timeout, unanswered."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _drain(self, name: Hashable) -> None:
        while True:
            with self._lock:
                lane = self._waiting[name]
                if not lane or self._closed:
                    del self._waiting[name]
                    return
                one, answered = lane.popleft()
            began, started = time.time(), time.monotonic()
            sent = self._post(one)
            _tell(answered, [Answer(one.key, sent, began, time.monotonic() - started)])


class LocalPoster:
    """POSTs from this process: `post` from the calling thread, `send` on lanes of its own,
    over keep-alive connections of each thread."""

    def __init__(self, workers: int = 4, allowed: Sequence[str] = ()) -> None:
        self._workers = workers
        self._connections = Connections(allowed_targets(allowed))  # --allow-webhook-target
        self._lock = threading.Lock()
        self._lanes: Lanes | None = None

    def start(self) -> None:
        self._running_lanes()

    def send(self, posts: list[Post], answered: Answered) -> None:
        self._running_lanes().add(posts, answered)

    def cancel(self, keys: set[Any]) -> None:
        with self._lock:
            lanes = self._lanes
        if lanes is not None:
            lanes.cancel(keys)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        return self._connections.post(url, body, headers, timeout)

    def close(self) -> None:
        with self._lock:
            lanes, self._lanes = self._lanes, None
        if lanes is not None:
            lanes.close()
        self._connections.close()

    def _running_lanes(self) -> Lanes:
        with self._lock:
            if self._lanes is None:
                self._lanes = Lanes(self._workers, self._post_one)
            return self._lanes

    def _post_one(self, one: Post) -> Sent:
        return self.post(one.url, one.body, one.headers, one.timeout)


class _Waiting(NamedTuple):
    key: Any
    answered: Answered
    timeout: float
    process: int  # the delivery process that has it


class ProcessPoster:
    """POSTs made by a delivery process, answered from a thread of ours that reads its
    answers. A process that ends is started again at the next post."""

    def __init__(self, workers: int, allowed: Sequence[str] = ()) -> None:
        self._workers = workers
        self._allowed = tuple(allowed)  # --allow-webhook-target, handed to each delivery process
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, _Waiting] = {}
        self._heard = time.monotonic()  # the last answer of the process, or when it was given work while idle
        self._answered: int | None = None  # the pid of the process once it has answered (it has started)
        self._process: subprocess.Popen[bytes] | None = None
        self._jobs: int | None = None  # the write end of the process's input
        self._here = LocalPoster(workers, allowed)  # when no delivery process can run
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

    def send(self, posts: list[Post], answered: Answered) -> None:
        if not posts:
            return
        now = time.monotonic()
        with self._lock:
            numbers = [next(self._ids) for _ in posts]
            frame = ("post", [(number, *one[1:]) for number, one in zip(numbers, posts, strict=True)])
            for last_try in (False, True):  # a process found dead is started again once
                try:
                    jobs = self._ensure_started()
                    assert self._process is not None
                    if not self._waiting:
                        self._heard = now  # silent until now for want of work
                    for number, one in zip(numbers, posts, strict=True):
                        self._waiting[number] = _Waiting(one.key, answered, one.timeout, self._process.pid)
                    write_frame(jobs, frame)
                    return
                except OSError as exc:  # it cannot start, or just died
                    for number in numbers:
                        self._waiting.pop(number, None)
                    self._forget_process()
                    if last_try:
                        self._say_unavailable(exc)
        self._here.send(posts, answered)  # these go from here

    def cancel(self, keys: set[Any]) -> None:
        with self._lock:
            numbers = [number for number, waiting in self._waiting.items() if waiting.key in keys]
            if numbers and self._jobs is not None:
                with contextlib.suppress(OSError):  # it died: they are answered as ended
                    write_frame(self._jobs, ("cancel", numbers))
        self._here.cancel(keys)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Sent:
        done = threading.Event()
        got: list[Sent] = []

        def answered(answers: list[Answer]) -> None:
            got.extend(answer.sent for answer in answers)
            done.set()

        self.send([Post(None, ("alone", next(self._ids)), url, body, headers, timeout)], answered)
        done.wait()  # answered, or given up by the reader (_expire), or the process ended
        return got[0]

    def close(self) -> None:
        with self._lock:
            process, jobs = self._process, self._jobs
            self._process = self._jobs = None
        if jobs is not None:
            os.close(jobs)  # the process ends when its input closes
        if process is not None:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
            if process.stdout is not None:
                process.stdout.close()
        self._here.close()

    def _ensure_started(self) -> int:
        """The pipe to a running delivery process (holding the lock)."""
        if self._process is not None and self._jobs is not None and self._process.returncode is None:
            return self._jobs
        self._forget_process()
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.engine.delivery", str(self._workers), *self._allowed],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        assert process.stdin is not None and process.stdout is not None
        self._process = process
        self._jobs = os.dup(process.stdin.fileno())
        process.stdin.close()
        answers = os.dup(process.stdout.fileno())
        threading.Thread(target=self._read_answers, args=(process, answers), name="webhooks-answers", daemon=True).start()
        return self._jobs

    def _forget_process(self) -> None:
        if self._jobs is not None:
            with contextlib.suppress(OSError):
                os.close(self._jobs)  # a process still running ends when its input closes
        if self._process is not None:
            self._process.poll()  # reaped if it has ended: no zombie left behind
            if self._process.stdout is not None:
                self._process.stdout.close()  # the reader has a descriptor of its own
        self._process = self._jobs = None

    def _read_answers(self, process: subprocess.Popen[bytes], answers: int) -> None:
        frames = FrameReader(answers)
        checked = time.monotonic()
        try:
            while (batches := frames.read(EXPIRY_CHECK_S)) is not None:
                for batch in batches:
                    self._heard = time.monotonic()
                    self._answered = process.pid
                    self._hand_over([(item[0], Answer(None, item[1:4], item[4], item[5])) for item in batch])
                if time.monotonic() - checked >= EXPIRY_CHECK_S:
                    checked = time.monotonic()
                    self._check_answering(process, checked)
        finally:
            os.close(answers)
            process.poll()  # the process ended: it is reaped, and a send starts another
            with self._lock:  # nobody waits for it in vain
                mine = [number for number, waiting in self._waiting.items() if waiting.process == process.pid]
            ended = [(number, Answer(None, (None, "", "the delivery process ended"), 0.0, 0.0)) for number in mine]
            self._hand_over(ended)

    def _check_answering(self, process: subprocess.Popen[bytes], now: float) -> None:
        """Kill the process if it has posts and has said nothing for longer than any of them
        may take: it is stuck. Its posts are then answered as ended (the reader sees its pipe
        close), and none of them can be made afterwards."""
        with self._lock:
            timeouts = [waiting.timeout for waiting in self._waiting.values() if waiting.process == process.pid]
            silent = now - self._heard
        starting = 0.0 if self._answered == process.pid else STARTING_S
        if timeouts and silent > max(timeouts) + WEDGED_S + starting and process.poll() is None:
            log.warning("the delivery process answered nothing for %.0f s: it is started again", silent)
            with contextlib.suppress(OSError):
                process.kill()

    def _hand_over(self, answers: list[tuple[int, Answer]]) -> None:
        """Give each answer to whoever sent the post, one call per caller."""
        if not answers:
            return
        by_caller: dict[Answered, list[Answer]] = {}
        with self._lock:
            for number, answer in answers:
                waiting = self._waiting.pop(number, None)
                if waiting is not None:
                    by_caller.setdefault(waiting.answered, []).append(answer._replace(key=waiting.key))
        for answered, theirs in by_caller.items():
            _tell(answered, theirs)


def write_frame(fd: int, value: Any) -> None:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(4, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


class FrameReader:
    """Frames from a pipe: as many as have come, in one read."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN)

    def read(self, timeout: float | None) -> list[Any] | None:
        """The frames complete now (waiting up to `timeout` for one; [] if none came),
        None once the pipe is closed."""
        if timeout is not None and not self._poll.poll(timeout * 1000):
            return []
        try:
            data = os.read(self._fd, 1 << 20)
        except OSError:
            return None
        if not data:
            return None
        buffer = self._buffer
        buffer += data
        frames = []
        start = 0
        while len(buffer) - start >= 4:
            size = int.from_bytes(buffer[start : start + 4], "big")
            if len(buffer) - start - 4 < size:
                break
            frames.append(pickle.loads(buffer[start + 4 : start + 4 + size]))
            start += 4 + size
        del buffer[:start]
        return frames


def _serve_jobs(workers: int, allowed: Sequence[str]) -> None:
    """The delivery process: read batches of jobs, post them in their lanes, answer in
    batches (what finished while the last batch was written goes in the next)."""
    for name in ("SIGINT", "SIGTERM"):  # the server ends it by closing the pipe, after its stop
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    off_the_servers_cpu()
    jobs, answers = FrameReader(os.dup(0)), os.dup(1)
    os.dup2(2, 1)  # a stray print goes to stderr, never into the answers
    connections = Connections(allowed_targets(allowed))
    lanes = Lanes(workers, lambda one: connections.post(one.url, one.body, one.headers, one.timeout))
    finished: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()

    def answered(done: list[Answer]) -> None:
        for answer in done:
            finished.put((answer.key, *answer.sent, answer.began, answer.seconds))

    def answer() -> None:
        while True:
            batch = [finished.get()]
            gathered = time.monotonic() + GATHER_S
            with contextlib.suppress(queue.Empty):
                while (left := gathered - time.monotonic()) > 0:
                    batch.append(finished.get(timeout=left))
            try:
                write_frame(answers, batch)
            except OSError:
                return

    threading.Thread(target=answer, name="answers", daemon=True).start()
    while (frames := jobs.read(None)) is not None:
        for what, items in frames:
            if what == "post":
                lanes.add([Post(*item) for item in items], answered)
            else:
                lanes.cancel(set(items))
    lanes.close()


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
    _serve_jobs(int(sys.argv[1]) if len(sys.argv) > 1 else 16, sys.argv[2:])
