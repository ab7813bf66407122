"""How the dashboard names an account in its URLs without its key: a keyed fingerprint of
(provider, key) made with a secret of this process, so a URL (a browser's history, a
screenshot) never carries the key and cannot be turned back into it. On shared state the
secret is the state's (kept in Redis), so every worker and host behind one address knows
the refs any of them made."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import Any

from mockserver.engine.store import Store, Tenant

# Remembered refs, dropped all at once past this many (accounts come and go).
MEMO_LIMIT = 50_000


class Refs:
    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)  # by default made once per process: refs die with it
        self._memo: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def of(self, provider: str, key: str) -> str:
        found = self._memo.get((provider, key))
        if found is None:
            found = hmac.new(self._secret, f"{provider}\n{key}".encode(), hashlib.sha256).hexdigest()[:16]
            with self._lock:
                if len(self._memo) >= MEMO_LIMIT:
                    self._memo.clear()
                self._memo[(provider, key)] = found
        return found

    def tenant(self, store: Store, provider: str, ref: str) -> Tenant | None:
        """The account a ref names (a scan of the provider's accounts: 10,000 take a few ms)."""
        for tenant in store.tenants(provider):
            if self.of(provider, tenant.key) == ref:
                return tenant
        return None


def shared_secret(link: Any) -> bytes:
    """The secret of the state in Redis: made by the first worker to ask, read by the others."""
    name = link.prefix + "dashboard-secret"
    link.client.set(name, secrets.token_hex(32), nx=True)
    return bytes(link.client.get(name))
