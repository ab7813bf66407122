"""The web dashboard at /__dashboard/: accounts and their records, the request journal and
webhook deliveries live, each provider's actions as forms, clocks, faults and rate limits.
Server-rendered pages (Jinja, autoescaped) and one small script, all in the package (no
network needed); guarded as the admin API is, with a login form when a token is set."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify, request

from mockserver.dashboard.account import account_page, mount_account
from mockserver.dashboard.accounts import accounts_page, mount_accounts
from mockserver.dashboard.actions import action_forms, mount_actions
from mockserver.dashboard.common import Dashboard, DashboardError, page, wants_json
from mockserver.dashboard.controls import mount_controls
from mockserver.dashboard.login import mount_login
from mockserver.dashboard.refs import Refs, shared_secret
from mockserver.dashboard.requests import mount_requests
from mockserver.dashboard.webhooks import mount_webhooks
from mockserver.engine.admin_guard import AdminGuard
from mockserver.engine.runtime import Emulator

PREFIX = "/__dashboard"
HERE = Path(__file__).parent
ASSET_MAX_AGE = 24 * 3600  # the asset URLs carry their content's hash


class _Blueprint(Blueprint):
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        return ASSET_MAX_AGE


def mount_dashboard(app: Flask, emulator: Emulator) -> None:
    bp = _Blueprint("dashboard", __name__, url_prefix=PREFIX, template_folder="templates", static_folder="static")
    bp.before_request(AdminGuard(emulator.settings, login=f"{PREFIX}/login", public=(f"{PREFIX}/login", f"{PREFIX}/static/")))
    assets = b"".join((HERE / "static" / name).read_bytes() for name in ("dashboard.css", "dashboard.js"))
    refs = Refs(shared_secret(emulator.shared)) if emulator.shared is not None else Refs()
    dash = Dashboard(emulator, refs=refs, asset_version=hashlib.sha256(assets).hexdigest()[:10])
    dash.forms = action_forms(dash)
    app.extensions["mockserver.dashboard"] = dash  # for tests: the refs of this process

    @bp.context_processor
    def values() -> dict[str, object]:
        return {"asset_version": dash.asset_version, "token_set": emulator.settings.admin_token is not None}

    @bp.errorhandler(DashboardError)
    def refused(err: DashboardError) -> Response:
        """The message in the page the request came from (role="alert"), never a traceback."""
        if wants_json():
            response = jsonify({"error": err.message})
            response.status_code = err.status
            return response
        args = request.view_args or {}
        if request.method == "POST" and request.endpoint == "dashboard.create":
            return accounts_page(dash, err.message, err.status)
        if request.method == "POST" and "ref" in args and err.status != 404:
            try:
                return account_page(dash, dash.account(args["provider"], args["ref"]), error=err.message, status=err.status)
            except DashboardError:
                pass
        return page("error.html", err.status, error=err.message)

    mount_login(bp, dash)
    mount_accounts(bp, dash)
    mount_account(bp, dash)
    mount_requests(bp, dash)
    mount_webhooks(bp, dash)
    mount_actions(bp, dash)
    mount_controls(bp, dash)
    app.register_blueprint(bp)
