"""Who may use the admin API: requests whose Host is this server's (a loopback name, the
address it listens on, or one allowed with --allowed-host), state changes only from pages of
those origins (a web page the developer visits cannot reset or read the emulator through DNS
rebinding or a cross-site POST), and, when a token is set (`serve` on a non-loopback
address), only with `Authorization: Bearer <token>`. /__admin/health stays open."""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from flask import Response, request

from mockserver.engine.runtime import encode
from mockserver.engine.settings import Settings

OPEN_PATHS = frozenset({"/__admin/health"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


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
    def __init__(self, settings: Settings) -> None:
        self.token = settings.admin_token
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
        if self.token is not None:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self.token.encode()):
                response = _refused(
                    401, "the admin API needs Authorization: Bearer <the admin token the server printed at start>"
                )
                response.headers["WWW-Authenticate"] = 'Bearer realm="mockserver admin"'
                return response
        return None


def _refused(status: int, message: str) -> Response:
    return Response(encode({"error": message}), status=status, content_type="application/json")
