"""Yulsn e-mail: builder campaigns (Draft -> Scheduled -> Cancelled), e-mail dispatches to a
contact or to segments with their receivers, and email2 dispatches of a trigger. Templates
and email2 triggers are made in the back office; a new account has template 1."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import admin, admin_items, contact, segment

QUEUED = "A new dispatch is successfully queued, but an id cannot be returned."
CAMPAIGN_FIELDS = {
    "Id",
    "EmailCampaignId",
    "Type",
    "Name",
    "Subject",
    "Preheader",
    "EmailTemplateId",
    "Status",
    "StartSending",
    "Blocks",
}
DISPATCH_FIELDS = {
    "Id",
    "Planned",
    "PlannedUtc",
    "EmailCampaignId",
    "EmailCampaignName",
    "Subject",
    "Preheader",
    "Status",
    "Type",
    "Sent",
    "Delivered",
    "Opens",
    "Clicks",
    "DeliveryRatio",
    "OpenedRatio",
    "ClickRatio",
}
BLOCK = {"EmailBuilderBlockId": 12, "InputValues": {"Headline": {"Value": "Hi"}}, "Settings": {"Condition": None}}


def campaign(client: ApiSession, **fields: Any) -> dict[str, Any]:
    body = {"Type": 0, "Name": "Spring", "Subject": "Spring sale", "Preheader": "Now", "EmailTemplateId": 1, **fields}
    response = client.post("/api/v1/EmailBuilderCampaigns", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def with_block(client: ApiSession) -> dict[str, Any]:
    created = campaign(client)
    assert client.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/AddBlock", json=BLOCK).status_code == 200
    return created


def dispatch(client: ApiSession, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/EmailDispatches", json=fields)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def receivers(client: ApiSession, last_id: int = 0) -> list[dict[str, Any]]:
    response = client.get("/api/v1/EmailDispatchReceiver", params={"lastId": last_id})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


# -- builder campaigns --------------------------------------------------------------------
def test_a_new_campaign_is_a_draft(yulsn: ApiSession) -> None:
    created = campaign(yulsn, Type=1, Dynamic={"Key": "Value"})
    assert set(created) >= CAMPAIGN_FIELDS
    assert (created["Status"], created["StartSending"], created["Blocks"]) == ("Draft", None, [])
    assert (created["Type"], created["Name"], created["Subject"], created["Preheader"], created["EmailTemplateId"]) == (
        1,
        "Spring",
        "Spring sale",
        "Now",
        1,
    )
    assert isinstance(created["EmailCampaignId"], int)
    assert campaign(yulsn)["EmailCampaignId"] != created["EmailCampaignId"]


def test_camel_case_campaign_bodies(yulsn: ApiSession) -> None:
    response = yulsn.post(
        "/api/v1/EmailBuilderCampaigns", json={"type": 0, "name": "Camel", "subject": "S", "emailTemplateId": 1}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["Name"], response.json()["Subject"]) == ("Camel", "S")


def test_the_template_must_be_one_of_the_account(yulsn: ApiSession, account: Account) -> None:
    response = yulsn.post("/api/v1/EmailBuilderCampaigns", json={"Name": "X", "EmailTemplateId": 2})
    assert response.status_code == 404
    assert "Message" in response.json()
    template = admin(account, "email-templates", {"name": "Newsletter"})
    assert template["Id"] == 2
    assert campaign(yulsn, EmailTemplateId=2)["EmailTemplateId"] == 2


@pytest.mark.parametrize(
    "body",
    [{"EmailTemplateId": 1}, {"Name": "X"}, {"Name": "", "EmailTemplateId": 1}, {"Name": "X", "EmailTemplateId": 1, "Type": 2}],
)
def test_invalid_campaigns_are_400(yulsn: ApiSession, body: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/EmailBuilderCampaigns", json=body)
    assert response.status_code == 400
    assert "Message" in response.json()


def test_blocks_are_added_to_a_draft(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/AddBlock", json=BLOCK)
    assert response.status_code == 200
    block = response.json()
    assert isinstance(block["Id"], int)
    assert {k: block[k] for k in BLOCK} == BLOCK
    camel = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/addblock", json={"emailBuilderBlockId": 13})
    assert camel.status_code == 200
    assert (camel.json()["EmailBuilderBlockId"], camel.json()["InputValues"]) == (13, None)
    scheduled = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={}).json()
    assert [b["Id"] for b in scheduled["Blocks"]] == [block["Id"], camel.json()["Id"]]


def test_a_campaign_without_blocks_cannot_be_scheduled(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={})
    assert response.status_code == 400
    assert "Message" in response.json()


def test_scheduling_makes_the_campaign_scheduled(yulsn: ApiSession) -> None:
    created = with_block(yulsn)
    segment_id = segment(yulsn, [contact(yulsn, "a@example.dk")])
    body = {
        "IncludeSegments": [segment_id],
        "ExcludeSegments": None,
        "LimitContacts": 10,
        "LimitSendingSpeed": 60,
        "StartSending": "2030-05-01T10:00:00+02:00",
    }
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json=body)
    assert response.status_code == 200, response.text
    scheduled = response.json()
    assert scheduled["Status"] == "Scheduled"
    assert scheduled["StartSending"] == "2030-05-01T08:00:00+00:00"
    assert scheduled["Id"] == created["Id"]


def test_scheduling_with_an_unknown_segment_is_404_and_leaves_a_draft(yulsn: ApiSession) -> None:
    created = with_block(yulsn)
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={"ExcludeSegments": [999]})
    assert response.status_code == 404
    assert "999" in response.json()["Message"]
    again = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={})
    assert again.status_code == 200
    assert again.json()["Status"] == "Scheduled"


def test_only_drafts_take_blocks_or_are_scheduled(yulsn: ApiSession) -> None:
    created = with_block(yulsn)
    assert yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={}).status_code == 200
    assert yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/AddBlock", json=BLOCK).status_code == 400
    assert yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={}).status_code == 400


def test_a_scheduled_campaign_is_cancelled_once(yulsn: ApiSession) -> None:
    created = with_block(yulsn)
    yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={})
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Cancel")
    assert response.status_code == 200
    assert response.json()["Status"] == "Cancelled"
    again = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Cancel")
    assert again.status_code == 400
    assert yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/AddBlock", json=BLOCK).status_code == 400


def test_a_draft_cannot_be_cancelled(yulsn: ApiSession) -> None:
    response = yulsn.post(f"/api/v1/EmailBuilderCampaigns/{campaign(yulsn)['Id']}/Cancel")
    assert response.status_code == 400
    assert "Message" in response.json()


def test_an_unknown_campaign_is_404(yulsn: ApiSession) -> None:
    assert yulsn.post("/api/v1/EmailBuilderCampaigns/999/AddBlock", json=BLOCK).status_code == 404
    assert yulsn.post("/api/v1/EmailBuilderCampaigns/999/Schedule", json={}).status_code == 404
    assert yulsn.post("/api/v1/EmailBuilderCampaigns/999/Cancel").status_code == 404


def test_scheduling_queues_a_dispatch_that_cancelling_cancels(yulsn: ApiSession) -> None:
    """The emulator's model: a scheduled newsletter is a waiting dispatch of the campaign
    to the included segments' contacts less the excluded ones; cancelling cancels it."""
    a, b, c = (contact(yulsn, f"{n}@example.dk") for n in "bcd")
    created = with_block(yulsn)
    body = {"IncludeSegments": [segment(yulsn, [a, b, c])], "ExcludeSegments": [segment(yulsn, [b])]}
    yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json=body)
    [queued] = yulsn.get("/api/v1/EmailDispatches").json()
    assert (queued["EmailCampaignId"], queued["Status"], queued["Type"]) == (created["EmailCampaignId"], 100, 3)
    assert sorted(r["ContactId"] for r in receivers(yulsn) if r["EmailDispatchId"] == queued["Id"]) == [a, c]
    yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Cancel")
    assert yulsn.get("/api/v1/EmailDispatches").json()[0]["Status"] == 125


