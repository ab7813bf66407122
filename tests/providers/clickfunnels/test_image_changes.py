"""ClickFunnels images changed and deleted: a new source URL uploads again."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing import ApiSession
from tests.providers.clickfunnels.helpers import assert_not_found
from tests.support import ok

CDN = "https://images.clickfunnels.com/"


def create_image(client: ApiSession, workspace_id: int, source: str = "https://example.com/logo.png") -> dict[str, Any]:
    body = {"image": {"upload_source_url": source, "alt_text": "Logo"}}
    return dict(ok(client.post(f"/api/v2/workspaces/{workspace_id}/images", json=body), 201))


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_name_and_alt_text_change_the_file_stays(clickfunnels: ApiSession, workspace_id: int, method: str) -> None:
    image = create_image(clickfunnels, workspace_id)

    changed = ok(
        clickfunnels.request(method, f"/api/v2/images/{image['id']}", json={"image": {"name": "Brand", "alt_text": None}})
    )

    assert (changed["name"], changed["alt_text"], changed["url"]) == ("Brand", None, image["url"])
    assert ok(clickfunnels.get(f"/api/v2/images/{image['public_id']}")) == changed


def test_a_new_source_url_uploads_again(clickfunnels: ApiSession, workspace_id: int) -> None:
    image = create_image(clickfunnels, workspace_id)

    changed = ok(
        clickfunnels.put(f"/api/v2/images/{image['id']}", json={"image": {"upload_source_url": "https://e.com/new.webp"}})
    )

    assert changed["url"] == f"{CDN}{image['public_id']}/new.webp"
    assert changed["name"] == image["name"]


@pytest.mark.parametrize("source", ["ftp://example.com/a.png", "https://example.com/notes.txt", "https://example.com/"])
def test_a_source_that_is_no_image_url_is_422(clickfunnels: ApiSession, workspace_id: int, source: str) -> None:
    image = create_image(clickfunnels, workspace_id)

    response = clickfunnels.patch(f"/api/v2/images/{image['id']}", json={"image": {"upload_source_url": source}})

    assert response.status_code == 422, response.text
    assert set(response.json()["errors"]) == {"upload_source_url"}
    assert ok(clickfunnels.get(f"/api/v2/images/{image['id']}")) == image


def test_a_blank_name_is_422(clickfunnels: ApiSession, workspace_id: int) -> None:
    image = create_image(clickfunnels, workspace_id)
    response = clickfunnels.put(f"/api/v2/images/{image['id']}", json={"image": {"name": " "}})
    assert response.status_code == 422
    assert response.json() == {"error": "Name can't be blank", "errors": {"name": ["can't be blank"]}}


def test_a_deleted_image_is_gone(clickfunnels: ApiSession, workspace_id: int) -> None:
    image = create_image(clickfunnels, workspace_id)
    kept = create_image(clickfunnels, workspace_id, "https://example.com/kept.png")

    response = clickfunnels.delete(f"/api/v2/images/{image['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_not_found(clickfunnels.get(f"/api/v2/images/{image['id']}"))
    assert_not_found(clickfunnels.delete(f"/api/v2/images/{image['id']}"))
    assert ok(clickfunnels.get(f"/api/v2/workspaces/{workspace_id}/images")) == [kept]


def test_an_unknown_image_is_404(clickfunnels: ApiSession) -> None:
    assert_not_found(clickfunnels.put("/api/v2/images/424242", json={"image": {"name": "x"}}))
    assert_not_found(clickfunnels.delete("/api/v2/images/Zzzzzzz"))
