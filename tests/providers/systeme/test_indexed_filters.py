"""Systeme.io contact filters answered from indexes (e-mail, the status flags, tags) give
exactly what a walk over every contact, filtered here, gives: the same contacts, in the
same order, on the same pages, after random writes of every kind that moves an index."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.systeme.helpers import create_contact
from tests.support import ok, trigger_response

Contact = dict[str, Any]
PAGE = 10  # the smallest page the API takes: more pages, more cursors


def walk(client: ApiSession, order: str, **params: Any) -> list[int]:
    """Every page of a filtered list: full pages while hasMore, ids never repeated."""
    ids: list[int] = []
    query: dict[str, Any] = {"limit": PAGE, "order": order, **params}
    while True:
        page = ok(client.get("/api/contacts", params=query))
        ids += [item["id"] for item in page["items"]]
        if not page["hasMore"]:
            assert len(page["items"]) <= PAGE
            return ids
        assert len(page["items"]) == PAGE
        query["startingAfter"] = page["items"][-1]["id"]


def everyone(client: ApiSession) -> list[Contact]:
    """Every contact, oldest first: the list without filters (a walk of the key order)."""
    found: list[Contact] = []
    query: dict[str, Any] = {"limit": 100, "order": "asc"}
    while True:
        page = ok(client.get("/api/contacts", params=query))
        found += page["items"]
        if not page["hasMore"]:
            return found
        query["startingAfter"] = page["items"][-1]["id"]


def tag_ids(contact: Contact) -> set[int]:
    return {tag["id"] for tag in contact["tags"]}


def scramble(rng: random.Random, client: ApiSession, account: Account, contacts: list[int], tags: list[int]) -> None:
    """One random write that moves an index: a flag set or cleared, a tag put on or taken
    off, an opt-in (clears two flags), a contact created or deleted, a tag deleted."""
    choice = rng.random()
    if choice < 0.1 or not contacts:
        contacts.append(create_contact(client, f"new{len(contacts)}-{rng.randrange(10**9)}@gmail.com")["id"])
        return
    contact_id = rng.choice(contacts)
    if choice < 0.4:
        flags = {flag: rng.random() < 0.5 for flag in rng.sample(["unsubscribed", "bounced"], rng.randint(1, 2))}
        account.trigger("email-status", contactId=contact_id, **flags)
    elif choice < 0.6 and tags:
        assert client.post(f"/api/contacts/{contact_id}/tags", json={"tagId": rng.choice(tags)}).status_code == 204
    elif choice < 0.75:
        carried = tag_ids(ok(client.get(f"/api/contacts/{contact_id}")))
        if carried:
            assert client.delete(f"/api/contacts/{contact_id}/tags/{rng.choice(sorted(carried))}").status_code == 204
    elif choice < 0.85:
        email = ok(client.get(f"/api/contacts/{contact_id}"))["email"]
        account.trigger("opt-ins", email=email)
    elif choice < 0.97:
        assert client.delete(f"/api/contacts/{contact_id}").status_code == 204
        contacts.remove(contact_id)
    elif tags:
        assert client.delete(f"/api/tags/{tags.pop(rng.randrange(len(tags)))}").status_code == 204


def filters(rng: random.Random, all_contacts: list[Contact], tags: list[int], gone: list[int]) -> list[dict[str, Any]]:
    """Filters to compare: each flag both ways, each tag, pairs of tags, e-mails of live
    contacts and of none, and combinations."""
    chosen: list[dict[str, Any]] = []
    for flag in ("unsubscribed", "bounced", "needsConfirmation"):
        chosen += [{flag: "true"}, {flag: "false"}]
    chosen += [{"tags": str(tag)} for tag in [*tags, *gone]]
    if len(tags) >= 2:
        chosen.append({"tags": ",".join(map(str, rng.sample(tags, 2)))})
    for contact in rng.sample(all_contacts, min(3, len(all_contacts))):
        chosen += [{"email": contact["email"].upper()}, {"email": contact["email"], "bounced": str(contact["bounced"]).lower()}]
    chosen.append({"email": "nobody@gmail.com"})
    if tags:
        chosen.append({"tags": str(tags[0]), "unsubscribed": "true", "bounced": "false"})
    return chosen


def matcher(params: dict[str, Any]) -> Callable[[Contact], bool]:
    """What a filter means, read from the spec's words, applied to a contact as listed."""

    def matches(contact: Contact) -> bool:
        if "email" in params and contact["email"].casefold() != params["email"].casefold():
            return False
        if "tags" in params and not {int(t) for t in params["tags"].split(",")} <= tag_ids(contact):
            return False
        return all(
            str(contact[flag]).lower() == params[flag]
            for flag in ("unsubscribed", "bounced", "needsConfirmation")
            if flag in params
        )

    return matches


