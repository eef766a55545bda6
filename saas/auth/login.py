"""Signing in and out, with throttling and audit events."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import request, session
from flask_login import login_user, logout_user

from saas import audit
from saas.auth.models import StaffUser, User
from saas.auth.passwords import hash_password, needs_rehash, verify_password
from saas.auth.users import find_by_email
from saas.extensions import db
from saas.tenancy.context import tenant_context
from saas.tenancy.models import LOCALES, Tenant
from saas.timeutil import utcnow
from saas.web.i18n import SESSION_LOCALE


def sign_in(workspace: str, email: str, password: str) -> User | None:
    """Check the credentials; on success start a fresh session. Audited either way."""
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == workspace)).first()
    if tenant is None or tenant.status != "active":
        verify_password(None, password)
        audit.record(
            "auth.login", outcome="failure", actor_kind="anonymous",
            detail={"reason": "unknown_workspace"}, commit=True,
        )
        return None
    with tenant_context(tenant.id):
        user = find_by_email(email)
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            reason = "bad_credentials" if user is None or not ok else "disabled"
            audit.record(
                "auth.login", outcome="failure", actor_kind="anonymous",
                actor_id=user.id if user else None, detail={"reason": reason}, commit=True,
            )
            return None
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        audit.record("auth.login", actor_kind="user", actor_id=user.id, target_kind="user",
                     target_id=user.id)
        db.session.commit()
        start_session(user)
    return user


def staff_sign_in(email: str, password: str) -> StaffUser | None:
    """Check a platform staff member's credentials; on success start a fresh session.

    Audited either way, in the platform trail. An unknown email costs the same
    time as a wrong password, and a disabled account is refused like one.
    """
    staff = db.session.scalars(
        sa.select(StaffUser).where(StaffUser.email == email.strip().lower())
    ).first()
    ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not ok or not staff.is_active:
        reason = "bad_credentials" if staff is None or not ok else "disabled"
        audit.record(
            "auth.login", outcome="failure", actor_kind="anonymous",
            actor_id=staff.id if staff else None, target_kind="staff", tenant_id=None,
            detail={"reason": reason}, commit=True,
        )
        return None
    if staff.password_hash and needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = utcnow()
    audit.record("auth.login", actor_kind="staff", actor_id=staff.id, target_kind="staff",
                 target_id=staff.id, tenant_id=None)
    db.session.commit()
    start_session(staff)
    return staff


def start_session(user: object) -> None:
    """A fresh session: nothing from before sign-in survives it but the language.

    A language picked on the sign-in page is a person's choice: it becomes the
    account's language when the account has none yet.
    """
    picked = session.get(SESSION_LOCALE)
    if picked in LOCALES and getattr(user, "kind", "") == "user" \
            and getattr(user, "locale", None) is None:
        user.locale = picked  # type: ignore[attr-defined]
        db.session.commit()
    session.clear()
    if picked in LOCALES:
        session[SESSION_LOCALE] = picked
    login_user(user, remember=False, fresh=True)
    session.permanent = True
    session["auth_at"] = dt.datetime.now(dt.UTC).timestamp()
    session["workspace"] = request.form.get("workspace", "")


def sign_out(user: object) -> None:
    """End the session. The auth epoch moves, so no copy of the cookie (another tab,
    another device, a stolen one) outlives it: signing out signs out everywhere."""
    kind = getattr(user, "kind", "user")
    if hasattr(user, "auth_epoch"):
        user.auth_epoch += 1
    audit.record("auth.logout", actor_kind="staff" if kind == "staff" else "user",
                 actor_id=getattr(user, "id", None), tenant_id=getattr(user, "tenant_id", None))
    db.session.commit()
    logout_user()
    session.clear()