# -- e-mail dispatches --------------------------------------------------------------------
def test_a_dispatch_to_a_contact(yulsn: ApiSession) -> None:
    created = campaign(yulsn, Name="Welcome", Subject="Hello", Preheader="Pre")
    contact_id = contact(yulsn, "e@example.dk")
    sent = dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=contact_id)
    assert set(sent) == DISPATCH_FIELDS
    assert (sent["Status"], sent["Type"]) == (100, 2), "waiting, transactional"
    assert (sent["EmailCampaignName"], sent["Subject"], sent["Preheader"]) == ("Welcome", "Hello", "Pre")
    assert (sent["Sent"], sent["DeliveryRatio"]) == (0, 0)
    response = yulsn.get("/api/v1/EmailDispatchReceiver", params={"emailDispatchId": sent["Id"], "contactId": contact_id})
    assert response.status_code == 200
    receiver = response.json()
    assert (receiver["EmailDispatchId"], receiver["ContactId"], receiver["Email"]) == (sent["Id"], contact_id, "e@example.dk")


def test_a_dispatch_to_segments_reaches_each_contact_once(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    a, b, c = (contact(yulsn, f"{n}@example.dk") for n in "fgh")
    no_email = contact(yulsn, None, Phone="+4511111111")
    sent = dispatch(
        yulsn, EmailCampaignId=created["EmailCampaignId"], SegmentIds=[segment(yulsn, [a, b, no_email]), segment(yulsn, [b, c])]
    )
    assert (sent["Status"], sent["Type"]) == (100, 3), "waiting, newsletter"
    reached = [r["ContactId"] for r in receivers(yulsn) if r["EmailDispatchId"] == sent["Id"]]
    assert sorted(reached) == [a, b, c], "one receiver per contact with an e-mail address"


def test_a_test_dispatch_is_type_1(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    contact_id = contact(yulsn, "i@example.dk")
    assert dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=contact_id, IsTest=True)["Type"] == 1
    camel = dispatch(yulsn, emailCampaignId=created["EmailCampaignId"], segmentIds=[segment(yulsn, [contact_id])], isTest=True)
    assert camel["Type"] == 1


def test_a_dispatch_takes_random_contacts(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    ids = [contact(yulsn, f"r{n}@example.dk") for n in range(5)]
    sent = dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], SegmentIds=[segment(yulsn, ids)], TakeRandom=2)
    reached = [r["ContactId"] for r in receivers(yulsn) if r["EmailDispatchId"] == sent["Id"]]
    assert len(reached) == 2 and set(reached) <= set(ids)


