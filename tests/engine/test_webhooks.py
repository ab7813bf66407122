"""The webhook dispatcher on its own: delivery, retries on the (compressed) schedule,
refused connections, timeouts, forgetting a tenant, and waiting until idle."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from mockserver.engine.clock import Clock, iso
from mockserver.engine.delivering import Outgoing
from mockserver.engine.webhooks import WebhookDispatcher
from mockserver.testing import ReceivedWebhook, WebhookReceiver

# Schedules below are in "provider seconds"; this scale turns 10 s into 10 ms.
SCALE = 0.001
FAST = (10.0, 10.0, 10.0, 10.0)

Factory = Callable[..., WebhookDispatcher]


@pytest.fixture
def make_dispatcher() -> Iterator[Factory]:
    started: list[WebhookDispatcher] = []

    def make(clock: Clock | None = None, **options: Any) -> WebhookDispatcher:
        options.setdefault("time_scale", SCALE)
        options.setdefault("timeout", 2.0)
        options.setdefault("workers", 2)
        dispatcher = WebhookDispatcher(clock or Clock(), **options)
        dispatcher.start()
        started.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in started:
        dispatcher.stop(timeout=2.0)


@pytest.fixture
def dispatcher(make_dispatcher: Factory) -> WebhookDispatcher:
    return make_dispatcher()


def _message(
    url: str,
    *,
    body: bytes = b'{"contact":{"id":1}}',
    event: str = "CONTACT_CREATED",
    message_id: str = "msg-1",
    attempt_headers: Callable[[int], Mapping[str, str]] | None = None,
) -> Outgoing:
    return Outgoing(
        url=url,
        body=body,
        headers={"Content-Type": "application/json", "X-Webhook-Event": event, "X-Webhook-Signature": "sig"},
        event=event,
        webhook_id="hook-1",
        message_id=message_id,
        attempt_headers=attempt_headers,
    )


def _closed_port_url() -> str:
    """A loopback URL nobody listens on: a port we bound and released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def _wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return condition()


@pytest.fixture
def failing_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        server.respond_with(503)
        yield server


# -- delivery -----------------------------------------------------------------------------


def test_a_delivery_arrives_with_its_body_and_headers(dispatcher: WebhookDispatcher, webhook_receiver: WebhookReceiver) -> None:
    message = _message(webhook_receiver.url, body=b'{"contact":{"id":42}}')
    dispatcher.submit("systeme", "tenant", [message], FAST)
    received = webhook_receiver.wait(1, timeout=5)
    assert len(received) == 1
    assert received[0].path == urlsplit(webhook_receiver.url).path
    assert received[0].body == b'{"contact":{"id":42}}'
    assert received[0].headers["Content-Type"] == "application/json"
    assert received[0].headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert received[0].headers["X-Webhook-Signature"] == "sig"


def test_a_successful_delivery_is_recorded_once(dispatcher: WebhookDispatcher, webhook_receiver: WebhookReceiver) -> None:
    dispatcher.submit("systeme", "tenant", [_message(webhook_receiver.url)], FAST)
    assert dispatcher.wait_idle(5)
    [attempt] = dispatcher.attempts()
    assert attempt["provider"] == "systeme"
    assert attempt["apiKey"] == "tenant"
    assert attempt["webhookId"] == "hook-1"
    assert attempt["messageId"] == "msg-1"
    assert attempt["event"] == "CONTACT_CREATED"
    assert attempt["url"] == webhook_receiver.url
    assert attempt["attempt"] == 1
    assert attempt["ok"] is True
    assert attempt["status"] == 200
    assert attempt["error"] is None
    assert attempt["willRetry"] is False
    assert attempt["nextAttemptInSeconds"] is None
    assert attempt["requestBody"] == '{"contact":{"id":1}}'
    assert attempt["responseBody"] == "ok"
    assert attempt["requestHeaders"]["X-Webhook-Event"] == "CONTACT_CREATED"
    assert len(webhook_receiver.requests) == 1


