"""Commands for a running emulator: `mockserver trigger` (a vendor-side event, as Stripe's
CLI triggers one), `mockserver tail` (requests and webhook deliveries as they happen),
`mockserver snapshot save|load` (its state to a file and back) and `mockserver fault
add|list|clear` (failures on demand)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

DEFAULT_URL = "http://127.0.0.1:8080"


def add_remote_commands(commands: Any, providers: list[str]) -> None:
    url_help = f"the emulator's URL (default: $MOCKSERVER_URL, else {DEFAULT_URL})"

    trigger = commands.add_parser(
        "trigger",
        help="make a vendor-side event happen in a running emulator (a sale, an order...)",
        description="Run one of a provider's admin actions (POST /__admin/PROVIDER/ACTION) for an account, "
        "as the vendor's side would: a Systeme.io sale, a ClickFunnels order, a Simvoly booking... "
        "Prints the action's JSON answer.",
    )
    trigger.add_argument("provider", choices=providers)
    trigger.add_argument("action", nargs="?", help="e.g. sales, opt-ins, orders, forms/3/submissions (omit to list them)")
    trigger.add_argument("--key", help="the account's API key (default: the demo account)")
    trigger.add_argument("--data", default="{}", help="the action's fields as a JSON object, or @FILE")
    trigger.add_argument("--method", default="POST", choices=("POST", "GET"), help="GET for the actions that list")
    trigger.add_argument("--url", help=url_help)
    trigger.set_defaults(run=_trigger)

    tail = commands.add_parser(
        "tail",
        help="follow a running emulator's requests and webhook deliveries",
        description="Print each API request and each webhook delivery attempt of a running emulator as it happens.",
    )
    tail.add_argument("--provider", choices=providers, help="only this provider's")
    tail.add_argument("--key", help="only this account's (its API key)")
    tail.add_argument("--only", choices=("request", "delivery"), help="only requests, or only deliveries")
    tail.add_argument("--json", action="store_true", help="one JSON object per line, as the stream sends them")
    tail.add_argument("--url", help=url_help)
    tail.set_defaults(run=_tail)

    _add_snapshot_command(commands, providers, url_help)
    _add_fault_command(commands, providers, url_help)


def _add_snapshot_command(commands: Any, providers: list[str], url_help: str) -> None:
    snapshot = commands.add_parser(
        "snapshot",
        help="save a running emulator's state to a file, or load one into it",
        description="save: GET /__admin/snapshot into FILE (the whole state, one provider's accounts, or one "
        "account). load: PUT FILE to /__admin/snapshot (a whole state replaces everything; accounts replace "
        "those accounts; with --provider and --key, a one-account file becomes that account).",
    )
    snapshot.add_argument("action", choices=("save", "load"))
    snapshot.add_argument("file", type=Path, help="the snapshot file (- for standard output or input)")
    snapshot.add_argument("--provider", choices=providers, help="only this provider's accounts")
    snapshot.add_argument("--key", help="only this account (its API key; needs --provider)")
    snapshot.add_argument("--url", help=url_help)
    snapshot.set_defaults(run=_snapshot)


def _snapshot(args: argparse.Namespace) -> int:
    if args.key and not args.provider:
        print("mockserver snapshot: --key needs --provider (a key names an account of one provider)", file=sys.stderr)
        return 2
    base = _base(args)
    params = {name: value for name, value in (("provider", args.provider), ("apiKey", args.key)) if value}
    stdio = str(args.file) == "-"
    try:
        if args.action == "save":
            response = _http().get(f"{base}/__admin/snapshot", params=params, timeout=300)
        else:
            data = sys.stdin.buffer.read() if stdio else args.file.read_bytes()
            response = _http().put(f"{base}/__admin/snapshot", params=params, data=data, timeout=300)
    except OSError as exc:  # the file, or the connection (requests' errors are OSErrors too)
        where = f"no emulator answers at {base}" if isinstance(exc, requests.RequestException) else str(args.file)
        print(f"mockserver snapshot: {where}: {exc}", file=sys.stderr)
        return 2
    if not response.ok:
        print(f"mockserver snapshot: {response.status_code}: {_error_text(response)}", file=sys.stderr)
        return 1
    if args.action == "load":
        restored = response.json()["restored"]
        print(f"loaded {len(restored)} account{'s' * (len(restored) != 1)} into {base}")
        return 0
    if stdio:
        sys.stdout.buffer.write(response.content)
        return 0
    from mockserver.persistence import write_atomically

    write_atomically(args.file, response.content)
    accounts = len(response.json()["accounts"])
    print(f"saved {accounts} account{'s' * (accounts != 1)} to {args.file}", file=sys.stderr)
    return 0


def _error_text(response: requests.Response) -> str:
    try:
        return str(response.json().get("error") or response.text)
    except ValueError:
        return response.text[:500]


def _base(args: argparse.Namespace) -> str:
    return str(args.url or os.environ.get("MOCKSERVER_URL") or DEFAULT_URL).rstrip("/")


def _http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    token = os.environ.get("MOCKSERVER_ADMIN_TOKEN")
    if token:  # an emulator served beyond loopback wants its admin token
        session.headers["Authorization"] = f"Bearer {token}"
    return session


def _trigger(args: argparse.Namespace) -> int:
    base = _base(args)
    http = _http()
    try:
        if not args.action:
            return _list_actions(http, base, args.provider)
        fields = _fields(args.data)
        if args.key:
            fields["apiKey"] = args.key
        url = f"{base}/__admin/{args.provider}/{args.action.strip('/')}"
        if args.method == "GET":
            response = http.get(url, params={"apiKey": args.key} if args.key else None, timeout=30)
        else:
            response = http.post(url, json=fields, timeout=30)
    except ValueError as exc:
        print(f"mockserver trigger: {exc}", file=sys.stderr)
        return 2
    except requests.RequestException as exc:
        print(f"mockserver trigger: no emulator answers at {base}: {exc}", file=sys.stderr)
        return 2
    if response.status_code == 404 and "requested URL was not found" in response.text:
        print(f"mockserver trigger: {args.provider} has no action {args.method} {args.action}", file=sys.stderr)
        _list_actions(http, base, args.provider, out=sys.stderr)
        return 1
    text = _pretty(response)
    if response.status_code >= 400:
        print(f"mockserver trigger: {response.status_code}: {text}", file=sys.stderr)
        return 1
    print(text)
    return 0


def _fields(data: str) -> dict[str, Any]:
    text = Path(data[1:]).read_text(encoding="utf-8") if data.startswith("@") else data
    try:
        fields = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"--data is not JSON: {exc}") from exc
    if not isinstance(fields, dict):
        raise ValueError("--data must be a JSON object")
    return fields


def _list_actions(http: requests.Session, base: str, provider: str, out: Any = sys.stdout) -> int:
    index = http.get(f"{base}/__admin/", timeout=30).json()
    print(f"{provider} actions (mockserver trigger {provider} ACTION [--method GET]):", file=out)
    for action in index["providers"][provider]["adminActions"]:
        method, path = action.split(" ", 1)
        print(f"  {method:<5} {path.removeprefix(f'/__admin/{provider}/')}", file=out)
    return 0


def _pretty(response: requests.Response) -> str:
    try:
        return json.dumps(response.json(), indent=2, ensure_ascii=False)
    except ValueError:
        return response.text


def _tail(args: argparse.Namespace) -> int:
    base = _base(args)
    params = {"provider": args.provider, "apiKey": args.key, "kinds": args.only}
    try:
        with _http().get(
            f"{base}/__admin/events", params={k: v for k, v in params.items() if v}, stream=True, timeout=(10, None)
        ) as stream:
            if stream.status_code != 200:
                print(f"mockserver tail: {stream.status_code}: {stream.text}", file=sys.stderr)
                return 1
            print(f"following {base} (Ctrl-C stops)", file=sys.stderr, flush=True)
            _follow(stream, args.json)
    except KeyboardInterrupt:
        return 0
    except requests.RequestException as exc:
        print(f"mockserver tail: no emulator answers at {base}: {exc}", file=sys.stderr)
        return 2
    print("mockserver tail: the emulator closed the stream", file=sys.stderr)
    return 1


def _follow(stream: requests.Response, as_json: bool) -> None:
    kind = None
    for raw in stream.iter_lines(chunk_size=1, decode_unicode=True):
        line = raw or ""
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind:
            data = json.loads(line[6:])
            print(json.dumps({"kind": kind, **data}, ensure_ascii=False) if as_json else describe(kind, data), flush=True)
            kind = None


def describe(kind: str, data: dict[str, Any]) -> str:
    """One event of the stream as a line for people."""
    at = _clock_time(data.get("at", ""))
    key = f"key={data['keyHint']}" if data.get("keyHint") else "key=-"
    if kind == "request":
        query = "&".join(f"{k}={v}" for k, v in data["query"].items())
        events = ",".join(e["event"] for e in data["events"])
        return (
            f"{at} {data['provider']:<12} {data['method']:<6} {data['path']}{'?' + query if query else ''} "
            f"{data['status']} {data['durationMs']:.1f}ms {key}{' events=' + events if events else ''}"
        )
    outcome = f"{data['status']} ok" if data["ok"] else f"FAILED {data['error']}"
    retry = f", retry in {data['nextAttemptInSeconds']:g}s" if data.get("willRetry") else ""
    return (
        f"{at} {data['provider']:<12} webhook {data['event']} -> {data['url']} {outcome} "
        f"({data['durationMs']:.0f}ms, attempt {data['attempt']}{retry}) {key}"
    )


def _clock_time(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%H:%M:%S")
    except ValueError:
        return stamp


def _add_fault_command(commands: Any, providers: list[str], url_help: str) -> None:
    fault = commands.add_parser(
        "fault",
        help="make a running emulator's requests fail on demand",
        description="add: a fault rule (POST /__admin/faults): matching requests get an error status, a delay, "
        "a dropped connection... list: the rules in force. clear: remove rules.",
    )
    actions = fault.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a rule; prints it as JSON", description="Add a fault rule; prints it as JSON.")
    add.add_argument("--provider", choices=providers, required=True)
    add.add_argument("--api-key", "--key", dest="api_key", help="only this account's requests (default: every account's)")
    add.add_argument("--operation", metavar="ID", help="only this operation (its operationId, e.g. createContact)")
    add.add_argument("--method", help="only this HTTP method")
    add.add_argument("--path", metavar="GLOB", help="only paths (under the provider) matching this, e.g. '/api/contacts*'")
    add.add_argument("--status", type=int, help="answer this status (default body: the provider's own error)")
    add.add_argument("--body", metavar="JSON", help="answer this body instead (JSON, or @FILE)")
    add.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="a header to answer (repeatable)")
    add.add_argument("--delay-ms", metavar="N or MIN,MAX", help="wait this long (or a random time in the range) first")
    add.add_argument(
        "--action", choices=("reset", "hang"), help="reset: drop the connection; hang: hold it --delay-ms, then drop it"
    )
    add.add_argument("--after", choices=("before", "after"), help="before (default): instead of the request; after: once it ran")
    add.add_argument("--times", type=int, metavar="N", help="only the next N matching requests")
    add.add_argument("--probability", type=float, metavar="P", help="fail each matching request with this probability (0..1)")
    add.add_argument("--url", help=url_help)
    add.set_defaults(run=_fault_add)

    listing = actions.add_parser("list", help="the rules in force", description="The fault rules in force, one a line.")
    listing.add_argument("--provider", choices=providers, help="only this provider's")
    listing.add_argument("--api-key", "--key", dest="api_key", help="only this account's")
    listing.add_argument("--json", action="store_true", help="one JSON object per line, as the admin API answers them")
    listing.add_argument("--url", help=url_help)
    listing.set_defaults(run=_fault_list)

    clear = actions.add_parser(
        "clear", help="remove rules", description="Remove every rule, one provider's or account's, or one rule."
    )
    clear.add_argument("--provider", choices=providers, help="only this provider's")
    clear.add_argument("--api-key", "--key", dest="api_key", help="only this account's")
    clear.add_argument("--id", help="only this rule")
    clear.add_argument("--url", help=url_help)
    clear.set_defaults(run=_fault_clear)


def _fault_add(args: argparse.Namespace) -> int:
    try:
        rule = _fault_rule(args)
    except ValueError as exc:
        print(f"mockserver fault: {exc}", file=sys.stderr)
        return 2
    response = _fault_call(args, "POST", "faults", json=rule)
    if response is None or not response.ok:
        return _fault_failed(response)
    print(_pretty(response))
    return 0


def _fault_rule(args: argparse.Namespace) -> dict[str, Any]:
    """The rule's JSON from the options given (ValueError says which one is wrong)."""
    rule: dict[str, Any] = {
        "provider": args.provider,
        "apiKey": args.api_key,
        "operation": args.operation,
        "method": args.method.upper() if args.method else None,
        "path": args.path,
        "status": args.status,
        "action": args.action,
        "after": args.after,
        "times": args.times,
        "probability": args.probability,
    }
    if args.body is not None:
        rule["body"] = _json_option("--body", args.body)
    if args.header:
        rule["headers"] = dict(_header(text) for text in args.header)
    if args.delay_ms is not None:
        rule["delayMs"] = _delay(args.delay_ms)
    return {name: value for name, value in rule.items() if value is not None}


