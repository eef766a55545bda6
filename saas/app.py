"""``create_app``: configuration, extensions, blueprints, plugins."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from saas.config import load_config
from saas.extensions import csrf, db, limiter, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _handle_http_error(error: HTTPException) -> ResponseReturnValue:
    from saas.api.problems import http_problem, is_api_request
    from saas.web import error_page

    if is_api_request():
        return http_problem(error)
    return error_page(error)


def _handle_unexpected(error: Exception) -> ResponseReturnValue:
    from werkzeug.exceptions import InternalServerError

    from saas.api.problems import is_api_request, unexpected_problem
    from saas.web import error_page

    if isinstance(error, HTTPException):
        return _handle_http_error(error)
    if is_api_request():
        return unexpected_problem(error)
    logging.getLogger(__name__).exception("unhandled error", exc_info=error)
    return error_page(InternalServerError())


def create_app(
    overrides: Mapping[str, Any] | None = None,
    *,
    extra_plugins: Iterable[tuple[str, object]] = (),
) -> Flask:
    app = Flask("saas", instance_relative_config=True, static_folder=None)
    load_config(app, overrides)
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(
        hours=float(app.config["SESSION_ABSOLUTE_HOURS"])
    )
    # A form stays valid as long as the session that drew it (Flask-WTF's default
    # is one hour: a page left open over lunch would refuse its form).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT",
                          int(app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()))
    app.config["REMEMBER_COOKIE_DURATION"] = dt.timedelta(seconds=0)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    from saas import models  # noqa: F401  (register every model with the metadata)
    from saas.api import init_api
    from saas.auth.current import init_auth
    from saas.cli import register_commands
    from saas.hooks.manager import init_plugins
    from saas.routes import register_blueprints
    from saas.tenancy.listeners import install_scoping
    from saas.tenancy.rls import install_rls_sync
    from saas.web import init_web

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    install_scoping()
    with app.app_context():
        install_rls_sync(db.engine)
    init_auth(app)
    init_web(app)
    init_api(app)
    register_blueprints(app)
    init_plugins(app, extra_plugins)
    register_commands(app)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(Exception, _handle_unexpected)
    return app