def test_attempts_are_stamped_by_the_emulator_clock(make_dispatcher: Factory, webhook_receiver: WebhookReceiver) -> None:
    clock = Clock()
    moment = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    clock.freeze(moment)
    dispatcher = make_dispatcher(clock)
    dispatcher.submit("systeme", "tenant", [_message(webhook_receiver.url)], FAST)
    assert dispatcher.wait_idle(5)
    assert [a["at"] for a in dispatcher.attempts()] == [iso(moment)]


def test_every_message_of_a_submission_is_delivered(dispatcher: WebhookDispatcher, webhook_receiver: WebhookReceiver) -> None:
    messages = [_message(webhook_receiver.url, message_id=f"m{n}", body=f'{{"n":{n}}}'.encode()) for n in range(6)]
    dispatcher.submit("systeme", "tenant", messages, FAST)
    assert dispatcher.wait_idle(5)
    assert sorted(r.body for r in webhook_receiver.requests) == sorted(m.body for m in messages)
    assert sorted(a["messageId"] for a in dispatcher.attempts()) == [f"m{n}" for n in range(6)]


def test_an_empty_submission_queues_nothing(dispatcher: WebhookDispatcher) -> None:
    dispatcher.submit("systeme", "tenant", [], FAST)
    assert dispatcher.outstanding() == 0
    assert dispatcher.attempts() == []


# -- retries ------------------------------------------------------------------------------


def test_a_receiver_failing_twice_gets_three_attempts(make_dispatcher: Factory) -> None:
    dispatcher = make_dispatcher()
    with WebhookReceiver() as receiver:
        receiver.respond_with(500, times=2)
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], FAST)
        assert dispatcher.wait_idle(5)
        attempts = dispatcher.attempts()
        assert [a["attempt"] for a in attempts] == [1, 2, 3]
        assert [a["ok"] for a in attempts] == [False, False, True]
        assert [a["status"] for a in attempts] == [500, 500, 200]
        assert [a["willRetry"] for a in attempts] == [True, True, False]
        assert [a["error"] for a in attempts] == ["HTTP 500", "HTTP 500", None]
        assert [a["nextAttemptInSeconds"] for a in attempts] == [FAST[0] * SCALE, FAST[1] * SCALE, None]
        assert {a["messageId"] for a in attempts} == {"msg-1"}
        assert len({a["id"] for a in attempts}) == 3
        assert [r.body for r in receiver.requests] == [_message(receiver.url).body] * 3


def test_a_retry_waits_for_its_scaled_delay(make_dispatcher: Factory) -> None:
    arrivals: list[float] = []

    def respond(_: ReceivedWebhook) -> int:
        arrivals.append(time.monotonic())
        return 500 if len(arrivals) == 1 else 200

    with WebhookReceiver() as receiver:
        receiver.respond = respond
        dispatcher = make_dispatcher()
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], (150.0,))  # 0.15 s once scaled
        assert dispatcher.wait_idle(5)
        assert len(arrivals) == 2
        assert arrivals[1] - arrivals[0] >= 0.15


def test_a_refused_connection_is_retried_and_recorded_with_an_error(dispatcher: WebhookDispatcher) -> None:
    url = _closed_port_url()
    dispatcher.submit("systeme", "tenant", [_message(url)], (10.0,))
    assert dispatcher.wait_idle(5)
    attempts = dispatcher.attempts()
    assert [a["attempt"] for a in attempts] == [1, 2]
    assert [a["willRetry"] for a in attempts] == [True, False]
    for attempt in attempts:
        assert attempt["ok"] is False
        assert attempt["status"] is None
        assert "ConnectionError" in attempt["error"]
        assert attempt["url"] == url


