"""The timeline: every interaction with a candidate, and the history of its edits.

Summaries, quotes and open questions are the candidate's words: encrypted
under the candidate's key. An edit never overwrites silently: the previous
version is kept as an ``InteractionRevision``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.crypto.fields import Encrypted, encrypted_column
from saas.extensions import db
from saas.tenancy.scoped import TenantScoped, tenant_fk
from saas.timeutil import UTCDateTime, utcnow

DIRECTIONS = ("inbound", "outbound", "note")


class Interaction(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "interactions"
    __table_args__ = (
        tenant_fk(["candidate_id"], "candidates"),
        tenant_fk(["author_id"], "users", ondelete=None),
        sa.Index("ix_interactions_candidate_time", "tenant_id", "candidate_id", "occurred_at"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    direction: Mapped[str] = mapped_column(sa.String(10))
    author_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    summary_ct: Mapped[bytes | None] = encrypted_column()
    summary: Encrypted[str] = Encrypted(
        "summary_ct", owner="candidate", owner_attr="candidate_id")
    quote_ct: Mapped[bytes | None] = encrypted_column()
    quote: Encrypted[str] = Encrypted("quote_ct", owner="candidate", owner_attr="candidate_id")
    # [{"text": "...", "answered_at": null | ISO time}]
    open_questions_ct: Mapped[bytes | None] = encrypted_column()
    open_questions: Encrypted[list[dict[str, Any]]] = Encrypted(
        "open_questions_ct", codec="json", owner="candidate", owner_attr="candidate_id")


class InteractionRevision(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """An interaction as it was before an edit."""

    __tablename__ = "interaction_revisions"
    __table_args__ = (
        tenant_fk(["interaction_id"], "interactions"),
        tenant_fk(["edited_by"], "users", ondelete=None),
        sa.UniqueConstraint("tenant_id", "interaction_id", "version"),
    )

    interaction_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    version: Mapped[int] = mapped_column(sa.Integer)
    edited_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    edited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"occurred_at", "channel", "direction", "summary", "quote", "open_questions"}
    snapshot_ct: Mapped[bytes | None] = encrypted_column()
    snapshot: Encrypted[dict[str, Any]] = Encrypted(
        "snapshot_ct", codec="json", owner="candidate", owner_attr="candidate_id")
