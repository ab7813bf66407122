"""The production image. Without docker: what the Dockerfile builds (stages, an install from
the lock that is not editable, a user that is not root, the health check, entry point and
command), that the lock pins every dependency within pyproject.toml's ranges and that the
README and CI install from it; then the image's own entry script, command and health check,
read from the Dockerfile, run against the local install. Where docker or podman works: the
image itself, built, run, healthy, serving, small and not root."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path
from typing import IO

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mockserver.providers import EXTRA_ENV

ROOT = Path(__file__).resolve().parents[2]
LOCK = "requirements.lock"
VENV_BIN = "/opt/mockserver/bin/"  # where the Dockerfile puts the virtualenv
MAX_IMAGE_BYTES = 250_000_000
# serve options the tests add through MOCKSERVER_ARGS, as a CI service container would
IMAGE_ARGS = "--demo-key image-demo --quiet --no-cpu-pin"


# --- the Dockerfile, read --------------------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (INSTRUCTION, arguments): continuation lines
    joined, comments left out; whatever comes before the first FROM (ARG) is left out too."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((word.upper(), rest.strip()))
    return stages


def final(instruction: str) -> str:
    """The arguments of the final stage's last `instruction` (the one that counts)."""
    found = [rest for word, rest in dockerfile_stages()[-1] if word == instruction]
    assert found, f"the final stage of the Dockerfile has no {instruction}"
    return found[-1]


def exec_form(instruction: str) -> list[str]:
    words = json.loads(final(instruction))
    assert isinstance(words, list) and all(isinstance(word, str) for word in words), f"{instruction} is not in exec form"
    return words


def health_command() -> list[str]:
    _, marker, command = final("HEALTHCHECK").partition("CMD ")
    assert marker, "HEALTHCHECK has no CMD"
    words = json.loads(command)
    assert isinstance(words, list), "the HEALTHCHECK's CMD is not in exec form"
    return words


def command_port() -> str:
    command = exec_form("CMD")
    return command[command.index("--port") + 1]


def shell_commands() -> list[list[str]]:
    """Every command of every RUN of the build, as words (split at ;, &, && and ||)."""
    commands: list[list[str]] = [[]]
    for stage in dockerfile_stages():
        for word, rest in stage:
            if word != "RUN":
                continue
            words = shlex.shlex(rest, posix=True, punctuation_chars=";&|")
            words.whitespace_split = True
            for token in [*words, ";"]:
                if token.strip(";&|"):
                    commands[-1].append(token)
                elif commands[-1]:
                    commands.append([])
    return [command for command in commands if command]


def entry_script() -> str:
    """The script the Dockerfile writes over the venv's `mockserver` (its ENTRYPOINT)."""
    for stage in dockerfile_stages():
        for word, rest in stage:
            words = shlex.split(rest) if word == "RUN" and "printf" in rest else []
            if f"{VENV_BIN}mockserver" in words and ">" in words:
                start, end = words.index("printf") + 2, words.index(">")
                assert words[end + 1] == f"{VENV_BIN}mockserver"
                return "\n".join(words[start:end]) + "\n"
    raise AssertionError(f"the Dockerfile writes no script to {VENV_BIN}mockserver")


# --- what the image is made of -----------------------------------------------------------------


def test_the_image_is_built_in_one_stage_and_keeps_only_the_venv_in_another() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    named = {rest.split()[-1].lower() for rest in (stage[0][1] for stage in stages[:-1]) if " as " in rest.lower()}
    base = stages[-1][0][1]
    assert base.split()[0].lower() not in named, "the final stage starts from the base image, not from the build stage"
    copies = [rest for word, rest in stages[-1] if word in ("COPY", "ADD")]
    assert copies, "the final stage copies nothing"
    assert all(rest.startswith("--from=") and VENV_BIN.rstrip("/").removesuffix("/bin") in rest for rest in copies), copies


def test_it_installs_from_the_lock_and_not_editable() -> None:
    installs = [words for words in shell_commands() if len(words) > 2 and words[0].endswith("/pip") and words[1] == "install"]
    assert installs, "no pip install in the Dockerfile"
    for words in installs:
        assert "-e" not in words and "--editable" not in words, words
        constraint = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-c", "--constraint")]
        assert constraint == [LOCK], f"every pip install takes -c {LOCK}: {words}"
    assert any("." in words for words in installs), "the package itself (.) is installed"
    copied = [rest for word, rest in dockerfile_stages()[0] if word == "COPY"]
    assert any(LOCK in rest.split() for rest in copied)


