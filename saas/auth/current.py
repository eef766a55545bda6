"""Who is asking: the session user (web) or the bearer token (API), and their tenant.

Every request fixes its tenant here, before any view runs: from the session
user's tenant, or from the API token. The API never falls back to the session
cookie, so it needs no CSRF protection.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from flask import (
    Flask,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import AnonymousUserMixin, current_user, logout_user

from saas import audit
from saas.auth import throttle, tokens
from saas.auth.models import StaffUser, User
from saas.extensions import db, login_manager
from saas.tenancy.context import reset_request_scope, set_request_scope, tenant_context
from saas.tenancy.models import Tenant

F = TypeVar("F", bound=Callable[..., Any])
SESSION_AUTH_AT = "auth_at"


@login_manager.user_loader
def load_session_user(session_id: str) -> User | StaffUser | None:
    parts = session_id.split(".")
    try:
        if parts[0] == "u" and len(parts) == 4:
            tenant_id, user_id, epoch = uuid.UUID(parts[1]), uuid.UUID(parts[2]), int(parts[3])
            tenant = db.session.get(Tenant, tenant_id)
            if tenant is None or tenant.status != "active":
                return None
            with tenant_context(tenant_id):
                user = db.session.scalars(sa.select(User).where(User.id == user_id)).first()
            ok = user is not None and user.auth_epoch == epoch and user.is_active
            return user if ok else None
        if parts[0] == "s" and len(parts) == 3:
            staff = db.session.get(StaffUser, uuid.UUID(parts[1]))
            ok = staff is not None and staff.auth_epoch == int(parts[2]) and staff.is_active
            return staff if ok else None
    except ValueError:
        return None
    return None


def _session_expired() -> bool:
    started = session.get(SESSION_AUTH_AT)
    if not isinstance(started, int | float):
        return True
    limit = dt.timedelta(hours=float(current_app.config["SESSION_ABSOLUTE_HOURS"]))
    return dt.datetime.now(dt.UTC).timestamp() - started > limit.total_seconds()


def authenticate_request() -> None:
    """Fix the user and the tenant for this request (before_request)."""
    principal: Any
    if request.path.startswith("/api/"):
        principal = AnonymousUserMixin()
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            throttle.refuse_blocked_address()
            found = tokens.authenticate(header[7:])
            if found is not None:
                tenant_id, principal, g.api_token = found
                g._login_user = principal
                g.scope_token = set_request_scope(tenant_id)
                throttle.spend_token_use(g.api_token.id)
                return
            throttle.count_failed_authentication()
        g._login_user = principal
    else:
        principal = current_user._get_current_object()
        if principal.is_authenticated and _session_expired():
            logout_user()
            session.clear()
            principal = AnonymousUserMixin()
    session_tenant: uuid.UUID | None = (
        getattr(principal, "tenant_id", None) if principal.is_authenticated else None
    )
    g.scope_token = set_request_scope(session_tenant)


def release_request_scope(_exc: BaseException | None = None) -> None:
    token = g.pop("scope_token", None)
    if token is not None:
        reset_request_scope(token)


def actor() -> tuple[audit.service.ActorKind, uuid.UUID | None]:
    """Who is acting: the signed-in user or staff member, ``anonymous`` in a request
    nobody signed in to, and ``system`` outside any request (a command, a job)."""
    if not has_request_context():  # flask-login has no user to give
        return "system", None
    user = current_user
    if not user.is_authenticated:
        return "anonymous", None
    return ("staff" if user.kind == "staff" else "user"), user.id


def _deny(permission: str) -> None:
    kind, actor_id = actor()
    audit.record(
        "permission.denied",
        outcome="denied",
        actor_kind=kind,
        actor_id=actor_id,
        target_kind="endpoint",
        target_id=request.endpoint,
        detail={"permission": permission, "method": request.method},
        commit=True,
    )
    abort(403)


def require_permission(permission: str) -> Callable[[F], F]:
    """Refuse the view unless the signed-in user's role carries ``permission``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("auth.login", next=request.full_path))
            if not current_user.can(permission):
                _deny(permission)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorate


def init_auth(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    app.before_request(authenticate_request)
    app.teardown_request(release_request_scope)
