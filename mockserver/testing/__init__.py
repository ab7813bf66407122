"""The test kit: run the emulators from tests and look inside them, per account.

    from mockserver.testing import Emulator

    with Emulator.start() as emulator:           # or Emulator.connect("http://127.0.0.1:8080")
        account = emulator.account("systeme")     # a fresh, isolated account
        api = account.session()
        api.post("/api/contacts", json={"email": "ada@gmail.com"})
        account.assert_called("POST", "/api/contacts", times=1)

Under pytest the same objects come as fixtures (`mockserver`, `webhook_receiver`), from the
plugin this package registers (mockserver.pytest_plugin).
"""

from __future__ import annotations

from mockserver.testing.client import (
    TEST_SETTINGS,
    Account,
    ApiSession,
    Emulator,
    Fault,
    MockserverError,
    Override,
)
from mockserver.testing.receiver import ReceivedWebhook, WebhookReceiver
from mockserver.testing.records import Delivery, RecordedRequest
from mockserver.testing.signatures import verify_signature

__all__ = [
    "TEST_SETTINGS",
    "Account",
    "ApiSession",
    "Delivery",
    "Emulator",
    "Fault",
    "MockserverError",
    "Override",
    "ReceivedWebhook",
    "RecordedRequest",
    "WebhookReceiver",
    "verify_signature",
]
