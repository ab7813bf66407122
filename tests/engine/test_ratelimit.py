"""Fixed-window rate limits per tenant, and the COUNT/SECONDS option parser."""

from __future__ import annotations

import time

import pytest

from mockserver.engine.ratelimit import RateLimiter, parse_rate


def test_requests_are_counted_down_within_the_window() -> None:
    limiter = RateLimiter(3, 60)
    quotas = [limiter.take("p", "k") for _ in range(3)]
    assert [q.allowed for q in quotas] == [True, True, True]
    assert [q.remaining for q in quotas] == [2, 1, 0]
    assert all(q.limit == 3 for q in quotas)


def test_a_request_over_the_limit_is_refused() -> None:
    limiter = RateLimiter(2, 60)
    limiter.take("p", "k")
    limiter.take("p", "k")
    refused = limiter.take("p", "k")
    assert refused.allowed is False
    assert refused.remaining == 0
    assert refused.limit == 2
    assert limiter.take("p", "k").allowed is False


def test_reset_in_counts_whole_seconds_to_the_end_of_the_window() -> None:
    limiter = RateLimiter(1, 30)
    first = limiter.take("p", "k")
    assert 29 <= first.reset_in <= 30
    refused = limiter.take("p", "k")
    assert 1 <= refused.reset_in <= 30
    assert isinstance(refused.reset_in, int)


def test_a_short_window_rounds_reset_in_up_to_a_second() -> None:
    assert RateLimiter(1, 0.2).take("p", "k").reset_in == 1


def test_the_window_starts_again_after_it_passes() -> None:
    limiter = RateLimiter(2, 0.2)
    limiter.take("p", "k")
    limiter.take("p", "k")
    assert limiter.take("p", "k").allowed is False
    time.sleep(0.25)
    again = limiter.take("p", "k")
    assert again.allowed is True
    assert again.remaining == 1


def test_refused_requests_do_not_extend_the_window() -> None:
    limiter = RateLimiter(1, 0.2)
    limiter.take("p", "k")
    deadline = time.monotonic() + 0.15
    while time.monotonic() < deadline:
        assert limiter.take("p", "k").allowed is False
        time.sleep(0.02)
    time.sleep(0.1)
    assert limiter.take("p", "k").allowed is True


def test_tenants_have_independent_windows() -> None:
    limiter = RateLimiter(1, 60)
    assert limiter.take("p", "a").allowed is True
    assert limiter.take("p", "a").allowed is False
    other_key = limiter.take("p", "b")
    other_provider = limiter.take("q", "a")
    assert other_key.allowed is True
    assert other_key.remaining == 0
    assert other_provider.allowed is True
    assert limiter.take("p", "a").allowed is False


def test_forget_starts_one_tenant_afresh() -> None:
    limiter = RateLimiter(1, 60)
    limiter.take("p", "a")
    limiter.take("p", "b")
    limiter.forget("p", "a")
    assert limiter.take("p", "a").allowed is True
    assert limiter.take("p", "b").allowed is False


def test_forget_a_whole_provider() -> None:
    limiter = RateLimiter(1, 60)
    for ident in (("p", "a"), ("p", "b"), ("q", "a")):
        limiter.take(*ident)
    limiter.forget("p")
    assert limiter.take("p", "a").allowed is True
    assert limiter.take("p", "b").allowed is True
    assert limiter.take("q", "a").allowed is False


@pytest.mark.parametrize(("limit", "window"), [(0, 10), (-1, 10), (5, 0), (5, -1)])
def test_limiter_refuses_non_positive_settings(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit, window)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1000/10", (1000, 10.0)), ("5/0.5", (5, 0.5)), ("60", (60, 1.0)), ("7/", (7, 1.0))],
)
def test_parse_rate(text: str, expected: tuple[int, float]) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "ten/10", "10/x", "1.5/10", "0/10", "-3/10", "10/0", "10/-1", "/10"])
def test_parse_rate_refuses_malformed_or_non_positive_rates(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rate(text)
    assert repr(text) in str(caught.value)
