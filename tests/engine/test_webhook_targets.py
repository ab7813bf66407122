"""Which webhook targets a delivery may connect to (engine/webhook_targets.py), the decision
alone: no socket, no resolution. Link-local addresses (cloud metadata) are refused in every
form unless allowed by name, address or network; loopback and private ranges always go."""

from __future__ import annotations

import pytest

from mockserver.engine.webhook_targets import Allowed, allowed_targets, refusal

NOTHING = Allowed()
HINT = "allow it with --allow-webhook-target"


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # the cloud metadata service
        "169.254.0.1",
        "169.254.255.255",
        "fe80::1",
        "fe80::a9fe:a9fe",
        "febf:ffff::1",  # the top of fe80::/10
        "fe80::1%eth0",  # with a zone, as getaddrinfo answers for link-local IPv6
        "::ffff:169.254.169.254",  # IPv4-mapped
        "::ffff:a9fe:a9fe",  # the same, written in hex
        "64:ff9b::a9fe:a9fe",  # NAT64's well-known prefix
    ],
)
def test_link_local_addresses_are_refused_in_every_form(address: str) -> None:
    said = refusal(address, [address], NOTHING)
    assert said == f"refused: {address} is link-local (cloud metadata); {HINT}"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "::ffff:127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.20",
        "100.64.0.1",  # carrier-grade NAT
        "fc00::1",  # unique local
        "fd00:ec2::254",  # a unique local address, allowed as private ranges are
        "fec0::1",  # the old site-local range, just past fe80::/10
        "169.253.255.255",  # just below 169.254.0.0/16
        "169.255.0.0",  # just above it
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
        "::ffff:10.1.2.3",
    ],
)
def test_loopback_private_and_public_addresses_go(address: str) -> None:
    assert refusal(address, [address], NOTHING) is None


def test_a_name_is_judged_by_the_addresses_it_resolves_to() -> None:
    assert refusal("hooks.example.test", ["127.0.0.1", "::1"], NOTHING) is None
    said = refusal("metadata.example.test", ["169.254.169.254"], NOTHING)
    assert said == f"refused: metadata.example.test resolves to 169.254.169.254, which is link-local (cloud metadata); {HINT}"


def test_one_link_local_address_among_others_refuses_the_name() -> None:
    said = refusal("mixed.test", ["10.0.0.7", "fe80::7"], NOTHING)
    assert said is not None and "fe80::7" in said


def test_a_resolved_value_that_is_no_address_is_refused() -> None:
    said = refusal("odd.test", ["not-an-address"], NOTHING)
    assert said is not None and said.startswith("refused: ")


@pytest.mark.parametrize(
    ("allowed", "host", "addresses"),
    [
        (["169.254.169.254"], "169.254.169.254", ["169.254.169.254"]),
        (["169.254.169.254"], "::ffff:169.254.169.254", ["::ffff:169.254.169.254"]),  # the same address, mapped
        (["169.254.0.0/16"], "m.test", ["169.254.3.4"]),
        (["169.254.169.0/24"], "m.test", ["169.254.169.1", "169.254.169.254"]),
        (["fe80::/10"], "fe80::1", ["fe80::1"]),
        (["fe80::1"], "fe80::1%eth0", ["fe80::1%eth0"]),
        (["metadata.test"], "metadata.test", ["169.254.169.254"]),
        (["Metadata.Test."], "metadata.test", ["169.254.169.254"]),  # names compare as DNS does
        (["metadata.test"], "METADATA.test.", ["fe80::1"]),
    ],
)
def test_allowed_targets_go_by_name_address_or_network(allowed: list[str], host: str, addresses: list[str]) -> None:
    assert refusal(host, addresses, allowed_targets(allowed)) is None


@pytest.mark.parametrize(
    ("allowed", "host", "addresses"),
    [
        (["169.254.169.253"], "169.254.169.254", ["169.254.169.254"]),  # another address
        (["169.254.1.0/24"], "m.test", ["169.254.169.254"]),  # another network
        (["169.254.169.254/32"], "m.test", ["169.254.169.254", "169.254.169.253"]),  # one of two
        (["other.test"], "metadata.test", ["169.254.169.254"]),  # another name
        (["sub.metadata.test"], "metadata.test", ["169.254.169.254"]),
        (["metadata.test"], "sub.metadata.test", ["169.254.169.254"]),  # a name, not a domain
        (["::/0"], "169.254.169.254", ["169.254.169.254"]),  # an IPv6 network holds no IPv4 address
        (["0.0.0.0/0"], "fe80::1", ["fe80::1"]),
        (["10.0.0.0/8"], "169.254.169.254", ["169.254.169.254"]),
    ],
)
def test_what_is_not_allowed_stays_refused(allowed: list[str], host: str, addresses: list[str]) -> None:
    said = refusal(host, addresses, allowed_targets(allowed))
    assert said is not None and said.endswith(HINT)


def test_allowed_targets_read_addresses_networks_and_names() -> None:
    read = allowed_targets(["169.254.169.254", " fe80::/10 ", "169.254.0.5/16", "Metadata.Internal", "host_1.test."])
    assert read.names == frozenset({"metadata.internal", "host_1.test"})
    assert [str(network) for network in read.networks] == ["169.254.169.254/32", "fe80::/10", "169.254.0.0/16"]
    assert allowed_targets([]) == NOTHING


@pytest.mark.parametrize(
    "value",
    [
        "",
        "  ",
        "169.254.0.0/33",
        "169.254.1",
        "999.1.1.1",
        "fe80::/129",
        "fe80:::1",
        "x/y",
        "a..b",
        "-a.test",
        "a b",
        "http://a.test",
    ],
)
def test_a_malformed_allowed_target_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match="--allow-webhook-target") as raised:
        allowed_targets(["metadata.test", value])
    assert repr(value) in str(raised.value)
