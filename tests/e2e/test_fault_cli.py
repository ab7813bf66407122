"""`mockserver fault add|list|clear` against a real `mockserver serve`, and `serve --faults
FILE`: rules loaded at start-up, a bad file refused with its name."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.testing import Emulator
from tests.e2e.serve import Served

RULES = """\
# every account's new contacts fail twice; the demo account's tags are slow
- provider: systeme
  operation: createContact
  status: 503
  times: 2
- provider: systeme
  apiKey: demo
  path: /api/tags*
  delayMs: [10, 20]
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    rules = tmp_path_factory.mktemp("faults") / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with Served("--faults", str(rules), "--quiet") as served:
        yield served


def fault(*args: str) -> subprocess.CompletedProcess[str]:
    return mockserver("fault", *args)


def mockserver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", *args], capture_output=True, text=True, timeout=60, check=False)


def test_serve_starts_with_the_files_rules(served: Served) -> None:
    listed = fault("list", "--provider", "systeme", "--json", "--url", served.url)
    assert listed.returncode == 0, listed.stderr
    rules = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["operation"], r["status"], r["times"]) for r in rules if r["operation"]] == [("createContact", 503, 2)]
    assert [(r["keyHint"], r["path"], r["delayMs"]) for r in rules if r["path"]] == [("…demo", "/api/tags*", [10, 20])]
    readable = fault("list", "--url", served.url)
    assert readable.returncode == 0 and len(readable.stdout.splitlines()) == len(rules)
    assert "op=createContact -> 503 times=2 hits=0" in readable.stdout


def test_add_list_clear_round_trip(served: Served) -> None:
    account = Emulator.connect(served.url).account("systeme")
    added = fault(
        "add",
        "--provider",
        "systeme",
        "--api-key",
        account.api_key,
        "--method",
        "get",
        "--path",
        "/api/tags*",
        "--status",
        "429",
        "--body",
        '{"message": "slow down"}',
        "--header",
        "Retry-After: 7",
        "--times",
        "3",
        "--url",
        served.url,
    )
    assert added.returncode == 0, added.stderr
    rule = json.loads(added.stdout)
    assert rule["keyHint"] == "…" + account.api_key[-4:] and rule["method"] == "GET" and rule["headers"] == {"Retry-After": "7"}

    refused = account.session().get("/api/tags")
    assert (refused.status_code, refused.json(), refused.headers["Retry-After"]) == (429, {"message": "slow down"}, "7")

    listed = fault("list", "--provider", "systeme", "--api-key", account.api_key, "--json", "--url", served.url)
    (line,) = listed.stdout.splitlines()
    assert json.loads(line)["id"] == rule["id"] and json.loads(line)["hits"] == 1

    cleared = fault("clear", "--id", rule["id"], "--url", served.url)
    assert cleared.returncode == 0 and "removed 1 rule" in cleared.stdout
    assert fault("list", "--api-key", account.api_key, "--url", served.url).stdout == ""
    assert account.session().get("/api/tags").status_code == 200
    gone = fault("clear", "--id", rule["id"], "--url", served.url)
    assert gone.returncode == 1 and "404" in gone.stderr


def test_clear_by_account(served: Served) -> None:
    account = Emulator.connect(served.url).account("systeme")
    for operation in ("listTags", "createTag"):  # --key: as trigger, tail and snapshot name it
        added = fault(
            "add",
            "--provider",
            "systeme",
            "--key",
            account.api_key,
            "--operation",
            operation,
            "--status",
            "500",
            "--url",
            served.url,
        )
        assert added.returncode == 0, added.stderr
    cleared = fault("clear", "--provider", "systeme", "--api-key", account.api_key, "--url", served.url)
    assert cleared.returncode == 0 and cleared.stdout.strip() == "removed 2 rules"


def test_add_refuses_bad_rules_with_the_emulators_message(served: Served) -> None:
    refused = fault("add", "--provider", "systeme", "--status", "999", "--url", served.url)
    assert refused.returncode == 2 and "400" in refused.stderr and "status" in refused.stderr
    for bad in (("--delay-ms", "soon"), ("--header", "no colon"), ("--body", "{not json")):
        local = fault("add", "--provider", "systeme", "--status", "500", *bad, "--url", served.url)
        assert local.returncode == 2 and bad[0] in local.stderr and "Traceback" not in local.stderr


def test_no_emulator_answering_is_said() -> None:
    for args in (("list",), ("clear",), ("add", "--provider", "systeme", "--status", "500")):
        result = fault(*args, "--url", "http://127.0.0.1:9")
        assert result.returncode == 2 and "no emulator answers at http://127.0.0.1:9" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "cannot read it"),
        ("- provider: systeme\n  status: [503\n", "not YAML"),
        ("provider: systeme\nstatus: 503\n", "expected a list of rules"),
        ("- just a string\n", "expected a list of rules"),
        ("- provider: systeme\n  status: 999\n", "status"),  # refused by the emulator's own check
    ],
)
def test_a_bad_faults_file_is_refused_naming_it(tmp_path: Path, content: str | None, said: str) -> None:
    rules = tmp_path / "rules.yaml"
    if content is not None:
        rules.write_text(content, encoding="utf-8")
    result = mockserver("serve", "--port", "0", "--faults", str(rules))
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    if content is None or "999" not in content:
        assert str(rules) in result.stderr
