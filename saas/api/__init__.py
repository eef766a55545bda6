"""The HTTP API: flask-smorest at /api/v1, problem+json errors, bearer tokens."""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api as SmorestApi
from werkzeug.exceptions import UnsupportedMediaType

from saas.api.problems import problem


class Api(SmorestApi):  # type: ignore[misc]
    """flask-smorest without its global error handler: the app installs problem+json."""

    def _register_error_handlers(self) -> None:
        return None


api = Api()


def reject_non_json_bodies() -> None:
    """A body on /api that is not JSON is a 415, not silently ignored."""
    if not request.path.startswith("/api/"):
        return None
    has_body = bool(request.content_length or request.data)
    if request.method in ("POST", "PUT", "PATCH") and has_body and not request.is_json:
        raise UnsupportedMediaType()
    return None


def init_api(app: Flask) -> None:
    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"].update(
        {
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
            },
            "security": [{"bearer": []}],
        }
    )
    api.init_app(app)
    app.before_request(reject_non_json_bodies)


__all__ = ["api", "init_api", "problem"]
