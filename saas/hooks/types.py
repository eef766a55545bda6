"""Value types that cross the plugin boundary (never ORM objects)."""

from __future__ import annotations

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
