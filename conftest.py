"""Before any suite reads the providers' registry: every provider folder under
tests/extra_providers/ is named in MOCKSERVER_PROVIDERS (added to what the environment names),
so the suites serve, test and fuzz those providers too, and servers started as child processes
inherit them."""

from __future__ import annotations

import os
from pathlib import Path

from mockserver.providers import EXTRA_ENV

_EXTRA = Path(__file__).parent / "tests" / "extra_providers"
_FOLDERS = sorted(str(folder) for folder in _EXTRA.iterdir() if (folder / "__init__.py").is_file())
_NAMED = [folder for folder in os.environ.get(EXTRA_ENV, "").split(os.pathsep) if folder]
# Once each (pytest-xdist's workers inherit what the controller set).
os.environ[EXTRA_ENV] = os.pathsep.join(dict.fromkeys([*_NAMED, *_FOLDERS]))
