"""The emulator clock: freezing, moving and resetting time, and the ISO 8601 helpers."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from mockserver.engine.clock import Clock, iso, parse_iso

MOMENT = datetime(2030, 5, 17, 8, 30, 15, tzinfo=UTC)
# Generous enough for a loaded machine, far below any of the offsets used below.
SLACK = 2.0


def test_a_fresh_clock_follows_real_time() -> None:
    clock = Clock()
    assert abs(clock.time() - time.time()) < SLACK
    assert clock.now().tzinfo is not None
    assert clock.describe()["frozen"] is False


def test_freeze_stops_time() -> None:
    clock = Clock()
    clock.freeze()
    first = clock.time()
    time.sleep(0.02)
    assert clock.time() == first
    assert clock.describe()["frozen"] is True


def test_freeze_at_an_instant() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    assert clock.time() == MOMENT.timestamp()
    assert clock.now() == MOMENT


def test_advance_while_frozen_moves_exactly() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    clock.advance(90.5)
    assert clock.now() == MOMENT + timedelta(seconds=90.5)
    clock.advance(-30.5)
    assert clock.now() == MOMENT + timedelta(seconds=60)
    assert clock.describe()["frozen"] is True


def test_advance_while_running_keeps_running_ahead() -> None:
    clock = Clock()
    clock.advance(3600)
    assert abs(clock.time() - (time.time() + 3600)) < SLACK
    first = clock.time()
    time.sleep(0.02)
    assert clock.time() > first


def test_set_while_frozen_stays_frozen_at_the_new_instant() -> None:
    clock = Clock()
    clock.freeze()
    clock.set(MOMENT)
    assert clock.now() == MOMENT
    time.sleep(0.02)
    assert clock.now() == MOMENT


def test_set_while_running_jumps_and_keeps_running() -> None:
    clock = Clock()
    clock.set(MOMENT)
    assert abs(clock.time() - MOMENT.timestamp()) < SLACK
    first = clock.time()
    time.sleep(0.02)
    assert clock.time() > first
    assert clock.describe()["frozen"] is False


def test_unfreeze_runs_on_from_the_frozen_instant() -> None:
    """Unfreezing must not jump back to real time: it continues from where time stood."""
    clock = Clock()
    clock.freeze(MOMENT)
    clock.unfreeze()
    assert MOMENT.timestamp() <= clock.time() < MOMENT.timestamp() + SLACK
    first = clock.time()
    time.sleep(0.02)
    assert clock.time() > first
    assert clock.describe()["frozen"] is False


def test_unfreeze_of_a_running_clock_changes_nothing() -> None:
    clock = Clock()
    clock.advance(1000)
    clock.unfreeze()
    assert abs(clock.time() - (time.time() + 1000)) < SLACK


def test_reset_returns_to_real_running_time() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    clock.advance(500)
    clock.reset()
    assert abs(clock.time() - time.time()) < SLACK
    first = clock.time()
    time.sleep(0.02)
    assert clock.time() > first
    described = clock.describe()
    assert described["frozen"] is False
    assert described["offsetSeconds"] == 0


def test_describe_reports_now_in_iso_form() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    assert clock.describe()["now"] == "2030-05-17T08:30:15+00:00"


def test_iso_has_seconds_and_a_numeric_utc_offset() -> None:
    assert iso(datetime(2024, 1, 1, tzinfo=UTC)) == "2024-01-01T00:00:00+00:00"


def test_iso_drops_microseconds() -> None:
    assert iso(datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC)) == "2024-02-29T23:59:59+00:00"


def test_iso_keeps_a_non_utc_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert iso(datetime(2024, 6, 1, 12, 0, tzinfo=plus_two)) == "2024-06-01T12:00:00+02:00"


def test_iso_of_the_clock_now_matches_the_documented_shape() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", iso(Clock().now()))


@pytest.mark.parametrize(
    "text",
    ["2030-05-17T08:30:15+00:00", "2030-05-17T08:30:15Z", "2030-05-17T08:30:15z", "2030-05-17T10:30:15+02:00"],
)
def test_parse_iso_reads_offsets_and_z(text: str) -> None:
    assert parse_iso(text) == MOMENT


def test_parse_iso_takes_naive_values_as_utc() -> None:
    parsed = parse_iso("2030-05-17T08:30:15")
    assert parsed == MOMENT
    assert parsed is not None
    assert parsed.utcoffset() == timedelta(0)


def test_parse_iso_keeps_fractions_of_a_second() -> None:
    parsed = parse_iso("2030-05-17T08:30:15.250Z")
    assert parsed == MOMENT + timedelta(milliseconds=250)


@pytest.mark.parametrize("text", ["", "yesterday", "2030-13-01T00:00:00Z", "2030-05-17T25:00:00Z", "17/05/2030"])
def test_parse_iso_answers_none_for_unreadable_text(text: str) -> None:
    assert parse_iso(text) is None


def test_iso_and_parse_iso_round_trip() -> None:
    clock = Clock()
    clock.freeze(MOMENT)
    assert parse_iso(iso(clock.now())) == clock.now()


def test_time_at_a_past_wall_moment_follows_the_clocks_offset_unless_frozen() -> None:
    clock = Clock()
    clock.advance(3600)
    wall = time.time() - 10  # ten seconds ago, by the machine's clock
    assert abs(clock.time_at(wall) - (time.time() - 10 + 3600)) < SLACK
    clock.freeze(MOMENT)
    assert clock.time_at(wall) == MOMENT.timestamp()  # a frozen clock stamps its instant
    account = Clock(base=clock)
    account.advance(60)
    assert account.time_at(wall) == MOMENT.timestamp() + 60  # the base frozen: the account stands still too