def test_a_dispatch_needs_a_contact_or_segments(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    contact_id = contact(yulsn, "j@example.dk")
    bodies: list[dict[str, Any]] = [
        {},
        {"ContactId": None, "SegmentIds": []},
        {"ContactId": contact_id, "SegmentIds": [segment(yulsn, [contact_id])]},
    ]
    for body in bodies:
        response = yulsn.post("/api/v1/EmailDispatches", json={"EmailCampaignId": created["EmailCampaignId"], **body})
        assert response.status_code == 400, body
        assert "Message" in response.json()
    assert yulsn.get("/api/v1/EmailDispatches").json() == []


def test_unknown_campaign_contact_or_segment_is_404(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    contact_id = contact(yulsn, "k@example.dk")
    for body in (
        {"EmailCampaignId": 999, "ContactId": contact_id},
        {"EmailCampaignId": created["EmailCampaignId"], "ContactId": 999},
        {"EmailCampaignId": created["EmailCampaignId"], "SegmentIds": [999]},
    ):
        response = yulsn.post("/api/v1/EmailDispatches", json=body)
        assert response.status_code == 404, body
        assert "Message" in response.json()
    assert yulsn.get("/api/v1/EmailDispatches").json() == []
    assert receivers(yulsn) == []


def test_dispatches_are_listed_newest_first_and_filtered(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    contact_id = contact(yulsn, "l@example.dk")
    old = dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=contact_id, DateTime="2024-01-10T10:00:00+00:00")
    test = dispatch(
        yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=contact_id, IsTest=True, DateTime="2024-02-10T10:00:00+00:00"
    )
    news = dispatch(
        yulsn,
        EmailCampaignId=created["EmailCampaignId"],
        SegmentIds=[segment(yulsn, [contact_id])],
        DateTime="2024-03-10T10:00:00+00:00",
    )
    listed = yulsn.get("/api/v1/EmailDispatches").json()
    assert [d["Id"] for d in listed] == [news["Id"], test["Id"], old["Id"]]
    assert [d["Id"] for d in yulsn.get("/api/v1/EmailDispatches", params={"type": 1}).json()] == [test["Id"]]
    assert [d["Id"] for d in yulsn.get("/api/v1/EmailDispatches", params={"take": 2}).json()] == [news["Id"], test["Id"]]
    window = {"from": "02/10/2024 10:00:00 +00:00", "to": "2024-03-01T00:00:00Z"}
    assert [d["Id"] for d in yulsn.get("/api/v1/EmailDispatches", params=window).json()] == [test["Id"]], (
        ".NET dates, from inclusive"
    )
    assert yulsn.get("/api/v1/EmailDispatches", params={"from": "2024-03-11T00:00:00Z"}).json() == []


def test_dispatches_filtered_by_status(yulsn: ApiSession) -> None:
    created = with_block(yulsn)
    contact_id = contact(yulsn, "m@example.dk")
    waiting = dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=contact_id)
    yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Schedule", json={})
    yulsn.post(f"/api/v1/EmailBuilderCampaigns/{created['Id']}/Cancel")
    cancelled = next(d for d in yulsn.get("/api/v1/EmailDispatches").json() if d["Status"] == 125)
    assert [d["Id"] for d in yulsn.get("/api/v1/EmailDispatches?status[0]=100").json()] == [waiting["Id"]]
    assert [d["Id"] for d in yulsn.get("/api/v1/EmailDispatches", params={"status": 125}).json()] == [cancelled["Id"]]
    both = yulsn.get("/api/v1/EmailDispatches?status[0]=100&status[1]=125").json()
    assert {d["Id"] for d in both} == {waiting["Id"], cancelled["Id"]}
    assert len(yulsn.get("/api/v1/EmailDispatches", params=[("status", 100), ("status", 125)]).json()) == 2
    assert yulsn.get("/api/v1/EmailDispatches", params={"status": 120}).json() == []


@pytest.mark.parametrize("query", ["from=yesterday", "take=0", "type=7", "status=abc"])
def test_bad_dispatch_filters_are_400(yulsn: ApiSession, query: str) -> None:
    response = yulsn.get(f"/api/v1/EmailDispatches?{query}")
    assert response.status_code == 400
    assert "Message" in response.json()


def test_receivers_page_after_the_last_id(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    ids = [contact(yulsn, f"p{n}@example.dk") for n in range(4)]
    dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], SegmentIds=[segment(yulsn, ids)])
    everyone = receivers(yulsn)
    assert len(everyone) == 4
    assert [r["Id"] for r in everyone] == sorted(r["Id"] for r in everyone)
    assert receivers(yulsn, everyone[1]["Id"]) == everyone[2:]
    assert receivers(yulsn, everyone[-1]["Id"]) == []
    assert yulsn.get("/api/v1/EmailDispatchReceiver").json() == everyone


