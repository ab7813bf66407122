"""Simvoly subscriber lists (with their subscriber counter), form submissions and
bookings (both made through the admin API, as visitors make them) over HTTP."""

from __future__ import annotations

from typing import Any

import requests

from mockserver.testing import Account, ApiSession
from tests.providers.simvoly.helpers import FROZEN_AT, refused
from tests.support import ok, trigger_response

LIST_KEYS = {"id", "name", "created", "subscribers", "opens", "clicks"}
BOOKING_KEYS = {"id", "eventId", "contactId", "name", "email", "start", "end", "eventData", "operator", "service", "formAnswers"}
DAY = 86_400


def new_list(client: ApiSession, name: str) -> dict[str, Any]:
    return dict(ok(client.post("/api/site/subscriber-lists", json={"name": name}), 201))


def get_list(client: ApiSession, list_id: int) -> dict[str, Any]:
    return dict(ok(client.get(f"/api/site/subscriber-lists/{list_id}")))


def contact(client: ApiSession, email: str, status: int = 201, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post("/api/site/contacts", json={"email": email, **fields}), status))


def find_contact(client: ApiSession, email: str) -> requests.Response:
    return client.get("/api/site/contacts/search-by-email", params={"email": email})


def submit(account: Account, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return dict(ok(trigger_response(account, "form-submissions", fields=fields, **extra), 201))


def book(account: Account, **fields: Any) -> dict[str, Any]:
    return dict(ok(trigger_response(account, "bookings", **fields), 201))


def page(client: ApiSession, path: str, **params: Any) -> list[dict[str, Any]]:
    answer = ok(client.get(path, params=params))
    assert answer["totalCount"] == len(answer["items"])
    return list(answer["items"])


# -- subscriber lists ------------------------------------------------------------------
def test_list_create_get_rename_and_list(simvoly: ApiSession, clock: int) -> None:
    first = new_list(simvoly, "Newsletter")
    second = new_list(simvoly, "Webinar leads")

    assert set(first) == LIST_KEYS
    assert first["name"] == "Newsletter"
    assert first["created"] == clock
    assert first["subscribers"] == 0
    assert get_list(simvoly, first["id"]) == first

    renamed = ok(simvoly.put(f"/api/site/subscriber-lists/{second['id']}", json={"name": "Leads"}))
    assert renamed == {**second, "name": "Leads"}
    assert get_list(simvoly, second["id"]) == renamed

    answer = ok(simvoly.get("/api/site/subscriber-lists"))
    assert answer["totalCount"] == 2
    assert answer["limit"] == 30
    assert answer["skip"] == 0
    assert answer["items"] == [first, renamed]


def test_a_blank_list_name_is_refused_with_400(simvoly: ApiSession) -> None:
    refused(simvoly.post("/api/site/subscriber-lists", json={"name": "   "}))

    assert page(simvoly, "/api/site/subscriber-lists") == []


def test_unknown_lists_answer_404(simvoly: ApiSession) -> None:
    known = new_list(simvoly, "Known")
    unknown = known["id"] + 1

    refused(simvoly.get(f"/api/site/subscriber-lists/{unknown}"), 404)
    refused(simvoly.put(f"/api/site/subscriber-lists/{unknown}", json={"name": "X"}), 404)
    refused(simvoly.delete(f"/api/site/subscriber-lists/{unknown}"), 404)


def test_subscribers_counts_contacts_that_are_subscribed_and_on_the_list(simvoly: ApiSession) -> None:
    newsletter, other = new_list(simvoly, "Newsletter"), new_list(simvoly, "Other")
    on_it = contact(simvoly, "on@example.com", subscribed=True, subscriberLists=[newsletter["id"]])
    contact(simvoly, "both@example.com", subscribed=True, subscriberLists=[newsletter["id"], other["id"]])
    contact(simvoly, "unsubscribed@example.com", subscribed=False, subscriberLists=[newsletter["id"]])
    contact(simvoly, "elsewhere@example.com", subscribed=True, subscriberLists=[other["id"]])
    contact(simvoly, "nowhere@example.com", subscribed=True)

    assert get_list(simvoly, newsletter["id"])["subscribers"] == 2
    assert get_list(simvoly, other["id"])["subscribers"] == 2
    listed = {item["id"]: item["subscribers"] for item in page(simvoly, "/api/site/subscriber-lists")}
    assert listed == {newsletter["id"]: 2, other["id"]: 2}

    # The counter follows the contacts: unsubscribe one, subscribe another, delete one.
    ok(simvoly.put(f"/api/site/contacts/{on_it['id']}", json={"email": "on@example.com", "subscribed": False}))
    assert get_list(simvoly, newsletter["id"])["subscribers"] == 1
    contact(simvoly, "unsubscribed@example.com", status=200, subscribed=True)
    assert get_list(simvoly, newsletter["id"])["subscribers"] == 2
    both = ok(find_contact(simvoly, "both@example.com"))
    ok(simvoly.delete(f"/api/site/contacts/{both['id']}"))
    assert get_list(simvoly, newsletter["id"])["subscribers"] == 1
    assert get_list(simvoly, other["id"])["subscribers"] == 1


def test_deleting_a_list_removes_it_from_its_contacts(simvoly: ApiSession) -> None:
    doomed, kept = new_list(simvoly, "Doomed"), new_list(simvoly, "Kept")
    member = contact(simvoly, "listed@example.com", subscribed=True, subscriberLists=[doomed["id"], kept["id"]])

    assert ok(simvoly.delete(f"/api/site/subscriber-lists/{doomed['id']}")) == {"success": True}

    assert ok(simvoly.get(f"/api/site/contacts/{member['id']}"))["subscriberLists"] == [kept["id"]]
    refused(simvoly.get(f"/api/site/subscriber-lists/{doomed['id']}"), 404)
    refused(simvoly.delete(f"/api/site/subscriber-lists/{doomed['id']}"), 404)
    assert [item["id"] for item in page(simvoly, "/api/site/subscriber-lists")] == [kept["id"]]
    # The deleted list can no longer be given to a contact.
    refused(simvoly.post("/api/site/contacts", json={"email": "late@example.com", "subscriberLists": [doomed["id"]]}))


# -- form submissions ------------------------------------------------------------------
def test_a_submission_with_an_email_field_creates_the_contact(simvoly: ApiSession, account: Account, clock: int) -> None:
    fields = [
        {"name": "Name", "value": "Sam Sender"},
        {"name": "Email", "value": "sam@example.com"},
        {"name": "Message", "value": "Hello there"},
    ]

    submission = submit(account, fields, formName="Contact us")

    assert submission == {"name": "Contact us", "received": clock, "fields": fields}
    made = ok(find_contact(simvoly, "sam@example.com"))
    assert made["name"] == "Sam Sender"
    assert page(simvoly, "/api/site/form-submissions") == [submission]


def test_a_submission_updates_the_existing_contact(simvoly: ApiSession, account: Account) -> None:
    existing = contact(simvoly, "Repeat@example.com", name="Old Name", city="Rome")

    submit(account, [{"name": "Email", "value": "repeat@example.com"}, {"name": "Name", "value": "New Name"}])

    updated = ok(simvoly.get(f"/api/site/contacts/{existing['id']}"))
    assert updated["name"] == "New Name"
    assert updated["city"] == "Rome"
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 1


def test_a_submission_without_an_email_field_makes_no_contact(simvoly: ApiSession, account: Account) -> None:
    submission = submit(account, [{"name": "Name", "value": "Anon"}, {"name": "Message", "value": "no address"}])

    assert submission["fields"][0] == {"name": "Name", "value": "Anon"}
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 0
    assert len(page(simvoly, "/api/site/form-submissions")) == 1


def test_submissions_list_from_and_to_are_inclusive(simvoly: ApiSession, account: Account, clock: int) -> None:
    for n in range(4):
        submit(account, [{"name": "Message", "value": f"note {n}"}], formName=f"Form {n}")
        account.advance_clock(30)
    # received: clock, clock+30, clock+60, clock+90

    def names(**params: int) -> list[str]:
        return [s["name"] for s in page(simvoly, "/api/site/form-submissions", **params)]

    assert names() == ["Form 0", "Form 1", "Form 2", "Form 3"]
    assert names(**{"from": clock + 30}) == ["Form 1", "Form 2", "Form 3"]
    assert names(to=clock + 60) == ["Form 0", "Form 1", "Form 2"]
    assert names(**{"from": clock + 30, "to": clock + 60}) == ["Form 1", "Form 2"]
    assert names(**{"from": clock + 60, "to": clock + 60}) == ["Form 2"]
    assert names(**{"from": clock + 31, "to": clock + 59}) == []


# -- bookings --------------------------------------------------------------------------
def test_a_booking_is_listed_with_its_contact(simvoly: ApiSession, account: Account) -> None:
    start = FROZEN_AT + DAY

    booking = book(account, name="Bo Oking", email="bo@example.com", start=start, end=start + 3600, eventId=501)

    assert set(booking) == BOOKING_KEYS
    assert booking["name"] == "Bo Oking"
    assert booking["email"] == "bo@example.com"
    assert booking["start"] == start
    assert booking["end"] == start + 3600
    assert booking["eventId"] == 501
    made = ok(find_contact(simvoly, "bo@example.com"))
    assert booking["contactId"] == made["id"]
    assert made["name"] == "Bo Oking"
    assert page(simvoly, "/api/site/bookings") == [booking]


def test_a_booking_by_an_existing_contact_reuses_it(simvoly: ApiSession, account: Account) -> None:
    existing = contact(simvoly, "Regular@example.com")

    booking = book(account, name="Reg Ular", email="regular@example.com", start=FROZEN_AT)

    assert booking["contactId"] == existing["id"]
    assert ok(simvoly.get("/api/site/contacts"))["totalCount"] == 1


def test_bookings_list_filters_by_start_and_event(simvoly: ApiSession, account: Account) -> None:
    specs = [(FROZEN_AT, 7), (FROZEN_AT + DAY, 8), (FROZEN_AT + 2 * DAY, 7), (FROZEN_AT + 3 * DAY, 8)]
    made = [
        book(account, name=f"Guest {n}", email=f"guest{n}@example.com", start=start, eventId=event)["id"]
        for n, (start, event) in enumerate(specs)
    ]

    def ids(**params: int) -> list[int]:
        return [b["id"] for b in page(simvoly, "/api/site/bookings", **params)]

    assert ids() == made
    assert ids(**{"from": FROZEN_AT + DAY}) == made[1:]
    assert ids(to=FROZEN_AT + 2 * DAY) == made[:3]
    assert ids(**{"from": FROZEN_AT + DAY, "to": FROZEN_AT + 2 * DAY}) == made[1:3]
    assert ids(**{"from": FROZEN_AT + DAY + 1, "to": FROZEN_AT + 2 * DAY - 1}) == []
    assert ids(eventId=7) == [made[0], made[2]]
    assert ids(eventId=8) == [made[1], made[3]]
    assert ids(eventId=8, to=FROZEN_AT + 2 * DAY) == [made[1]]
    assert ids(eventId=9) == []
