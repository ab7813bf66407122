"""`mockserver contract`: one command that checks a live account (or an emulator) against
a provider's spec and says where they disagree."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from mockserver.contract.fuzz import FuzzOptions
from mockserver.contract.runner import (
    CONFORMS,
    DRIFTED,
    NOT_CHECKED,
    PARTS,
    CannotCheck,
    ContractOptions,
    run_contract,
    write_reports,
)
from mockserver.contract.webhooks import ReceiverOptions

API_KEY_VARIABLE = "MOCKSERVER_CONTRACT_API_KEY"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # what HTTP allows in a header name

EPILOG = """\
examples:
  mockserver contract systeme --base-url https://api.systeme.io --api-key "$KEY"
  mockserver contract clickfunnels --base-url https://myteam.myclickfunnels.com --api-key "$TOKEN"
  mockserver contract systeme --base-url http://127.0.0.1:8080/systeme --api-key demo-key --allow-writes

The base URL takes the place of the spec's server URL: the spec's paths (/api/...) are
appended to it. Read-only unless --allow-writes; with it, what the run creates is deleted at
the end. Exit status: 0 no drift, 1 drift found, 2 the check could not run.
"""


def add_contract_command(commands: Any, providers: list[str]) -> None:
    """Add `contract` to the `mockserver` parser (`commands` is its subparsers)."""
    parser = commands.add_parser(
        "contract",
        help="check a live account or an emulator against a provider's spec",
        description="Check a base URL against a provider's spec and report every drift.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("provider", choices=providers, help="which provider's spec to check against")
    parser.add_argument("--base-url", required=True, help="the API's base URL, e.g. https://api.systeme.io")
    parser.add_argument("--api-key", default=os.environ.get(API_KEY_VARIABLE), help=f"the API key (default: ${API_KEY_VARIABLE})")
    parser.add_argument("--allow-writes", action="store_true", help="also run operations that write (then delete what was made)")
    parser.add_argument(
        "--disposable-account",
        action="store_true",
        help="with --allow-writes: generated updates and deletes may hit records the run did not create (an emulator, a "
        "throw-away account); without it they aim only at the run's own records",
    )
    parser.add_argument(
        "--max-examples", type=int, default=25, metavar="N", help="generated requests per operation (default: 25)"
    )
    parser.add_argument(
        "--time-budget", type=int, metavar="SECONDS", help="time for the generated requests; they repeat until it is spent"
    )
    parser.add_argument("--report", type=Path, metavar="PATH", help="JUnit XML report (default: contract-PROVIDER.xml)")
    parser.add_argument("--seed", type=int, help="seed of the generated requests, to replay a run")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="an extra header (repeatable)")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable)")
    parser.add_argument("--max-pages", type=int, default=50, metavar="N", help="pages walked per list at most (default: 50)")
    parser.add_argument("--webhook-url", help="public URL that reaches --webhook-listen (needed for a live account)")
    parser.add_argument("--webhook-listen", default="127.0.0.1:0", metavar="HOST:PORT", help="where the webhook receiver listens")
    parser.add_argument("--webhook-wait", type=float, default=20.0, metavar="SECONDS", help="how long to wait for each delivery")
    parser.add_argument("--verbose", action="store_true", help="show schemathesis' own output as it runs")
    parser.set_defaults(run=_contract)


def _contract(args: argparse.Namespace) -> int:
    if not args.api_key:
        print(f"mockserver contract: give --api-key or set ${API_KEY_VARIABLE}", file=sys.stderr)
        return NOT_CHECKED
    try:
        headers = tuple(_header(text) for text in args.header)
        host, _, port = args.webhook_listen.rpartition(":")
        receiver = ReceiverOptions(
            listen_host=host or "127.0.0.1", listen_port=int(port), public_url=args.webhook_url, wait=args.webhook_wait
        )
    except ValueError as exc:
        print(f"mockserver contract: {exc}", file=sys.stderr)
        return NOT_CHECKED
    report: Path = args.report or Path(f"contract-{args.provider}.xml")
    options = ContractOptions(
        provider=args.provider,
        base_url=args.base_url,
        api_key=args.api_key,
        allow_writes=args.allow_writes,
        fuzz=FuzzOptions(
            max_examples=args.max_examples,
            time_budget=args.time_budget,
            seed=args.seed,
            extra_headers=headers,
            protect_existing=not args.disposable_account,
        ),
        webhooks=receiver,
        max_pages=args.max_pages,
        parts=tuple(args.only or PARTS),
        work_dir=report.with_name(report.stem + "-files"),
        verbose=args.verbose,
    )
    try:
        verdict = run_contract(options, progress=_progress)
    except CannotCheck as exc:
        print(f"mockserver contract: not checked: {exc}", file=sys.stderr)
        return NOT_CHECKED
    write_reports(verdict, report)
    print(verdict.summary(report), flush=True)
    if verdict.drifted:
        return DRIFTED
    return NOT_CHECKED if verdict.incomplete else CONFORMS


def _progress(line: str) -> None:
    print(line, flush=True)


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not _TOKEN.fullmatch(name.strip()):
        raise ValueError(f"--header wants 'Name: value' with a name of letters, digits and -, got {text!r}")
    return name.strip(), value.strip()
