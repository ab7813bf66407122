"""Run-time options of one emulator process (the command line fills these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEMO_KEY = "demo"


@dataclass(frozen=True)
class Settings:
    seed: int = 1
    demo_data: bool = True
    demo_key: str = DEMO_KEY
    # Unknown API keys get a fresh empty tenant; when False they are refused with 401,
    # except for the keys listed in `api_keys` (and the demo key).
    allow_unknown_keys: bool = True
    api_keys: tuple[str, ...] = ()
    # Check every response against the spec; a mismatch becomes a 500 (tests turn this on).
    strict_responses: bool = False
    rate_limit: int = 1000
    rate_window: float = 10.0
    # Multiplies every webhook retry delay: 0.001 turns a minute into 60 ms.
    webhook_time_scale: float = 1.0
    webhook_timeout: float = 10.0
    # Link-local webhook targets (169.254.0.0/16, fe80::/10: cloud metadata) are refused
    # unless named here: host names, addresses or networks (engine/webhook_targets.py).
    allowed_webhook_targets: tuple[str, ...] = ()
    # POSTs under way at once (the poster's threads): an endpoint that is slow to resolve or
    # answer holds one for up to the timeout, so there are enough that other accounts'
    # deliveries do not wait behind it.
    webhook_workers: int = 16
    # Make the deliveries' HTTP requests in a delivery process of their own (engine/delivery.py),
    # so they take no interpreter time from the API (`mockserver serve` does).
    delivery_process: bool = False
    journal_size: int = 1000
    # ...and at most this many bytes of bodies (a request's and its answer's, 64 KiB each at most).
    journal_bytes: int = 32 * 1024 * 1024
    # Accounts of all providers together: each costs memory, and any string is a key, so a
    # new key past this is refused as an unknown one (401), with a line on the log.
    max_accounts: int = 10_000
    # A provider also served at the root (its native paths), e.g. "systeme".
    native: str | None = None
    # Where state lives: None in this process's memory; "redis://HOST:PORT/DB" in Redis,
    # shared by every worker and host pointed at it (engine/shared_state.py).
    state: str | None = None
    # One line per request on stderr, as "text" or "json"; None says nothing (in process, tests).
    log_format: str | None = None
    # Fault rules in force from the start (`serve --faults FILE`), as POST /__admin/faults takes them.
    faults: tuple[dict[str, Any], ...] = ()
    # Who may use the admin API (engine/admin_guard.py): requests whose Host is a loopback
    # name, the address served on, or one of allowed_hosts; with admin_token, only those
    # sending it as a bearer token.
    listen_host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    admin_token: str | None = None
    # Origins of browser apps the emulated APIs answer with CORS headers ("*": any); none by default.
    cors: tuple[str, ...] = ()