def _json_option(name: str, data: str) -> Any:
    try:
        text = Path(data[1:]).read_text(encoding="utf-8") if data.startswith("@") else data
        return json.loads(text)
    except OSError as exc:
        raise ValueError(f"{name}: cannot read {data[1:]}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ValueError(f"{name} is not JSON: {exc}") from exc


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise ValueError(f"--header {text!r} is not of the form 'Name: value'")
    return name.strip(), value.strip()


def _delay(text: str) -> float | list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in (1, 2):
        raise ValueError(f"--delay-ms {text!r} is neither N nor MIN,MAX (milliseconds)")
    numbers = [int(v) if v.is_integer() else v for v in values]
    return numbers[0] if len(numbers) == 1 else numbers


def _fault_list(args: argparse.Namespace) -> int:
    response = _fault_call(args, "GET", "faults", params=_fault_scope(args))
    if response is None or not response.ok:
        return _fault_failed(response)
    for rule in response.json()["items"]:
        print(json.dumps(rule, ensure_ascii=False) if args.json else describe_fault(rule))
    return 0


def describe_fault(rule: dict[str, Any]) -> str:
    """One rule as a line for people: what it matches, then what it does."""
    key = f"key={rule['keyHint']}" if rule.get("keyHint") else "key=*"
    match = " ".join(
        str(part) for part in (rule.get("method"), rule.get("path"), rule.get("operation") and f"op={rule['operation']}") if part
    )
    does = [str(rule["status"])] if rule.get("status") else []
    if rule.get("action"):
        does.append(str(rule["action"]))
    if rule.get("delayMs"):
        delay = rule["delayMs"]
        does.append(f"delay={'-'.join(map(str, delay)) if isinstance(delay, list) else delay}ms")
    if rule.get("after") == "after":
        does.append("after the request ran")
    if rule.get("times") is not None:
        does.append(f"times={rule['times']}")
    if rule.get("probability") is not None:
        does.append(f"p={rule['probability']:g}")
    return f"{rule['id']} {rule['provider']:<12} {key} {match or '*'} -> {' '.join(does) or '-'} hits={rule.get('hits', 0)}"


def _fault_clear(args: argparse.Namespace) -> int:
    if args.id and (args.provider or args.api_key):
        print("mockserver fault clear: --id names one rule: give it without --provider or --api-key", file=sys.stderr)
        return 2
    if args.id:
        response = _fault_call(args, "DELETE", f"faults/{args.id}")
    else:
        response = _fault_call(args, "DELETE", "faults", params=_fault_scope(args))
    if response is None or not response.ok:
        return _fault_failed(response)
    deleted = 1 if args.id else int(response.json()["deleted"])
    print(f"removed {deleted} rule{'s' * (deleted != 1)}")
    return 0


def _fault_scope(args: argparse.Namespace) -> dict[str, str]:
    return {name: value for name, value in (("provider", args.provider), ("apiKey", args.api_key)) if value}


def _fault_call(args: argparse.Namespace, method: str, path: str, **kwargs: Any) -> requests.Response | None:
    """The admin API's answer; None (said on stderr) when no emulator answers."""
    base = _base(args)
    try:
        return _http().request(method, f"{base}/__admin/{path}", timeout=30, **kwargs)
    except requests.RequestException as exc:
        print(f"mockserver fault: no emulator answers at {base}: {exc}", file=sys.stderr)
        return None


def _fault_failed(response: requests.Response | None) -> int:
    """Exit status (and the emulator's message) for a call that did not go through: 2 for no
    emulator or a rule it refused (a usage error, as with trigger), 1 for anything else."""
    if response is None:
        return 2
    print(f"mockserver fault: {response.status_code}: {_error_text(response)}", file=sys.stderr)
    return 2 if response.status_code == 400 else 1
