"""The web app's shell: layout, navigation, languages, the start page, errors, headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from saas.audit.labels import action_label
from saas.extensions import db
from saas.tenancy.models import LOCALES
from saas.web.i18n import SESSION_LOCALE, current_tenant, init_i18n
from saas.web.navigation import visible_items
from saas.web.redirects import safe_next

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
def home() -> ResponseReturnValue:
    from saas.web.dashboard import render_dashboard

    return render_dashboard()


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Switch the interface language; saved on the account when signed in."""
    tag = request.form.get("locale", "")
    target = safe_next(request.form.get("next"))
    if tag not in LOCALES:
        return redirect(target)
    session[SESSION_LOCALE] = tag
    if current_user.is_authenticated and current_user.kind == "user":
        current_user.locale = tag
        db.session.commit()
    return redirect(target)


def _back_to_form() -> str:
    """The page the refused form was on (on this site, and one that opens with GET),
    else the start page."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return safe_next(None)
    try:
        current_app.url_map.bind(request.host).match(referrer.path, method="GET")
    except HTTPException:  # a form's own POST address (shown after a refused send)
        return safe_next(None)
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def error_page(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if isinstance(error, CSRFError):
        # A missing or expired form token: nothing was saved; say so, and lead back.
        return render_template(
            "error.html", status=status, title=_("This form has expired"),
            detail=_("For your safety, a form stops working after a while. Nothing was saved. "
                     "Open the form again and send it once more."),
            back=_back_to_form(), back_label=_("Back to the form"),
        ), status
    titles = {
        400: _("Something in the request was not right"),
        403: _("Not available to your role"),
        404: _("Page not found"),
        405: _("Not allowed"),
        413: _("Too large"),
        429: _("Too many attempts"),
    }
    messages = {
        400: _("The form may have expired. Go back, reload the page and try again."),
        403: _("Your role does not allow this page. Ask a tenant admin if you need it."),
        404: _("There is nothing here. The link may be old, or the item belongs elsewhere."),
        405: _("This page cannot be used that way."),
        413: _("What you sent is larger than Rekindle accepts."),
        429: _("Too many attempts. Wait a few minutes, then try again."),
    }
    title = titles.get(status, _("Something went wrong"))
    detail = messages.get(status, _("Something went wrong on our side. Try again in a moment."))
    return render_template("error.html", status=status, title=title, detail=detail), status


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


def _shell_globals() -> dict[str, object]:
    tenant = current_tenant() if current_user.is_authenticated else None
    if tenant is not None:
        label = tenant.name
    elif current_user.is_authenticated:
        label = _("Platform console")
    else:
        label = ""
    return {"nav_links": visible_items, "workspace_label": label}


def init_web(app: Flask) -> None:
    init_i18n(app)
    app.register_blueprint(bp)
    app.after_request(security_headers)
    app.context_processor(_shell_globals)
    app.jinja_env.globals["action_label"] = action_label
