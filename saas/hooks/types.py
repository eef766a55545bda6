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
    """

    name: str
    title: str
    kind: str
    version: str
    description: str = ""
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
