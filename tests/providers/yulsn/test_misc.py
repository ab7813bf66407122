"""Yulsn actions, banner cache resets, feed syncs, iframe tokens, permission source
categories and bulk exports. Actions, banners, feeds and tokens are made in the back office
(admin actions), which also show what the API did with them (triggers, resets, syncs)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
import requests

from mockserver.testing import Account, ApiSession
from tests.providers.yulsn.helpers import admin, admin_items, contact, segment
from tests.support import trigger_response


# -- actions ------------------------------------------------------------------------------
def test_a_new_account_has_no_actions(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Actions")
    assert response.status_code == 200
    assert response.json() == []


def test_actions_made_in_the_back_office_are_listed(yulsn: ApiSession, account: Account) -> None:
    made = admin(account, "actions", {"name": "Gift", "description": "A gift", "manuallyTriggerable": False})
    listed = yulsn.get("/api/v1/Actions").json()
    assert listed == [made]
    assert (made["Name"], made["Description"], made["Enabled"], made["ManuallyTriggerable"]) == ("Gift", "A gift", True, False)


def test_trigger_on_a_contact_is_recorded(yulsn: ApiSession, account: Account) -> None:
    action = admin(account, "actions", {"name": "Gift"})
    contact_id = contact(yulsn, "a@example.dk")
    response = yulsn.post(f"/api/v1/Actions/{action['Id']}", params={"contactId": contact_id})
    assert response.status_code == 200
    assert response.content == b""
    [trigger] = admin_items(account, "triggers")
    assert (trigger["ActionId"], trigger["ContactId"], trigger["SegmentId"], trigger["ContactIds"]) == (
        action["Id"],
        contact_id,
        None,
        [contact_id],
    )


def test_trigger_on_a_segment_reaches_its_contacts(yulsn: ApiSession, account: Account) -> None:
    action = admin(account, "actions", {"name": "Gift"})
    ids = [contact(yulsn, "b@example.dk"), contact(yulsn, "c@example.dk")]
    segment_id = segment(yulsn, ids)
    assert yulsn.post(f"/api/v1/Actions/{action['Id']}?segmentid={segment_id}").status_code == 200
    [trigger] = admin_items(account, "triggers")
    assert (trigger["SegmentId"], trigger["ContactId"], sorted(trigger["ContactIds"])) == (segment_id, None, sorted(ids))


@pytest.mark.parametrize("both", [False, True])
def test_trigger_needs_exactly_one_of_contact_and_segment(yulsn: ApiSession, account: Account, both: bool) -> None:
    action = admin(account, "actions", {"name": "Gift"})
    contact_id = contact(yulsn, "d@example.dk")
    params = {"contactId": contact_id, "segmentId": segment(yulsn, [contact_id])} if both else {}
    response = yulsn.post(f"/api/v1/Actions/{action['Id']}", params=params)
    assert response.status_code == 400
    assert "Message" in response.json()
    assert admin_items(account, "triggers") == []


def test_trigger_of_an_unknown_action_contact_or_segment_is_404(yulsn: ApiSession, account: Account) -> None:
    action = admin(account, "actions", {"name": "Gift"})
    contact_id = contact(yulsn, "e@example.dk")
    assert yulsn.post("/api/v1/Actions/999", params={"contactId": contact_id}).status_code == 404
    assert yulsn.post(f"/api/v1/Actions/{action['Id']}", params={"contactId": 999}).status_code == 404
    response = yulsn.post(f"/api/v1/Actions/{action['Id']}", params={"segmentId": 999})
    assert response.status_code == 404
    assert "Message" in response.json()
    assert admin_items(account, "triggers") == []


def test_a_disabled_or_automatic_action_cannot_be_triggered(yulsn: ApiSession, account: Account) -> None:
    disabled = admin(account, "actions", {"name": "Off", "enabled": False})
    automatic = admin(account, "actions", {"name": "Auto", "manuallyTriggerable": False})
    contact_id = contact(yulsn, "f@example.dk")
    first = yulsn.post(f"/api/v1/Actions/{disabled['Id']}", params={"contactId": contact_id})
    second = yulsn.post(f"/api/v1/Actions/{automatic['Id']}", params={"contactId": contact_id})
    assert (first.status_code, second.status_code) == (400, 400)
    assert "enabled" in first.json()["Message"]
    assert "manually" in second.json()["Message"]
    assert first.json()["Message"] != second.json()["Message"], "the two refusals say why"
    assert admin_items(account, "triggers") == []


def test_admin_action_bodies_are_checked(account: Account) -> None:
    response = trigger_response(account, "actions", enabled="yes")
    assert response.status_code == 422
    assert {v["path"] for v in response.json()["violations"]} >= {"(body)", "enabled"}


# -- banners ------------------------------------------------------------------------------
def test_banner_cache_reset_by_ids_is_recorded(yulsn: ApiSession, account: Account) -> None:
    first = admin(account, "banners", {"name": "Hero"})
    second = admin(account, "banners", {"name": "Footer"})
    response = yulsn.post("/api/v1/Banners/CacheReset", json=[first["Id"], second["Id"]])
    assert response.status_code == 200
    assert response.content == b""
    banners = admin_items(account, "banners")
    assert [len(b["Resets"]) for b in banners] == [1, 1]
    assert banners[0]["Resets"][0]["VersionIds"] is None


def test_banner_cache_reset_with_an_unknown_banner_is_404_and_resets_none(yulsn: ApiSession, account: Account) -> None:
    banner = admin(account, "banners", {"name": "Hero"})
    response = yulsn.post("/api/v1/Banners/CacheReset", json=[banner["Id"], 999])
    assert response.status_code == 404
    assert "999" in response.json()["Message"]
    assert admin_items(account, "banners")[0]["Resets"] == []


def test_banner_version_reset_by_secret(yulsn: ApiSession, account: Account) -> None:
    banner = admin(account, "banners", {"name": "Hero", "versions": 3})
    other = admin(account, "banners", {"name": "Other", "versions": 1})
    versions = banner["Versions"]
    assert len(versions) == 3 and banner["Secret"]
    response = yulsn.post("/api/v1/Banners/CacheReset", params={"secret": banner["Secret"]}, json=versions[:2])
    assert response.status_code == 200
    assert admin_items(account, "banners")[0]["Resets"][0]["VersionIds"] == versions[:2]
    # A version of another banner, a banner id, or a wrong secret: 404.
    assert (
        yulsn.post("/api/v1/Banners/CacheReset", params={"secret": banner["Secret"]}, json=other["Versions"]).status_code == 404
    )
    assert yulsn.post("/api/v1/Banners/CacheReset", params={"secret": "wrong"}, json=versions[:1]).status_code == 404
    assert len(admin_items(account, "banners")[0]["Resets"]) == 1


def test_banner_cache_reset_needs_an_array_of_ids(yulsn: ApiSession) -> None:
    assert yulsn.post("/api/v1/Banners/CacheReset", json={"Ids": [1]}).status_code == 400
    assert yulsn.post("/api/v1/Banners/CacheReset", data="[1]", headers={"Content-Type": "text/plain"}).status_code == 415


# -- feeds --------------------------------------------------------------------------------
def test_sync_now_records_a_sync(yulsn: ApiSession, account: Account) -> None:
    feed = admin(account, "feeds", {"name": "Products", "url": "https://shop.example.dk/feed.xml"})
    assert feed["LastSynced"] is None
    response = yulsn.post(f"/api/v1/FeedSyncs/{feed['Id']}/SyncNow")
    assert response.status_code == 200
    assert response.content == b""
    yulsn.post(f"/api/v1/feedsyncs/{feed['Id']}/syncnow")
    [synced] = admin_items(account, "feeds")
    assert synced["SyncCount"] == 2
    assert synced["LastSynced"] is not None


def test_sync_of_an_unknown_feed_is_404(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/FeedSyncs/999/SyncNow")
    assert response.status_code == 404
    assert "Message" in response.json()


# -- iframe tokens ------------------------------------------------------------------------
def test_an_iframe_token_is_found_by_its_id(yulsn: ApiSession, account: Account) -> None:
    made = admin(
        account,
        "iframe-tokens",
        {
            "id": "tok-1",
            "administratorId": 5,
            "administratorEmail": "a@example.dk",
            "storeIds": [1, 2],
            "rights": ["Contacts.Read"],
            "groupId": 9,
        },
    )
    response = yulsn.get("/api/v1/IframeToken", params={"tokenId": "tok-1"})
    assert response.status_code == 200
    token = response.json()
    assert token == made
    assert (token["Id"], token["AdministratorId"], token["StoreIds"], token["Rights"], token["GroupId"]) == (
        "tok-1",
        5,
        [1, 2],
        ["Contacts.Read"],
        9,
    )
    assert isinstance(token["AccountId"], int)


def test_a_token_id_defaults_to_a_uuid_and_is_unique(yulsn: ApiSession, account: Account) -> None:
    made = admin(account, "iframe-tokens")
    assert len(made["Id"]) == 36
    assert yulsn.get("/api/v1/IframeToken", params={"tokenid": made["Id"]}).json()["Id"] == made["Id"]
    again = trigger_response(account, "iframe-tokens", id=made["Id"])
    assert again.status_code == 409


def test_an_unknown_iframe_token_is_404(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/IframeToken", params={"tokenId": "nope"})
    assert response.status_code == 404
    assert "Message" in response.json()
    assert yulsn.get("/api/v1/IframeToken").status_code == 400


# -- permission source categories ---------------------------------------------------------
def test_a_new_account_has_the_default_category(yulsn: ApiSession) -> None:
    categories = yulsn.get("/api/v1/PermissionSourceCategories").json()
    assert len(categories) == 1
    assert set(categories[0]) == {"Id", "Name", "Description"}
    assert yulsn.get("/api/v1/PermissionSourceCategoryRelations").json() == []


def test_categories_and_their_sources(yulsn: ApiSession, account: Account) -> None:
    category = admin(account, "permission-categories", {"name": "Marketing", "permissionSources": ["Webshop", "Store"]})
    assert category in yulsn.get("/api/v1/PermissionSourceCategories").json()
    relations = yulsn.get("/api/v1/PermissionSourceCategoryRelations").json()
    assert relations == [
        {"PermissionSource": "Webshop", "PermissionSourceCategoryId": category["Id"]},
        {"PermissionSource": "Store", "PermissionSourceCategoryId": category["Id"]},
    ]


# -- bulk exports -------------------------------------------------------------------------
EXPORT_FIELDS = {
    "Name",
    "DownloadUrl",
    "SizeInBytes",
    "Type",
    "CreatedDateTimeFrom",
    "CreatedDateTimeTo",
    "ItemType",
    "RowCount",
    "SegmentId",
    "Right",
    "TimeZoneId",
}


def export(client: ApiSession, **settings: Any) -> dict[str, Any]:
    response = client.post("/api/v1/BulkExport", json=settings)
    assert response.status_code == 200, response.text
    item: dict[str, Any] = response.json()
    return item


def test_a_contacts_export(yulsn: ApiSession) -> None:
    contact(yulsn, "g@example.dk")
    contact(yulsn, "h@example.dk")
    item = export(yulsn, Type=0, ColumnDelimiter=",", Format=0, ItemType="test", TimeZoneId="UTC")
    assert set(item) == EXPORT_FIELDS
    assert item["Type"] == "Contacts"
    assert item["RowCount"] == 2
    assert item["Name"].endswith(".csv")
    assert (item["ItemType"], item["TimeZoneId"]) == ("test", "UTC")
    assert item["SizeInBytes"] > 0


def test_exports_are_listed_and_filtered_by_type(yulsn: ApiSession) -> None:
    contacts = export(yulsn, Type=0)
    events = export(yulsn, Type=6)
    assert events["Type"] == "Events", "the type is named as the vendor's ExportType enum names it"
    assert yulsn.get("/api/v1/BulkExport").json() == [contacts, events]
    assert yulsn.get("/api/v1/BulkExport", params={"type": 0}).json() == [contacts]
    assert yulsn.get("/api/v1/BulkExport", params={"type": 6}).json() == [events]
    assert yulsn.get("/api/v1/BulkExport", params={"type": 3}).json() == []


def test_camel_case_export_settings(yulsn: ApiSession) -> None:
    item = export(yulsn, type=8, suffixFileName="weekly", timeZoneId="Romance Standard Time")
    assert item["Type"] == "ContactCompanies"
    assert "weekly" in item["Name"]
    assert item["TimeZoneId"] == "Romance Standard Time"


@pytest.mark.parametrize(
    "settings",
    [
        {"Type": 24},
        {"Type": -1},
        {"Type": 0, "Format": 2},
        {},
        {"Type": None},
        {"Type": 0, "DynamicTableId": 1},
        {"DynamicTableId": 999},
        {"Type": 0, "SegmentId": 999},
        {"Type": 0, "CreatedDateTimeFrom": "not a date"},
    ],
)
def test_invalid_export_settings_are_400(yulsn: ApiSession, settings: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/BulkExport", json=settings)
    assert response.status_code == 400
    assert "Message" in response.json()
    assert yulsn.get("/api/v1/BulkExport").json() == []


def test_an_export_of_a_dynamic_table(yulsn: ApiSession, account: Account) -> None:
    table = admin(account, "tables", {"name": "Cars"})
    item = export(yulsn, DynamicTableId=table["Id"])
    assert item["Type"] == "DynamicTable"
    assert item["RowCount"] == 0
    assert yulsn.get("/api/v1/BulkExport", params={"type": 0}).json() == []


def test_an_export_of_a_segment_counts_its_contacts(yulsn: ApiSession) -> None:
    ids = [contact(yulsn, f"{n}@example.dk") for n in "ijk"]
    segment_id = segment(yulsn, ids[:2])
    item = export(yulsn, Type=0, SegmentId=segment_id)
    assert (item["RowCount"], item["SegmentId"]) == (2, segment_id)


def test_an_export_window_and_last_id(yulsn: ApiSession) -> None:
    ids = [contact(yulsn, f"{n}@example.dk") for n in "lmn"]
    assert export(yulsn, Type=0, LastId=ids[0])["RowCount"] == 2
    later = export(yulsn, Type=0, CreatedDateTimeFrom="2999-01-01T00:00:00+00:00")
    assert later["RowCount"] == 0
    assert later["CreatedDateTimeFrom"] == "2999-01-01T00:00:00+00:00"


def test_the_download_url_serves_the_rows(yulsn: ApiSession) -> None:
    first = contact(yulsn, "o@example.dk", FirstName="Olga")
    contact(yulsn, "p@example.dk", FirstName="Per; Jr")
    item = export(yulsn, Type=0, Fields=["Id", "email", "FirstName"], ColumnDelimiter=";", RowDelimiter="\n")
    response = requests.get(item["DownloadUrl"], timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert len(response.content) == item["SizeInBytes"]
    lines = response.text.split("\n")
    assert lines[0] == "Id;Email;FirstName"
    assert lines[1] == f"{first};o@example.dk;Olga"
    assert lines[2].endswith(';"Per; Jr"'), "a value holding the delimiter is quoted"


def test_a_compressed_export_is_gzip(yulsn: ApiSession) -> None:
    contact(yulsn, "q@example.dk")
    item = export(yulsn, Type=0, Fields=["Email"], UseCompression=True)
    assert item["Name"].endswith(".csv.gz")
    response = requests.get(item["DownloadUrl"], timeout=10)
    assert response.status_code == 200
    assert gzip.decompress(response.content).decode().splitlines() == ["Email", "q@example.dk"]


# -- the demo -----------------------------------------------------------------------------
def test_the_demo_has_actions_of_every_kind(yulsn_demo: ApiSession) -> None:
    actions = yulsn_demo.get("/api/v1/Actions").json()
    kinds = {(a["Enabled"], a["ManuallyTriggerable"]) for a in actions}
    assert {(True, True), (False, True), (True, False)} <= kinds
    triggerable = next(a for a in actions if a["Enabled"] and a["ManuallyTriggerable"])
    contact_id = yulsn_demo.get("/api/v1/Contacts").json()[0]
    assert yulsn_demo.post(f"/api/v1/Actions/{triggerable['Id']}", params={"contactId": contact_id}).status_code == 200


def test_the_demo_has_categories_with_relations(yulsn_demo: ApiSession) -> None:
    categories = {c["Id"] for c in yulsn_demo.get("/api/v1/PermissionSourceCategories").json()}
    relations = yulsn_demo.get("/api/v1/PermissionSourceCategoryRelations").json()
    assert len(categories) >= 2 and relations
    assert {r["PermissionSourceCategoryId"] for r in relations} <= categories


def test_the_demo_has_an_export(yulsn_demo: ApiSession) -> None:
    exports = yulsn_demo.get("/api/v1/BulkExport").json()
    assert exports
    assert all(e["Type"] for e in exports)


def test_the_demo_back_office(yulsn_demo_account: Account, yulsn_demo: ApiSession) -> None:
    banners = admin_items(yulsn_demo_account, "banners")
    feeds = admin_items(yulsn_demo_account, "feeds")
    assert banners and feeds
    reset = yulsn_demo.post("/api/v1/Banners/CacheReset", params={"secret": banners[0]["Secret"]}, json=banners[0]["Versions"])
    assert reset.status_code == 200
    assert yulsn_demo.post(f"/api/v1/FeedSyncs/{feeds[0]['Id']}/SyncNow").status_code == 200
