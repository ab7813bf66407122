"""`mockserver new-provider`, and the registry that finds what it writes: a folder named in
MOCKSERVER_PROVIDERS is a provider, served with its generic CRUD, its spec's credentials and
error shape, and checked by the contract suite through its own profile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.contract.profiles import profile_named
from mockserver.providers import EXTRA_ENV, RegistryError, all_providers, builtin_packages
from mockserver.testing import Emulator
from tests.support import STRICT_SETTINGS

PETSTORE_SPEC = Path(__file__).parent / "extra_providers" / "petstore" / "spec.yaml"
# A spec whose ids are strings, whose key is a bearer token and whose error body says `error`.
NOTES_SPEC = """
openapi: 3.1.0
info: {title: Notes, version: "1"}
components:
  securitySchemes: {token: {type: http, scheme: bearer}}
  schemas:
    Problem: {type: object, required: [error], properties: {error: {type: string}}}
    Note:
      type: object
      required: [id, text]
      properties: {id: {type: string}, text: {type: string}}
  responses:
    Refused: {description: no, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
paths:
  /notes:
    get:
      operationId: listNotes
      responses:
        "200":
          description: all
          content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Note"}}}}
        "401": {$ref: "#/components/responses/Refused"}
    post:
      operationId: createNote
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [text], properties: {text: {type: string, minLength: 1}}}
      responses:
        "201": {description: made, content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}
        "401": {$ref: "#/components/responses/Refused"}
        "422": {$ref: "#/components/responses/Refused"}
  /notes/{noteId}:
    parameters: [{name: noteId, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getNote
      responses:
        "200": {description: one, content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}}
        "404": {$ref: "#/components/responses/Refused"}
    delete:
      operationId: deleteNote
      responses:
        "204": {description: gone}
        "404": {$ref: "#/components/responses/Refused"}
"""


def _new_provider(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mockserver", "new-provider", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, cwd=cwd)


def test_the_built_in_providers_are_the_packages_of_the_providers_folder() -> None:
    folder = Path(builtin_packages()[0].__file__ or "").parent.parent
    packages = sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file() and p.name != "__pycache__")
    assert [package.PROVIDER.name for package in builtin_packages()] == packages
    assert [p.name for p in all_providers()][: len(packages)] == packages


def test_a_new_provider_is_written_served_and_checked_from_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.yaml").write_text(NOTES_SPEC, encoding="utf-8")
    made = _new_provider("notes", "--spec", "notes.yaml", "--into", "providers", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "providers" / "notes"
    assert sorted(p.name for p in folder.iterdir()) == ["__init__.py", "contract.py", "spec.yaml", "test_notes.py"]
    assert f"MOCKSERVER_PROVIDERS={folder}" in made.stdout

    monkeypatch.setenv(EXTRA_ENV, str(folder))
    assert "notes" in [p.name for p in all_providers()]
    profile = profile_named("notes")
    assert (profile.auth_header, profile.auth_prefix, profile.error_body["required"]) == ("Authorization", "Bearer ", ["error"])
    with Emulator.start(**STRICT_SETTINGS) as emulator:
        api = emulator.account("notes").session()
        note = api.post("/notes", json={"text": "milk"})
        assert note.status_code == 201 and note.json()["text"] == "milk"
        assert isinstance(note.json()["id"], str) and len(note.json()["id"]) == 36  # a UUID: the spec's ids are strings
        assert api.get("/notes").json() == [note.json()]
        refused = api.post("/notes", json={"text": ""})
        assert refused.status_code == 422 and set(refused.json()) == {"error"}
        assert api.delete(f"/notes/{note.json()['id']}").status_code == 204
        missing = api.get(f"/notes/{note.json()['id']}")
        assert missing.status_code == 404 and set(missing.json()) == {"error"}
        anonymous = emulator.account("notes").session()
        anonymous.headers.pop("Authorization")
        assert anonymous.get("/notes").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad-Name", "--spec", str(PETSTORE_SPEC)], "must be lowercase letters"),
        (["systeme", "--spec", str(PETSTORE_SPEC)], "a provider named 'systeme' exists already"),
        (["fresh", "--spec", "missing.yaml"], "No such file"),
    ],
)
def test_new_provider_refuses_what_it_cannot_make(args: list[str], message: str, tmp_path: Path) -> None:
    made = _new_provider(*args, cwd=tmp_path)
    assert made.returncode == 2 and message in made.stderr
    assert not any(tmp_path.iterdir())  # nothing written


def test_new_provider_refuses_a_document_that_is_not_openapi_and_a_folder_that_exists(tmp_path: Path) -> None:
    (tmp_path / "not-openapi.yaml").write_text("just: text\n", encoding="utf-8")
    made = _new_provider("fresh", "--spec", "not-openapi.yaml", cwd=tmp_path)
    assert made.returncode == 2 and "is not an OpenAPI 3 document" in made.stderr
    (tmp_path / "fresh").mkdir()
    again = _new_provider("fresh", "--spec", str(PETSTORE_SPEC), cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr


def test_a_folder_without_a_provider_or_a_profile_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unprofiled = tmp_path / "unprofiled"
    made = _new_provider("unprofiled", "--spec", str(PETSTORE_SPEC), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    empty = tmp_path / "nothing_here"
    empty.mkdir()
    (empty / "__init__.py").write_text('"""No PROVIDER."""\n', encoding="utf-8")
    monkeypatch.setenv(EXTRA_ENV, str(empty))
    with pytest.raises(RegistryError, match="provider package nothing_here defines no PROVIDER"):
        all_providers()
    refused = _new_provider("other", "--spec", str(PETSTORE_SPEC), cwd=tmp_path)  # the CLI says so, without a traceback
    assert refused.returncode == 2 and refused.stderr.startswith("mockserver: provider package nothing_here defines no")
    (unprofiled / "contract.py").unlink()
    monkeypatch.setenv(EXTRA_ENV, str(unprofiled))
    with pytest.raises(LookupError, match=r"provider 'unprofiled' has no contract profile: add unprofiled\.contract"):
        profile_named("unprofiled")
