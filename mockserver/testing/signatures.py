"""Check a webhook delivery's signature the way the provider signs it (constant-time)."""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.providers import provider_named


def verify_signature(provider: str, secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether `headers` and the raw `body` of a delivery carry `provider`'s signature made
    with `secret`: Systeme.io's X-Webhook-Signature, ClickFunnels' timestamped
    X-Webhook-ClickFunnels-Signature, Simvoly's X-Webhook-Signature (HMAC-SHA512). Header names
    in any case."""
    try:
        verify = provider_named(provider).verify_signature
    except KeyError:
        raise ValueError(f"unknown provider {provider!r}") from None
    if verify is None:
        raise ValueError(f"{provider} sends no webhooks, so it signs none")
    return verify(secret, headers, body)
