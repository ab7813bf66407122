"""The login form, for a server with an admin token: a browser's EventSource sends no
Authorization header, so the token goes in a cookie (HttpOnly, SameSite=Strict), which the
guard of the admin API and the dashboard accepts as it accepts the bearer token."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, redirect, request, url_for

from mockserver.dashboard.common import Dashboard, page
from mockserver.engine.admin_guard import TOKEN_COOKIE


def mount_login(bp: Blueprint, dash: Dashboard) -> None:
    settings = dash.emulator.settings

    @bp.get("/login")
    def login() -> Response:
        if settings.admin_token is None:  # nothing to log in to
            return redirect(url_for(".accounts"), 303)  # type: ignore[return-value]
        return page("login.html")

    @bp.post("/login")
    def log_in() -> Response:
        token = settings.admin_token
        if token is None:
            return redirect(url_for(".accounts"), 303)  # type: ignore[return-value]
        given = request.form.get("token", "").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return page("login.html", 401, error="That is not the admin token (the server printed it at start).")
        response = redirect(url_for(".accounts"), 303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response  # type: ignore[return-value]

    @bp.post("/logout")
    def log_out() -> Response:
        response = redirect(url_for(".login"), 303)
        response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="Strict")
        return response  # type: ignore[return-value]
