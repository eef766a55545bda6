"""An offer and what became of it. Unanswered past ``respond_by`` is ``stalled``, never declined."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

OFFER_STATUSES = ("pending", "accepted", "declined", "stalled")
REASON_SOURCES = ("manual", "inferred", "unknown")


class Offer(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "offers"
    __table_args__ = (
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_offers_due", "tenant_id", "status", "respond_by"),
        sa.Index("ix_offers_candidate", "tenant_id", "candidate_id"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    # The opening the offer was for; a plain id until openings exist as a table.
    opening_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    stalled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The one primary reason of a stalled offer (a TAXONOMY reason code).
    reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    reason_source: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
