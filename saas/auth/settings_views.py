"""Tenant settings pages: the team (users and roles) and API tokens."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.auth.forms import ROLE_LABELS, TokenForm, UserEditForm, UserForm
from saas.auth.models import ApiToken, User
from saas.auth.tokens import create_token, revoke_token
from saas.auth.users import UserExists, create_user, get_user, update_user
from saas.extensions import db
from saas.web.once import stash_once, take_once

bp = Blueprint("settings", __name__, url_prefix="/settings", template_folder="templates")


@bp.app_context_processor
def _role_labels() -> dict[str, object]:
    return {"role_labels": ROLE_LABELS}


def _user_or_404(user_id: uuid.UUID) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@require_permission("user:read")
def users() -> ResponseReturnValue:
    people = db.session.scalars(sa.select(User).order_by(User.disabled_at.is_not(None), User.name))
    return render_template("settings/users.html", people=list(people))


@bp.route("/users/new", methods=["GET", "POST"])
@require_permission("user:write")
def new_user() -> ResponseReturnValue:
    form = UserForm()
    if form.validate_on_submit():
        kind, actor_id = actor()
        try:
            user = create_user(
                email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data, actor_kind=kind, actor_id=actor_id,
            )
        except UserExists:
            form.email.errors = [_("Someone in this workspace already uses this email.")]
        else:
            db.session.commit()
            flash(_("%(name)s can now sign in.", name=user.name), "success")
            return redirect(url_for("settings.users"))
    status = 422 if form.is_submitted() else 200
    return render_template("settings/user_new.html", form=form), status


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
@require_permission("user:read")
def user(user_id: uuid.UUID) -> ResponseReturnValue:
    person = _user_or_404(user_id)
    form = UserEditForm(obj=person)
    if form.is_submitted():
        if not current_user.can("user:write"):
            abort(403)
        if person.id == current_user.id and form.role.data != person.role:
            form.role.errors = [_("You cannot change your own role; ask another admin.")]
        elif form.validate():
            kind, actor_id = actor()
            update_user(person, {"name": form.name.data.strip(), "role": form.role.data},
                        actor_kind=kind, actor_id=actor_id)
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=person.name), "success")
            return redirect(url_for("settings.users"))
        return render_template("settings/user.html", person=person, form=form), 422
    return render_template("settings/user.html", person=person, form=form)


@bp.route("/users/<uuid:user_id>/access", methods=["POST"])
@require_permission("user:write")
def user_access(user_id: uuid.UUID) -> ResponseReturnValue:
    """Disable or re-enable a team member (their sessions and tokens stop at once)."""
    person = _user_or_404(user_id)
    if person.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("settings.user", user_id=person.id))
    disable = person.disabled_at is None
    kind, actor_id = actor()
    update_user(person, {"disabled": disable}, actor_kind=kind, actor_id=actor_id)
    db.session.commit()
    message = _("%(name)s can no longer sign in.", name=person.name) if disable else \
        _("%(name)s can sign in again.", name=person.name)
    flash(message, "success")
    return redirect(url_for("settings.users"))


def _visible_tokens() -> sa.Select[Any]:
    stmt = sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                        ApiToken.created_at.desc())
    if not current_user.can("token:manage_all"):
        stmt = stmt.where(ApiToken.user_id == current_user.id)
    return stmt


def _render_tokens(form: TokenForm, new_token: str | None = None,
                   status: int = 200) -> ResponseReturnValue:
    tokens = list(db.session.scalars(_visible_tokens().limit(200)))
    owners = {u.id: u.name for u in db.session.scalars(
        sa.select(User).where(User.id.in_({t.user_id for t in tokens})))} if tokens else {}
    return render_template(
        "settings/tokens.html", form=form, tokens=tokens, owners=owners, new_token=new_token,
    ), status


@bp.route("/tokens", methods=["GET", "POST"])
@require_permission("token:manage_own")
def tokens() -> ResponseReturnValue:
    form = TokenForm()
    if form.validate_on_submit():
        token, text = create_token(current_user, form.name.data)
        db.session.commit()
        stash_once("new-token", text)
        flash(_("Token “%(name)s” created. Copy it now: it will not be shown again.",
                name=token.name), "success")
        # Post/redirect/get: reloading the page cannot create a second token.
        return redirect(url_for("settings.tokens"))
    if form.is_submitted():
        return _render_tokens(form, status=422)
    return _render_tokens(form, new_token=take_once("new-token"))


@bp.route("/tokens/<uuid:token_id>/revoke", methods=["POST"])
@require_permission("token:manage_own")
def revoke(token_id: uuid.UUID) -> ResponseReturnValue:
    token = db.session.scalars(_visible_tokens().where(ApiToken.id == token_id)).first()
    if token is None:
        abort(404)
    revoke_token(token, actor_id=current_user.id)
    db.session.commit()
    flash(_("Token “%(name)s” is revoked; it no longer works.", name=token.name), "success")
    return redirect(url_for("settings.tokens"))
