"""A recruiter's decision on a queue entry: snooze until a date, or dismiss with a reason."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

DECISIONS = ("snooze", "dismiss")


class QueueDecision(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "queue_decisions"
    __table_args__ = (
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_queue_decisions_candidate", "tenant_id", "candidate_id", "active_until"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    decision: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    # A snooze hides the entry until this day; a dismissal until the next change
    # (a new interaction, signal or event) or, at the latest, this day.
    active_until: Mapped[dt.date] = mapped_column(sa.Date)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
