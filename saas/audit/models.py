"""Audit events: who did what, to what, with what outcome, from where, when."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.ids import new_id
from saas.tenancy.scoped import TenantScoped
from saas.timeutil import UTCDateTime, utcnow


class _AuditColumns:
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    action: Mapped[str] = mapped_column(sa.String(80))
    target_kind: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    target_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(sa.String(20))
    address: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The hash chain (tamper evidence): position in the trail, the previous event's
    # hash and this event's hash over its content and that previous hash.
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)


class AuditEvent(TenantScoped, _AuditColumns, db.Model):  # type: ignore[name-defined,misc]
    """An event in one tenant's trail (including staff actions in that tenant)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_time", "tenant_id", "occurred_at"),
        sa.UniqueConstraint("tenant_id", "seq"),
    )


class PlatformAuditEvent(_AuditColumns, db.Model):  # type: ignore[name-defined,misc]
    """An event with no tenant: staff sign-ins, unknown workspaces, platform changes."""

    __tablename__ = "platform_audit_events"
    __table_args__ = (sa.UniqueConstraint("seq"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)


class AuditChainHead(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """The end of one tenant's chain: locked while an event is appended."""

    __tablename__ = "audit_chain_heads"
    __table_args__ = (sa.UniqueConstraint("tenant_id"),)

    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="")


class PlatformAuditChainHead(db.Model):  # type: ignore[name-defined,misc]
    """The end of the platform chain (a single row, id 1)."""

    __tablename__ = "platform_audit_chain_heads"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="")
