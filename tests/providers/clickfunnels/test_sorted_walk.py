"""ClickFunnels lists sorted by updated_at (answered from a sorted index) give, page after
page, exactly what sorting every record by (updated_at, id) gives, while records are
created, updated (some to the same millisecond, some back in time) and deleted between
pages, the cursor's own record among them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.clickfunnels.helpers import create_contact, create_tag
from tests.support import ok

PAGE = 20
START = datetime(2026, 3, 1, 12, tzinfo=UTC)
Record = dict[str, Any]


def every_contact(client: ApiSession, path: str) -> list[Record]:
    """Every contact in id order (the list's default order, which reads no sorted index)."""
    found: list[Record] = []
    params: dict[str, Any] = {}
    while True:
        response = client.get(path, params=params)
        page = ok(response)
        found += page
        if "Pagination-Next" not in response.headers:
            return found
        params = {"after": response.headers["Pagination-Next"]}


def expected_page(records: list[Record], mark: tuple[str, int] | None, descending: bool) -> tuple[list[int], bool]:
    """The page after `mark` (updated_at, id) when every record is sorted here."""
    order = sorted(records, key=lambda record: (record["updated_at"], record["id"]), reverse=descending)
    if mark is not None:
        order = [r for r in order if ((r["updated_at"], r["id"]) < mark if descending else (r["updated_at"], r["id"]) > mark)]
    return [record["id"] for record in order[:PAGE]], len(order) > PAGE


def write_between_pages(
    rng: random.Random, client: ApiSession, account: Account, workspace_id: int, doomed_cursor: int | None, tags: list[int]
) -> None:
    """Random writes: contacts created and updated at instants that tie or go back in time,
    tags applied (which touches the contact), and deletes (of `doomed_cursor` too)."""
    live = [record["id"] for record in every_contact(client, f"/api/v2/workspaces/{workspace_id}/contacts")]
    doomed = set(rng.sample(live, min(len(live), rng.randint(0, 3))))
    if doomed_cursor is not None:
        doomed.add(doomed_cursor)  # the next page's cursor names a deleted record
    others = [contact_id for contact_id in live if contact_id not in doomed]
    for _ in range(rng.randint(1, 8)):
        account.freeze_clock(START + timedelta(seconds=rng.randint(0, 40)))  # ties, and moves back
        choice = rng.random()
        if choice < 0.3 or not others:
            others.append(create_contact(client, workspace_id, f"c{rng.randrange(10**9)}@example.com")["id"])
        elif choice < 0.7:
            contact_id = rng.choice(others)
            body = {"contact": {"first_name": f"n{rng.randrange(1000)}"}}
            assert client.patch(f"/api/v2/contacts/{contact_id}", json=body).status_code == 200
        else:
            body = {"contacts_applied_tag": {"tag_id": rng.choice(tags)}}
            client.post(f"/api/v2/contacts/{rng.choice(others)}/applied_tags", json=body)  # 422 if already there: fine
    for contact_id in doomed:
        assert client.delete(f"/api/v2/contacts/{contact_id}").status_code == 204


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("seed", range(2))
def test_each_page_is_what_sorting_every_record_gives(
    clickfunnels: ApiSession, account: Account, workspace_id: int, descending: bool, seed: int
) -> None:
    rng = random.Random(seed)
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    tags = [create_tag(clickfunnels, workspace_id, f"tag {n}")["id"] for n in range(3)]
    for number in range(70):
        account.freeze_clock(START + timedelta(seconds=rng.randint(0, 40)))
        create_contact(clickfunnels, workspace_id, f"first{number}@example.com")
    params: dict[str, Any] = {"sort_property": "updated_at", **({"sort_order": "desc"} if descending else {})}
    cursor: int | None = None
    mark: tuple[str, int] | None = None
    for page_number in range(12):
        before = {record["id"]: record for record in every_contact(clickfunnels, path)}
        if cursor is not None and cursor in before:
            mark = (before[cursor]["updated_at"], cursor)  # a live cursor stands where its record is now
        wanted, more = expected_page(list(before.values()), mark, descending)

        response = clickfunnels.get(path, params={**params, **({"after": cursor} if cursor is not None else {})})

        assert [record["id"] for record in ok(response)] == wanted, page_number
        assert ("Pagination-Next" in response.headers) is more
        assert ("Link" in response.headers) is more
        if not more:
            return
        cursor = wanted[-1]
        assert response.headers["Pagination-Next"] == str(cursor)
        mark = (before[cursor]["updated_at"], cursor)  # where a deleted cursor's record stood
        write_between_pages(rng, clickfunnels, account, workspace_id, cursor if page_number % 2 else None, tags)
    pytest.fail("the walk did not end in 12 pages")


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_a_quiet_walk_sees_every_record_once_in_updated_order(
    clickfunnels: ApiSession, account: Account, workspace_id: int, descending: bool
) -> None:
    rng = random.Random(5)
    path = f"/api/v2/workspaces/{workspace_id}/contacts"
    for number in range(65):
        account.freeze_clock(START + timedelta(seconds=rng.randint(0, 10)))
        create_contact(clickfunnels, workspace_id, f"quiet{number}@example.com")
    records = every_contact(clickfunnels, path)
    order = sorted(records, key=lambda record: (record["updated_at"], record["id"]), reverse=descending)
    params: dict[str, Any] = {"sort_property": "updated_at", **({"sort_order": "desc"} if descending else {})}
    seen: list[int] = []
    response = clickfunnels.get(path, params=params)
    while True:
        seen += [record["id"] for record in ok(response)]
        if "Pagination-Next" not in response.headers:
            break
        response = clickfunnels.get(path, params={**params, "after": response.headers["Pagination-Next"]})
    assert seen == [record["id"] for record in order]
