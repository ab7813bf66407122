"""The application factory: one Flask app serving every provider plus the admin API."""

from __future__ import annotations

from flask import Flask

from mockserver.dashboard import mount_dashboard
from mockserver.engine.admin import mount_admin
from mockserver.engine.cors import Cors
from mockserver.engine.fastlane import FastLane
from mockserver.engine.lenient import LenientPaths
from mockserver.engine.provider import Provider
from mockserver.engine.routing import mount, operations_by_endpoint
from mockserver.engine.runtime import Emulator
from mockserver.engine.settings import Settings
from mockserver.providers import all_providers

# Larger request bodies are refused with 413 (every provider's payloads are far smaller).
MAX_BODY_BYTES = 10 * 1024 * 1024


def create_app(settings: Settings | None = None, providers: list[Provider] | None = None, *, deliver: bool = True) -> Flask:
    """The emulator as a WSGI app. `deliver=False` leaves the webhook dispatcher to be
    started where deliveries are to run (granian's worker, after the fork)."""
    emulator = Emulator(providers if providers is not None else all_providers(), settings or Settings())
    app = Flask("mockserver")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["mockserver"] = emulator
    mount(app, emulator)
    mount_admin(app, emulator)
    mount_dashboard(app, emulator)
    # API requests skip Flask's machinery (engine/fastlane.py); the rest goes on to Flask.
    app.wsgi_app = FastLane(app.wsgi_app, app.url_map, operations_by_endpoint(emulator), emulator, MAX_BODY_BYTES)  # type: ignore[method-assign]
    for provider in emulator.providers.values():
        if provider.case_insensitive:
            prefixes = [f"/{provider.name}"] + ([""] if emulator.settings.native == provider.name else [])
            app.wsgi_app = LenientPaths(app.wsgi_app, prefixes, emulator.specs[provider.name])  # type: ignore[method-assign]
    if emulator.settings.cors:
        app.wsgi_app = Cors(app.wsgi_app, emulator.settings.cors)  # type: ignore[method-assign]
    if deliver:
        emulator.dispatcher.start()
    return app


def emulator_of(app: Flask) -> Emulator:
    emulator: Emulator = app.extensions["mockserver"]
    return emulator