def test_a_receiver_not_found_is_404(yulsn: ApiSession) -> None:
    created = campaign(yulsn)
    a, b = contact(yulsn, "q@example.dk"), contact(yulsn, "r@example.dk")
    sent = dispatch(yulsn, EmailCampaignId=created["EmailCampaignId"], ContactId=a)
    response = yulsn.get("/api/v1/EmailDispatchReceiver", params={"emailDispatchId": sent["Id"], "contactId": b})
    assert response.status_code == 404
    assert "Message" in response.json()
    assert yulsn.get("/api/v1/EmailDispatchReceiver", params={"emailDispatchId": sent["Id"]}).status_code == 400


# -- email2 -------------------------------------------------------------------------------
def test_email2_to_contacts_or_emails_answers_the_message(yulsn: ApiSession, account: Account) -> None:
    trigger = admin(account, "email2-triggers", {"name": "Welcome"})
    contact_id = contact(yulsn, "s@example.dk")
    body = {
        "TriggerId": trigger["Id"],
        "Scope": {"Contacts": {str(contact_id): {"Dynamic": {"Name": "S"}}}, "Emails": None, "Segments": None},
    }
    response = yulsn.post("/api/v1/Email2Dispatches", json=body)
    assert response.status_code == 200
    assert response.json() == QUEUED
    emails = yulsn.post("/api/v1/Email2Dispatches", json={"triggerId": trigger["Id"], "scope": {"emails": {"x@example.dk": {}}}})
    assert (emails.status_code, emails.json()) == (200, QUEUED)
    recorded = admin_items(account, "email2-dispatches")
    assert [(r["ScopeType"], r["Receivers"]) for r in recorded] == [("Contacts", [contact_id]), ("Emails", ["x@example.dk"])]


