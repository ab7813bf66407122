"""The browser harness itself: Chromium opens a page the emulator serves and reads it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from mockserver.testing import Emulator
from tests.browser import conftest
from tests.browser.harness import screenshot, wait_for


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    with Emulator.start() as running:
        yield running


def test_the_browser_reads_a_page_the_emulator_serves(
    server: Emulator, browser: WebDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.environ["SE_OFFLINE"] == "true"
    assert browser.get_window_size() == {"width": 1280, "height": 900}
    browser.get(f"{server.url}/__admin/openapi.json")
    # Chromium shows a JSON answer as text in a <pre> (beside its pretty-print switch).
    text = wait_for(browser, lambda b: b.find_element(By.TAG_NAME, "pre").text, message="no text shown")
    document = json.loads(text)
    assert document["openapi"].startswith("3.1.")
    assert "/__admin/webhooks/attempts" in document["paths"]

    monkeypatch.setenv("MOCKSERVER_SCREENSHOTS", str(tmp_path))
    saved = screenshot(browser, "harness")
    for path in (saved, tmp_path / "harness.png"):
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_missing_browser_without_root_fails_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "_installed", lambda: False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y -q --no-install-recommends chromium chromium-driver"):
        conftest.ensure_chromium()
