"""Tenant users, platform staff and API tokens."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.auth.permissions import STAFF_ROLE, permissions_for
from saas.crypto.blind_index import normalize_email
from saas.crypto.fields import EncryptedLookup, encrypted_column
from saas.extensions import db
from saas.ids import new_id
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

# The blind-index kind of user emails: apart from candidates' "email", so a
# recruiter's index never equals a candidate's for the same address.
USER_EMAIL_INDEX = "user_email"


class SignedInIdentity:
    """What Flask-Login and ``require_permission`` need from anyone who signs in."""

    role: str
    disabled_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.role)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class User(SignedInIdentity, TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A person working in one tenant (email unique within the tenant).

    The email is encrypted under the tenant's data key; its blind index serves
    the sign-in lookup and the uniqueness constraint (``User.email == address``
    in a query compares blind indexes).
    """

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "email_index"),)

    email_ct: Mapped[bytes | None] = encrypted_column()
    email_index: Mapped[str] = mapped_column(sa.String(64))
    email = EncryptedLookup("email_ct", index_column="email_index", kind=USER_EMAIL_INDEX,
                            normalize=normalize_email)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    locale: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    # Bumped on password, role or status change: invalidates every session.
    auth_epoch: Mapped[int] = mapped_column(sa.Integer, default=0)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    kind = "user"

    def get_id(self) -> str:
        return f"u.{self.tenant_id}.{self.id}.{self.auth_epoch}"


class StaffUser(SignedInIdentity, db.Model):  # type: ignore[name-defined,misc]
    """Platform customer-success staff: not a tenant user; every action audited."""

    __tablename__ = "staff_users"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    auth_epoch: Mapped[int] = mapped_column(sa.Integer, default=0)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    kind = "staff"
    role = STAFF_ROLE
    tenant_id = None

    def get_id(self) -> str:
        return f"s.{self.id}.{self.auth_epoch}"


class ApiToken(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A bearer token for one user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk(["user_id"], "users"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    hint: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
