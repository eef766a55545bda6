"""Plugins on pluggy: hook specs, loading, per-tenant enablement, settings."""

from saas.hooks.markers import hookimpl, hookspec
from saas.hooks.types import HealthReport, InsightResult, PluginManifest

__all__ = ["HealthReport", "InsightResult", "PluginManifest", "hookimpl", "hookspec"]
