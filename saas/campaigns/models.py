"""A campaign, its steps, and who is in it (enrolled, held out, stopped by a reply)."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

CAMPAIGN_STATES = ("draft", "running", "paused", "finished")
ENROLLMENT_STATES = ("active", "holdout", "replied", "stopped", "finished")


class Campaign(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "campaigns"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(120))
    segment_query: Mapped[str] = mapped_column(sa.String(2000))
    holdout_percent: Mapped[int] = mapped_column(sa.SmallInteger, default=10)
    state: Mapped[str] = mapped_column(sa.String(10), default="draft")
    launched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignStep(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "campaign_steps"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "campaign_id", "position"),
        tenant_fk(["campaign_id"], "campaigns"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    delay_days: Mapped[int] = mapped_column(sa.Integer, default=0)
    template_name: Mapped[str] = mapped_column(sa.String(100))
    # None: route per candidate (preferred channel, then the tenant's order).
    channel: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)


class CampaignEnrollment(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "campaign_enrollments"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "campaign_id", "candidate_id"),
        tenant_fk(["campaign_id"], "campaigns"),
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_campaign_enrollments_due", "tenant_id", "campaign_id", "state",
                 "next_step_at"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    state: Mapped[str] = mapped_column(sa.String(10), default="active")
    next_position: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    next_step_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
