"""End-to-end tests in a real browser: Debian's Chromium, headless, driven by Selenium through
Debian's chromedriver. Both packages are installed (apt-get, as root) where they are missing;
where they cannot be, the tests fail saying what is missing (never skip). Nothing is ever
downloaded for the browser: the driver and the browser are given by path, and Selenium
Manager is told to stay offline."""

from __future__ import annotations

import fcntl
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import harness

# Selenium Manager would fetch a driver or a browser build; it never runs here, and if it
# did it would find only what is installed.
os.environ["SE_OFFLINE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PACKAGES = ("chromium", "chromium-driver")
WINDOW = (1280, 900)
# Without the background-networking ones Chromium calls Google's services at start, which a
# closed network refuses (noise, and delays).
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # as root (CI), Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # a container's /dev/shm is small
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)


def _installed() -> bool:
    return all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


def ensure_chromium() -> None:
    """Debian's chromium and chromium-driver, installed first if they are missing."""
    if _installed():
        return
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
    if os.geteuid() != 0 or not Path("/usr/bin/apt-get").exists():
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: install Debian's packages ({' '.join(command)}, as root)")
    # One installer at a time (pytest-xdist runs several workers; tests/redis_server.py
    # takes the same lock for its package).
    with open(Path(tempfile.gettempdir()) / "mockserver-apt.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed():
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            if subprocess.run(command, env=env, capture_output=True, check=False).returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
                result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                if result.returncode != 0:
                    pytest.fail(f"could not install {' '.join(PACKAGES)}: {result.stderr[-2000:]}")
    if not _installed():
        pytest.fail(f"{' '.join(PACKAGES)} were installed, yet {CHROMIUM} or {CHROMEDRIVER} is missing")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path, once it is installed."""
    ensure_chromium()
    return CHROMIUM


@pytest.fixture(scope="session", autouse=True)
def _screenshots(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where harness.screenshot saves, in this test process."""
    harness.SHOTS[:] = [tmp_path_factory.mktemp("screenshots")]


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless Chromium per test module (a fresh profile), quit at the end."""
    options = Options()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.set_window_size(*WINDOW)
        yield driver
    finally:
        driver.quit()
