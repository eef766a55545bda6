"""The web app's shell: layout, start page, error pages, security headers."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from saas.extensions import db
from saas.tenancy.models import Tenant

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static",
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@bp.route("/")
@login_required
def home() -> ResponseReturnValue:
    tenant = db.session.get(Tenant, current_user.tenant_id) if current_user.tenant_id else None
    return render_template("home.html", tenant=tenant)


def error_page(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    messages = {
        400: "The request could not be understood. Reload the page and try again.",
        403: "Your role does not allow this page.",
        404: "There is nothing here. The link may be old, or the item belongs elsewhere.",
        429: "Too many attempts. Wait a few minutes, then try again.",
    }
    detail = messages.get(status, error.description or "Something went wrong.")
    return render_template("error.html", status=status, title=error.name, detail=detail), status


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_web(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(security_headers)
