"""Plugins on pluggy: hook specs, loading, per-tenant enablement, settings."""

from saas.hooks.markers import hookimpl, hookspec
from saas.hooks.types import (
    ChannelEvent,
    HealthReport,
    InsightResult,
    OutgoingMessage,
    PluginManifest,
    SendResult,
)

__all__ = [
    "ChannelEvent",
    "HealthReport",
    "InsightResult",
    "OutgoingMessage",
    "PluginManifest",
    "SendResult",
    "hookimpl",
    "hookspec",
]
