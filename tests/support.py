"""Test helpers: a real emulator on port 0, API clients, a webhook receiver, and the response
checks every provider's tests share."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from urllib3.util import SKIP_HEADER

from mockserver.app import create_app, emulator_of
from mockserver.engine.runtime import Emulator
from mockserver.engine.settings import Settings
from mockserver.serving import Server

# The contact fields every new Systeme.io account has, in order.
SYSTEME_DEFAULT_SLUGS = [
    "first_name",
    "surname",
    "phone_number",
    "street_address",
    "city",
    "country",
    "state",
    "postcode",
    "company_name",
]

# The User-Agent the tests send to providers that require one (ClickFunnels, Simvoly).
USER_AGENT = "mockserver-tests/1.0"
# requests always sends a User-Agent, and urllib3 adds its own when the header is left out
# (so `headers={"User-Agent": None}` still sends one); SKIP_HEADER really sends none.
NO_USER_AGENT = {"User-Agent": SKIP_HEADER}

# What the test suite runs the emulator with: strict response checks on, retries
# compressed a thousandfold, and a rate limit no test reaches by accident.
TEST_SETTINGS = Settings(
    strict_responses=True,
    webhook_time_scale=0.001,
    webhook_timeout=2.0,
    rate_limit=1_000_000,
    rate_window=60,
)


class RunningEmulator:
    """An emulator serving on a free loopback port."""

    def __init__(self, settings: Settings = TEST_SETTINGS) -> None:
        self.app = create_app(settings)
        self.emulator: Emulator = emulator_of(self.app)
        self.server = Server(self.app, host="127.0.0.1", port=0).start()
        self.url = self.server.url

    def stop(self) -> None:
        self.server.stop()

    def admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return _session().request(method, f"{self.url}/__admin/{path.lstrip('/')}", timeout=30, **kwargs)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


class ApiClient:
    """requests with a base URL and default headers, never through a proxy."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = _session()
        self.session.headers.update(headers)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def merge_patch(self, path: str, body: Any) -> requests.Response:
        """PATCH with application/merge-patch+json, as Systeme.io requires."""
        return self.request("PATCH", path, data=json.dumps(body), headers={"Content-Type": "application/merge-patch+json"})


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """An HTTP server that records every POST. `fail_first` answers 500 to that many
    requests before succeeding; `respond` can override the status per request."""

    fail_first: int = 0
    delay: float = 0.0
    respond: Callable[[Received], int] | None = None
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        self._lock = threading.Condition()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                item = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._lock:
                    receiver.received.append(item)
                    number = len(receiver.received)
                    receiver._lock.notify_all()
                status = 500 if number <= receiver.fail_first else 200
                if receiver.respond is not None:
                    status = receiver.respond(item)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hook"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._lock.wait(remaining)
            return list(self.received)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def fresh_key() -> str:
    """An API key no test has used: a fresh, empty account."""
    return f"test-{uuid.uuid4().hex}"


def bearer_client(emulator: RunningEmulator, provider: str, key: str | None, **headers: str) -> ApiClient:
    """A client of a provider that takes the key as a bearer token and wants a User-Agent
    (ClickFunnels, Simvoly); without a key (None or "") it sends no Authorization at all."""
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    return ApiClient(f"{emulator.url}/{provider}", {"User-Agent": USER_AGENT, **auth, **headers})


def ok(response: requests.Response, status: int = 200) -> Any:
    """The JSON body of a response with the status expected."""
    assert response.status_code == status, response.text
    return response.json()


def created(response: requests.Response) -> dict[str, Any]:
    """The record a 201 answers."""
    assert response.status_code == 201, response.text
    record: dict[str, Any] = response.json()
    return record


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only: never through a proxy from the environment
    return session
