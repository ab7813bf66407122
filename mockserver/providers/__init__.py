"""The providers. Each one is a spec in specs/ plus a package of behaviour here."""

from __future__ import annotations

from mockserver.engine.provider import Provider


def all_providers() -> list[Provider]:
    from mockserver.providers.clickfunnels import PROVIDER as clickfunnels
    from mockserver.providers.simvoly import PROVIDER as simvoly
    from mockserver.providers.systeme import PROVIDER as systeme
    from mockserver.providers.yulsn import PROVIDER as yulsn

    return [systeme, clickfunnels, simvoly, yulsn]


def provider_named(name: str) -> Provider:
    for provider in all_providers():
        if provider.name == name:
            return provider
    raise KeyError(name)
