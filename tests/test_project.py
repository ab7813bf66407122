"""The project's own promises: the README's commands, packaging, lint and types."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from mockserver.providers import builtin_packages

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    return [block.strip() for block in blocks[:2]]


def test_the_readme_opens_with_the_serve_and_test_commands() -> None:
    serve, test = readme_commands()
    assert serve.endswith("mockserver serve")
    assert "pytest" in test


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert readme_commands()[1] in ci_lines


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "mockserver").rglob("__init__.py")}
    assert found | {"mockserver.specs"} == listed


def test_every_built_in_provider_has_a_bench_workload() -> None:
    """bench/run measures what `mockserver serve` serves: a provider added without a
    workload in bench/workloads.py's BUILDERS fails here by name (bench refuses it too)."""
    from bench.workloads import BUILDERS

    missing = [package.PROVIDER.name for package in builtin_packages() if package.PROVIDER.name not in BUILDERS]
    assert missing == [], f"providers without a bench workload in bench/workloads.py BUILDERS: {missing}"


def test_the_engine_never_imports_the_providers() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "mockserver" / "engine").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+mockserver\.providers", path.read_text(), flags=re.M)
    ]
    assert offenders == []


def test_ruff_finds_nothing() -> None:
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run([sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


# A block this long standing in two places of the providers is one to write once (in
# providers/base.py, providers/generic.py or the engine).
SHARED_BLOCK = 6


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of the lines that carry code: no blank lines, comments, imports or
    docstrings, each stripped of its indentation."""
    kept, in_docstring, in_import = [], False, False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = raw.strip()
        quotes = text.count('"""')
        if in_docstring or (text.startswith('"""') and quotes == 1):
            in_docstring = in_docstring != (quotes == 1)
            continue
        if in_import or text.startswith(("from ", "import ")):
            in_import = text.endswith("(") or (in_import and text != ")")
            continue
        if not text or text.startswith(("#", '"""')):
            continue
        kept.append((number, text))
    return kept


def test_no_block_of_code_stands_twice_in_the_providers() -> None:
    seen: dict[tuple[str, ...], str] = {}
    repeated = []
    for path in sorted((ROOT / "mockserver" / "providers").rglob("*.py")):
        lines = _code_lines(path)
        for start in range(len(lines) - SHARED_BLOCK + 1):
            window = tuple(text for _, text in lines[start : start + SHARED_BLOCK])
            where = f"{path.relative_to(ROOT)}:{lines[start][0]}"
            first = seen.setdefault(window, where)
            if first != where and not first.startswith(f"{path.relative_to(ROOT)}:"):
                repeated.append(f"{where} repeats {first}")
    assert not repeated, "\n".join(repeated)
