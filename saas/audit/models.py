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


class AuditEvent(TenantScoped, _AuditColumns, db.Model):  # type: ignore[name-defined,misc]
    """An event in one tenant's trail (including staff actions in that tenant)."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_time", "tenant_id", "occurred_at"),)


class PlatformAuditEvent(_AuditColumns, db.Model):  # type: ignore[name-defined,misc]
    """An event with no tenant: staff sign-ins, unknown workspaces, platform changes."""

    __tablename__ = "platform_audit_events"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
