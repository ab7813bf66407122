"""What the browser tests share beside their fixtures (conftest.py): waiting for a condition
in the page, and screenshots."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

T = TypeVar("T")

# Set by conftest.py's session fixture: this test process's screenshots (under pytest's tmp dir).
SHOTS: list[Path] = []


def wait_for(browser: WebDriver, condition: Callable[[WebDriver], T], timeout: float = 10.0, message: str = "") -> T:
    """The condition's first truthy answer, asked every 50 ms; TimeoutException after `timeout`."""
    return WebDriverWait(browser, timeout, poll_frequency=0.05).until(condition, message)


def screenshot(browser: WebDriver, name: str) -> Path:
    """Save the window as `name` (a PNG) under pytest's tmp dir and, when
    $MOCKSERVER_SCREENSHOTS is a directory, there too; answers the first."""
    name = name if name.endswith(".png") else f"{name}.png"
    saved = SHOTS[0] / name
    assert browser.save_screenshot(str(saved)), f"no screenshot was saved as {saved}"
    wanted = os.environ.get("MOCKSERVER_SCREENSHOTS")
    if wanted and Path(wanted).is_dir():
        shutil.copyfile(saved, Path(wanted) / name)
    return saved
