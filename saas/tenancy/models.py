"""The tenant: a subscribing company. Not itself tenant-scoped."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.extensions import db
from saas.ids import new_id
from saas.timeutil import UTCDateTime, utcnow

PLANS = ("standard", "custom")
STATUSES = ("active", "suspended")
LOCALES = ("zh-CN", "en")

DEFAULT_POLICY: dict[str, Any] = {
    "max_messages_per_30_days": 2,
    "quiet_hours": "21:00-09:00",
    "recontact_after_days": 30,
    "channel_order": ["wechat", "email", "sms", "linkedin"],
    "retention_months": None,  # off until the tenant sets it
}


class Tenant(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    locale: Mapped[str] = mapped_column(sa.String(10), default="zh-CN")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    plan: Mapped[str] = mapped_column(sa.String(20), default="standard")
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    policy: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=lambda: dict(DEFAULT_POLICY))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def info(self) -> TenantInfo:
        return TenantInfo(
            id=self.id,
            slug=self.slug,
            name=self.name,
            locale=self.locale,
            timezone=self.timezone,
            plan=self.plan,
        )


@dataclass(frozen=True)
class TenantInfo:
    """What plugins and jobs get to know about a tenant (never an ORM object)."""

    id: uuid.UUID
    slug: str
    name: str
    locale: str
    timezone: str
    plan: str