def test_a_receiver_slower_than_the_timeout_is_recorded_as_a_timeout(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as receiver:
        receiver.delay = 1.0
        dispatcher = make_dispatcher(timeout=0.2)
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], ())
        assert dispatcher.wait_idle(5)
        [attempt] = dispatcher.attempts()
        assert attempt["ok"] is False
        assert attempt["status"] is None
        assert "Timeout" in attempt["error"]
        assert attempt["willRetry"] is False
        assert attempt["durationMs"] < 900  # the dispatcher gave up; it did not wait for the answer


def test_retries_stop_when_the_schedule_is_exhausted(dispatcher: WebhookDispatcher, failing_receiver: WebhookReceiver) -> None:
    dispatcher.submit("systeme", "tenant", [_message(failing_receiver.url)], (10.0, 10.0))
    assert dispatcher.wait_idle(5)
    attempts = dispatcher.attempts()
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["willRetry"] for a in attempts] == [True, True, False]
    assert [a["status"] for a in attempts] == [503, 503, 503]
    assert dispatcher.outstanding() == 0
    time.sleep(0.1)  # well past the last scaled delay: nothing more is sent
    assert len(failing_receiver.requests) == 3
    assert len(dispatcher.attempts()) == 3


def test_an_empty_schedule_means_a_single_attempt(dispatcher: WebhookDispatcher, failing_receiver: WebhookReceiver) -> None:
    dispatcher.submit("systeme", "tenant", [_message(failing_receiver.url)], ())
    assert dispatcher.wait_idle(5)
    assert [(a["attempt"], a["willRetry"]) for a in dispatcher.attempts()] == [(1, False)]


