"""The live feed (engine/feed.py): nothing kept while nobody listens, every listener sees
what was published after it subscribed, a quiet wait ends empty, a slow listener loses the
oldest beyond the backlog, and closing ends the waits."""

from __future__ import annotations

import threading

from mockserver.engine.feed import Feed


def test_nothing_is_kept_while_nobody_listens() -> None:
    feed = Feed()
    feed.publish("request", 1)
    first = feed.subscribe()
    feed.publish("request", 2)
    second = feed.subscribe()
    feed.publish("delivery", 3)
    assert first.next_items(0) == [("request", 2), ("delivery", 3)]
    assert second.next_items(0) == [("delivery", 3)]
    assert first.next_items(0.05) == []  # quiet: an empty answer after the timeout
    assert feed.listeners == 2
    first.close()
    first.close()  # closing twice counts once
    assert feed.listeners == 1 and first.closed


def test_a_listener_that_falls_behind_the_backlog_loses_the_oldest() -> None:
    feed = Feed(backlog=3)
    listener = feed.subscribe()
    for number in range(5):
        feed.publish("request", number)
    assert listener.next_items(0) == [("request", 2), ("request", 3), ("request", 4)]


def test_a_waiting_listener_wakes_for_an_item_and_closing_the_feed_ends_every_wait() -> None:
    feed = Feed()
    listener = feed.subscribe()
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(listener.next_items(10)))
    waiter.start()
    feed.publish("delivery", {"id": 1})
    waiter.join(5)
    assert got == [[("delivery", {"id": 1})]]
    waiter = threading.Thread(target=lambda: got.append(listener.next_items(30)))
    waiter.start()
    feed.close()
    waiter.join(5)
    assert not waiter.is_alive() and got[-1] == [] and listener.closed
