"""Which addresses a webhook delivery may connect to: the decision alone (http_post.py asks it
with the addresses it resolved, before connecting).

Link-local addresses (169.254.0.0/16, fe80::/10) are refused: cloud metadata services answer
there (169.254.169.254), and a webhook URL is whatever an API client wrote. The address
checked is the one resolved, so a host name pointing there is refused too, as are the IPv6
forms of such an IPv4 address (::ffff:169.254.169.254, NAT64's 64:ff9b::a9fe:a9fe).
Loopback and private ranges stay allowed: local development posts to them.
`serve --allow-webhook-target` (a host name, an address or a network) lets named ones through.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

HINT = "allow it with --allow-webhook-target"
_NAT64 = IPv6Network("64:ff9b::/96")  # the well-known prefix: an IPv4 address in its last 32 bits
_HOST_NAME = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?", re.IGNORECASE)
_LOOKS_NUMERIC = re.compile(r"[0-9.]+|.*[:/].*")  # meant as an address or a network, not a name

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class Allowed:
    """Targets let through although link-local: host names (as the URL writes them) and networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()


def allowed_targets(values: Iterable[str]) -> Allowed:
    """The `--allow-webhook-target` values: each an address, a network (CIDR) or a host name;
    ValueError names one that is none of them."""
    names: set[str] = set()
    networks: list[Network] = []
    for value in values:
        text = value.strip()
        try:
            networks.append(ip_network(text, strict=False))
            continue
        except ValueError:
            pass
        if not text or _LOOKS_NUMERIC.fullmatch(text) or not _HOST_NAME.fullmatch(text):
            raise ValueError(f"--allow-webhook-target {value!r} is not an address, a network (CIDR) or a host name")
        names.add(_name(text))
    return Allowed(frozenset(names), tuple(networks))


def refusal(host: str, addresses: Iterable[str], allowed: Allowed) -> str | None:
    """Why a delivery to `host` (the URL's host), resolved to `addresses`, may not connect;
    None when it may. One link-local address refuses the whole target: a name that resolves
    there as well as elsewhere is not one to trust."""
    if _name(host) in allowed.names:
        return None
    for text in addresses:
        try:
            address = ip_address(text)
        except ValueError:
            return f"refused: {text!r} (from {host}) is not an address"
        inner = _embedded_ipv4(address)
        if not (address.is_link_local or (inner is not None and inner.is_link_local)):
            continue
        if _within(address, allowed.networks) or (inner is not None and _within(inner, allowed.networks)):
            continue
        said = text if _name(text) == _name(host) else f"{host} resolves to {text}, which"
        return f"refused: {said} is link-local (cloud metadata); {HINT}"
    return None


def _embedded_ipv4(address: Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, or NAT64's well-known prefix)."""
    if isinstance(address, IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _within(address: Address, networks: tuple[Network, ...]) -> bool:
    # Versions compared first: an IPv4 address is never inside an IPv6 network.
    return any(address.version == network.version and address in network for network in networks)


def _name(host: str) -> str:
    return host.strip().lower().rstrip(".")
