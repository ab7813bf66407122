"""What `mockserver serve` says: a line per request on stderr (text or JSON lines), a
WARNING for each failed delivery attempt, --quiet, a banner true to its flags; the page at
`/`; and the commands for a running emulator, `mockserver trigger` and `mockserver tail`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
import requests

from mockserver.testing import Emulator, WebhookReceiver
from tests.e2e.serve import Served
from tests.support import providers_under_test

FAILING_RECEIVER = "http://127.0.0.1:9/refused"  # the discard port: nothing listens there


def _failing_hook(account_api: requests.Session) -> None:
    body = {"name": "h", "url": FAILING_RECEIVER, "secret": "s3cret-hook", "subscriptions": ["CONTACT_CREATED"]}
    assert account_api.post("/api/webhooks", json=body).status_code == 201


def test_each_request_is_a_line_on_stderr_with_the_keys_last_four() -> None:
    with Served() as served:
        account = Emulator.connect(served.url).account("systeme")
        account.session().get("/api/tags", params={"limit": 10})
        account.session().get("/api/tags/424242")
        text = served.wait_for_stderr(r"/systeme/api/tags/424242 404")
    hint = account.api_key[-4:]
    listing = re.search(r"^(\S+Z) systeme GET /systeme/api/tags\?limit=10 200 (\d+\.\d)ms key=…(\S+)$", text, re.MULTILINE)
    assert listing is not None, text
    assert listing.group(3) == hint
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", listing.group(1))
    assert account.api_key not in text


def test_json_log_lines_parse_and_a_failed_delivery_is_a_warning() -> None:
    with Served("--log-format", "json", "--webhook-time-scale", "0.001") as served:
        account = Emulator.connect(served.url).account("systeme")
        _failing_hook(account.session())
        account.session().post("/api/contacts", json={"email": "ada@gmail.com"})
        served.wait_for_stderr(r'"level": ?"WARNING"')
        text = served.wait_for_stderr(r'"path": ?"/systeme/api/contacts"')  # request lines come in batches
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests_logged = [line for line in lines if line.get("kind") == "request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests_logged] == [
        ("POST", "/systeme/api/webhooks", 201),
        ("POST", "/systeme/api/contacts", 201),
    ]
    assert requests_logged[1]["events"] == ["CONTACT_CREATED"]
    assert requests_logged[1]["key"] == "…" + account.api_key[-4:]
    warning = next(line for line in lines if line["level"] == "WARNING")
    assert warning["event"] == "CONTACT_CREATED" and warning["url"] == FAILING_RECEIVER
    assert warning["attempt"] == 1 and "ConnectionError" in warning["error"]
    assert "webhook delivery failed" in warning["message"]


def test_quiet_keeps_the_warnings_only() -> None:
    with Served("--quiet", "--webhook-time-scale", "0.001") as served:
        account = Emulator.connect(served.url).account("systeme")
        _failing_hook(account.session())
        account.session().post("/api/contacts", json={"email": "ada@gmail.com"})
        text = served.wait_for_stderr(r"WARNING .*webhook delivery failed: systeme CONTACT_CREATED")
        time.sleep(0.3)  # a request line, were there one, would be written by now
        text = served.stderr()
    assert "/systeme/api/contacts" not in text
    assert f"key=…{account.api_key[-4:]}" in text and "(attempt 1, retry in" in text


@pytest.mark.parametrize(
    ("flags", "said", "not_said"),
    [
        ((), ["demo data: use the API key 'demo'", "any other key gets its own empty account"], ["refused"]),
        (
            ("--refuse-unknown-keys", "--api-key", "ci-key"),
            ["unknown keys are refused (401): only 'demo', 'ci-key' and keys registered"],
            ["any other key gets"],
        ),
        (("--no-demo-data", "--demo-key", "k1"), ["no demo data: the key 'k1' is an empty account"], ["use the API key"]),
    ],
)
def test_the_banner_tells_the_truth_about_the_flags(flags: tuple[str, ...], said: list[str], not_said: list[str]) -> None:
    with Served(*flags) as served:
        banner = "\n".join(served.banner)
    for text in said:
        assert text in banner
    for text in not_said:
        assert text not in banner


def test_the_root_lists_the_providers_and_an_unknown_path_says_where_to_go() -> None:
    with Served() as served:
        root = requests.get(served.url + "/", timeout=10)
        page = requests.get(served.url + "/nowhere", headers={"Accept": "text/html"}, timeout=10)
        as_json = requests.get(served.url + "/nowhere", timeout=10)
    assert root.status_code == 200
    assert root.json()["providers"]["clickfunnels"]["baseUrl"] == f"{served.url}/clickfunnels"
    assert root.json()["adminOpenApi"] == f"{served.url}/__admin/openapi.json"
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert f"{served.url}/yulsn" in page.text and "/nowhere" in page.text
    assert as_json.status_code == 404 and set(as_json.json()["providers"]) == {p.name for p in providers_under_test()}


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_trigger_runs_a_vendor_side_event_and_lists_the_actions() -> None:
    with Served() as served, WebhookReceiver() as receiver:
        account = Emulator.connect(served.url).account("systeme")
        hook = {"name": "h", "url": receiver.url, "secret": "s3cret-hook", "subscriptions": ["SALE_NEW"]}
        account.session().post("/api/webhooks", json=hook)
        sale = {"email": "buyer@gmail.com", "pricePlan": {"name": "Pro", "amount": 4900, "currency": "eur", "type": "one_shot"}}

        ran = _cli("trigger", "systeme", "sales", "--key", account.api_key, "--data", json.dumps(sale), "--url", served.url)
        listed = _cli("trigger", "clickfunnels", "--url", served.url)
        unknown = _cli("trigger", "systeme", "refunds", "--url", served.url)
        refused = _cli("trigger", "systeme", "sales", "--data", '{"pricePlan": {"amount": -1}}', "--url", served.url)
        (delivery,) = receiver.wait(1)

    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["order"]["status"] == "paid"
    assert delivery.headers["X-Webhook-Event"] == "SALE_NEW"
    assert listed.returncode == 0 and "POST  orders" in listed.stdout and "forms/<int:form_id>/submissions" in listed.stdout
    assert unknown.returncode == 1 and "has no action POST refunds" in unknown.stderr and "opt-ins" in unknown.stderr
    assert refused.returncode == 1 and "422" in refused.stderr


def test_trigger_and_tail_say_so_when_no_emulator_answers() -> None:
    assert _cli("trigger", "systeme", "sales", "--url", "http://127.0.0.1:9").returncode == 2
    tail = _cli("tail", "--url", "http://127.0.0.1:9")
    assert tail.returncode == 2 and "no emulator answers" in tail.stderr


def test_tail_follows_requests_and_deliveries() -> None:
    with Served("--webhook-time-scale", "0.001") as served:
        account = Emulator.connect(served.url).account("systeme")
        # The with closes the pipes of its stdout and stderr once it has ended.
        with subprocess.Popen(
            [sys.executable, "-m", "mockserver", "tail", "--url", served.url, "--key", account.api_key],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as tail:
            try:
                assert tail.stderr is not None and "following" in tail.stderr.readline()
                _failing_hook(account.session())
                account.session().post("/api/contacts", json={"email": "ada@gmail.com"})
                assert tail.stdout is not None
                lines = [tail.stdout.readline() for _ in range(3)]
            finally:
                tail.terminate()
                tail.wait(10)
    assert re.search(r"systeme\s+POST\s+/systeme/api/webhooks 201", lines[0])
    assert re.search(r"POST\s+/systeme/api/contacts 201 .* events=CONTACT_CREATED", lines[1])
    assert "webhook CONTACT_CREATED -> http://127.0.0.1:9/refused FAILED ConnectionError" in lines[2]
