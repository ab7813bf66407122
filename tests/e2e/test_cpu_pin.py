"""`mockserver serve` keeps its worker (every thread of it) on one CPU unless told not to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.serve import Served


def _worker_threads_cpus(parent: int) -> set[str]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    assert len(children) == 1, "granian runs one worker process"
    tasks = Path(f"/proc/{children[0]}/task").iterdir()
    return {
        next(
            line.split(":", 1)[1].strip()
            for line in (task / "status").read_text().splitlines()
            if line.startswith("Cpus_allowed_list")
        )
        for task in tasks
    }


@pytest.mark.skipif(not Path("/proc/self/task").exists() or len(os.sched_getaffinity(0)) < 2, reason="needs Linux and 2 CPUs")
def test_the_worker_stays_on_one_cpu_unless_told_otherwise() -> None:
    with Served("--quiet") as served:
        pinned = _worker_threads_cpus(served.process.pid)
    with Served("--quiet", "--no-cpu-pin") as served:
        spread = _worker_threads_cpus(served.process.pid)
    assert len(pinned) == 1 and pinned.pop().isdigit(), "one CPU, the same for every thread"
    assert len(spread) == 1 and not spread.pop().isdigit(), "every thread may run on any CPU"
