"""The HTTP client of the contract suite's own scenarios: the provider's auth on every
request, 429 answered by waiting as `Retry-After` says, and no write unless writes are allowed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from mockserver.contract.profiles import Profile

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How often one request is retried after a 429, and the longest wait accepted.
MAX_RATE_LIMIT_RETRIES = 8
MAX_RETRY_AFTER = 120.0


class WriteRefused(RuntimeError):
    """A scenario tried to write while writes are not allowed (a bug in the scenario)."""


class ContractClient:
    def __init__(
        self,
        profile: Profile,
        base_url: str,
        api_key: str,
        *,
        allow_writes: bool,
        extra_headers: dict[str, str] | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.profile = profile
        self.base_url = base_url.rstrip("/")
        self.allow_writes = allow_writes
        self.timeout = timeout
        self._sleep = sleep
        self.session = requests.Session()
        self.session.trust_env = False  # a contract run talks to the base URL it was given, never through a proxy
        self.session.headers.update(profile.headers(api_key))
        self.session.headers.update(extra_headers or {})
        self.rate_limited = 0  # how many 429s were waited out

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        method = method.upper()
        if method not in READ_METHODS and not self.allow_writes:
            raise WriteRefused(f"{method} {path}: writes are not allowed in this run")
        kwargs.setdefault("timeout", self.timeout)
        for _ in range(MAX_RATE_LIMIT_RETRIES):
            response = self.session.request(method, self.url(path), **kwargs)
            if response.status_code != 429:
                return response
            self.rate_limited += 1
            self._sleep(retry_after(response))
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        self.session.close()


def retry_after(response: requests.Response) -> float:
    """Seconds a 429 asks to wait: `Retry-After` as seconds or as an HTTP date (1 s without it)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
