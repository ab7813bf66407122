"""The bounded request journal: newest first, filters, size bound."""

from __future__ import annotations

from typing import Any

from mockserver.engine.journal import Journal


def _entry(number: int, provider: str = "systeme", key: str = "k") -> dict[str, Any]:
    return {"n": number, "provider": provider, "apiKey": key}


def _numbers(entries: list[dict[str, Any]]) -> list[int]:
    return [entry["n"] for entry in entries]


def test_entries_come_newest_first() -> None:
    journal = Journal()
    for number in range(1, 6):
        journal.record(_entry(number))
    assert _numbers(journal.entries()) == [5, 4, 3, 2, 1]


def test_each_entry_gets_an_increasing_sequence_number() -> None:
    journal = Journal()
    for number in range(1, 4):
        journal.record(_entry(number))
    seqs = [entry["seq"] for entry in journal.entries()]
    assert seqs == sorted(seqs, reverse=True)
    assert len(set(seqs)) == 3


def test_a_full_journal_keeps_the_newest_entries() -> None:
    journal = Journal(size=3)
    for number in range(1, 8):
        journal.record(_entry(number))
    assert _numbers(journal.entries()) == [7, 6, 5]


def test_a_journal_keeps_at_least_one_entry() -> None:
    journal = Journal(size=0)
    journal.record(_entry(1))
    journal.record(_entry(2))
    assert _numbers(journal.entries()) == [2]


def test_filter_by_provider_and_key() -> None:
    journal = Journal()
    journal.record(_entry(1, "systeme", "a"))
    journal.record(_entry(2, "other", "a"))
    journal.record(_entry(3, "systeme", "b"))
    journal.record(_entry(4, "systeme", "a"))
    assert _numbers(journal.entries(provider="systeme")) == [4, 3, 1]
    assert _numbers(journal.entries(key="a")) == [4, 2, 1]
    assert _numbers(journal.entries(provider="systeme", key="a")) == [4, 1]
    assert journal.entries(provider="nobody") == []


def test_limit_keeps_the_newest_matching_entries() -> None:
    journal = Journal()
    for number in range(1, 11):
        journal.record(_entry(number, key="even" if number % 2 == 0 else "odd"))
    assert _numbers(journal.entries(limit=3)) == [10, 9, 8]
    assert _numbers(journal.entries(key="odd", limit=2)) == [9, 7]
    assert journal.entries(limit=0) == []


def test_the_size_bound_applies_before_filters() -> None:
    """Old entries of a quiet tenant are pushed out by a busy one: the bound is global."""
    journal = Journal(size=4)
    journal.record(_entry(1, key="quiet"))
    for number in range(2, 6):
        journal.record(_entry(number, key="busy"))
    assert journal.entries(key="quiet") == []
    assert _numbers(journal.entries(key="busy")) == [5, 4, 3, 2]


def test_clear_empties_the_journal() -> None:
    journal = Journal()
    journal.record(_entry(1))
    journal.clear()
    assert journal.entries() == []
    journal.record(_entry(2))
    assert _numbers(journal.entries()) == [2]
