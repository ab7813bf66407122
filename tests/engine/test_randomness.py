"""Seeded randomness: replayable ids, tokens and demo generators; UUIDv7 ordering."""

from __future__ import annotations

import itertools
import re
import uuid

import pytest

from mockserver.engine.randomness import Randomness

T0 = 1_700_000_000.123


def _timestamp_ms(value: str) -> int:
    return uuid.UUID(value).int >> 80


def _assert_uuid7(value: str) -> None:
    parsed = uuid.UUID(value)
    assert parsed.version == 7, value
    assert parsed.variant == uuid.RFC_4122, value
    assert str(parsed) == value  # canonical lower-case form


def test_same_seed_gives_the_same_uuid4_sequence() -> None:
    first, second = Randomness(42), Randomness(42)
    assert [first.uuid4() for _ in range(5)] == [second.uuid4() for _ in range(5)]


def test_different_seeds_give_different_uuid4s() -> None:
    assert [Randomness(1).uuid4() for _ in range(3)] != [Randomness(2).uuid4() for _ in range(3)]


def test_uuid4_is_a_valid_version_4() -> None:
    random = Randomness(7)
    values = [random.uuid4() for _ in range(50)]
    assert len(set(values)) == 50
    for value in values:
        parsed = uuid.UUID(value)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_same_seed_gives_the_same_tokens() -> None:
    first, second = Randomness(42), Randomness(42)
    assert [first.token() for _ in range(3)] == [second.token() for _ in range(3)]
    assert first.token(8) == second.token(8)


@pytest.mark.parametrize("nbytes", [1, 8, 16, 32])
def test_token_is_lowercase_hex_of_the_asked_size(nbytes: int) -> None:
    token = Randomness(3).token(nbytes)
    assert re.fullmatch(rf"[0-9a-f]{{{nbytes * 2}}}", token)


def test_derived_generator_is_fixed_by_seed_and_scope() -> None:
    first, second = Randomness(42), Randomness(42)
    assert [first.derived("demo", "systeme").random() for _ in range(3)] == [
        second.derived("demo", "systeme").random() for _ in range(3)
    ]
    a = first.derived("demo", "systeme")
    b = second.derived("demo", "systeme")
    assert [a.randint(0, 10**9) for _ in range(5)] == [b.randint(0, 10**9) for _ in range(5)]


def test_derived_generator_does_not_depend_on_live_traffic() -> None:
    """Demo data must not change because ids were handed out before it was made."""
    quiet, busy = Randomness(42), Randomness(42)
    for _ in range(10):
        busy.uuid4()
        busy.token()
        busy.uuid7(T0)
    assert quiet.derived("demo").getrandbits(64) == busy.derived("demo").getrandbits(64)


def test_derived_generators_differ_by_scope_and_seed() -> None:
    random = Randomness(42)
    base = random.derived("demo", "systeme").getrandbits(64)
    assert random.derived("demo", "other").getrandbits(64) != base
    assert random.derived("demo", "systeme", seed=43).getrandbits(64) != base
    assert Randomness(43).derived("demo", "systeme").getrandbits(64) == random.derived("demo", "systeme", seed=43).getrandbits(64)


def test_faker_is_fixed_by_seed_and_scope() -> None:
    first = Randomness(42).faker("demo", "systeme")
    second = Randomness(42).faker("demo", "systeme")
    assert [first.name() for _ in range(5)] == [second.name() for _ in range(5)]
    assert [first.email() for _ in range(5)] == [second.email() for _ in range(5)]


def test_faker_differs_by_scope() -> None:
    first = Randomness(42).faker("demo", "systeme")
    second = Randomness(42).faker("demo", "elsewhere")
    assert [first.name() for _ in range(10)] != [second.name() for _ in range(10)]


def test_same_seed_gives_the_same_uuid7_sequence() -> None:
    first, second = Randomness(42), Randomness(42)
    assert [first.uuid7(T0 + i) for i in range(5)] == [second.uuid7(T0 + i) for i in range(5)]


def test_uuid7_carries_the_millisecond_timestamp() -> None:
    random = Randomness(1)
    value = random.uuid7(T0)
    _assert_uuid7(value)
    assert _timestamp_ms(value) == int(T0 * 1000)
    later = random.uuid7(T0 + 5)
    assert _timestamp_ms(later) == int((T0 + 5) * 1000)


def test_uuid7_is_strictly_increasing_with_a_frozen_time() -> None:
    random = Randomness(9)
    values = [random.uuid7(T0) for _ in range(2000)]
    assert all(a < b for a, b in itertools.pairwise(values))
    assert [uuid.UUID(v).int for v in values] == sorted(uuid.UUID(v).int for v in values)
    assert len(set(values)) == len(values)
    for value in values:
        _assert_uuid7(value)


def test_uuid7_stays_increasing_when_the_clock_moves_back() -> None:
    random = Randomness(9)
    late = random.uuid7(T0 + 3600)
    early = random.uuid7(T0)
    assert early > late
    _assert_uuid7(early)


def test_uuid7_string_order_matches_numeric_order() -> None:
    """Stores sort UUIDv7 keys as strings, so the text order must be the creation order."""
    random = Randomness(5)
    values = [random.uuid7(T0 + i / 1000) for i in range(300)] + [random.uuid7(T0) for _ in range(300)]
    assert sorted(values) == values
    assert sorted(values, key=lambda v: uuid.UUID(v).int) == values


def test_uuid7_counting_on_keeps_version_and_variant() -> None:
    """When the random part is at its maximum, counting on within the same millisecond must
    not carry into the variant bits (RFC 9562 asks for the timestamp to move on instead)."""
    random = Randomness(1)
    random.bits = lambda count: (1 << count) - 1  # type: ignore[method-assign]
    first = random.uuid7(T0)
    second = random.uuid7(T0)
    assert second > first
    _assert_uuid7(first)
    _assert_uuid7(second)
