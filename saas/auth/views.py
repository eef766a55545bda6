"""Sign-in and sign-out pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from saas.auth.forms import LoginForm
from saas.auth.login import sign_in, sign_out
from saas.extensions import limiter
from saas.web.redirects import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


def _account_key() -> str:
    workspace = request.form.get("workspace", "").strip().lower()
    email = request.form.get("email", "").strip().lower()
    return f"login-account:{workspace}:{email}"


def _failed(response: object) -> bool:
    return getattr(response, "status_code", 200) != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = sign_in(form.workspace.data, form.email.data, form.password.data)
        if user is not None:
            return redirect(safe_next(request.args.get("next")))
        form.password.errors = []
        flash(_("Wrong workspace, email or password."), "error")
    return render_template("auth/login.html", form=form, staff_link=True)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    user = current_user._get_current_object()
    sign_out(user)
    flash(_("You are signed out."), "info")
    return redirect(url_for("console.login" if user.kind == "staff" else "auth.login"))
