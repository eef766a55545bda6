"""Tenant user administration: create, update, disable — each audited."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from saas import audit
from saas.auth.models import User
from saas.auth.passwords import hash_password
from saas.auth.permissions import TENANT_ROLES
from saas.extensions import db
from saas.timeutil import utcnow


class UserExists(ValueError):
    def __init__(self, existing: User) -> None:
        self.existing = existing
        super().__init__("a user with this email already exists in the tenant")


def find_by_email(email: str) -> User | None:
    """The user with this email (any case) in the current tenant, by its blind index."""
    return db.session.scalars(sa.select(User).where(User.email == email)).first()


def get_user(user_id: uuid.UUID) -> User | None:
    return db.session.scalars(sa.select(User).where(User.id == user_id)).first()


def create_user(
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
    locale: str | None = None,
    timezone: str | None = None,
) -> User:
    if role not in TENANT_ROLES:
        raise ValueError(f"unknown role {role!r}")
    existing = find_by_email(email)
    if existing is not None:
        raise UserExists(existing)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        locale=locale,
        timezone=timezone,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor_kind=actor_kind,
        actor_id=actor_id,
        target_kind="user",
        target_id=user.id,
        detail={"role": role},
    )
    return user


def update_user(
    user: User,
    changes: dict[str, Any],
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> User:
    """Apply ``changes`` (name, role, locale, timezone, password, disabled)."""
    changed: list[str] = []
    if "role" in changes and changes["role"] != user.role:
        if changes["role"] not in TENANT_ROLES:
            raise ValueError(f"unknown role {changes['role']!r}")
        user.role = changes["role"]
        user.auth_epoch += 1
        changed.append("role")
    for key in ("name", "locale", "timezone"):
        if key in changes and changes[key] != getattr(user, key):
            setattr(user, key, changes[key])
            changed.append(key)
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
        user.auth_epoch += 1
        changed.append("password")
    if "disabled" in changes and bool(changes["disabled"]) != (user.disabled_at is not None):
        user.disabled_at = utcnow() if changes["disabled"] else None
        user.auth_epoch += 1
        changed.append("disabled")
    if changed:
        audit.record(
            "user.updated",
            actor_kind=actor_kind,
            actor_id=actor_id,
            target_kind="user",
            target_id=user.id,
            detail={"changed": changed, "role": user.role},
        )
    return user
