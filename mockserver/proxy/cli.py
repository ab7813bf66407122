"""`mockserver proxy` and `mockserver replay`."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Flask

from mockserver import __version__


def add_proxy_commands(commands: Any, providers: list[str]) -> None:
    """Add the proxy's subcommands to the `mockserver` parser (`commands` is its subparsers)."""
    proxy = commands.add_parser(
        "proxy",
        help="forward to the real API, checking every exchange against the spec",
        description="Forward every request to the real API (the upstream) unchanged, check request and response "
        "against the provider's spec, log each violation, and optionally record the exchanges as fixtures.",
    )
    proxy.add_argument("provider", choices=providers, metavar="PROVIDER", help=f"one of {', '.join(providers)}")
    proxy.add_argument(
        "--upstream",
        required=True,
        metavar="URL",
        help="base URL the spec's paths are appended to, e.g. https://api.systeme.io or http://127.0.0.1:8080/systeme",
    )
    _listen_arguments(proxy)
    proxy.add_argument("--record", metavar="DIR", help="save each exchange (secrets scrubbed) as a JSON file in DIR")
    proxy.add_argument("--log", metavar="FILE", help="also append each violation to FILE as a JSON line")
    proxy.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="upstream timeout (default: 60)")
    proxy.set_defaults(run=_proxy)

    replay = commands.add_parser(
        "replay",
        help="serve exchanges recorded by `mockserver proxy --record`",
        description="Answer requests with recorded exchanges, matched by method, path, query and body; a request "
        "without credentials gets the provider's own 401 unless an exchange recorded without them matches.",
    )
    replay.add_argument("provider", choices=providers, metavar="PROVIDER", help=f"one of {', '.join(providers)}")
    replay.add_argument("--fixtures", required=True, metavar="DIR", help="the directory `proxy --record` wrote")
    _listen_arguments(replay)
    replay.set_defaults(run=_replay)


def _listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on (default: 8081; 0 picks a free one)")
    parser.add_argument("--threads", type=int, default=8, help="worker threads (default: 8)")


def _proxy(args: argparse.Namespace) -> int:
    from mockserver.providers import provider_named
    from mockserver.proxy.app import ProxyApp

    upstream = urlsplit(args.upstream)
    if upstream.scheme not in ("http", "https") or not upstream.netloc or upstream.query or upstream.fragment:
        print(f"mockserver: --upstream must be an http(s) base URL, not {args.upstream!r}", file=sys.stderr)
        return 2
    try:
        app = ProxyApp(args.provider, args.upstream, record=args.record, log_file=args.log, timeout=args.timeout)
    except OSError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 1
    title = provider_named(args.provider).title
    notes = [f"forwarding to {app.upstream}, checking against the {title} spec; violations go to stderr"]
    if args.log:
        notes.append(f"violations also logged to {args.log}")
    if args.record:
        notes.append(f"recording exchanges in {args.record}")
    try:
        return _serve(app, args, "proxy", notes)
    finally:
        app.close()


def _replay(args: argparse.Namespace) -> int:
    from mockserver.providers import provider_named
    from mockserver.proxy.replay import replay_app

    provider = provider_named(args.provider)
    try:
        app = replay_app(args.fixtures, provider)
    except ValueError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 1
    notes = [f"serving {len(app.fixtures)} recorded {provider.title} exchanges from {args.fixtures}"]
    return _serve(app, args, "replay", notes)


def _serve(app: Any, args: argparse.Namespace, name: str, notes: list[str]) -> int:
    from mockserver.serving import Server

    try:
        # Server takes any WSGI app; its annotation names the emulator's Flask app.
        server = Server(cast(Flask, app), host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        print(f"mockserver: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _exit_quietly)
    print(f"mockserver {name} {__version__} listening on {server.url}", flush=True)
    for note in notes:
        print(f"  {note}", flush=True)
    print("Ctrl-C stops the server.", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print(f"mockserver {name} stopped.", flush=True)
    return 0


def _exit_quietly(*_: Any) -> None:
    raise KeyboardInterrupt
