"""Yulsn media library: folders (a new account has the root folder, id 1; others are made in
the back office), media uploaded as base64, renamed, listed by folder and deleted."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mockserver.testing import Account, ApiSession
from tests.support import created, trigger_response

MEDIA_FIELDS = {"Id", "Name", "FolderId", "ContentType", "SizeInBytes", "PublicUrl", "ThumbnailUrl", "LastModified"}
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")


def upload(
    client: ApiSession, name: str = "logo.png", data: bytes = PNG, folder_id: int = 1, content_type: str = "image/png"
) -> dict[str, Any]:
    body = {"Name": name, "FolderId": folder_id, "ContentType": content_type, "Media": base64.b64encode(data).decode()}
    response = client.post("/api/v1/Media", json=body)
    assert response.status_code == 200, response.text
    media: dict[str, Any] = response.json()
    return media


def folder(account: Account, name: str, parent_id: int | None = None) -> dict[str, Any]:
    return created(trigger_response(account, "media-folders", name=name, parentId=parent_id))


def test_a_new_account_has_the_root_folder(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Media/Folders")
    assert response.status_code == 200
    [root] = response.json()
    assert (root["Id"], root["ParentId"]) == (1, None)
    assert yulsn.get("/api/v1/Media", params={"folderId": 1}).json() == []


def test_an_upload_is_decoded(yulsn: ApiSession) -> None:
    media = upload(yulsn)
    assert set(media) == MEDIA_FIELDS
    assert (media["Name"], media["FolderId"], media["ContentType"]) == ("logo.png", 1, "image/png")
    assert media["SizeInBytes"] == len(PNG), "the size of the decoded file, not of the base64 text"
    assert media["PublicUrl"].startswith("https://media.yulsn.com/")
    assert media["PublicUrl"].endswith(f"/{media['Id']}/logo.png")
    assert media["ThumbnailUrl"] is not None and media["ThumbnailUrl"] != media["PublicUrl"]
    assert yulsn.get(f"/api/v1/Media/{media['Id']}").json() == media


def test_only_images_have_thumbnails(yulsn: ApiSession) -> None:
    media = upload(yulsn, "terms.pdf", b"%PDF-1.4 terms", content_type="application/pdf")
    assert media["ThumbnailUrl"] is None
    assert media["SizeInBytes"] == len(b"%PDF-1.4 terms")


def test_camel_case_upload(yulsn: ApiSession) -> None:
    body = {"name": "a.txt", "folderId": 1, "contentType": "text/plain", "media": base64.b64encode(b"hello").decode()}
    response = yulsn.post("/api/v1/Media", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["Name"], response.json()["SizeInBytes"]) == ("a.txt", 5)


def test_accounts_have_their_own_media_urls(yulsn: ApiSession, yulsn_demo: ApiSession) -> None:
    mine, demo = upload(yulsn), upload(yulsn_demo)
    assert mine["PublicUrl"].split("/")[3] != demo["PublicUrl"].split("/")[3], "the URL names the account"


@pytest.mark.parametrize("media", ["not base64!", "abc", ""])
def test_media_that_is_not_base64_is_400(yulsn: ApiSession, media: str) -> None:
    response = yulsn.post("/api/v1/Media", json={"Name": "x.png", "FolderId": 1, "ContentType": "image/png", "Media": media})
    assert response.status_code == 400
    assert "Message" in response.json()
    assert yulsn.get("/api/v1/Media", params={"folderId": 1}).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"FolderId": 1, "ContentType": "image/png", "Media": "aGk="},
        {"Name": "x", "FolderId": 1, "Media": "aGk="},
        {"Name": "x", "FolderId": 1, "ContentType": "no type", "Media": "aGk="},
    ],
)
def test_an_incomplete_upload_is_400(yulsn: ApiSession, body: dict[str, Any]) -> None:
    response = yulsn.post("/api/v1/Media", json=body)
    assert response.status_code == 400
    assert "Message" in response.json()


def test_an_upload_to_an_unknown_folder_is_404(yulsn: ApiSession) -> None:
    response = yulsn.post("/api/v1/Media", json={"Name": "x.png", "FolderId": 99, "ContentType": "image/png", "Media": "aGk="})
    assert response.status_code == 404
    assert "Message" in response.json()


def test_media_are_listed_by_folder(yulsn: ApiSession, account: Account) -> None:
    logos = folder(account, "Logos")
    assert logos["ParentId"] == 1
    nested = folder(account, "Old", logos["Id"])
    assert nested["ParentId"] == logos["Id"]
    assert [f["Id"] for f in yulsn.get("/api/v1/Media/Folders").json()] == [1, logos["Id"], nested["Id"]]
    in_root = upload(yulsn, "root.png")
    in_logos = [upload(yulsn, "a.png", folder_id=logos["Id"]), upload(yulsn, "b.png", folder_id=logos["Id"])]
    assert yulsn.get("/api/v1/Media", params={"folderId": logos["Id"]}).json() == in_logos
    assert yulsn.get("/api/v1/Media", params={"folderId": 1}).json() == [in_root]
    assert yulsn.get("/api/v1/Media", params={"folderId": nested["Id"]}).json() == []
    assert yulsn.get("/api/v1/Media", params={"folderId": 999}).json() == []


def test_a_folder_under_an_unknown_parent_is_refused(account: Account) -> None:
    response = trigger_response(account, "media-folders", name="X", parentId=99)
    assert response.status_code == 404
    assert trigger_response(account, "media-folders").status_code == 422


def test_the_folder_is_required_to_list(yulsn: ApiSession) -> None:
    assert yulsn.get("/api/v1/Media").status_code == 400


def test_rename(yulsn: ApiSession) -> None:
    media = upload(yulsn)
    response = yulsn.post(f"/api/v1/Media/{media['Id']}/Rename", params={"newName": "brand logo.png"})
    assert response.status_code == 200
    renamed = response.json()
    assert renamed["Name"] == "brand logo.png"
    assert renamed["PublicUrl"] == media["PublicUrl"], "the file keeps its URL"
    assert yulsn.get(f"/api/v1/Media/{media['Id']}").json() == renamed
    assert yulsn.post(f"/api/v1/media/{media['Id']}/rename?newname=lower.png").json()["Name"] == "lower.png"


def test_rename_needs_a_new_name_and_a_known_media(yulsn: ApiSession) -> None:
    media = upload(yulsn)
    assert yulsn.post(f"/api/v1/Media/{media['Id']}/Rename").status_code == 400
    assert yulsn.post(f"/api/v1/Media/{media['Id']}/Rename", params={"newName": ""}).status_code == 400
    assert yulsn.post("/api/v1/Media/999/Rename", params={"newName": "x"}).status_code == 404
    assert yulsn.get(f"/api/v1/Media/{media['Id']}").json()["Name"] == "logo.png"


def test_delete(yulsn: ApiSession) -> None:
    media = upload(yulsn)
    kept = upload(yulsn, "kept.png")
    response = yulsn.delete(f"/api/v1/Media/{media['Id']}")
    assert response.status_code == 200
    assert response.content == b""
    assert yulsn.get(f"/api/v1/Media/{media['Id']}").status_code == 404
    again = yulsn.delete(f"/api/v1/Media/{media['Id']}")
    assert again.status_code == 404
    assert "Message" in again.json()
    assert yulsn.get("/api/v1/Media", params={"folderId": 1}).json() == [kept]


def test_an_unknown_media_is_404(yulsn: ApiSession) -> None:
    response = yulsn.get("/api/v1/Media/999")
    assert response.status_code == 404
    assert "Message" in response.json()


def test_the_demo_library(yulsn_demo: ApiSession) -> None:
    folders = yulsn_demo.get("/api/v1/Media/Folders").json()
    assert len(folders) >= 2
    ids = {f["Id"] for f in folders}
    assert all(f["ParentId"] is None or f["ParentId"] in ids for f in folders)
    media = [m for f in folders for m in yulsn_demo.get("/api/v1/Media", params={"folderId": f["Id"]}).json()]
    assert len(media) >= 3
    assert all(m["FolderId"] in ids and m["SizeInBytes"] > 0 for m in media)
    assert all((m["ThumbnailUrl"] is not None) == m["ContentType"].startswith("image/") for m in media)
