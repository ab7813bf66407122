"""The dashboard is guarded as the admin API is: its own Host names only, no change from a
foreign Origin, and with a token, a login form whose cookie both accept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from mockserver.app import create_app, emulator_of
from mockserver.engine.admin_guard import TOKEN_COOKIE
from mockserver.engine.settings import Settings

TOKEN = "the-admin-token-0123456789"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = create_app(Settings(admin_token=TOKEN), deliver=False)
    yield app
    emulator_of(app).dispatcher.stop()


@pytest.fixture(scope="module")
def open_app() -> Iterator[Flask]:
    app = create_app(Settings(), deliver=False)
    yield app
    emulator_of(app).dispatcher.stop()


def test_a_foreign_host_is_refused(open_app: Flask) -> None:
    client = open_app.test_client()
    assert client.get("/__dashboard/", headers={"Host": "evil.example"}).status_code == 403
    assert client.get("/__dashboard/", headers={"Host": "localhost:8080"}).status_code == 200


def test_a_change_from_a_foreign_origin_is_refused(open_app: Flask) -> None:
    client = open_app.test_client()
    form = {"provider": "systeme", "apiKey": "from-a-foreign-page"}
    assert client.post("/__dashboard/accounts", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert emulator_of(open_app).store.get("systeme", "from-a-foreign-page") is None
    assert client.post("/__dashboard/accounts", data=form, headers={"Origin": "http://localhost"}).status_code == 303


def test_without_a_token_set_no_login_is_needed(open_app: Flask) -> None:
    client = open_app.test_client()
    assert client.get("/__dashboard/").status_code == 200
    assert client.get("/__dashboard/login").headers["Location"] == "/__dashboard/"


def test_with_a_token_pages_send_to_the_login_form(app: Flask) -> None:
    client = app.test_client()
    for path in ("/__dashboard/", "/__dashboard/requests", "/__dashboard/events"):
        refused = client.get(path)
        assert refused.status_code == 303 and refused.headers["Location"] == "/__dashboard/login", path
    assert client.post("/__dashboard/accounts", data={"provider": "systeme", "apiKey": "k"}).status_code == 303
    assert emulator_of(app).store.get("systeme", "k") is None
    login = client.get("/__dashboard/login")
    assert login.status_code == 200 and 'type="password"' in login.get_data(as_text=True)
    asset = client.get("/__dashboard/static/dashboard.css")
    assert asset.status_code == 200
    asset.close()
    # the admin API keeps its JSON 401
    admin = client.get("/__admin/tenants")
    assert admin.status_code == 401 and admin.is_json


def test_the_login_cookie_lets_the_browser_in_to_both(app: Flask) -> None:
    client = app.test_client()
    wrong = client.post("/__dashboard/login", data={"token": "guess"})
    assert wrong.status_code == 401 and 'role="alert"' in wrong.get_data(as_text=True)
    assert client.get_cookie(TOKEN_COOKIE) is None
    right = client.post("/__dashboard/login", data={"token": TOKEN})
    assert right.status_code == 303 and right.headers["Location"] == "/__dashboard/"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert client.get("/__dashboard/").status_code == 200
    assert client.get("/__admin/tenants").status_code == 200
    assert client.post("/__dashboard/logout").status_code == 303
    assert client.get("/__dashboard/").status_code == 303


def test_the_bearer_token_still_works_and_a_wrong_cookie_does_not(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/__dashboard/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    client.set_cookie(TOKEN_COOKIE, "not-the-token")
    assert client.get("/__admin/tenants").status_code == 401
    client.set_cookie(TOKEN_COOKIE, "ünïcode")
    assert client.get("/__admin/tenants").status_code == 401