def test_email2_to_segments_answers_an_id(yulsn: ApiSession, account: Account) -> None:
    trigger = admin(account, "email2-triggers", {"name": "News"})
    a, b = contact(yulsn, "t@example.dk"), contact(yulsn, "u@example.dk")
    scope = {"Segments": {"InSegmentIds": [segment(yulsn, [a, b])], "NotInSegmentIds": [segment(yulsn, [b])], "TakeRandom": None}}
    response = yulsn.post("/api/v1/Email2Dispatches", json={"TriggerId": trigger["Id"], "Scope": scope})
    assert response.status_code == 200
    dispatch_id = response.json()
    assert isinstance(dispatch_id, int)
    recorded = admin_items(account, "email2-dispatches")
    assert [(r["Id"], r["ScopeType"], r["Receivers"]) for r in recorded] == [(dispatch_id, "Segments", [a])]


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"Contacts": None, "Emails": None, "Segments": None},
        {"Contacts": {"1": {}}, "Emails": {"a@example.dk": {}}},
        {"Emails": {"not-an-email": {}}},
        {"Contacts": {"abc": {}}},
        {"Contacts": {}},
    ],
)
def test_email2_needs_exactly_one_valid_scope(yulsn: ApiSession, account: Account, scope: dict[str, Any]) -> None:
    trigger = admin(account, "email2-triggers", {"name": "Welcome"})
    contact(yulsn, "v@example.dk")
    response = yulsn.post("/api/v1/Email2Dispatches", json={"TriggerId": trigger["Id"], "Scope": scope})
    assert response.status_code == 400
    assert "Message" in response.json()
    assert admin_items(account, "email2-dispatches") == []


def test_email2_unknown_trigger_contact_or_segment_is_404(yulsn: ApiSession, account: Account) -> None:
    trigger = admin(account, "email2-triggers", {"name": "Welcome"})
    contact_id = contact(yulsn, "w@example.dk")
    for body in (
        {"TriggerId": 999, "Scope": {"Contacts": {str(contact_id): {}}}},
        {"TriggerId": trigger["Id"], "Scope": {"Contacts": {"999": {}}}},
        {"TriggerId": trigger["Id"], "Scope": {"Segments": {"InSegmentIds": [999]}}},
    ):
        response = yulsn.post("/api/v1/Email2Dispatches", json=body)
        assert response.status_code == 404, body
        assert "Message" in response.json()
    assert admin_items(account, "email2-dispatches") == []


def test_a_new_account_has_no_email2_triggers(yulsn: ApiSession) -> None:
    contact_id = contact(yulsn, "x@example.dk")
    response = yulsn.post("/api/v1/Email2Dispatches", json={"TriggerId": 1, "Scope": {"Contacts": {str(contact_id): {}}}})
    assert response.status_code == 404
    assert response.json() == {"Message": "Trigger with id 1 not found."}


# -- the demo -----------------------------------------------------------------------------
def test_the_demo_has_dispatches_with_receivers(yulsn_demo: ApiSession) -> None:
    dispatches = yulsn_demo.get("/api/v1/EmailDispatches").json()
    assert len(dispatches) >= 2
    assert {d["Type"] for d in dispatches} >= {2, 3}
    planned = [d["Planned"] for d in dispatches]
    assert planned == sorted(planned, reverse=True)
    finished = [d for d in dispatches if d["Status"] == 120]
    assert finished and finished[0]["Sent"] > 0
    assert 0 < finished[0]["DeliveryRatio"] <= 1
    everyone = yulsn_demo.get("/api/v1/EmailDispatchReceiver").json()
    assert {r["EmailDispatchId"] for r in everyone} <= {d["Id"] for d in dispatches}
    sent = [r for r in everyone if r["EmailDispatchId"] == finished[0]["Id"]]
    assert len(sent) == finished[0]["Sent"]
    contact_ids = set(yulsn_demo.get("/api/v1/Contacts").json())
    assert {r["ContactId"] for r in everyone} <= contact_ids


def test_the_demo_has_templates_and_triggers(yulsn_demo: ApiSession) -> None:
    created = campaign(yulsn_demo, EmailTemplateId=2)
    assert created["Status"] == "Draft"
    contact_id = yulsn_demo.get("/api/v1/Contacts").json()[0]
    response = yulsn_demo.post("/api/v1/Email2Dispatches", json={"TriggerId": 1, "Scope": {"Contacts": {str(contact_id): {}}}})
    assert (response.status_code, response.json()) == (200, QUEUED)
