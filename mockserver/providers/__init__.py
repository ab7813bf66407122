"""The providers: the one registry. Each provider is a package with a `PROVIDER`: the built-in
ones are the packages in this folder (found, not listed), and folders named in the environment
variable MOCKSERVER_PROVIDERS (separated by the system's path separator, as PATH is) add
others, e.g. a provider written with `mockserver new-provider`."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from mockserver.engine.provider import Provider

EXTRA_ENV = "MOCKSERVER_PROVIDERS"


class RegistryError(Exception):
    """A folder named as a provider that is not one."""


@cache
def builtin_packages() -> tuple[ModuleType, ...]:
    """The provider packages shipped here, in name order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if info.ispkg)
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


@cache
def _extra_packages(folders: str) -> tuple[ModuleType, ...]:
    named = dict.fromkeys(Path(folder).resolve() for folder in folders.split(os.pathsep) if folder.strip())
    return tuple(_load_folder(folder) for folder in named)  # each folder once, however often named


def _load_folder(folder: Path) -> ModuleType:
    """A provider package from a folder (its __init__.py defines PROVIDER), importable by the
    folder's name so its own modules can import each other."""
    folder = folder.resolve()
    init = folder / "__init__.py"
    if not init.is_file():
        raise RegistryError(f"{EXTRA_ENV}: {folder} is not a provider package (no __init__.py)")
    if folder.name in sys.modules:  # already loaded (by this registry, or imported by a test)
        return sys.modules[folder.name]
    spec = importlib.util.spec_from_file_location(folder.name, init, submodule_search_locations=[str(folder)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[folder.name] = module
    spec.loader.exec_module(module)
    return module


def provider_packages() -> tuple[ModuleType, ...]:
    """Every provider's package: the built-in ones, then those of MOCKSERVER_PROVIDERS."""
    return builtin_packages() + _extra_packages(os.environ.get(EXTRA_ENV, ""))


def all_providers() -> list[Provider]:
    providers = []
    for package in provider_packages():
        provider = getattr(package, "PROVIDER", None)
        if not isinstance(provider, Provider):
            raise RegistryError(f"provider package {package.__name__} defines no PROVIDER (a mockserver Provider)")
        providers.append(provider)
    return providers


def package_of(name: str) -> ModuleType:
    """The package of the provider called `name`."""
    for package in provider_packages():
        if getattr(package, "PROVIDER", None) is not None and package.PROVIDER.name == name:
            return package
    raise KeyError(name)


def provider_named(name: str) -> Provider:
    provider: Provider = package_of(name).PROVIDER
    return provider