def test_attempt_headers_are_asked_for_with_increasing_attempt_numbers(make_dispatcher: Factory) -> None:
    asked: list[int] = []
    lock = threading.Lock()

    def attempt_headers(number: int) -> Mapping[str, str]:
        with lock:
            asked.append(number)
        return {"X-Attempt": str(number)}

    with WebhookReceiver() as receiver:
        receiver.respond_with(500, times=2)
        dispatcher = make_dispatcher()
        dispatcher.submit("systeme", "tenant", [_message(receiver.url, attempt_headers=attempt_headers)], FAST)
        assert dispatcher.wait_idle(5)
        assert asked == [1, 2, 3]
        assert [r.headers["X-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
        assert [a["requestHeaders"]["X-Attempt"] for a in dispatcher.attempts()] == ["1", "2", "3"]
        # The fixed headers travel on every attempt too.
        assert {r.headers["X-Webhook-Signature"] for r in receiver.requests} == {"sig"}


# -- forgetting a tenant ------------------------------------------------------------------


def test_forget_drops_queued_retries_and_history_of_one_tenant_only(
    dispatcher: WebhookDispatcher, failing_receiver: WebhookReceiver
) -> None:
    schedule = (200.0,)  # one retry, 0.2 s after the first attempt
    for provider, tenant in (("p", "a"), ("p", "b"), ("q", "a")):
        dispatcher.submit(provider, tenant, [_message(failing_receiver.url, message_id=f"{provider}-{tenant}")], schedule)
    assert _wait_until(lambda: len(dispatcher.attempts()) == 3)
    dispatcher.forget("p", "a")
    assert dispatcher.attempts("p", "a") == []
    assert len(dispatcher.attempts("p", "b")) == 1
    assert len(dispatcher.attempts("q", "a")) == 1
    assert dispatcher.wait_idle(5)
    assert dispatcher.attempts("p", "a") == []
    assert [a["attempt"] for a in dispatcher.attempts("p", "b")] == [1, 2]
    assert [a["attempt"] for a in dispatcher.attempts("q", "a")] == [1, 2]
    assert len(failing_receiver.requests) == 5  # three first attempts, two retries: the forgotten one never retried


def test_forget_cancels_a_delivery_in_flight(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as receiver:
        receiver.delay = 0.3
        receiver.respond_with(503)
        dispatcher = make_dispatcher()
        dispatcher.submit("p", "a", [_message(receiver.url)], FAST)
        receiver.wait_arrived(1)  # the attempt is now waiting on the slow receiver
        assert dispatcher.outstanding() == 1
        dispatcher.forget("p", "a")
        assert dispatcher.wait_idle(5)
        assert dispatcher.attempts() == []
        assert len(receiver.requests) == 1  # and it was not retried


# -- a deleted subscription ----------------------------------------------------------------


def _for_hook(url: str, webhook_id: str, message_id: str) -> Outgoing:
    return Outgoing(url, b"{}", {"Content-Type": "application/json"}, "CONTACT_CREATED", webhook_id, message_id)


def test_drop_stops_the_retries_of_one_subscription_only(
    dispatcher: WebhookDispatcher, failing_receiver: WebhookReceiver
) -> None:
    schedule = (200.0,)  # one retry, 0.2 s after the first attempt
    dispatcher.submit(
        "p", "a", [_for_hook(failing_receiver.url, "gone", "m1"), _for_hook(failing_receiver.url, "kept", "m2")], schedule
    )
    dispatcher.submit("p", "b", [_for_hook(failing_receiver.url, "gone", "m3")], schedule)  # same id, other account
    assert _wait_until(lambda: len(dispatcher.attempts()) == 3)
    dispatcher.drop("p", "a", "gone")
    assert dispatcher.wait_idle(5)
    retried = sorted(a["messageId"] for a in dispatcher.attempts() if a["attempt"] == 2)
    assert retried == ["m2", "m3"]
    assert len(dispatcher.attempts("p", "a")) == 3  # what was attempted stays in the history


def test_drop_leaves_a_delivery_in_flight_unretried(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as receiver:
        receiver.delay = 0.3
        receiver.respond_with(503)
        dispatcher = make_dispatcher()
        dispatcher.submit("p", "a", [_for_hook(receiver.url, "gone", "m1")], FAST)
        receiver.wait_arrived(1)  # the attempt is now waiting on the slow receiver
        dispatcher.drop("p", "a", "gone")
        assert dispatcher.wait_idle(5)
        assert [a["attempt"] for a in dispatcher.attempts()] == [1]  # recorded, not retried
        assert len(receiver.requests) == 1


# -- a backlog for one busy endpoint -------------------------------------------------------


def test_messages_waiting_for_a_busy_endpoint_go_in_order_while_others_go_at_once(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as slow, WebhookReceiver() as fast:
        slow.delay = 0.3  # the backlog takes 1.2 s to clear
        dispatcher = make_dispatcher(workers=4)
        dispatcher.submit("p", "a", [_message(slow.url, message_id=f"s{n}") for n in range(4)], FAST)
        slow.wait_arrived(1)  # s0 is being sent; s1..s3 wait for the endpoint
        assert dispatcher.outstanding() == 4
        dispatcher.submit("p", "a", [_message(fast.url, message_id="f0")], FAST)
        assert _wait_until(lambda: len(fast.requests) == 1, timeout=0.6)  # not behind the slow backlog
        assert dispatcher.wait_idle(5)
        assert [a["messageId"] for a in dispatcher.attempts() if a["url"] == slow.url] == ["s0", "s1", "s2", "s3"]


def test_messages_waiting_for_a_busy_endpoint_are_dropped_with_their_subscription(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as receiver:
        receiver.delay = 0.2
        dispatcher = make_dispatcher()
        dispatcher.submit("p", "a", [_for_hook(receiver.url, "gone", f"m{n}") for n in range(3)], FAST)
        receiver.wait_arrived(1)  # m0 is being sent; m1 and m2 wait for the endpoint
        dispatcher.drop("p", "a", "gone")
        assert dispatcher.outstanding() == 1
        assert dispatcher.wait_idle(5)
        assert len(receiver.requests) == 1


def test_attempts_filter_by_provider_and_tenant(dispatcher: WebhookDispatcher, webhook_receiver: WebhookReceiver) -> None:
    dispatcher.submit("p", "a", [_message(webhook_receiver.url, message_id="pa")], FAST)
    dispatcher.submit("p", "b", [_message(webhook_receiver.url, message_id="pb")], FAST)
    dispatcher.submit("q", "a", [_message(webhook_receiver.url, message_id="qa")], FAST)
    assert dispatcher.wait_idle(5)
    assert {a["messageId"] for a in dispatcher.attempts("p")} == {"pa", "pb"}
    assert {a["messageId"] for a in dispatcher.attempts(tenant="a")} == {"pa", "qa"}
    assert [a["messageId"] for a in dispatcher.attempts("q", "a")] == ["qa"]
    assert len(dispatcher.attempts()) == 3


# -- waiting ------------------------------------------------------------------------------


def test_wait_idle_is_immediately_true_with_nothing_to_do(dispatcher: WebhookDispatcher) -> None:
    started = time.monotonic()
    assert dispatcher.wait_idle(5) is True
    assert time.monotonic() - started < 1


def test_wait_idle_times_out_while_a_delivery_is_outstanding(make_dispatcher: Factory) -> None:
    with WebhookReceiver() as receiver:
        receiver.delay = 0.4
        dispatcher = make_dispatcher()
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], FAST)
        assert dispatcher.wait_idle(0.05) is False
        assert dispatcher.outstanding() == 1
        assert dispatcher.wait_idle(5) is True
        assert dispatcher.outstanding() == 0
        assert [a["ok"] for a in dispatcher.attempts()] == [True]


def test_wait_idle_waits_through_pending_retries(dispatcher: WebhookDispatcher) -> None:
    with WebhookReceiver() as receiver:
        receiver.respond_with(500, times=1)
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], (100.0,))  # retry after 0.1 s
        assert dispatcher.wait_idle(5) is True
        assert [a["ok"] for a in dispatcher.attempts()] == [False, True]


# -- stopping and snapshots ---------------------------------------------------------------


def test_pending_lists_what_waits_for_a_retry_and_a_restore_sends_it_with_its_attempt(make_dispatcher: Factory) -> None:
    first = make_dispatcher()
    down = _closed_port_url()
    first.submit("systeme", "tenant", [_message(down, message_id="m-1"), _message(down + "2", message_id="m-2")], (60.0, 60.0))
    assert _wait_until(lambda: len(first.attempts()) == 2)
    pending = first.pending("systeme", "tenant")
    pending.sort(key=lambda p: p["messageId"])  # in the order they were (re)queued: either may fail first
    assert [(p["messageId"], p["attempt"]) for p in pending] == [("m-1", 2), ("m-2", 2)]
    assert all(0 < p["dueInSeconds"] <= 60 * SCALE for p in pending)
    assert first.pending("systeme", "another") == [] and first.pending("clickfunnels") == []
    assert pending[0]["body"] == '{"contact":{"id":1}}' and pending[0]["schedule"] == [60.0, 60.0]

    second = make_dispatcher()
    with WebhookReceiver() as receiver:
        restored = _message(receiver.url, message_id=pending[0]["messageId"])
        second.restore_pending([("systeme", "tenant", restored, (60.0, 60.0), pending[0]["attempt"], 0.0)])
        [received] = receiver.wait(1)
    assert received.headers["X-Webhook-Event"] == "CONTACT_CREATED"
    assert _wait_until(lambda: len(second.attempts()) == 1)
    [attempt] = second.attempts()
    assert (attempt["messageId"], attempt["attempt"], attempt["ok"]) == ("m-1", 2, True)


def test_a_retry_failed_while_stopping_stays_queued(make_dispatcher: Factory) -> None:
    dispatcher = make_dispatcher()
    with WebhookReceiver() as receiver:
        receiver.delay = 0.3  # the attempt is under way when the dispatcher stops
        receiver.respond_with(503)
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], FAST)
        receiver.wait(1)
        dispatcher.stop(timeout=5)
    [attempt] = dispatcher.attempts()
    assert attempt["willRetry"] is True
    assert [(p["messageId"], p["attempt"]) for p in dispatcher.pending()] == [("msg-1", 2)]


