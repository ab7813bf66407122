"""`mockserver serve` and friends."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver import __version__
from mockserver.engine import logs
from mockserver.engine.ratelimit import parse_rate
from mockserver.engine.settings import DEMO_KEY, Settings
from mockserver.engine.webhook_targets import allowed_targets
from mockserver.providers import RegistryError, all_providers

if TYPE_CHECKING:
    from mockserver.persistence import StateFile


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
    except RegistryError as exc:  # MOCKSERVER_PROVIDERS names a folder that is not a provider
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    result: int = args.run(args)
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="Stateful emulators of marketing-platform APIs.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="start the emulators", description="Start every provider's emulator.")
    names = [p.name for p in all_providers()]
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080; 0 picks a free one)")
    serve.add_argument("--seed", type=int, default=1, help="seed of the demo data and ids (default: 1)")
    serve.add_argument("--no-demo-data", action="store_true", help="start with no demo tenant")
    serve.add_argument("--demo-key", default=DEMO_KEY, help=f"API key of the demo tenant (default: {DEMO_KEY})")
    serve.add_argument("--native", choices=names, help="also serve this provider at the root, e.g. /api/contacts")
    serve.add_argument(
        "--refuse-unknown-keys",
        action="store_true",
        help="answer 401 for API keys that are not the demo key, not given with --api-key and not created by the admin API",
    )
    serve.add_argument("--api-key", action="append", default=[], metavar="KEY", help="a key to accept (repeatable)")
    serve.add_argument(
        "--strict-responses", action="store_true", help="check every response against the spec; a mismatch becomes a 500"
    )
    serve.add_argument("--rate-limit", default="1000/10", metavar="COUNT/SECONDS", help="per-key rate limit (default: 1000/10)")
    serve.add_argument(
        "--webhook-time-scale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="multiply webhook retry delays (0.001 turns minutes into tens of ms)",
    )
    serve.add_argument(
        "--webhook-timeout", type=float, default=10.0, metavar="SECONDS", help="timeout of one webhook delivery (default: 10)"
    )
    serve.add_argument(
        "--allow-webhook-target",
        action="append",
        default=[],
        metavar="HOST|ADDRESS|CIDR",
        help="deliver webhooks to this link-local target too (169.254.0.0/16 and fe80::/10, where cloud metadata "
        "answers, are refused by default; loopback and private ranges are always allowed) (repeatable)",
    )
    serve.add_argument(
        "--server",
        choices=("granian", "waitress"),
        default="granian",
        help="HTTP layer: granian (fastest, default) or waitress (pure Python, many request threads)",
    )
    serve.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="with --server waitress: request threads (default: 8); granian runs requests one at a time, "
        "and a request that waits (webhooks/wait, the event stream) aside",
    )
    serve.add_argument(
        "--no-cpu-pin",
        action="store_true",
        help="on granian, let the worker move between CPUs (by default it stays on the one it starts on: "
        "faster answers; several emulators on one machine may want to spread)",
    )
    serve.add_argument(
        "--journal-size",
        type=int,
        default=Settings.journal_size,
        metavar="N",
        help=f"requests the journal keeps, of all accounts together (default: {Settings.journal_size:,})",
    )
    serve.add_argument(
        "--max-accounts",
        type=int,
        default=Settings.max_accounts,
        metavar="N",
        help=f"accounts of all providers together (default: {Settings.max_accounts:,}); past it a new key is refused "
        "as an unknown one (401), and the admin API answers 429, until accounts are reset",
    )
    serve.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep the state in this file: read at start when it exists, written every --snapshot-interval "
        "seconds and at a graceful stop (a kill -9 loses at most the last interval)",
    )
    serve.add_argument(
        "--state",
        metavar="redis://HOST:PORT/DB",
        help="keep the whole state in Redis, shared by every worker and every host pointed at it "
        "(default: this process's memory)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="granian worker processes (default: 1); more than one needs --state redis://..., so that they serve one state",
    )
    serve.add_argument(
        "--snapshot-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="with --state-file: how often the state is written when it changed (default: 5)",
    )
    serve.add_argument(
        "--faults",
        type=Path,
        metavar="FILE.yaml",
        help="fault rules to start with: a YAML (or JSON) list of rules, each with the fields of POST /__admin/faults",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host the admin API answers besides loopback names and the bound address (repeatable)",
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("MOCKSERVER_ADMIN_TOKEN"),
        help="the bearer token the admin API requires (default: $MOCKSERVER_ADMIN_TOKEN; bound to a "
        "non-loopback address without one, a token is made and printed at start)",
    )
    serve.add_argument(
        "--cors",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="answer browser apps of this origin (http://localhost:3000, or *) with CORS headers (repeatable; "
        "off by default, as the vendors' APIs are)",
    )
    serve.add_argument(
        "--admin-open", action="store_true", help="bound to a non-loopback address, leave the admin API without a token"
    )
    serve.add_argument("--quiet", action="store_true", help="no line per request on stderr (warnings still show)")
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="request lines and warnings as text (default) or as JSON lines, for log tools",
    )
    serve.set_defaults(run=_serve)

    providers = commands.add_parser("providers", help="list the providers and their base paths")
    providers.set_defaults(run=_providers)

    from mockserver.contract.cli import add_contract_command
    from mockserver.proxy.cli import add_proxy_commands
    from mockserver.remote import add_remote_commands
    from mockserver.scaffold import add_new_provider_command

    add_contract_command(commands, names)
    add_proxy_commands(commands, names)
    add_remote_commands(commands, names)
    add_new_provider_command(commands)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from mockserver.persistence import stop_gracefully
    from mockserver.serving import Server

    try:
        rate, window = parse_rate(args.rate_limit)
        faults = _read_faults(args.faults) if args.faults is not None else ()
        allowed_targets(args.allow_webhook_target)  # a malformed value is refused here, by name
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
    for flag, value in (("--journal-size", args.journal_size), ("--max-accounts", args.max_accounts)):
        if value < 1:
            print(f"mockserver: {flag} must be at least 1", file=sys.stderr)
            return 2
    settings = Settings(
        seed=args.seed,
        demo_data=not args.no_demo_data,
        demo_key=args.demo_key,
        allow_unknown_keys=not args.refuse_unknown_keys,
        api_keys=tuple(args.api_key),
        strict_responses=args.strict_responses,
        rate_limit=rate,
        rate_window=window,
        webhook_time_scale=args.webhook_time_scale,
        webhook_timeout=args.webhook_timeout,
        allowed_webhook_targets=tuple(args.allow_webhook_target),
        native=args.native,
        log_format=None if args.quiet else args.log_format,
        journal_size=args.journal_size,
        max_accounts=args.max_accounts,
        delivery_process=True,
        state=args.state,
        faults=faults,
        listen_host=args.host,
        allowed_hosts=tuple(args.allowed_host),
        admin_token=_admin_token(args),
        cors=tuple(args.cors),
    )
    logs.configure(args.log_format)
    problem = _state_problem(args)
    if problem:
        print(f"mockserver: {problem}", file=sys.stderr)
        return 2
    # Under load waitress warns of its queue depth on every queued request: noise, and CPU.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if args.snapshot_interval <= 0:
        print("mockserver: --snapshot-interval must be more than 0 seconds", file=sys.stderr)
        return 2
    if args.server == "granian":
        if args.threads is not None:
            print("mockserver: --threads applies to --server waitress only", file=sys.stderr)
            return 2
        return _serve_on_granian(args, settings)
    app = _build_app(settings)
    emulator = app.extensions["mockserver"]
    state_file = _state_file(args, emulator)
    try:
        server = Server(
            app, host=args.host, port=args.port, threads=args.threads or 8, on_close=lambda: stop_gracefully(emulator, state_file)
        )
    except OSError as exc:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        emulator.dispatcher.stop()
        return 1
    if state_file is not None:
        state_file.start()
    signal.signal(signal.SIGTERM, _exit_quietly)
    _banner(server.url, args, settings)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print("mockserver stopped.", flush=True)
    return 0


def _serve_on_granian(args: argparse.Namespace, settings: Settings) -> int:
    from mockserver.fast_serving import check_port, free_port, serve_with_granian

    try:
        port = args.port or free_port(args.host)
        check_port(args.host, port)
    except OSError as exc:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host = f"[{args.host}]" if ":" in args.host else args.host
    app = _build_app(settings, deliver=False)  # the worker sends the webhooks (fast_serving)
    state_file = _state_file(args, app.extensions["mockserver"])
    serve_with_granian(
        app,
        args.host,
        port,
        lambda: _banner(f"http://{host}:{port}", args, settings),
        pin_cpu=not args.no_cpu_pin and args.workers == 1,
        state_file=state_file,
        workers=args.workers,
    )
    print("mockserver stopped.", flush=True)
    return 0


def _read_faults(path: Path) -> tuple[dict[str, Any], ...]:
    """The rules of a --faults file; ValueError, naming the file, when it is none. The
    emulator checks each rule as POST /__admin/faults does, when it starts."""
    import yaml

    from mockserver.engine.spec import read_yaml

    try:
        rules = read_yaml(path)  # YAML reads JSON too
    except OSError as exc:
        raise ValueError(f"--faults {path}: cannot read it: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"--faults {path}: not YAML: {exc}") from exc
    if not isinstance(rules, list) or not all(isinstance(rule, dict) for rule in rules):
        raise ValueError(f"--faults {path}: expected a list of rules (objects with the fields of POST /__admin/faults)")
    return tuple(rules)


def _state_problem(args: argparse.Namespace) -> str | None:
    """Why these state options cannot go together (None when they can)."""
    if args.workers < 1:
        return "--workers must be at least 1"
    if args.workers > 1 and args.server != "granian":
        return "--workers applies to --server granian only (waitress runs threads in one process)"
    if args.workers > 1 and not args.state:
        return "--workers N needs --state redis://HOST:PORT/DB: workers with state in memory would each have their own"
    if args.state and args.state_file is not None:
        return "--state and --state-file do not go together: Redis keeps the state (snapshots: mockserver snapshot save)"
    return None


def _state_file(args: argparse.Namespace, emulator: Any) -> StateFile | None:
    """The --state-file, its state loaded (None without one). One that cannot be used ends
    the start, saying why: the server never runs on half a state."""
    from mockserver.engine.snapshot import SnapshotError

    if args.state_file is None:
        return None
    from mockserver.persistence import StateFile

    state_file = StateFile(args.state_file, emulator, args.snapshot_interval)
    try:
        accounts = state_file.load()
    except SnapshotError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        print("mockserver: not started; the file is left as it is.", file=sys.stderr)
        emulator.dispatcher.stop()
        raise SystemExit(2) from exc
    said = "no file yet: it is written as the state changes"
    if accounts:
        said = f"{accounts} account{'s' * (accounts != 1)} read from it"
    print(f"state file: {args.state_file} ({said})", flush=True)
    return state_file


def _build_app(settings: Settings, *, deliver: bool = True) -> Any:
    from mockserver.app import create_app
    from mockserver.engine.redis_link import UNREACHABLE

    try:
        app = create_app(settings, deliver=deliver)
    except UNREACHABLE as exc:
        print(f"mockserver: cannot reach Redis at {settings.state}: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    except ValueError as exc:  # e.g. a --state that is no redis:// address
        print(f"mockserver: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    # The specs, validators and demo data built at start-up live as long as the process:
    # keep the cyclic garbage collector from walking them again on every collection.
    gc.collect()
    gc.freeze()
    # Records live until deleted and hold no reference cycles, so what survives a full
    # collection is frozen too: the next full collection walks only what came since, and
    # a large account does not pause every request for a walk over all its records.
    gc.callbacks.append(_freeze_survivors)
    return app


def _freeze_survivors(phase: str, info: dict[str, int]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def _admin_token(args: argparse.Namespace) -> str | None:
    """The admin API's token: the one given; made here when the server is reachable from
    other machines and none was given (unless --admin-open); none on loopback."""
    from mockserver.engine.admin_guard import is_loopback

    if args.admin_token:
        return str(args.admin_token)
    if is_loopback(args.host) or args.admin_open:
        return None
    args.token_made = True
    return secrets.token_urlsafe(24)


def _banner(url: str, args: argparse.Namespace, settings: Settings) -> None:
    print(f"mockserver {__version__} listening on {url}", flush=True)
    for provider in all_providers():
        native = "  (also at the root)" if provider.name == args.native else ""
        print(f"  {provider.title:<28} {url}/{provider.name}{native}", flush=True)
    print(f"  {'admin API':<28} {url}/__admin/  (OpenAPI: {url}/__admin/openapi.json)", flush=True)
    for line in _accounts_said(settings):
        print(line, flush=True)
    if settings.state:
        workers = f"{args.workers} worker{'s' * (args.workers != 1)}" if args.server == "granian" else "one process"
        print(f"state: shared in {settings.state} ({workers})", flush=True)
    if args.quiet:
        print("quiet: no line per request (warnings still show)", flush=True)
    if getattr(args, "token_made", False):
        print(f"admin token (send Authorization: Bearer, or set MOCKSERVER_ADMIN_TOKEN): {settings.admin_token}", flush=True)
    if args.admin_open and settings.admin_token is None and settings.listen_host not in ("127.0.0.1", "localhost", "::1"):
        print(f"mockserver: warning: the admin API is open to anyone who can reach {args.host}", file=sys.stderr, flush=True)
    print("Ctrl-C stops the server.", flush=True)


def _accounts_said(settings: Settings) -> list[str]:
    """What the banner tells of API keys: exactly what the flags given make of them."""
    lines = []
    if settings.demo_data:
        lines.append(f"demo data: use the API key '{settings.demo_key}'")
    else:
        lines.append(f"no demo data: the key '{settings.demo_key}' is an empty account")
    if settings.allow_unknown_keys:
        lines.append("any other key gets its own empty account on first use")
    else:
        listed = "".join(f", '{key}'" for key in settings.api_keys)
        lines.append(
            f"unknown keys are refused (401): only '{settings.demo_key}'{listed} and keys registered "
            "with POST /__admin/tenants are accepted"
        )
    return lines


def _providers(_: argparse.Namespace) -> int:
    for provider in all_providers():
        print(f"{provider.name:<14} /{provider.name}/...  {provider.title}")
    return 0


def _exit_quietly(*_: Any) -> None:
    raise KeyboardInterrupt
