"""The `walk` workload (mockserver only): a client paging through every demo contact with
requests.Session, one page after the other, again and again for the duration."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import requests

from bench.workloads import Plan, session_for


@dataclass
class WalkResult:
    pages: int
    walks: int
    records_per_walk: list[int]  # distinct values seen; more than one means the walks disagreed
    duration_s: float
    pages_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict[int, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def run(plan: Plan, root: str, seconds: float) -> WalkResult:
    """Walk for `seconds` (only whole walks count for records; every page counts)."""
    session = session_for(plan.headers)
    walk = plan.walk
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    records_seen: set[int] = set()
    walks = errors = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        query: dict[str, str] | None = dict(walk.first)
        records = 0
        while query is not None:
            sent = time.perf_counter()
            try:
                response = session.get(root + walk.path, params=query, timeout=30)
            except requests.RequestException:
                errors += 1
                break
            latencies.append((time.perf_counter() - sent) * 1000.0)
            statuses[response.status_code] += 1
            if not 200 <= response.status_code < 300:
                errors += 1
                break  # start the walk again
            count, query = walk.follow(response.json(), response.headers, query)
            records += count
        else:
            walks += 1
            records_seen.add(records)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return WalkResult(
        pages=len(latencies),
        walks=walks,
        records_per_walk=sorted(records_seen),
        duration_s=round(elapsed, 3),
        pages_per_s=len(latencies) / elapsed if elapsed else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        errors=errors,
        statuses=dict(statuses),
    )
