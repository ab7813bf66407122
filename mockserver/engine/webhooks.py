"""Webhook delivery: a background pool that POSTs signed messages, retries failures on
the provider's schedule (compressible with `time_scale`) and records every attempt."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.engine import redelivery
from mockserver.engine.attempts import Attempt, Came, History, outcome
from mockserver.engine.clock import Clock
from mockserver.engine.delivering import Delivering, Outgoing, headers_for, message_state, owned, warn_failed
from mockserver.engine.delivery import NOT_SENT, Answer, Post, Poster


@dataclass(order=True)
class _Job:
    due: float
    order: int
    provider: str = field(compare=False)
    tenant: str = field(compare=False)
    outgoing: Outgoing = field(compare=False)
    schedule: tuple[float, ...] = field(compare=False)
    attempt: int = field(compare=False, default=1)
    cancelled: bool = field(compare=False, default=False)  # its tenant was reset mid-flight
    retire: bool = field(compare=False, default=False)  # its subscription was deleted mid-flight: no retry
    # The attempt being sent: its post's number and headers.
    post: int = field(compare=False, default=0)
    headers: dict[str, str] = field(compare=False, default_factory=dict)


def _job_state(job: _Job, now: float) -> dict[str, Any]:
    return message_state(job.provider, job.tenant, job.outgoing, job.schedule, job.attempt, job.due - now)


def _endpoint(job: _Job) -> tuple[str, str, str]:
    return job.provider, job.tenant, job.outgoing.url


class WebhookDispatcher(Delivering):
    """The queue in this process's memory. One thread (the pump) hands the messages that
    fall due to the poster in batches; the poster posts them one at a time per endpoint, in
    that order (so first deliveries keep the order the events happened), and answers in
    batches from its own threads; each answer is recorded, and a failure queued again for its
    retry. No thread here waits on a receiver: a delivery costs the serving process only its
    bookkeeping (bench/run --webhooks)."""

    def __init__(
        self,
        clock: Clock,
        *,
        time_scale: float = 1.0,
        timeout: float = 10.0,
        workers: int = 4,
        history: int = 10_000,
        history_bytes: int = 32 * 1024 * 1024,
        on_attempt: Callable[[Callable[[], dict[str, Any]]], None] | None = None,
        poster: Poster | None = None,
        allowed_targets: tuple[str, ...] = (),
    ) -> None:
        super().__init__(
            clock,
            time_scale=time_scale,
            timeout=timeout,
            workers=workers,
            on_attempt=on_attempt,
            poster=poster,
            allowed_targets=allowed_targets,
        )
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # the pump waits here for a job to fall due
        self._idle = threading.Condition(lock)  # wait_idle waits here for deliveries to finish
        self._queue: list[_Job] = []  # a heap by due time
        self._order = itertools.count()
        self._in_flight: dict[int, _Job] = {}  # handed to the poster, by post number
        self._posts = itertools.count(1)
        self._recording = False  # answers are recorded (not once stopped: the poster is closing)
        self._pump_thread: threading.Thread | None = None
        self._history = History(history, history_bytes)
        # Attempts pushed out of the bounded history, per (provider, tenant): said, not hidden.
        self._dropped: Counter[tuple[str, str]] = Counter()
        self._attempt_ids = itertools.count(1)
        self._gone: set[tuple[str, str, str]] = set()  # deleted subscriptions: never redelivered to

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
            self._released = False
            self._recording = True
            # Sent before a stop, or by the parent of a forked copy (granian's worker): their
            # answers will never be recorded here, so they go again (at least once).
            for job in self._in_flight.values():
                heapq.heappush(self._queue, job)
            self._in_flight.clear()
        self.poster.start()
        self._pump_thread = threading.Thread(target=self._pump, name="webhooks-pump", daemon=True)
        self._pump_thread.start()

    def release_waiters(self) -> None:
        """End every wait now (the server is stopping); deliveries go on until `stop`."""
        with self._cond:
            self._released = True
            self._idle.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """Send nothing more; wait (up to `timeout`) for the answers to what is out, which
        are recorded (and retries queued: the queue is what a snapshot keeps). What is still
        out then stays in flight, pending."""
        deadline = time.monotonic() + timeout
        with self._cond:
            self._running = False
            self._cond.notify_all()
            self._idle.notify_all()
            while self._in_flight and (remaining := deadline - time.monotonic()) > 0:
                self._idle.wait(remaining)
            self._recording = False
        if self._pump_thread is not None:
            self._pump_thread.join(max(0.0, deadline - time.monotonic()) + 1.0)
            self._pump_thread = None
        self.poster.close()

    # -- queueing ---------------------------------------------------------------------
    def submit(self, provider: str, tenant: str, messages: list[Outgoing], schedule: tuple[float, ...]) -> None:
        if not messages:
            return
        chaos = self._chaos.get((provider, tenant)) if self._chaos else None
        now = time.monotonic()
        batch: list[_Job] = []
        held = False
        with self._cond:
            # Drawn under the lock: one account's draws follow the order of its writes.
            planned = ((now, m) for m in messages) if chaos is None else chaos.plan(now, messages, self.time_scale)
            for due, message in planned:
                job = _Job(due, next(self._order), provider, tenant, message, schedule)
                if self._running and due <= now:
                    self._launch(job, batch)
                else:  # sent once started, or once due (held back by chaos)
                    heapq.heappush(self._queue, job)
                    held = True
            if held:
                self._cond.notify()  # the pump's wait may end before this job is due
        # Handed over by the submitting thread: no wake-up of the pump for each event. The
        # caller holds the account, so one account's messages go in the order of its writes.
        self._send(batch)

    def forget(self, provider: str | None = None, tenant: str | None = None) -> None:
        """Drop the queued messages, recorded attempts and chaos of some tenants (on reset)."""
        self.clear_chaos(provider, tenant)

        def matches(p: str | None, t: str | None) -> bool:
            return (provider is None or p == provider) and (tenant is None or t == tenant)

        with self._cond:
            self._keep_waiting(lambda job: not matches(job.provider, job.tenant))
            called = set()
            for number, job in self._in_flight.items():
                if matches(job.provider, job.tenant):
                    job.cancelled = True
                    called.add(number)
            self._history.keep(lambda a: not matches(a.provider, a.tenant))
            for owner in [owner for owner in self._dropped if matches(*owner)]:
                del self._dropped[owner]
            self._gone = {gone for gone in self._gone if not matches(gone[0], gone[1])}
            self._idle.notify_all()
        self._call_back(called)

    def drop(self, provider: str, tenant: str, webhook_id: str) -> None:
        """Stop delivering to a deleted subscription: its queued messages and retries go."""

        def matches(job: _Job) -> bool:
            return (job.provider, job.tenant, str(job.outgoing.webhook_id)) == (provider, tenant, webhook_id)

        with self._cond:
            self._gone.add((provider, tenant, str(webhook_id)))
            self._keep_waiting(lambda job: not matches(job))
            called = set()
            for number, job in self._in_flight.items():
                if matches(job):
                    job.retire = True
                    called.add(number)
            self._idle.notify_all()
        self._call_back(called)

    def redeliver(self, provider: str, tenant: str, message_id: str, schedule: tuple[float, ...] = ()) -> bool:
        """Queue one of the account's messages again, now (engine/redelivery.py); False when
        it has no attempt or queued message of that id, or its subscription is gone."""
        batch: list[_Job] = []
        with self._cond:
            jobs = itertools.chain(self._queue, self._in_flight.values())
            queued = [(j.outgoing, j.attempt) for j in jobs if (j.provider, j.tenant) == (provider, tenant) and not j.cancelled]
            made = (a for a in self._history if a.provider == provider and a.tenant == tenant)
            message, last = redelivery.latest(message_id, queued, made)
            if message is None or (provider, tenant, str(message.webhook_id)) in self._gone:
                return False
            job = _Job(
                time.monotonic(), next(self._order), provider, tenant, message, redelivery.sequence(schedule, last), last + 1
            )
            if self._running:
                self._launch(job, batch)
            else:  # sent once started
                heapq.heappush(self._queue, job)
        self._send(batch)
        return True

    def _keep_waiting(self, keep: Callable[[_Job], bool]) -> None:
        """Drop the queued jobs that `keep` refuses (holding the lock)."""
        self._queue = [job for job in self._queue if keep(job)]
        heapq.heapify(self._queue)
        self._cond.notify_all()

    def _call_back(self, numbers: set[int]) -> None:
        """Ask the poster to let go of these posts if not begun (not holding the lock: it
        may answer them at once). One being posted is recorded (if not cancelled), never
        retried."""
        if numbers:
            self.poster.cancel(numbers)

    def outstanding(self, provider: str | None = None, tenant: str | None = None) -> int:
        """Messages queued, waiting for a retry, or being sent right now (of every tenant,
        one provider's or one tenant's)."""
        with self._cond:
            return self._outstanding(provider, tenant)

    def _outstanding(self, provider: str | None = None, tenant: str | None = None) -> int:
        if provider is None and tenant is None:
            return len(self._queue) + len(self._in_flight)
        jobs = itertools.chain(self._queue, self._in_flight.values())
        return sum(1 for job in jobs if owned(job.provider, job.tenant, provider, tenant))

    def wait_idle(self, timeout: float, provider: str | None = None, tenant: str | None = None) -> bool:
        """Block until nothing (of those tenants) is outstanding (True) or the timeout passes (False)."""
        return self.wait_until(lambda: not self._outstanding(provider, tenant), timeout)

    def wait_for_attempts(
        self, count: int, timeout: float, provider: str | None = None, tenant: str | None = None, event: str | None = None
    ) -> bool:
        """Block until at least `count` attempts (of those tenants, of that event) are recorded."""

        def enough() -> bool:
            found = 0
            for a in self._history:
                if owned(a.provider, a.tenant, provider, tenant) and (event is None or a.event == event):
                    found += 1
                    if found >= count:
                        return True
            return False

        return self.wait_until(enough, timeout)

    def wait_until(self, done: Callable[[], bool], timeout: float, *, releasable: bool = True) -> bool:
        """Block until `done()` (asked holding the lock after each delivery) or the timeout
        (or, for a `releasable` wait, until the server stops)."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._running or (releasable and self._released):
                    return done()
                self._idle.wait(min(remaining, 0.25))
            return True

    def dropped(self, provider: str | None = None, tenant: str | None = None) -> int:
        """How many recorded attempts (of those tenants) the bounded history has let go."""
        with self._cond:
            return sum(n for (p, t), n in self._dropped.items() if owned(p, t, provider, tenant))

    def attempts(self, provider: str | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
        """Every recorded attempt, oldest first."""
        with self._cond:
            return [a.as_dict() for a in self._history if owned(a.provider, a.tenant, provider, tenant)]

    def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout`) until nothing is being sent and nothing is due now: what a
        graceful stop gives deliveries before it keeps or reports what is left."""

        def quiet() -> bool:
            due = self._queue and self._queue[0].due <= time.monotonic()
            return not (self._in_flight or due)

        return self.wait_until(quiet, timeout, releasable=False)

    # -- snapshots --------------------------------------------------------------------
    def pending(self, provider: str | None = None, tenant: str | None = None) -> list[dict[str, Any]]:
        """The undelivered messages (queued, waiting for a retry or being sent) as
        plain values, in the order they were queued. One being sent counts as pending:
        delivery is at least once, and a restore sends it again with the same message id."""
        with self._cond:
            jobs = itertools.chain(self._queue, self._in_flight.values())
            mine = sorted((job for job in jobs if owned(job.provider, job.tenant, provider, tenant)), key=lambda job: job.order)
            now = time.monotonic()
            return [_job_state(job, now) for job in mine if not (job.cancelled or job.retire)]

    def restore_pending(self, jobs: list[tuple[str, str, Outgoing, tuple[float, ...], int, float]]) -> None:
        """Queue messages again: (provider, tenant, message, schedule, attempt, seconds until due)."""
        now = time.monotonic()
        with self._cond:
            for provider, tenant, message, schedule, attempt, due_in in jobs:
                job = _Job(now + max(0.0, due_in), next(self._order), provider, tenant, message, schedule, attempt)
                heapq.heappush(self._queue, job)
            self._cond.notify(len(jobs))

    def restore_attempts(self, records: list[dict[str, Any]]) -> None:
        """Put recorded attempts back in the history (after `forget` cleared their tenants)."""
        with self._cond:
            for gone in self._history.extend(Attempt.kept(made) for made in records):
                self._dropped[gone.provider, gone.tenant] += 1
            highest = max((a.id for a in self._history), default=0)
            current = next(self._attempt_ids)
            self._attempt_ids = itertools.count(max(current, highest + 1))

    # -- the pump and the answers ------------------------------------------------------
    def _pump(self) -> None:
        """Hand what falls due to the poster, in batches."""
        while True:
            with self._cond:
                while True:
                    if not self._running:
                        return
                    batch = self._take()
                    if batch:
                        break
                    # Until the next job falls due, or a submit or a queued retry wakes us.
                    self._cond.wait(max(0.0, self._queue[0].due - time.monotonic()) if self._queue else None)
            self._send(batch)

    def _take(self) -> list[_Job]:
        """The due jobs, now in flight (holding the lock)."""
        batch: list[_Job] = []
        now = time.monotonic()
        while self._queue and self._queue[0].due <= now:
            self._launch(heapq.heappop(self._queue), batch)
        return batch

    def _launch(self, job: _Job, batch: list[_Job]) -> None:
        """Put the job in flight, in the batch to send (holding the lock)."""
        job.post = next(self._posts)
        self._in_flight[job.post] = job
        batch.append(job)

    def _send(self, batch: list[_Job]) -> None:
        """Post a batch put in flight by `_launch` (not holding the lock: a provider signs here)."""
        if not batch:
            return
        posts = []
        for job in batch:
            job.headers = headers_for(job.outgoing, job.attempt)
            posts.append(Post(job.post, _endpoint(job), job.outgoing.url, job.outgoing.body, job.headers, self.timeout))
        self.poster.send(posts, self._answered)

    def _answered(self, answers: list[Answer]) -> None:
        """Record answers (from the poster's thread) and queue the retries."""
        recorded: list[Attempt] = []
        with self._cond:
            if not self._recording:
                return  # stopped: what is in flight stays pending
            for answer in answers:
                job = self._in_flight.pop(answer.key, None)
                if job is None or answer.sent == NOT_SENT or job.cancelled:
                    continue
                recorded.append(self._note(job, answer))
            self._cond.notify()  # a retry may be due before the pump's wait ends
            self._idle.notify_all()
        for attempt in recorded:
            if not attempt.ok:
                warn_failed(attempt.as_dict())
            if self._on_attempt is not None:
                self._on_attempt(attempt.as_dict)

    def _note(self, job: _Job, answer: Answer) -> Attempt:
        """Record the attempt and queue the retry, if any (holding the lock)."""
        message = job.outgoing
        error, retry_in = outcome(message, job.attempt, job.schedule, self.time_scale, answer.sent)
        if job.retire:
            retry_in = None  # its subscription was deleted meanwhile
        came = Came(message, job.attempt, answer.sent, error, answer.seconds, retry_in, job.headers)
        attempt = Attempt(next(self._attempt_ids), job.provider, job.tenant, came, self.clock.time_at(answer.began))
        for gone in self._history.append(attempt):  # the oldest, past the count or the bytes
            self._dropped[gone.provider, gone.tenant] += 1
        if retry_in is not None:
            job.attempt += 1
            job.due = time.monotonic() + retry_in
            job.order = next(self._order)
            heapq.heappush(self._queue, job)
        return attempt
