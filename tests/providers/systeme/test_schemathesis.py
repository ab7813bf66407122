"""Schemathesis over the whole Systeme.io spec, every check enabled, against the emulator."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.support import TEST_SETTINGS, RunningEmulator

ROOT = Path(__file__).resolve().parents[3]
CONFIG = Path(__file__).with_name("schemathesis.toml")
KEY = "schemathesis-key"


def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    # Unknown keys are refused so that the `ignored_auth` check has something to find.
    settings = replace(TEST_SETTINGS, allow_unknown_keys=False, api_keys=(KEY,))
    with RunningEmulator(settings) as emulator:
        # Demo data gives the generated ids records to hit (courses, communities, contacts).
        emulator.admin("POST", "seed", json={"provider": "systeme", "apiKey": KEY}).raise_for_status()
        report = tmp_path / "junit.xml"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(CONFIG),
                "run",
                str(ROOT / "specs" / "systeme.yaml"),
                "--url",
                f"{emulator.url}/systeme",
                "--header",
                f"X-API-Key: {KEY}",
                "--checks",
                "all",
                "--max-examples",
                "40",
                "--seed",
                "20261123",
                "--workers",
                "2",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=400,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NO_PROXY": "*"},
        )
        strict = emulator.emulator.strict_problems
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    assert "31/31" in result.stdout, "every operation was selected"
    assert strict == [], f"responses that broke the spec: {strict}"
    assert any(tmp_path.glob("*.xml")) or report.exists()
