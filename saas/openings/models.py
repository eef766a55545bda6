"""Openings and change events, each with the candidate values it speaks to."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped
from saas.timeutil import UTCDateTime, utcnow

OPENING_STATUSES = ("draft", "open", "closed")
EVENT_KINDS = ("benefit", "policy", "training_program", "funding", "business_line", "award",
               "opening", "role_change")


class Opening(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "openings"
    __table_args__ = (sa.Index("ix_openings_status", "tenant_id", "status"),)

    title: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    team: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    location: Mapped[str | None] = mapped_column(sa.String(120), nullable=True)
    description: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # TAXONOMY value codes the opening's perks speak to (e.g. flexibility).
    values: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChangeEvent(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A change at the company worth telling a past candidate about."""

    __tablename__ = "change_events"
    __table_args__ = (sa.Index("ix_change_events_time", "tenant_id", "occurred_on"),)

    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str | None] = mapped_column(sa.String(2000), nullable=True)
    # Localized texts for messages: {"zh-CN": "...", "en": "..."}.
    texts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    values: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    opening_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    occurred_on: Mapped[dt.date] = mapped_column(sa.Date)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
