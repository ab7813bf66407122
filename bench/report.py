"""What the benchmark prints (a plain-text table) and writes (--json): the figures, and
the context needed to compare runs (machine, date, command, versions)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu_model": model,
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": platform.python_version(),
        # Other work on the machine skews every figure; this says how busy it was.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def wrk_version() -> str:
    # `wrk -v` prints its version line and usage, and exits 1.
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=30, check=False)
    first = (done.stdout or done.stderr).splitlines()
    return first[0].split("[")[0].replace("wrk ", "").strip() if first else "unknown"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Columns padded to their widest cell; the first `left` columns flush left, figures right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]).rstrip()


def figure(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def mib(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


def header_block(context: dict[str, Any]) -> str:
    m, s, v = context["machine"], context["settings"], context["versions"]
    versions = ", ".join(f"{name} {version}" for name, version in v.items())
    warmup = f"after a {s['warmup']}s warm-up run" if s["warmup"] else "no warm-up run"
    lines = [
        "mockserver benchmark",
        f"  date      {context['date']}",
        f"  machine   {m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable), "
        f"Linux {m['kernel']}, Python {m['python']}, load average {' '.join(map(str, m['load_average_at_start']))}",
        f"  command   {context['command']}",
        f"  versions  {versions}",
    ]
    if s["workloads"] or s["scale"] is not None or s.get("costs"):
        lines.append(
            f"  load      wrk -t{s['threads']} -c{s['connections']} -d{s['duration']}s --latency over loopback, "
            f"{warmup}; client and servers share the machine's cores"
        )
    if context["providers"]:
        lines += [
            "  columns   request: path under the provider's root (mockserver: /<provider>, Prism: /); errors: non-2xx",
            "            answers (counted by the wrk script) plus socket errors; ms/prism: mockserver req/s / Prism req/s",
        ]
    return "\n".join(lines)


def provider_block(provider: str, results: dict[str, Any], with_prism: bool) -> str:
    """One provider's table: a row per workload, mockserver's figures then Prism's."""
    head = ["workload", "request", "req/s", "p50 ms", "p99 ms", "requests", "errors"]
    if with_prism:
        head += ["prism req/s", "p50 ms", "p99 ms", "errors", "ms/prism"]
    rows = []
    notes = []
    for name, entry in results["workloads"].items():
        ours = entry.get("mockserver") or {}
        rate = ours.get("pages_per_s", ours.get("rps"))
        row = [
            name,
            entry["request"],
            figure(rate),
            figure(ours.get("p50_ms"), 2),
            figure(ours.get("p99_ms"), 2),
            str(ours.get("pages", ours.get("requests", "-"))),
            str(ours.get("errors", "-")),
        ]
        if with_prism:
            theirs = entry.get("prism")
            if isinstance(theirs, dict) and "rps" in theirs:
                ratio = rate / theirs["rps"] if rate and theirs["rps"] else None
                row += [figure(theirs["rps"]), figure(theirs["p50_ms"], 2), figure(theirs["p99_ms"], 2), str(theirs["errors"])]
                row += [figure(ratio, 2)]
            else:
                row += ["-", "-", "-", "-", "-"]
                if isinstance(theirs, dict) and theirs.get("problem"):
                    notes.append(f"  prism, {name}: {theirs['problem']}")
        rows.append(row)
        if ours.get("statuses") and ours.get("errors"):
            notes.append(f"  mockserver, {name}: statuses {ours['statuses']}")
    lines = [f"{provider}", table(head, rows, left=2)]
    if "walk" in results["workloads"]:
        walk = results["workloads"]["walk"]["mockserver"]
        lines.append(
            f"  walk: pages/s and per-page latency of one requests.Session client ({results['walk_note']}); "
            f"{walk['walks']} full walks of {walk['records_per_walk']} contacts"
        )
    if results.get("prism_problem"):
        lines.append(f"  prism: {results['prism_problem']}")
    prism_log = results.get("prism_log") or {}
    if prism_log.get("violations"):
        examples = "; ".join(prism_log["examples"])
        lines.append(f"  prism logged {prism_log['violations']} violations of the spec by its own responses, e.g. {examples}")
    lines += notes
    memory = results.get("memory_kib") or {}
    lines.append(f"  mockserver resident memory after {provider}'s workloads: {mib(memory.get('VmRSS'))}")
    if results.get("prism_memory_kib"):
        lines.append(f"  prism resident memory after its workloads: {mib(results['prism_memory_kib'].get('VmRSS'))}")
    return "\n".join(lines)


