"""The account page: your name, language, time zone and password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from saas import audit
from saas.auth.current import actor
from saas.auth.forms import PasswordForm, ProfileForm
from saas.auth.passwords import hash_password, verify_password
from saas.auth.users import update_user
from saas.extensions import db
from saas.web.i18n import SESSION_LOCALE, common_timezones

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


def _render(profile: ProfileForm | None = None, password: PasswordForm | None = None,
            status: int = 200) -> ResponseReturnValue:
    user = current_user
    if profile is None and user.kind == "user":
        profile = ProfileForm(prefix="profile", data={
            "name": user.name, "locale": user.locale or "", "timezone": user.timezone or "",
        })
    password = password or PasswordForm(prefix="password")
    return render_template(
        "account/show.html", profile=profile, password=password, timezones=common_timezones()
    ), status


@bp.route("", methods=["GET"])
@login_required
def show() -> ResponseReturnValue:
    return _render()


@bp.route("/profile", methods=["POST"])
@login_required
def profile() -> ResponseReturnValue:
    if current_user.kind != "user":
        return redirect(url_for("account.show"))
    form = ProfileForm(prefix="profile")
    if not form.validate_on_submit():
        return _render(profile=form, status=422)
    kind, actor_id = actor()
    update_user(current_user, {
        "name": form.name.data.strip(),
        "locale": form.locale.data or None,
        "timezone": (form.timezone.data or "").strip() or None,
    }, actor_kind=kind, actor_id=actor_id)
    session.pop(SESSION_LOCALE, None)
    db.session.commit()
    flash(_("Your account settings are saved."), "success")
    return redirect(url_for("account.show"))


@bp.route("/password", methods=["POST"])
@login_required
def password() -> ResponseReturnValue:
    form = PasswordForm(prefix="password")
    user = current_user._get_current_object()
    valid = form.validate_on_submit()
    if valid and not verify_password(user.password_hash, form.current.data):
        form.current.errors = [_("This is not your current password.")]
        valid = False
        kind, actor_id = actor()
        audit.record("auth.password_changed", outcome="failure", actor_kind=kind,
                     actor_id=actor_id, tenant_id=user.tenant_id, commit=True)
    if not valid:
        return _render(password=form, status=422)
    kind, actor_id = actor()
    if user.kind == "user":
        update_user(user, {"password": form.new.data}, actor_kind=kind, actor_id=actor_id)
    else:
        user.password_hash = hash_password(form.new.data)
        user.auth_epoch += 1
    audit.record("auth.password_changed", actor_kind=kind, actor_id=actor_id,
                 tenant_id=user.tenant_id)
    db.session.commit()
    # Every other session is now invalid (the epoch moved); this one continues.
    login_user(user, remember=False, fresh=True)
    flash(_("Your password is changed. Other devices have been signed out."), "success")
    return redirect(url_for("account.show"))
