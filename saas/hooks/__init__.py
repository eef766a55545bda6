"""Plugins on pluggy: hook specs, loading, per-tenant enablement, settings."""

from saas.hooks.markers import hookimpl, hookspec
from saas.hooks.types import HealthReport, PluginManifest

__all__ = ["HealthReport", "PluginManifest", "hookimpl", "hookspec"]
