"""Templates, the outbox (outbound messages) and inbound messages.

An outbound message is written with its rendered content, the routing decision
and an idempotency key before anything is sent; a job sends it through the
channel plugin. The unique key and the row's state make a send happen at most
once, whatever retries or crashed workers do.
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

# queued → (scheduled) → sending → sent → delivered | failed; blocked never sends.
MESSAGE_STATES = ("blocked", "scheduled", "queued", "sending", "sent", "delivered", "failed")


class Template(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "templates"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", "channel", "locale"),)

    name: Mapped[str] = mapped_column(sa.String(100))
    channel: Mapped[str] = mapped_column(sa.String(20))
    locale: Mapped[str] = mapped_column(sa.String(10))
    subject: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    body: Mapped[str] = mapped_column(sa.Text)
    # The situation it is written for (e.g. project_wrapup, birthday), for starters.
    purpose: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboundMessage(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "outbound_messages"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "idempotency_key"),
        tenant_fk(["candidate_id"], "candidates"),
        sa.Index("ix_outbound_candidate_time", "tenant_id", "candidate_id", "created_at"),
        sa.Index("ix_outbound_state_due", "tenant_id", "state", "send_after"),
        sa.Index("ix_outbound_provider_id", "tenant_id", "channel", "provider_message_id"),
    )

    candidate_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    template_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    campaign_step: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(128))
    channel: Mapped[str] = mapped_column(sa.String(20))
    # Why this channel: {"rule": "preferred"|"channel_order"|"requested", "detail": ...}.
    routing: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    # The policy that blocked or delayed it (a code), in words on pages.
    policy_code: Mapped[str | None] = mapped_column(sa.String(30), nullable=True)
    send_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # SHA-256 of the rendered content: "no identical content twice within the window".
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    sent_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    subject_ct: Mapped[bytes | None] = encrypted_column()
    subject: Encrypted[str] = Encrypted("subject_ct", owner="candidate", owner_attr="candidate_id")
    body_ct: Mapped[bytes | None] = encrypted_column()
    body: Encrypted[str] = Encrypted("body_ct", owner="candidate", owner_attr="candidate_id")
    # The address it went to (email, phone, WeChat id…), encrypted like the profile.
    recipient_ct: Mapped[bytes | None] = encrypted_column()
    recipient: Encrypted[str] = Encrypted(
        "recipient_ct", owner="candidate", owner_attr="candidate_id")


class InboundMessage(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A reply or a delivery report that came back through a channel's webhook."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "channel", "provider_event_id"),
        sa.Index("ix_inbound_candidate", "tenant_id", "candidate_id"),
    )

    channel: Mapped[str] = mapped_column(sa.String(20))
    kind: Mapped[str] = mapped_column(sa.String(10))  # reply | delivery | bounce
    provider_event_id: Mapped[str] = mapped_column(sa.String(200))
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    outbound_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    interested: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    # Replies are the candidate's words: encrypted under their key once matched,
    # under the tenant key while the sender is unknown.
    text_ct: Mapped[bytes | None] = encrypted_column()
    text: Encrypted[str] = Encrypted("text_ct")


class WebhookReceipt(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    """A signed webhook's signature seen once: replays are refused."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "signature"),)

    channel: Mapped[str] = mapped_column(sa.String(20))
    signature: Mapped[str] = mapped_column(sa.String(128))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
