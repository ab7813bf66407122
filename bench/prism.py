"""Stoplight Prism, the stateless mock server we compare against: installed with npm into
bench/.cache/prism (once), started per provider on the same spec file mockserver serves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.servers import Server, free_port

CACHE = Path(__file__).resolve().parent / ".cache"
PRISM_DIR = CACHE / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
PACKAGE = "@stoplight/prism-cli@5"


def ensure_installed() -> Path:
    """Install Prism unless bench/.cache/prism has it already."""
    if PRISM_BIN.exists():
        return PRISM_BIN
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("bench: --prism needs npm (Node.js) on PATH")
    print(f"bench: installing {PACKAGE} into {PRISM_DIR}", flush=True)
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(PRISM_DIR), PACKAGE], check=True)
    if not PRISM_BIN.exists():
        raise SystemExit(f"bench: npm install finished but {PRISM_BIN} is missing")
    return PRISM_BIN


def version() -> str:
    done = subprocess.run([str(PRISM_BIN), "--version"], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.strip() or "unknown"


def server(spec: Path, provider: str) -> Server:
    """Prism as its users start it: `prism mock <spec>`, default options. At its default
    log level it logs every request; its output goes to bench/.cache/prism-<provider>.log."""
    port = free_port()
    argv = [str(PRISM_BIN), "mock", str(spec), "-h", "127.0.0.1", "-p", str(port)]
    return Server(f"prism ({provider})", argv, port, CACHE / f"prism-{provider}.log")


def violations(log: Path) -> dict[str, Any]:
    """Prism checks its own mock responses against the spec and logs each violation
    (without --errors it still answers 2xx): count them, and keep a few distinct ones."""
    count = 0
    distinct: dict[str, None] = {}
    try:
        with log.open(errors="replace") as lines:
            for line in lines:
                if "Violation:" in line:
                    count += 1
                    if len(distinct) < 3:
                        distinct[line.split("Violation:", 1)[1].strip()] = None
    except OSError:
        pass
    return {"violations": count, "examples": list(distinct)}
