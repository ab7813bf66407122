"""Who may use the admin API: requests whose Host is this server's (a loopback name, the
address it listens on, or one allowed with --allowed-host), state changes only from pages of
those origins (a web page the developer visits cannot reset or read the emulator through DNS
rebinding or a cross-site POST), and, when a token is set (`serve` on a non-loopback
address), only with `Authorization: Bearer <token>` or the dashboard's login cookie (a
browser's EventSource sends no header). /__admin/health stays open. The dashboard uses the
same guard: its pages refused for want of the token redirect to its login page."""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from flask import Response, redirect, request

from mockserver.engine.runtime import encode
from mockserver.engine.settings import Settings

OPEN_PATHS = frozenset({"/__admin/health"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Set by the dashboard's login form (HttpOnly, SameSite=Strict): the token, as a cookie.
TOKEN_COOKIE = "mockserver_admin"


def is_loopback(host: str) -> bool:
    """A loopback name or address (127.0.0.0/8, ::1), as a Host header or a --host gives it."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_name(netloc: str) -> str:
    """The host of a Host header or an Origin's netloc, without its port, lower case."""
    return (urlsplit(f"//{netloc}").hostname or "").lower()


class AdminGuard:
    def __init__(self, settings: Settings, *, login: str | None = None, public: tuple[str, ...] = ()) -> None:
        """`login`: where a page refused for want of the token is sent (the dashboard's login
        form) instead of a JSON 401; `public`: path prefixes that need no token (the login
        form and its assets), though the Host and Origin checks still apply."""
        self.token = settings.admin_token
        self.login = login
        self.public = public
        listen = settings.listen_host.strip("[]").lower()
        unspecified = listen in ("0.0.0.0", "::", "")
        self.hosts = {host.lower() for host in settings.allowed_hosts} | (set() if unspecified else {listen})

    def allows(self, host: str) -> bool:
        return is_loopback(host) or host in self.hosts

    def __call__(self) -> Response | None:
        """Flask's before_request for the admin blueprint: None lets the request through."""
        if request.path in OPEN_PATHS:
            return None
        host = host_name(request.host)
        if not self.allows(host):
            return _refused(
                403, f"Host {host or '(none)'!r} is not this server's name; start it with --allowed-host {host or 'NAME'}"
            )
        origin = request.headers.get("Origin")
        if origin is not None and request.method not in SAFE_METHODS and not self.allows(host_name(urlsplit(origin).netloc)):
            return _refused(403, f"a change from a page of {origin} is refused (Origin is not this server's)")
        if self.token is None or self._has_token(self.token) or any(request.path.startswith(p) for p in self.public):
            return None
        if self.login is not None:
            return redirect(self.login, 303)  # type: ignore[return-value]
        response = _refused(401, "the admin API needs Authorization: Bearer <the admin token the server printed at start>")
        response.headers["WWW-Authenticate"] = 'Bearer realm="mockserver admin"'
        return response

    @staticmethod
    def _has_token(token: str) -> bool:
        """The bearer token, or the login cookie holding it (compared in constant time)."""
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
        cookie = request.cookies.get(TOKEN_COOKIE)
        return cookie is not None and hmac.compare_digest(cookie.encode(), token.encode())


def _refused(status: int, message: str) -> Response:
    return Response(encode({"error": message}), status=status, content_type="application/json")
