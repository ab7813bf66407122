"""ClickFunnels images over HTTP: upload from a URL (checked, not downloaded), list and get."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests

from mockserver.testing import ApiSession
from tests.providers.clickfunnels.helpers import (
    NOT_FOUND,
    PUBLIC_ID,
    TIMESTAMP,
)
from tests.support import ok

IMAGE_KEYS = {"id", "public_id", "workspace_id", "url", "alt_text", "name", "created_at", "updated_at"}
CDN = "https://images.clickfunnels.com/"


def post_image(client: ApiSession, workspace_id: int, **attributes: Any) -> requests.Response:
    return client.post(f"/api/v2/workspaces/{workspace_id}/images", json={"image": attributes})


def create_image(client: ApiSession, workspace_id: int, source: str, **attributes: Any) -> dict[str, Any]:
    return dict(ok(post_image(client, workspace_id, upload_source_url=source, **attributes), 201))


def listed(client: ApiSession, workspace_id: int) -> list[dict[str, Any]]:
    return list(ok(client.get(f"/api/v2/workspaces/{workspace_id}/images")))


def assert_invalid_source(response: requests.Response) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error", "errors"}
    assert "upload_source_url" in body["errors"]
    assert body["error"].startswith("Upload source url ")


def test_create_from_a_url_returns_201_hosted_on_the_cdn(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = post_image(clickfunnels, workspace_id, upload_source_url="https://example.com/assets/logo.png", alt_text="Logo")

    assert response.status_code == 201, response.text
    image = response.json()
    assert set(image) == IMAGE_KEYS
    assert image["url"].startswith(CDN)
    assert image["url"].endswith("/logo.png")
    assert image["name"] == "logo.png"
    assert image["alt_text"] == "Logo"
    assert image["workspace_id"] == workspace_id
    assert PUBLIC_ID.match(image["public_id"])
    assert TIMESTAMP.match(image["created_at"])


def test_a_given_name_is_kept(clickfunnels: ApiSession, workspace_id: int) -> None:
    image = create_image(clickfunnels, workspace_id, "https://example.com/hero.jpg", name="Homepage hero")

    assert image["name"] == "Homepage hero"
    assert image["url"].endswith("/hero.jpg")
    assert image["alt_text"] is None


def test_a_query_string_is_not_part_of_the_file_name(clickfunnels: ApiSession, workspace_id: int) -> None:
    image = create_image(clickfunnels, workspace_id, "http://cdn.example.com/img/banner.webp?v=3#top")

    assert image["name"] == "banner.webp"
    assert image["url"].startswith(CDN)
    assert image["url"].endswith("/banner.webp")


@pytest.mark.parametrize("filename", ["a.jpeg", "a.jpg", "a.png", "a.webp", "a.gif", "a.svg", "favicon.ico"])
def test_each_image_extension_is_accepted(clickfunnels: ApiSession, workspace_id: int, filename: str) -> None:
    image = create_image(clickfunnels, workspace_id, f"https://example.com/{filename}")

    assert image["name"] == filename
    assert image["url"].endswith(f"/{filename}")


def test_a_file_name_with_a_space_is_percent_encoded_in_the_url(clickfunnels: ApiSession, workspace_id: int) -> None:
    """`name` is the decoded file name; `url` must still be a URL, which has no raw spaces (RFC 3986)."""
    image = create_image(clickfunnels, workspace_id, "https://example.com/my%20logo.png")

    assert image["name"] == "my logo.png"
    assert " " not in image["url"]
    assert image["url"].startswith(CDN)
    assert unquote(urlsplit(image["url"]).path).endswith("/my logo.png")


def test_two_uploads_of_the_same_file_are_two_images(clickfunnels: ApiSession, workspace_id: int) -> None:
    first = create_image(clickfunnels, workspace_id, "https://example.com/same.png")
    second = create_image(clickfunnels, workspace_id, "https://example.com/same.png")

    assert second["id"] != first["id"]
    assert second["url"] != first["url"]


@pytest.mark.parametrize(
    "source",
    [
        "https://example.com/brochure.pdf",
        "https://example.com/notes.txt",
        "https://example.com/noextension",
        "https://example.com/",
    ],
)
def test_a_url_that_is_not_an_image_file_is_422(clickfunnels: ApiSession, workspace_id: int, source: str) -> None:
    assert_invalid_source(post_image(clickfunnels, workspace_id, upload_source_url=source))
    assert listed(clickfunnels, workspace_id) == []


@pytest.mark.parametrize(
    "source", ["ftp://example.com/logo.png", "file:///tmp/logo.png", "logo.png", "not a url", "https:///logo.png", ""]
)
def test_a_url_that_is_not_http_is_422(clickfunnels: ApiSession, workspace_id: int, source: str) -> None:
    assert_invalid_source(post_image(clickfunnels, workspace_id, upload_source_url=source))
    assert listed(clickfunnels, workspace_id) == []


def test_create_without_the_wrapper_is_400(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.post(
        f"/api/v2/workspaces/{workspace_id}/images", json={"upload_source_url": "https://example.com/a.png"}
    )

    assert response.status_code == 400
    assert response.json() == {"error": "param is missing or the value is empty: image"}


def test_list_and_get(clickfunnels: ApiSession, workspace_id: int) -> None:
    images = [create_image(clickfunnels, workspace_id, f"https://example.com/{name}") for name in ("one.png", "two.gif")]

    assert listed(clickfunnels, workspace_id) == images
    for image in images:
        assert ok(clickfunnels.get(f"/api/v2/images/{image['id']}")) == image
        assert ok(clickfunnels.get(f"/api/v2/images/{image['public_id']}")) == image


def test_an_unknown_image_is_404(clickfunnels: ApiSession, workspace_id: int) -> None:
    response = clickfunnels.get("/api/v2/images/424242")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_the_demo_workspace_has_three_images_on_the_cdn(clickfunnels_demo: ApiSession) -> None:
    team = ok(clickfunnels_demo.get("/api/v2/teams"))[0]
    demo_workspace = ok(clickfunnels_demo.get(f"/api/v2/teams/{team['id']}/workspaces"))[0]

    images = listed(clickfunnels_demo, demo_workspace["id"])

    assert len(images) == 3
    assert all(image["url"].startswith(CDN) and image["url"].endswith("/" + image["name"]) for image in images)