@pytest.mark.parametrize("seed", range(3))
def test_filters_answer_what_a_walk_over_every_contact_answers(systeme: ApiSession, account: Account, seed: int) -> None:
    rng = random.Random(seed)
    tags = [ok(systeme.post("/api/tags", json={"name": f"tag-{n}"}), 201)["id"] for n in range(4)]
    contacts = [create_contact(systeme, f"person{n}@gmail.com")["id"] for n in range(45)]
    all_tags = list(tags)
    for round_number in range(3):
        for _ in range(60):
            scramble(rng, systeme, account, contacts, tags)
        listed = everyone(systeme)
        assert [c["id"] for c in listed] == sorted(contacts)
        gone = [tag for tag in all_tags if tag not in tags]
        for params in filters(rng, listed, tags, gone):
            expected = [c["id"] for c in listed if matcher(params)(c)]
            assert walk(systeme, "asc", **params) == expected, (round_number, params)
            assert walk(systeme, "desc", **params) == expected[::-1], (round_number, params)


def test_a_flag_filter_keeps_its_place_when_the_cursor_contact_is_deleted(systeme: ApiSession, account: Account) -> None:
    ids = [create_contact(systeme, f"c{n}@gmail.com")["id"] for n in range(40)]
    unsubscribed = ids[::3]
    for contact_id in unsubscribed:
        account.trigger("email-status", contactId=contact_id, unsubscribed=True)
    first = ok(systeme.get("/api/contacts", params={"limit": 10, "unsubscribed": "true"}))
    assert [c["id"] for c in first["items"]] == unsubscribed[::-1][:10]
    assert first["hasMore"] is True
    cursor = first["items"][-1]["id"]
    assert systeme.delete(f"/api/contacts/{cursor}").status_code == 204

    rest = ok(systeme.get("/api/contacts", params={"limit": 10, "unsubscribed": "true", "startingAfter": cursor}))

    assert [c["id"] for c in rest["items"]] == unsubscribed[::-1][10:]
    assert rest["hasMore"] is False


def test_a_flag_cleared_takes_the_contact_out_of_the_flag_filter(systeme: ApiSession, account: Account) -> None:
    one, two = (create_contact(systeme, f"{name}@gmail.com")["id"] for name in ("one", "two"))
    account.trigger("email-status", contactId=one, unsubscribed=True, bounced=True)
    account.trigger("email-status", contactId=two, bounced=True)
    account.trigger("email-status", contactId=one, bounced=False)

    assert walk(systeme, "asc", unsubscribed="true") == [one]
    assert walk(systeme, "asc", unsubscribed="false") == [two]
    assert walk(systeme, "asc", bounced="true") == [two]
    account.trigger("opt-ins", email="one@gmail.com")
    assert walk(systeme, "asc", unsubscribed="true") == []


def test_an_email_filter_answers_one_contact_in_the_usual_envelope(systeme: ApiSession) -> None:
    before, wanted, after = (create_contact(systeme, f"{name}@gmail.com") for name in ("before", "wanted", "after"))

    found = ok(systeme.get("/api/contacts", params={"email": "WANTED@gmail.com"}))
    past = ok(systeme.get("/api/contacts", params={"email": "wanted@gmail.com", "startingAfter": after["id"], "order": "asc"}))
    behind = ok(systeme.get("/api/contacts", params={"email": "wanted@gmail.com", "startingAfter": after["id"]}))
    other_side = ok(systeme.get("/api/contacts", params={"email": "wanted@gmail.com", "startingAfter": before["id"]}))

    assert found == {"items": [ok(systeme.get(f"/api/contacts/{wanted['id']}"))], "hasMore": False}
    assert past == {"items": [], "hasMore": False}
    assert [c["id"] for c in behind["items"]] == [wanted["id"]]
    assert other_side == {"items": [], "hasMore": False}


def test_a_deleted_tag_leaves_every_contact_and_its_filter(systeme: ApiSession) -> None:
    tag = ok(systeme.post("/api/tags", json={"name": "Lead"}), 201)["id"]
    tagged = [create_contact(systeme, f"t{n}@gmail.com", tags=[{"id": tag}])["id"] for n in range(3)]
    assert walk(systeme, "asc", tags=str(tag)) == tagged

    assert systeme.delete(f"/api/tags/{tag}").status_code == 204

    assert walk(systeme, "asc", tags=str(tag)) == []
    assert all(c["tags"] == [] for c in everyone(systeme))


def test_email_status_sets_the_flags_and_refuses_an_unknown_contact(systeme: ApiSession, account: Account) -> None:
    contact = create_contact(systeme, "flags@gmail.com")

    answered = account.trigger("email-status", contactId=contact["id"], unsubscribed=True)

    assert answered == ok(systeme.get(f"/api/contacts/{contact['id']}"))
    assert (answered["unsubscribed"], answered["bounced"]) == (True, False)
    assert trigger_response(account, "email-status", contactId=contact["id"] + 1, bounced=True).status_code == 404
