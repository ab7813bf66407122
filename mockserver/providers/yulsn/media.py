"""The media library: folders (made in the back office; a new account has the root folder,
id 1) and media uploaded as base64. Public and thumbnail URLs are on the vendor's media
host; a thumbnail exists for images only. Renaming keeps the URLs (they name the file as
it was uploaded)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row, Tenant
from mockserver.providers.base import AdminActions
from mockserver.providers.yulsn import records
from mockserver.providers.yulsn.records import FOLDERS, MEDIA, invalid

MEDIA_HOST = "https://media.yulsn.com"
ROOT_NAME = "Media"
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(?:\s*;.*)?\Z")


# -- folders ------------------------------------------------------------------------------
def ensure_root(tenant: Tenant) -> None:
    """A new account's root folder (id 1), made the first time the library is used."""
    if tenant.settings.get("media_root") is None:
        root = records.add_row(tenant, FOLDERS, "media_folder", {"Name": ROOT_NAME, "ParentId": None})
        tenant.settings["media_root"] = root["Id"]


def add_folder(tenant: Tenant, name: str, parent_id: int | None) -> Row:
    ensure_root(tenant)
    parent = parent_id if parent_id is not None else tenant.settings["media_root"]
    records.known(tenant.table(FOLDERS), parent, "Folder")
    return records.add_row(tenant, FOLDERS, "media_folder", {"Name": name, "ParentId": parent})


def render_folder(row: Row) -> dict[str, Any]:
    return records.view(row, ("Id", "Name", "ParentId"))


def list_folders(call: Call) -> Reply:
    ensure_root(call.tenant)
    return Reply(200, [render_folder(row) for row in call.tenant.table(FOLDERS).rows()])


# -- media --------------------------------------------------------------------------------
def render(tenant: Tenant, row: Row) -> dict[str, Any]:
    base = f"{MEDIA_HOST}/{tenant.settings['account_id']}/{row['Id']}"
    file_name = quote(row["_file"])
    return {
        **records.view(row, ("Id", "Name", "FolderId", "ContentType", "SizeInBytes")),
        "PublicUrl": f"{base}/{file_name}",
        "ThumbnailUrl": f"{base}/thumbnail/{file_name}" if row["ContentType"].lower().startswith("image/") else None,
        "LastModified": records.stamp(row["LastModified"]),
    }


def _media(call: Call) -> Row:
    return records.with_id(call.tenant.table(MEDIA), call.params["id"], "Media")


def add_media(call: Call, name: str, folder_id: int, content_type: str, data: bytes) -> Row:
    tenant = call.tenant
    ensure_root(tenant)
    records.known(tenant.table(FOLDERS), folder_id, "Folder")
    row = {
        "Name": name,
        "FolderId": folder_id,
        "ContentType": content_type,
        "SizeInBytes": len(data),
        "LastModified": call.clock.time(),
        "_file": name.strip().replace("/", "_").replace("\\", "_"),
    }
    return records.add_row(tenant, MEDIA, "media", row)


def create_media(call: Call) -> Reply:
    """`Media` is the file in base64 (400 when it is not, or is empty)."""
    body = call.body
    name, content_type = body["Name"], body["ContentType"].strip()
    if not name.strip():
        raise invalid("The Name field is required.")
    if not _CONTENT_TYPE.match(content_type):
        raise invalid(f"'{body['ContentType']}' is not a valid content type.")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", body["Media"]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid("The Media field is not a valid Base64 string.") from exc
    if not data:
        raise invalid("The Media field is required.")
    return Reply(200, render(call.tenant, add_media(call, name, body["FolderId"], content_type, data)))


def list_media(call: Call) -> Reply:
    folder_id = call.params["folderId"]
    return Reply(200, [render(call.tenant, row) for row in call.tenant.table(MEDIA).rows() if row["FolderId"] == folder_id])


def get_media(call: Call) -> Reply:
    return Reply(200, render(call.tenant, _media(call)))


def rename_media(call: Call) -> Reply:
    row = _media(call)
    name = call.params["newName"]
    if not name.strip():
        raise invalid("The newName field is required.")
    row["Name"] = name
    row["LastModified"] = call.clock.time()
    return Reply(200, render(call.tenant, row))


def delete_media(call: Call) -> Reply:
    row = _media(call)
    call.tenant.table(MEDIA).delete(row["Id"])
    return Reply(200)


HANDLERS = {
    "listMedia": list_media,
    "createMedia": create_media,
    "getMedia": get_media,
    "deleteMedia": delete_media,
    "listMediaFolders": list_folders,
    "renameMedia": rename_media,
}


# -- admin actions ------------------------------------------------------------------------
ADMIN = AdminActions()


@ADMIN.post(
    "media-folders",
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "parentId": {"type": ["integer", "null"], "minimum": 1},
        },
    },
    {201: "The folder", 404: "No such parent folder"},
)
def admin_create_folder(call: Call, body: dict[str, Any]) -> Reply:
    """A media folder under `parentId` (default the root folder; 404 for an unknown one)."""
    return Reply(201, render_folder(add_folder(call.tenant, body["name"], body.get("parentId"))))


# -- demo ---------------------------------------------------------------------------------
# A 1x1 transparent PNG and a minimal PDF.
_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed(call: Call) -> None:
    """Folders Logos and Campaigns under the root, and a few media in each."""
    tenant = call.tenant
    ensure_root(tenant)
    logos = add_folder(tenant, "Logos", None)
    campaigns = add_folder(tenant, "Campaigns", None)
    add_folder(tenant, "Spring 2024", campaigns["Id"])
    call.clock.advance(900)
    add_media(call, "logo.png", logos["Id"], "image/png", _PNG)
    add_media(call, "logo-dark.png", logos["Id"], "image/png", _PNG)
    call.clock.advance(900)
    add_media(call, "easter-banner.png", campaigns["Id"], "image/png", _PNG * 3)
    add_media(call, "terms.pdf", tenant.settings["media_root"], "application/pdf", _PDF)