def test_drain_waits_for_due_messages_but_not_for_retries_far_away(make_dispatcher: Factory) -> None:
    dispatcher = make_dispatcher(time_scale=1.0)
    with WebhookReceiver() as receiver:
        dispatcher.submit("systeme", "tenant", [_message(receiver.url, message_id=f"m-{n}") for n in range(10)], (3600.0,))
        dispatcher.submit("systeme", "tenant", [_message(_closed_port_url(), message_id="later")], (3600.0,))
        assert dispatcher.drain(10) is True
        assert len(receiver.requests) == 10
    assert [p["messageId"] for p in dispatcher.pending()] == ["later"]  # its retry is an hour away


def test_release_waiters_ends_a_wait_but_deliveries_go_on(make_dispatcher: Factory) -> None:
    dispatcher = make_dispatcher()
    with WebhookReceiver() as receiver:
        receiver.delay = 0.5
        dispatcher.submit("systeme", "tenant", [_message(receiver.url)], FAST)
        waited: list[bool] = []
        waiter = threading.Thread(target=lambda: waited.append(dispatcher.wait_idle(30)))
        waiter.start()
        receiver.wait_arrived(1)  # the delivery is under way...
        waiter.join(0.1)
        assert waiter.is_alive()  # ...and the waiter waits for it
        dispatcher.release_waiters()
        waiter.join(5)
        assert waited == [False]  # released before the delivery was done
        receiver.wait(1)
        assert _wait_until(lambda: len(dispatcher.attempts()) == 1)
        assert dispatcher.attempts()[0]["ok"] is True


