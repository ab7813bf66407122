"""Two accounts used at once, as two parallel tests use them: resetting, clearing the
journal, moving the clock or waiting for deliveries in one never changes what the other
sees. Each test runs both sides at the same time, in two threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from mockserver.testing import Account, Emulator, WebhookReceiver


def _both(first: Callable[[threading.Barrier], Any], second: Callable[[threading.Barrier], Any]) -> tuple[Any, Any]:
    """Run both sides at once; they meet at the barrier between their steps."""
    barrier = threading.Barrier(2, timeout=30)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(index: int, side: Callable[[threading.Barrier], Any]) -> None:
        try:
            results[index] = side(barrier)
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, side)) for i, side in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results[0], results[1]


def _hook(account: Account, url: str) -> None:
    body = {"name": "h", "url": url, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    assert account.session().post("/api/webhooks", json=body).status_code == 201


def test_reset_and_journal_clearing_in_one_leave_the_other_whole(mockserver: Emulator) -> None:
    noisy, quiet = mockserver.account("systeme"), mockserver.account("systeme")

    def resetting(barrier: threading.Barrier) -> None:
        api = noisy.session()
        for number in range(5):
            api.post("/api/tags", json={"name": f"noisy {number}"})
        barrier.wait()
        for _ in range(5):  # while the other side works
            noisy.reset()
            noisy.clear_journal()
            api.post("/api/tags", json={"name": "again"})
        barrier.wait()

    def working(barrier: threading.Barrier) -> dict[str, Any]:
        api = quiet.session()
        for number in range(3):
            api.post("/api/tags", json={"name": f"quiet {number}"})
        barrier.wait()
        for _ in range(20):
            assert api.get("/api/tags").status_code == 200
        barrier.wait()
        return {"tags": api.get("/api/tags").json()["items"], "journal": quiet.journal()}

    _, seen = _both(resetting, working)

    assert sorted(t["name"] for t in seen["tags"]) == ["quiet 0", "quiet 1", "quiet 2"]
    assert [c.method for c in seen["journal"]] == ["POST"] * 3 + ["GET"] * 21
    assert [t["name"] for t in noisy.session().get("/api/tags").json()["items"]] == ["again"]


def test_moving_one_accounts_clock_moves_no_other(mockserver: Emulator) -> None:
    traveller, stayer = mockserver.account("simvoly"), mockserver.account("simvoly")
    far = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)

    def travelling(barrier: threading.Barrier) -> datetime:
        barrier.wait()
        traveller.freeze_clock(far)
        traveller.advance_clock(3600)
        contact = traveller.session().post("/api/site/contacts", json={"email": "future@example.com"}).json()
        barrier.wait()
        return datetime.fromtimestamp(contact["createdOn"], UTC)  # stamped by the account's clock

    def staying(barrier: threading.Barrier) -> list[datetime]:
        barrier.wait()
        seen = [stayer.now() for _ in range(10)]
        barrier.wait()
        return [*seen, stayer.now()]

    travelled, stayed = _both(travelling, staying)

    assert traveller.now() == far + timedelta(hours=1)  # frozen there
    assert travelled == far + timedelta(hours=1)
    now = datetime.now(UTC)
    assert all(abs(moment - now) < timedelta(minutes=1) for moment in stayed)
    stayer_later = stayer.now()
    time.sleep(1.1)
    assert stayer.now() > stayer_later, "the other account's clock still runs"


def test_waiting_in_one_account_neither_waits_for_nor_blocks_the_other(mockserver: Emulator) -> None:
    slow_receiver, fast_receiver = WebhookReceiver(), WebhookReceiver()
    slow_receiver.delay = 1.5
    slow, fast = mockserver.account("systeme"), mockserver.account("systeme")
    _hook(slow, slow_receiver.url)
    _hook(fast, fast_receiver.url)
    try:

        def waiting_long(barrier: threading.Barrier) -> float:
            slow.session().post("/api/contacts", json={"email": "slow@gmail.com"})
            barrier.wait()
            started = time.monotonic()
            slow.wait_for_deliveries(1, timeout=20)
            return time.monotonic() - started

        def working(barrier: threading.Barrier) -> dict[str, Any]:
            barrier.wait()
            started = time.monotonic()
            fast.session().post("/api/contacts", json={"email": "fast@gmail.com"})
            assert fast.wait_for_idle(timeout=10)
            idle_after = time.monotonic() - started
            calls = [fast.session().get("/api/contacts").status_code for _ in range(20)]
            return {"idle_after": idle_after, "calls": calls, "elapsed": time.monotonic() - started}

        slow_wait, fast_side = _both(waiting_long, working)
    finally:
        slow_receiver.stop()
        fast_receiver.stop()

    assert slow_wait >= 1.0, "the slow account's wait lasted as long as its delivery"
    assert fast_side["idle_after"] < 1.0, "the fast account did not wait for the slow one's delivery"
    assert fast_side["calls"] == [200] * 20
    assert fast_side["elapsed"] < slow_wait
    assert len(fast.deliveries()) == 1 and len(slow.deliveries()) == 1
