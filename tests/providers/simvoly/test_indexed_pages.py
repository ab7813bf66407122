"""Simvoly offset pages read from the key list or an index: a page deep in a list, and
members by group, give exactly the records a model of the website kept here says, after
creates, deletes (of contacts and of a group) and members moved between groups."""

from __future__ import annotations

import random
from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.support import ok


def page(client: ApiSession, path: str, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = ok(client.get(path, params=params))
    assert answer["limit"] == params.get("limit", 30)
    assert answer["skip"] == params.get("skip", 0)
    return answer


def skips(total: int) -> list[int]:
    """From the first record to past the last, the deep end above all."""
    return [0, 1, total // 2, total - 50, total - 31, total - 3, total - 1, total, total + 7]


def test_a_deep_skip_page_is_the_slice_of_every_contact(simvoly: ApiSession) -> None:
    rng = random.Random(11)
    ids = [ok(simvoly.post("/api/site/contacts", json={"email": f"c{n}@example.com"}), 201)["id"] for n in range(130)]
    for gone in rng.sample(ids, 20):
        ok(simvoly.delete(f"/api/site/contacts/{gone}"))
        ids.remove(gone)

    for skip in skips(len(ids)):
        for limit in (1, 30, 50):
            answer = page(simvoly, "/api/site/contacts", skip=max(skip, 0), limit=limit)
            assert [c["id"] for c in answer["items"]] == ids[max(skip, 0) : max(skip, 0) + limit], (skip, limit)
            assert answer["totalCount"] == len(ids)


@pytest.mark.parametrize("seed", range(2))
def test_members_of_a_group_are_the_ones_the_model_holds(simvoly: ApiSession, seed: int) -> None:
    rng = random.Random(seed)
    groups = [ok(simvoly.post("/api/site/member-groups", json={"name": f"Group {n}"}), 201)["id"] for n in range(3)]
    members: dict[int, dict[str, Any]] = {}  # id -> {"email", "groups"}
    for n in range(70):
        chosen = rng.sample(groups, rng.randint(0, 2))
        body = {"name": f"M{n}", "email": f"m{n}@example.com", "password": "secret-123", "groups": chosen}
        made = ok(simvoly.post("/api/site/members", json=body), 201)
        members[made["id"]] = {"email": made["email"], "groups": set(chosen)}
    for _ in range(40):  # members cannot be deleted through the API; their groups change
        member_id = rng.choice(sorted(members))
        chosen = rng.sample(groups, rng.randint(1, 2))
        body = {"name": "Renamed", "email": members[member_id]["email"], "groups": chosen}
        ok(simvoly.put(f"/api/site/members/{member_id}", json=body))
        members[member_id]["groups"] = set(chosen)
    gone = groups.pop(rng.randrange(len(groups)))
    ok(simvoly.delete(f"/api/site/member-groups/{gone}"))
    for member in members.values():
        member["groups"].discard(gone)

    for group in [*groups, gone]:
        expected = [member_id for member_id in sorted(members) if group in members[member_id]["groups"]]
        for skip in sorted({max(0, s) for s in skips(len(expected))}):
            for limit in (1, 7, 50):
                answer = page(simvoly, "/api/site/members", groupId=group, skip=skip, limit=limit)
                assert [m["id"] for m in answer["items"]] == expected[skip : skip + limit], (group, skip, limit)
                assert answer["totalCount"] == len(expected)
                assert all(group in m["groups"] for m in answer["items"])
