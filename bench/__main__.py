"""`bench/run [options]` (or `.venv/bin/python -m bench`): throughput, latency and memory of
mockserver under wrk, per provider and workload, optionally beside Stoplight Prism; and
scenarios with targets: --scale (N Systeme contacts in one account), --webhooks (N events
delivered to three receivers) and --costs (requests at 2,000 and at 20,000 contacts)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import requests

from bench import backends, costs, hooks, prism, report, scale, walk, workloads, wrk
from bench.servers import Server, ServerFailed, start_mockserver
from bench.workloads import PROVIDERS, WRK_WORKLOADS, Call, Plan

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
# mockserver's default per-key limit (1000 requests per 10 s) would answer most of the
# benchmark's requests with 429; this one is never reached.
RATE_LIMIT = "100000000/1"
SCALE_DEFAULT = 100_000
WEBHOOKS_DEFAULT = 1_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--providers", default=",".join(PROVIDERS), help="comma-separated (default: all)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each timed run (default: 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the warm-up run before each (default: 3; 0: none)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default: 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: 2)")
    parser.add_argument("--prism", action="store_true", help="run the same workloads against Stoplight Prism too")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to this JSON file")
    parser.add_argument(
        "--scale",
        type=int,
        nargs="?",
        const=SCALE_DEFAULT,
        metavar="N",
        help=f"instead of the workloads: load N Systeme contacts into one account of a fresh mockserver, count them, "
        f"report memory and first vs deep page (N default: {SCALE_DEFAULT:,})",
    )
    parser.add_argument(
        "--webhooks",
        type=int,
        nargs="?",
        const=WEBHOOKS_DEFAULT,
        metavar="N",
        help=f"instead of the workloads: time N Systeme CONTACT_CREATED events delivered to 3 local receivers "
        f"(N default: {WEBHOOKS_DEFAULT:,})",
    )
    parser.add_argument(
        "--costs",
        action="store_true",
        help="instead of the workloads: the p50 of an e-mail lookup, a flag filter, a deep offset page and an "
        "updated_at-sorted page, at 2,000 and at 20,000 contacts (Systeme, Simvoly, ClickFunnels)",
    )
    parser.add_argument(
        "--backends",
        action="store_true",
        help="instead of the workloads: list, get and create with the state in memory (1 worker), in Redis "
        "(1 worker) and in Redis (2 workers), on a redis-server of its own; with --prism, Prism beside them",
    )
    parser.add_argument(
        "--state",
        choices=("memory", "redis"),
        default="memory",
        help="with --scale: where the server keeps its state (redis: a redis-server of the bench's own)",
    )
    parser.add_argument(
        "--all-targets", action="store_true", help="the workloads, then --scale, --webhooks (with their N if given) and --costs"
    )
    args = parser.parse_args(argv)
    if args.all_targets:
        args.scale = args.scale or SCALE_DEFAULT
        args.webhooks = args.webhooks or WEBHOOKS_DEFAULT
        args.costs = True
    args.workloads = args.all_targets or (args.scale is None and args.webhooks is None and not args.costs and not args.backends)
    if args.scale is not None and args.scale < 2 * scale.PAGE:
        parser.error(f"--scale needs at least {2 * scale.PAGE} contacts (a deep page to compare with the first)")
    if args.state != "memory" and args.scale is None:
        parser.error("--state applies to --scale (--backends compares the states itself)")
    if args.webhooks is not None and args.webhooks < 1:
        parser.error("--webhooks needs at least 1 event")
    args.provider_list = [p.strip() for p in args.providers.split(",") if p.strip()]
    unknown = sorted(set(args.provider_list) - set(PROVIDERS))
    if unknown or not args.provider_list:
        parser.error(f"--providers: unknown {', '.join(unknown) or '(none given)'}; choose from {', '.join(PROVIDERS)}")
    if args.duration < 1 or args.warmup < 0:
        parser.error("--duration must be at least 1 and --warmup at least 0")
    if args.connections < args.threads or args.threads < 1:
        parser.error("wrk needs at least one thread and at least as many connections as threads")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a SIGTERM stops the servers as Ctrl-C does
    with contextlib.ExitStack() as cleanup:
        try:
            context = run(args, cleanup)
        except KeyboardInterrupt:
            print("\nbench: interrupted; stopping the servers", file=sys.stderr)
            return 130
        except (ServerFailed, RuntimeError, OSError, subprocess.SubprocessError, requests.RequestException) as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
    print(report.text(context))
    if args.json:
        path = Path(os.environ.get("BENCH_CWD", ".")) / args.json
        report.write_json(path, context)
        print(f"\nfigures written to {path}")
    # A wrong answer (a count that is off, a delivery missing) fails the run; a target not
    # met does not: it is a measurement.
    return 1 if context["problems"] else 0


def _interrupt(*_: Any) -> NoReturn:
    raise KeyboardInterrupt


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not on PATH (bench/run installs it)")
    mockserver_bin = ROOT / ".venv" / "bin" / "mockserver"
    versions = {
        "mockserver": subprocess.run(
            [str(mockserver_bin), "--version"], capture_output=True, text=True, check=False
        ).stdout.split()[-1],
        "wrk": report.wrk_version(),
    }
    if args.prism and (args.workloads or args.backends):
        prism.ensure_installed()
        versions["prism"] = prism.version()

    context: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": report.machine(),
        "command": shlex.join([os.environ.get("BENCH_ARGV0", "python -m bench"), *sys.argv[1:]]),
        "versions": versions,
        "settings": {
            "duration": args.duration,
            "warmup": args.warmup,
            "connections": args.connections,
            "threads": args.threads,
            "prism": args.prism and args.workloads,
            "workloads": args.workloads,
            "scale": args.scale,
            "webhooks": args.webhooks,
            "costs": args.costs,
            "backends": args.backends,
        },
        "providers": {},
        "problems": [],
    }
    if args.workloads:
        run_workloads(args, cleanup, mockserver_bin, context)
    if args.scale is not None:
        context["scale"] = scale.run(args, mockserver_bin, CACHE, RATE_LIMIT, progress)
        context["problems"] += context["scale"]["problems"]
    if args.webhooks is not None:
        context["webhooks"] = hooks.run(args, mockserver_bin, CACHE, RATE_LIMIT, progress)
        context["problems"] += context["webhooks"]["problems"]
    if args.costs:
        context["costs"] = costs.run(args, mockserver_bin, CACHE, RATE_LIMIT, progress)
        context["problems"] += context["costs"]["problems"]
    if args.backends:
        context["backends"] = backends.run(args, mockserver_bin, CACHE, RATE_LIMIT, progress, wrk_workload)
        plans = context["backends"].pop("plans")
        if args.prism:
            context["backends"]["prism"] = backends_prism(args, plans)
    return context


def backends_prism(args: argparse.Namespace, plans: dict[str, Plan]) -> dict[str, dict[str, float]]:
    """Prism's req/s for the --backends workloads, per provider (none where it fails)."""
    found: dict[str, dict[str, float]] = {}
    for provider, plan in plans.items():
        results: dict[str, Any] = {"workloads": {name: {} for name in WRK_WORKLOADS}}
        bench_prism(args, plan, results)
        found[provider] = {
            name: entry["prism"]["rps"]
            for name, entry in results["workloads"].items()
            if name in backends.WORKLOADS and "rps" in entry.get("prism", {})
        }
    return found