def targets_block(found: Sequence[dict[str, Any]]) -> str:
    rows = [[t["what"], t["target"], t["measured"], "met" if t["met"] else "NOT met"] for t in found]
    return table(["target", "wanted", "measured", "result"], rows, left=4)


def scale_block(result: dict[str, Any]) -> str:
    loaded, check, memory, pages = result["load"], result["verification"], result["memory_kib"], result["pages"]
    n = result["contacts"]
    rate = figure(loaded["per_second"], 0)
    lines = [
        f"scale: {n:,} Systeme contacts in one account (key {result['api_key']}, a fresh mockserver, no demo data)",
        f"  load      {loaded['created']:,} of {n:,} POST /systeme/api/contacts answered 2xx in {loaded['seconds']:,.1f} s "
        f"({rate} contacts/s; wrk -t{loaded['threads']} -c{loaded['connections']}); create latency p50 "
        f"{figure(loaded['p50_ms'], 2)} ms, p99 {figure(loaded['p99_ms'], 2)} ms; statuses {loaded['statuses']}",
        f"  verify    walked {check['pages']:,} pages of 100 in {check['seconds']:.1f} s: {check['counted']:,} contacts, "
        f"{check['distinct_ids']:,} distinct ids, {check['emails_expected_found']:,} of the {n:,} e-mails loaded, "
        f"{check['emails_unexpected']} others, {check['order']}: " + ("exactly N (OK)" if check["exact"] else "NOT exactly N"),
        f"  memory    VmRSS {mib(memory['start'].get('VmRSS'))} after start-up, {mib(memory['after_load'].get('VmRSS'))} "
        f"after loading, {mib(memory['after_walk'].get('VmRSS'))} after the walk, {mib(memory['end'].get('VmRSS'))} "
        f"at the end; peak {mib(memory['end'].get('VmHWM'))} (VmHWM)",
        "  pages     limit 20, each under wrk (figures of the timed run); ratio: p50 / p50 of the first page",
    ]
    if result.get("state") == "redis":
        lines[0] += "; state in Redis (--state)"
        lines.insert(4, f"  redis     redis-server VmRSS {mib(result['redis_memory_kib'].get('VmRSS'))} at the end")
    snap = result.get("snapshot")
    if snap:
        lines.insert(
            -1,
            f"  snapshot  GET /__admin/snapshot of the account: {snap['bytes'] / 2**20:.1f} MiB in {snap['take_s']:.2f} s; "
            f"PUT back as another account: {snap['restore_s']:.2f} s, {snap['restored_contacts']:,} contacts "
            + ("(OK)" if snap["exact"] else "(NOT all)"),
        )
    head = ["page", "request", "req/s", "p50 ms", "p99 ms", "requests", "errors", "ratio"]
    rows = []
    for name, page in pages.items():
        w = page["wrk"]
        rows.append(
            [
                name,
                page["request"],
                figure(w["rps"]),
                figure(w["p50_ms"], 2),
                figure(w["p99_ms"], 2),
                str(w["requests"]),
                str(w["errors"]),
                figure(page.get("p50_ratio_to_first"), 2),
            ]
        )
    lines += ["    " + line for line in table(head, rows, left=2).splitlines()]
    lines += [f"    {name}: {page['note']}" for name, page in pages.items()]
    lines += ["", *("  " + line for line in targets_block(result["targets"]).splitlines())]
    return "\n".join(lines)


def costs_block(result: dict[str, Any]) -> str:
    sizes = list(result["sizes"])
    small, large = (result["sizes"][size] for size in sizes)
    lines = [
        f"costs: requests that could read every contact, at {sizes[0]:,} and at {sizes[1]:,} contacts per account "
        f"(key {result['api_key']}, a fresh mockserver, no demo data); each under wrk -t1 -c1 (one request at a time)",
    ]
    head = ["request", f"p50 ms at {sizes[0]:,}", f"p50 ms at {sizes[1]:,}", "ratio", f"p99 ms at {sizes[1]:,}", "requests"]
    rows = []
    for name, entry in large.items():
        rows.append(
            [
                name,
                figure(small[name]["wrk"]["p50_ms"], 3),
                figure(entry["wrk"]["p50_ms"], 3),
                figure(result["ratios"][name], 2),
                figure(entry["wrk"]["p99_ms"], 3),
                str(entry["wrk"]["requests"]),
            ]
        )
    lines += ["    " + line for line in table(head, rows).splitlines()]
    lines += [f"    {name}: {entry['request']}" for name, entry in large.items()]
    lines.append(f"  mockserver memory    VmRSS {mib(result['memory_kib'].get('VmRSS'))} at the end")
    lines += ["", *("  " + line for line in targets_block(result["targets"]).splitlines())]
    return "\n".join(lines)