def test_the_build_context_is_what_the_dockerfile_copies() -> None:
    """.dockerignore keeps everything out (.venv, .git, tests, caches) but what is copied."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()]
    patterns = [line for line in patterns if not line.startswith("#")]
    assert patterns[0] == "*"
    let_in = {line[1:].rstrip("/") for line in patterns if line.startswith("!")}
    sources = {
        source.rstrip("/")
        for stage in dockerfile_stages()
        for word, rest in stage
        if word == "COPY" and not rest.startswith("--from=")
        for source in rest.split()[:-1]
    }
    assert sources == let_in
    assert all((ROOT / source).exists() for source in sources)


def test_it_runs_as_a_user_that_is_not_root() -> None:
    user = final("USER").split(":")[0]
    assert user not in ("root", "0"), user
    assert user.isdigit(), "a numeric uid lets a runtime tell it is not root (Kubernetes' runAsNonRoot)"


def test_its_entry_point_command_and_health_check() -> None:
    assert exec_form("ENTRYPOINT") == ["mockserver"]
    command = exec_form("CMD")
    assert command[0] == "serve"
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert final("EXPOSE") == command_port()
    assert f"http://127.0.0.1:{command_port()}/__admin/health" in " ".join(health_command())


# --- the lock --------------------------------------------------------------------------------


def locked() -> dict[str, str]:
    """Name -> pinned version of every package requirements.lock names."""
    pins = {}
    for line in (ROOT / LOCK).read_text().splitlines():
        if line.strip() and not line.startswith(("#", " ")):
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", line
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def test_the_lock_pins_every_dependency_within_pyprojects_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["build-system"]["requires"],
    ]
    pins = locked()
    wrong = []
    for line in wanted:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            wrong.append(f"{line}: the lock has {pinned}")
    assert not wrong, f"regenerate {LOCK} with the command at its top: {wrong}"


def test_the_lock_says_how_to_make_it_and_the_readme_and_ci_install_from_it() -> None:
    header = (ROOT / LOCK).read_text().split("\n\n")[0]
    assert "pip-compile" in header and "--extra=test" in header and "pyproject.toml" in header
    blocks = re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    serve, test = blocks[:2]
    assert f"-c {LOCK} -e ." in serve and f"-c {LOCK} -e '.[test]'" in test
    assert test in (ROOT / ".ci" / "run").read_text()


# --- the image's commands, run against the local install ----------------------------------------


def image_env(**extra: str) -> dict[str, str]:
    """This environment as the container's: `python` and `mockserver` from this install, no
    test-only providers, the serve options of IMAGE_ARGS."""
    env = {key: value for key, value in os.environ.items() if key not in (EXTRA_ENV, "MOCKSERVER_ADMIN_TOKEN")}
    bin_dir = str(Path(sys.executable).parent)
    return {**env, "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]), "MOCKSERVER_ARGS": IMAGE_ARGS, **extra}


class ImageCommand:
    """The container's process: the Dockerfile's entry script (pointing at this install) with
    its CMD, on a port of its own, started as `docker run` starts it and stopped as `docker
    stop` stops it (SIGTERM)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        script = folder / "mockserver"
        text = entry_script()
        assert f"{VENV_BIN}python" in text, "the entry script runs the venv's python"
        script.write_text(text.replace(f"{VENV_BIN}python", sys.executable))
        script.chmod(0o755)
        command = exec_form("CMD")
        command[command.index("--port") + 1] = "0"  # a free port, where the image has 8080
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [str(script), *command], stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=env, cwd=folder
        )
        self.banner: list[str] = []
        self.returncode: int | None = None
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.banner.append(line.rstrip("\n"))
            if line.startswith("Ctrl-C"):
                break
        match = re.search(r"listening on http://\S+:(\d+)", "\n".join(self.banner))
        if match is None:
            self.close()
            raise AssertionError(f"the image's command did not serve: {self.banner} {self.stderr()}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.returncode = self.process.returncode
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> ImageCommand:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def run_health_check(port: int) -> subprocess.CompletedProcess[str]:
    """The HEALTHCHECK's command, asking `port` where the image's asks its own."""
    words = [word.replace(f":{command_port()}/", f":{port}/") for word in health_command()]
    return subprocess.run(words, env=image_env(), capture_output=True, text=True, timeout=30, check=False)


def test_the_images_command_serves_beyond_loopback_with_the_given_admin_token(tmp_path: Path) -> None:
    token = f"image-{uuid.uuid4().hex}"
    with ImageCommand(tmp_path, image_env(MOCKSERVER_ADMIN_TOKEN=token)) as served:
        assert "0.0.0.0" in served.banner[0]
        healthy = run_health_check(served.port)
        assert healthy.returncode == 0, healthy.stderr
        # MOCKSERVER_ARGS reached serve: the demo data is under the key it named
        demo = requests.get(f"{served.url}/systeme/api/contacts", headers={"X-API-Key": "image-demo"}, timeout=10)
        assert demo.status_code == 200 and demo.json()["items"]
        admin = f"{served.url}/__admin/"
        refused = requests.get(admin, timeout=10)
        assert refused.status_code == 401, refused.text
        assert requests.get(admin, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200
        assert not any(token in line for line in served.banner), "a token given is never printed"
    assert served.returncode == 0, "SIGTERM (docker stop) ends it cleanly"


def test_the_images_command_makes_and_prints_a_token_when_none_is_given(tmp_path: Path) -> None:
    with ImageCommand(tmp_path, image_env()) as served:
        said = [line for line in served.banner if line.startswith("admin token")]
        assert said, served.banner
        token = said[0].rsplit(": ", 1)[1]
        admin = f"{served.url}/__admin/"
        assert requests.get(admin, timeout=10).status_code == 401
        assert requests.get(admin, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200
        assert run_health_check(served.port).returncode == 0


def test_the_health_check_fails_where_nothing_serves() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens on it (bound, never listening)
        assert run_health_check(port).returncode != 0


# --- the image itself, where a container engine runs ----------------------------------------------


def container_engine() -> tuple[str | None, str]:
    """docker or podman where its `info` answers, else None and why not."""
    reasons = []
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if path is None:
            reasons.append(f"no {name}")
            continue
        try:
            info = subprocess.run([path, "info"], capture_output=True, text=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            reasons.append(f"`{name} info` did not answer")
            continue
        if info.returncode == 0:
            return path, ""
        reasons.append(f"`{name} info`: {(info.stderr.strip().splitlines() or ['failed'])[-1]}")
    return None, "; ".join(reasons)


def engine(*args: str, timeout: float = 60) -> str:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(args)}: {result.stdout[-3000:]}{result.stderr[-3000:]}"
    return result.stdout.strip()


def wait_healthy(tool: str, container: str) -> None:
    podman = Path(tool).name == "podman"
    deadline = time.monotonic() + 180
    status = ""
    while time.monotonic() < deadline:
        if podman:  # podman runs health checks from systemd timers, which a CI box may not have
            subprocess.run([tool, "healthcheck", "run", container], capture_output=True, timeout=60, check=False)
        status = engine(tool, "inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", container)
        if status.endswith(" healthy"):
            return
        assert status.startswith("running"), f"the container stopped: {engine(tool, 'logs', container)}"
        time.sleep(1)
    raise AssertionError(f"not healthy in 180 s ({status}): {engine(tool, 'logs', container)}")


@pytest.mark.timeout(1800)
def test_the_image_builds_serves_reports_healthy_and_is_small_and_not_root() -> None:
    tool, why = container_engine()
    if tool is None:
        pytest.skip(f"no container engine to build the image with: {why}")
    tag = f"mockserver-image-test:{uuid.uuid4().hex[:12]}"
    token = f"image-{uuid.uuid4().hex}"
    docker_format = ["--format", "docker"] if Path(tool).name == "podman" else []  # OCI images drop HEALTHCHECK
    engine(tool, "build", *docker_format, "-t", tag, str(ROOT), timeout=1500)
    try:
        size = int(engine(tool, "image", "inspect", "-f", "{{.Size}}", tag))
        assert size < MAX_IMAGE_BYTES, f"the image is {size / 1e6:.0f} MB"
        env = ["-e", f"MOCKSERVER_ADMIN_TOKEN={token}", "-e", f"MOCKSERVER_ARGS={IMAGE_ARGS}"]
        container = engine(tool, "run", "-d", "-p", f"127.0.0.1::{command_port()}", *env, tag)
        try:
            wait_healthy(tool, container)
            published = engine(tool, "port", container, f"{command_port()}/tcp").splitlines()[0]
            url = f"http://127.0.0.1:{published.rsplit(':', 1)[1]}"
            demo = requests.get(f"{url}/systeme/api/contacts", headers={"X-API-Key": "image-demo"}, timeout=10)
            assert demo.status_code == 200 and demo.json()["items"]
            assert requests.get(f"{url}/__admin/", timeout=10).status_code == 401
            assert requests.get(f"{url}/__admin/", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200
            status = engine(tool, "exec", container, "cat", "/proc/1/status")
            uids = re.search(r"^Uid:\s+(\d+)", status, flags=re.M)
            assert uids is not None and int(uids.group(1)) != 0, "the server runs as root"
            engine(tool, "stop", "-t", "20", container, timeout=60)
            assert engine(tool, "inspect", "-f", "{{.State.ExitCode}}", container) == "0"
        finally:
            subprocess.run([tool, "rm", "-f", container], capture_output=True, timeout=60, check=False)
    finally:
        subprocess.run([tool, "rmi", "-f", tag], capture_output=True, timeout=120, check=False)