def run_workloads(args: argparse.Namespace, cleanup: contextlib.ExitStack, mockserver_bin: Path, context: dict[str, Any]) -> None:
    server = start_mockserver(mockserver_bin, CACHE / "mockserver.log", progress, "workloads", "--rate-limit", RATE_LIMIT)
    cleanup.callback(server.stop)

    context["settings"]["mockserver_argv"] = server.argv
    context["memory_kib"] = {"start": server.memory_kib()}
    context["contacts_created"] = 0
    for provider in args.provider_list:
        context["providers"][provider] = bench_provider(args, server, provider, context)
    context["memory_kib"]["end"] = server.memory_kib()
    server.stop()  # before the scenarios: each starts a fresh mockserver of its own


def bench_provider(args: argparse.Namespace, server: Server, provider: str, context: dict[str, Any]) -> dict[str, Any]:
    plan = workloads.plan(provider, f"{server.url}/{provider}")
    entries: dict[str, dict[str, Any]] = {}
    for name in WRK_WORKLOADS:
        call = plan.calls[name]
        progress(f"{provider} {name}: mockserver, {call.method} /{provider}{call.path}")
        figures, created = wrk_workload(args, plan, call, server.url, f"/{provider}", strict=True)
        if name == "create":
            context["contacts_created"] += created
        entries[name] = {"request": f"{call.method} {call.path}", "mockserver": figures}
        if name == "update":  # the walk goes before create, so it walks the demo contacts
            progress(f"{provider} walk: mockserver, {plan.walk.note}")
            if args.warmup:
                walk.run(plan, f"{server.url}/{provider}", args.warmup)
            result = walk.run(plan, f"{server.url}/{provider}", args.duration)
            if result.walks == 0:
                raise RuntimeError(f"{provider} walk: no walk completed; statuses {result.statuses}")
            entries["walk"] = {"request": f"GET {plan.walk.path} (pages)", "mockserver": result.as_dict()}
    results: dict[str, Any] = {"workloads": entries, "walk_note": plan.walk.note, "memory_kib": server.memory_kib()}
    if args.prism:
        bench_prism(args, plan, results)
    return results


