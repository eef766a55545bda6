"""Value types that cross the plugin boundary (never ORM objects)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import marshmallow as ma


@dataclass(frozen=True)
class PluginManifest:
    """What a plugin says about itself.

    ``name`` must equal the plugin's entry-point name (``<kind>_<name>``).
    ``settings_schema`` validates the plugin's per-tenant settings; fields with
    ``metadata={"secret": True}`` are stored encrypted and never shown back.
    ``builtin`` plugins are enabled for every tenant unless a tenant turns them off.
    ``title`` and ``description`` are a string, or a mapping from locale (``en``,
    ``zh-CN``) to text; pages show the reader's language, else ``en``.
    """

    name: str
    title: str | Mapping[str, str]
    kind: str
    version: str
    description: str | Mapping[str, str] = ""
    settings_schema: type[ma.Schema] | None = None
    builtin: bool = False
    vendor: str = "Rekindle"


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    detail: str = ""
    checks: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class InsightResult:
    """What one extractor read from a recruiter note (TAXONOMY codes, confidences 0..1).

    ``reason`` is one reason code or ``None``; ``values`` maps value codes to how
    sure the extractor is; ``channel`` is the channel the candidate *prefers*;
    ``follow_up_on`` is the date the note says they will be ready. A field the
    extractor has no opinion on stays ``None`` (or empty) and its confidence 0.
    """

    reason: str | None = None
    reason_confidence: float = 0.0
    values: Mapping[str, float] = field(default_factory=dict)
    channel: str | None = None
    channel_confidence: float = 0.0
    follow_up_on: datetime.date | None = None
    follow_up_confidence: float = 0.0


@dataclass(frozen=True)
class OutgoingMessage:
    """One message for a channel plugin to deliver (already rendered and allowed).

    ``message_id`` is Rekindle's idempotency key: a provider that supports one
    should receive it, so a retried send can never deliver twice. ``to`` is the
    channel's address (email, E.164 phone, WeChat user id, LinkedIn profile).
    """

    message_id: str
    channel: str
    to: str
    body: str
    subject: str | None = None
    locale: str | None = None
    reply_to: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    """What the provider said. ``status``: ``sent``; ``retry`` (a transient failure:
    5xx, 429, a time-out — ``retry_after`` seconds if the provider said); or
    ``failed`` (permanent: a bad address, a refused message)."""

    status: str
    provider_message_id: str | None = None
    retry_after: float | None = None
    detail: str = ""


@dataclass(frozen=True)
class ChannelEvent:
    """Something a provider reported back: a delivery receipt, a bounce or a reply.

    ``provider_event_id`` is unique per provider event (replays are dropped by it);
    ``provider_message_id`` / ``in_reply_to`` tie it to the message we sent;
    ``sender`` is the replying address (email, phone, user id) and ``text`` the reply.
    """

    kind: str  # delivery | bounce | failed | reply
    provider_event_id: str
    provider_message_id: str | None = None
    in_reply_to: str | None = None
    sender: str | None = None
    text: str | None = None
    occurred_at: datetime.datetime | None = None