def webhooks_block(result: dict[str, Any]) -> str:
    loaded = result["load"]
    first, last = result["first_create_to_last_delivery_s"], result["last_create_to_last_delivery_s"]
    attempts = result["mockserver_attempts"]
    lines = [
        f"webhooks: Systeme CONTACT_CREATED to {result['receivers']} local receivers (Python ThreadingHTTPServer, "
        f"HTTP/1.1, answering 200 at once); mockserver {' '.join(result['mockserver_argv'][-2:])}",
        f"  events               {result['events']:,} contacts created in {loaded['seconds']:.2f} s "
        f"({loaded['created']:,} answered 2xx; wrk -t{loaded['threads']} -c{loaded['connections']}; "
        f"create p50 {figure(loaded['p50_ms'], 2)} ms, p99 {figure(loaded['p99_ms'], 2)} ms)",
        f"  deliveries           {result['deliveries_arrived']:,} arrived of {result['deliveries_expected']:,} expected "
        f"({result['distinct_messages']:,} distinct messages; counted until {result['settle_s']:g} s after the last expected)",
        f"  first create -> last delivery  {'-' if first is None else f'{first:.3f} s'}   "
        f"(from wrk's start, just before the first create, to the {result['deliveries_expected']:,}th arrival)",
        f"  last create -> last delivery   {'-' if last is None else f'{last:.3f} s'}   (from the answer to the last create)",
        f"  signatures           {result['missing_signature']} deliveries without X-Webhook-Signature, "
        f"{result['invalid_signature']} with one that does not match the body's HMAC-SHA256",
    ]
    for r in result["per_receiver"]:
        lines.append(
            f"    {r['url']}: {r['deliveries']:,} deliveries, {r['distinct_messages']:,} distinct, events {r['events']}, "
            f"last at {figure(r['last_delivery_s'], 3)} s"
        )
    if "problem" in attempts:
        lines.append(f"  mockserver's attempt record: {attempts['problem']}")
    else:
        examples = f" ({'; '.join(attempts['failed_examples'])})" if attempts["failed_examples"] else ""
        lines.append(
            f"  mockserver's record  {attempts['recorded']:,} attempts, {attempts['failed']} failed{examples}, "
            f"{attempts['outstanding']} outstanding"
        )
    lines.append(f"  mockserver memory    VmRSS {mib(result['memory_kib'].get('VmRSS'))} at the end")
    contention = result["contention"]
    lines.append(
        f"  creates while delivering  {contention['busy_per_second']:,.0f}/s with {result['receivers']} receivers "
        f"getting every event, {contention['quiet_per_second']:,.0f}/s with none ({contention['creates']:,} creates each): "
        f"{contention['ratio']:.2f}x"
    )
    lines += ["", *("  " + line for line in targets_block(result["targets"]).splitlines())]
    return "\n".join(lines)


def text(context: dict[str, Any]) -> str:
    with_prism = context["settings"]["prism"]
    parts = [header_block(context), ""]
    for provider, results in context["providers"].items():
        parts += [provider_block(provider, results, with_prism), ""]
    if context["settings"]["workloads"]:
        memory = context["memory_kib"]
        parts.append(
            f"mockserver memory: {mib(memory['start'].get('VmRSS'))} resident after start-up, "
            f"{mib(memory['end'].get('VmRSS'))} at the end, peak {mib(memory['end'].get('VmHWM'))} (VmHWM)"
        )
        parts += [f"contacts created by the create workloads (warm-up included): {context['contacts_created']}", ""]
    if "scale" in context:
        parts += [scale_block(context["scale"]), ""]
    if "webhooks" in context:
        parts += [webhooks_block(context["webhooks"]), ""]
    if "costs" in context:
        parts += [costs_block(context["costs"]), ""]
    if "backends" in context:
        from bench.backends import block

        parts += [block(context["backends"], context["backends"].get("prism", {})), ""]
    if context["problems"]:
        parts += ["PROBLEMS (wrong answers, not slow ones):", *(f"  {p}" for p in context["problems"])]
    return "\n".join(parts).rstrip()


def write_json(path: Path, context: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(context, indent=2, default=str) + "\n")