def bench_prism(args: argparse.Namespace, plan: Plan, results: dict[str, Any]) -> None:
    """The same list/get/update/create against `prism mock specs/<provider>.yaml`; a spec it
    cannot load, or a request it refuses, is reported for that provider and skipped."""
    spec = ROOT / "specs" / f"{plan.provider}.yaml"
    server = prism.server(spec, plan.provider)
    progress(f"{plan.provider}: starting {shlex.join(server.argv)}")
    try:
        try:
            server.start("/", timeout=180)
        except ServerFailed as exc:
            results["prism_problem"] = f"Prism could not serve {spec.relative_to(ROOT)}: {exc}"
            progress(results["prism_problem"])
            return
        for name in WRK_WORKLOADS:
            call = plan.calls[name]
            progress(f"{plan.provider} {name}: prism, {call.method} {call.path}")
            try:
                figures, _ = wrk_workload(args, plan, call, server.url, "", strict=False)
            except PreflightFailed as exc:
                figures = {"problem": str(exc)}
                progress(f"{plan.provider} {name}: prism: {exc}")
            results["workloads"][name]["prism"] = figures
        results["prism_memory_kib"] = server.memory_kib()
    finally:
        server.stop()
    results["prism_log"] = prism.violations(server.log)


class PreflightFailed(Exception):
    pass


def wrk_workload(
    args: argparse.Namespace, plan: Plan, call: Call, url: str, prefix: str, *, strict: bool
) -> tuple[dict[str, Any], int]:
    """Preflight once with requests (must be 2xx), warm up, then the timed run. Answers the
    figures and how many records the create requests made (2xx answers, warm-up included)."""
    email = f"bench-preflight-{uuid.uuid4().hex[:12]}@gmail.com"
    response = workloads.preflight(call, url + prefix, plan.headers, email)
    if not 200 <= response.status_code < 300:
        message = f"{call.method} {prefix}{call.path} answered {response.status_code}: {response.text[:300]}"
        if strict:
            raise RuntimeError(f"preflight failed: {message}")
        raise PreflightFailed(message)
    created = 1
    tag = f"{'mockserver' if strict else 'prism'}-{plan.provider}-{call.workload}"
    runs = [("warmup", args.warmup), ("timed", args.duration)] if args.warmup else [("timed", args.duration)]
    for phase, seconds in runs:
        # A script per run: each has its own nonce, so no create reuses an e-mail address.
        script = wrk.write_script(CACHE / "wrk" / f"{tag}-{phase}.lua", call, url, prefix, plan.headers)
        result, _ = wrk.run(url, script, threads=args.threads, connections=args.connections, duration=seconds)
        created += sum(n for code, n in result.statuses.items() if 200 <= code < 300)
    return result.as_dict(), created


if __name__ == "__main__":
    sys.exit(main())
