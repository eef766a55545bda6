"""Tags on candidates, tenant custom tags, and corrections of inferred tags.

A ``CandidateTag`` is ``dimension:code`` with its source: ``manual`` (a person),
``inferred`` (the note extractor, with a confidence) or ``plugin``. Manual
always beats inferred. When a recruiter accepts, corrects or removes an
inferred tag, a ``TagCorrection`` keeps what was inferred and what was right,
so the extractor's accuracy can be measured on real use.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

DIMENSIONS = ("reason", "value", "channel", "match", "custom")
SOURCES = ("manual", "inferred", "plugin")


class Tag(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A tenant's own tag (dimension ``custom``), e.g. ``vip`` / 重点关注."""

    __tablename__ = "tags"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CandidateTag(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "candidate_tags"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "candidate_id", "dimension", "code"),
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_candidate_tags_code", "tenant_id", "dimension", "code", "candidate_id"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    dimension: Mapped[str] = mapped_column(sa.String(10))
    code: Mapped[str] = mapped_column(sa.String(40))
    source: Mapped[str] = mapped_column(sa.String(10), default="manual")
    confidence: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    # The interaction an inferred tag was read from.
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TagCorrection(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """What the extractor inferred and what a person said was right (None: no tag)."""

    __tablename__ = "tag_corrections"
    __table_args__ = (
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_tag_corrections_dimension", "tenant_id", "dimension", "created_at"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    dimension: Mapped[str] = mapped_column(sa.String(10))
    action: Mapped[str] = mapped_column(sa.String(10))  # accept | correct | remove
    inferred_code: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    correct_code: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    confidence: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
