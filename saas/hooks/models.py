"""Per-tenant plugin enablement, settings and failure record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.crypto.fields import Encrypted, encrypted_column
from saas.extensions import db
from saas.tenancy.scoped import TenantScoped
from saas.timeutil import UTCDateTime, utcnow


class PluginSetting(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "plugin_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "plugin_name"),)

    plugin_name: Mapped[str] = mapped_column(sa.String(80))
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    secrets_ct: Mapped[bytes | None] = encrypted_column()
    secrets: Encrypted[dict[str, Any]] = Encrypted("secrets_ct", codec="json")
    failure_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    health_ok: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    health_detail: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    health_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    health_slot: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
