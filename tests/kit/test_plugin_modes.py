"""The pytest plugin as a user meets it: a test file that uses only its fixtures, run by
pytest in a fresh process under pytest-xdist, against an emulator it starts in process,
and against one started separately with `mockserver serve` (--mockserver-url or
MOCKSERVER_URL); and two tests on two workers at once, sharing one emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.e2e.serve import Served, project_root


def readme_example() -> str:
    """The test file README.md shows under "Testing your integration" (so the README stays true)."""
    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(# test_new_contact\.py.*?)```", readme, re.DOTALL)
    assert match, "README.md shows the plugin's example test"
    return match.group(1)


def run_pytest(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """pytest in a fresh process in `folder`: the plugin comes from the installed package."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "MOCKSERVER_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        env={**environment, **(env or {})},
        check=False,
    )


def test_the_readme_example_is_short_and_runs_green_under_xdist_in_process(tmp_path: Path) -> None:
    example = readme_example()
    assert len(example.strip().splitlines()) <= 16
    (tmp_path / "test_new_contact.py").write_text(example, encoding="utf-8")
    ran = run_pytest(tmp_path, "-n", "2")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout


@pytest.mark.parametrize("how", ["option", "environment"])
def test_the_same_file_runs_against_an_emulator_started_separately(tmp_path: Path, how: str) -> None:
    (tmp_path / "test_new_contact.py").write_text(readme_example(), encoding="utf-8")
    with Served("--quiet") as served:
        if how == "option":
            ran = run_pytest(tmp_path, "-n", "2", "--mockserver-url", served.url)
        else:
            ran = run_pytest(tmp_path, "-n", "2", env={"MOCKSERVER_URL": served.url})
        journal = journal_of(served.url)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "1 passed" in ran.stdout
    # the requests went to the separate emulator, not to one started in the test process
    assert ("POST", "/systeme/api/contacts") in journal


def journal_of(url: str) -> list[tuple[str, str]]:
    items = requests.get(f"{url}/__admin/journal", timeout=10).json()["items"]
    return [(item["method"], item["path"]) for item in items]


TWO_TESTS_AT_ONCE = '''
import time
from pathlib import Path

BARRIER = Path(__file__).with_name("barrier")


def meet(me, other):
    """Both tests are running at once: each waits for the other to arrive."""
    (BARRIER / me).write_text("here")
    deadline = time.monotonic() + 60
    while not (BARRIER / other).exists():
        assert time.monotonic() < deadline, "the other test never ran beside this one"
        time.sleep(0.05)


def test_one_resets_clears_and_moves_its_clock(mockserver):
    account = mockserver.account("systeme")
    api = account.session()
    api.post("/api/tags", json={"name": "mine"})
    meet("one-ready", "two-ready")
    for _ in range(10):
        account.reset()
        account.clear_journal()
        account.advance_clock(86400)
        account.wait_for_idle(timeout=1)
    meet("one-done", "two-done")


def test_two_sees_nothing_of_it(mockserver):
    account = mockserver.account("systeme")
    api = account.session()
    api.post("/api/tags", json={"name": "theirs"})
    before = account.now()
    meet("two-ready", "one-ready")
    for _ in range(30):
        assert [t["name"] for t in api.get("/api/tags").json()["items"]] == ["theirs"]
    meet("two-done", "one-done")
    assert len(account.journal()) == 31
    assert abs((account.now() - before).total_seconds()) < 30
'''


def test_two_tests_on_two_workers_at_once_share_one_emulator_apart(tmp_path: Path) -> None:
    (tmp_path / "barrier").mkdir()
    (tmp_path / "test_two_at_once.py").write_text(TWO_TESTS_AT_ONCE, encoding="utf-8")
    with Served("--quiet") as served:
        ran = run_pytest(tmp_path, "-n", "2", "--mockserver-url", served.url)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "2 passed" in ran.stdout
    assert {p.name for p in (tmp_path / "barrier").iterdir()} == {"one-ready", "two-ready", "one-done", "two-done"}
