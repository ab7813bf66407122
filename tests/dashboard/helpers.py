"""What the dashboard's tests share: an account's ref as the dashboard names it, and
reading the pages' hooks."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

PROVIDERS = ("systeme", "clickfunnels", "simvoly", "yulsn")


def ref_of(app: Flask, provider: str, key: str) -> str:
    ref: str = app.extensions["mockserver.dashboard"].refs.of(provider, key)
    return ref


def account_url(app: Flask, provider: str, key: str, below: str = "") -> str:
    return f"/__dashboard/accounts/{provider}/{ref_of(app, provider, key)}{below}"


def html(response: TestResponse, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.content_type == "text/html; charset=utf-8"
    return response.get_data(as_text=True)


def attributes(page: str, name: str) -> list[str]:
    """Every value of a data attribute in the page, in order."""
    return re.findall(rf'{name}="([^"]*)"', page)


def fetch(client: Any, url: str, **form: Any) -> Any:
    """A form sent as dashboard.js sends it: the JSON answer."""
    response = client.post(url, data=form, headers={"X-Dashboard": "fetch"})
    return response.status_code, response.get_json()
