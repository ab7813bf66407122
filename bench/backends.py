"""`bench/run --backends`: list, get and create per provider with the state in memory (one
worker), in Redis with one worker, and in Redis with two workers, each as a ratio to Prism
when --prism is given. Redis is a redis-server of the bench's own, on a free port."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import workloads
from bench.servers import start_mockserver
from mockserver.testing.redis_server import RedisServer

CONFIGS = (("memory", 1), ("redis", 1), ("redis", 2))
WORKLOADS = ("list", "get", "create")
# Aims of the issue that asked for this figure: Redis with 1 worker at least 0.6x memory,
# with 2 workers at least 1.5x memory (list and get).
TARGETS = {("redis", 1): 0.6, ("redis", 2): 1.5}


def run(
    args: argparse.Namespace,
    mockserver_bin: Path,
    cache: Path,
    rate_limit: str,
    progress: Callable[[str], None],
    measure: Callable[..., tuple[dict[str, Any], int]],
) -> dict[str, Any]:
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is not on PATH (bench/run installs it)")
    redis = RedisServer().start()
    figures: dict[str, dict[str, dict[str, Any]]] = {}
    plans: dict[str, Any] = {}  # the memory run's, for Prism (a plan reads ids off a live server)
    try:
        for number, (state, workers) in enumerate(CONFIGS):
            name = f"{state}/{workers}"
            options = ["--rate-limit", rate_limit, "--quiet"]
            if state == "redis":
                options += ["--state", redis.url(), "--workers", str(workers)]
            server = start_mockserver(mockserver_bin, cache / f"backends-{number}.log", progress, "backends", *options)
            try:
                for provider in args.provider_list:
                    plan = workloads.plan(provider, f"{server.url}/{provider}")
                    plans.setdefault(provider, plan)
                    for workload in WORKLOADS:
                        progress(f"backends {name}: {provider} {workload}")
                        result, _ = measure(args, plan, plan.calls[workload], server.url, f"/{provider}", strict=True)
                        figures.setdefault(provider, {}).setdefault(workload, {})[name] = result
            finally:
                server.stop()
    finally:
        redis.close()
    return {"configs": [f"{s}/{w}" for s, w in CONFIGS], "figures": figures, "problems": [], "plans": plans}


def block(result: dict[str, Any], prism: dict[str, dict[str, Any]]) -> str:
    """The table: req/s per configuration, as a ratio to memory/1 and to Prism."""
    configs = result["configs"]
    lines = ["backends: req/s (ratio to memory with 1 worker; x Prism where measured)"]
    lines.append(f"  {'provider':<13}{'workload':<9}" + "".join(f"{c:>24}" for c in configs))
    for provider, by_workload in result["figures"].items():
        for workload, by_config in by_workload.items():
            base = by_config[configs[0]]["rps"]
            prism_rps = prism.get(provider, {}).get(workload)
            cells = []
            for config in configs:
                rps = by_config[config]["rps"]
                cell = f"{rps:,.0f} ({rps / base:.2f}x"
                cell += f", {rps / prism_rps:.1f}x P)" if prism_rps else ")"
                cells.append(f"{cell:>24}")
            lines.append(f"  {provider:<13}{workload:<9}" + "".join(cells))
    return "\n".join(lines)
