"""On shared state (several workers, or hosts, on one Redis) an account's dashboard URL made by
one worker is known to every other: the refs are made with the state's secret."""

from __future__ import annotations

from mockserver.app import create_app, emulator_of
from mockserver.engine.settings import Settings
from mockserver.testing.redis_server import RedisServer
from tests.dashboard.helpers import account_url, html


def test_an_account_page_made_by_one_worker_opens_on_another(redis_server: RedisServer, redis_url: str) -> None:
    one, two = (create_app(Settings(state=redis_url, demo_data=False), deliver=False) for _ in range(2))
    try:
        made = one.test_client().post("/systeme/api/contacts", json={"email": "ada@gmail.com"}, headers={"X-API-Key": "shared-1"})
        assert made.status_code == 201
        url = account_url(one, "systeme", "shared-1")
        assert url == account_url(two, "systeme", "shared-1")
        page = html(two.test_client().get(url))
        assert "ada@gmail.com" in page and "shared-1" not in page
        # A state of its own (another Redis database) makes refs of its own.
        other = create_app(Settings(state=redis_server.url(), demo_data=False), deliver=False)
        try:
            assert account_url(other, "systeme", "shared-1") != url
        finally:
            emulator_of(other).dispatcher.stop()
    finally:
        for app in (one, two):
            emulator_of(app).dispatcher.stop()
