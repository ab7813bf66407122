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
# A folder named twice (pytest-xdist's workers inherit what the controller set) is loaded once.
os.environ[EXTRA_ENV] = os.pathsep.join(filter(None, [os.environ.get(EXTRA_ENV, ""), *_FOLDERS]))
