"""Consent records, retention notices and the identity-free tallies left after erasure."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

BASES = ("consent", "legitimate_interest")
CONSENT_CHANNELS = ("email", "sms", "wechat", "linkedin", "phone", "all")
WITHDRAWAL_ROUTES = ("api", "page", "unsubscribe_link", "reply_keyword")


class ConsentRecord(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """Why we may contact a candidate on a channel, or that they said no (withdrawn)."""

    __tablename__ = "consent_records"
    __table_args__ = (
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_consent_records_candidate", "tenant_id", "candidate_id", "channel"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    channel: Mapped[str] = mapped_column(sa.String(20))
    basis: Mapped[str | None] = mapped_column(sa.String(30), nullable=True)
    source: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    # The wording the candidate was shown when they agreed.
    wording: Mapped[str | None] = mapped_column(sa.String(2000), nullable=True)
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A withdrawal (opt-out) is its own record; it beats every earlier consent.
    withdrawn: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    withdrawn_via: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RetentionNotice(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A candidate due for erasure under the tenant's retention policy, and when."""

    __tablename__ = "retention_notices"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "candidate_id"),
        tenant_fk(["candidate_id"], "candidates"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    warned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    erase_on: Mapped[dt.date] = mapped_column(sa.Date)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)


class ErasureTally(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """How many candidates were erased, by month, status and reason: no identity at all."""

    __tablename__ = "erasure_tallies"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "period", "status", "reason", "cause"),)

    period: Mapped[str] = mapped_column(sa.String(7))  # YYYY-MM
    status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    cause: Mapped[str] = mapped_column(sa.String(20))  # request | retention
    count: Mapped[int] = mapped_column(sa.Integer, default=0)