def test_the_bounded_history_says_how_many_attempts_it_let_go(make_dispatcher: Factory) -> None:
    dispatcher = make_dispatcher(history=3)
    with WebhookReceiver() as receiver:
        messages = [_message(receiver.url, message_id=f"m-{n}") for n in range(5)]
        dispatcher.submit("systeme", "tenant", messages, FAST)
        assert dispatcher.wait_idle(5)
        dispatcher.submit("systeme", "other", [_message(receiver.url, message_id="x")], FAST)
        assert dispatcher.wait_idle(5)
    assert len(dispatcher.attempts()) == 3
    assert dispatcher.dropped() == 3
    assert dispatcher.dropped("systeme", "tenant") == 3  # its five came first: three of them went
    assert dispatcher.dropped("systeme", "other") == 0
    dispatcher.forget("systeme", "tenant")
    assert dispatcher.dropped() == 0


def test_a_forked_copy_sends_what_its_parent_was_sending(make_dispatcher: Factory) -> None:
    """granian forks its worker from the process that built the app: a message the parent
    was sending at that moment is sent by the worker (not left "in flight" for ever, which
    would hold up every later message to its endpoint)."""
    dispatcher = make_dispatcher(workers=1)
    with WebhookReceiver() as receiver:
        arrived = threading.Event()

        def hold(_: ReceivedWebhook) -> None:
            arrived.set()
            time.sleep(1.0)  # the first attempt is still being sent at the fork

        receiver.respond = hold
        dispatcher.submit("systeme", "tenant", [_message(receiver.url, message_id="m-1")], FAST)
        assert arrived.wait(10)
        dispatcher.stop(timeout=0.05)  # as fast_serving does before the fork (the send goes on)
        assert dispatcher.outstanding() == 1
        pid = os.fork()
        if pid == 0:  # the worker: start, send, report by exit status
            code = 1
            try:
                dispatcher.start()
                code = 0 if dispatcher.wait_idle(10) else 3
            finally:
                os._exit(code)
        deadline = time.monotonic() + 30
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        if done[0] == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        assert done[0] == pid and os.waitstatus_to_exitcode(done[1]) == 0
        assert [r.headers["X-Webhook-Event"] for r in receiver.wait(2)] == ["CONTACT_CREATED"] * 2
