"""Images, uploaded from a URL. The emulator does not download them (no network): it
checks the URL and records where it would host the file."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from mockserver.engine.context import Call, Reply
from mockserver.engine.store import Row
from mockserver.providers.clickfunnels import records
from mockserver.providers.clickfunnels.records import IMAGES, invalid

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".ico"})
CDN = "https://images.clickfunnels.com"


def create_image(call: Call) -> Reply:
    space = records.workspace(call)
    attributes = call.body["image"]
    filename = _uploaded(attributes["upload_source_url"])
    name = str(attributes.get("name") or "").strip() or filename
    return Reply(201, records.image(add_image(call, space["id"], filename, name, attributes.get("alt_text"))))


def update_image(call: Call) -> Reply:
    """Name and alt text as given; a new `upload_source_url` uploads the image again (under
    a new file name when it has one)."""
    row = records.addressed(call, IMAGES)
    attributes = call.body["image"]
    changes = {}
    if attributes.get("upload_source_url") is not None:
        filename = _uploaded(attributes["upload_source_url"])
        changes["url"] = f"{CDN}/{row['public_id']}/{quote(filename)}"
    if "alt_text" in attributes:
        changes["alt_text"] = attributes["alt_text"]
    if "name" in attributes:
        changes["name"] = records.filled("name", attributes["name"] or "")
    return Reply(200, records.image(records.touch(call, call.tenant.table(IMAGES), row, **changes)))


def _uploaded(source_url: str) -> str:
    """The file name of an image's source URL; 422 unless it is an http(s) URL of an image."""
    source = str(source_url).strip()
    try:
        parts = urlsplit(source)
    except ValueError as exc:
        raise invalid("upload_source_url", "is invalid") from exc
    filename = PurePosixPath(unquote(parts.path)).name
    if parts.scheme not in ("http", "https") or not parts.hostname or not filename or parts.path.endswith("/"):
        raise invalid("upload_source_url", "is invalid")
    if PurePosixPath(filename).suffix.lower() not in IMAGE_EXTENSIONS:
        raise invalid("upload_source_url", "is not an image (jpeg, png, webp, gif, svg or ico)")
    return filename


def add_image(call: Call, workspace_id: int, filename: str, name: str, alt_text: str | None) -> Row:
    """An image hosted on the CDN under its public id and file name."""
    row = records.create(call, IMAGES, workspace_id=workspace_id, url="", alt_text=alt_text, name=name)
    row["url"] = f"{CDN}/{row['public_id']}/{quote(filename)}"
    return row
