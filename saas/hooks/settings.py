"""Validating, storing and reading a tenant's plugin settings.

Settings are validated by the schema the plugin declares in its manifest.
Fields marked ``metadata={"secret": True}`` are stored in the encrypted column
and are never shown back: views get :func:`settings_view`, which says only
whether each secret is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from saas import audit
from saas.extensions import db
from saas.hooks.manager import plugin_host
from saas.hooks.models import PluginSetting


class PluginSettingsError(ValueError):
    """Settings for a plugin are invalid; ``errors`` maps field to messages."""

    def __init__(self, plugin: str, errors: Mapping[str, Any]) -> None:
        self.plugin = plugin
        self.errors = dict(errors)
        super().__init__(f"invalid settings for plugin {plugin!r}: {self.errors}")


def secret_fields(plugin: str) -> set[str]:
    schema_cls = plugin_host().manifest(plugin).settings_schema
    if schema_cls is None:
        return set()
    return {
        name for name, field in schema_cls().fields.items() if field.metadata.get("secret")
    }


def validate_settings(
    plugin: str, raw: Mapping[str, Any], *, keep_secrets: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate ``raw`` with the plugin's schema; returns (public, secret) parts.

    ``keep_secrets`` fills secrets the caller left out (a form that never shows
    them back must not erase them).
    """
    schema_cls = plugin_host().manifest(plugin).settings_schema
    data = dict(raw)
    for key, value in (keep_secrets or {}).items():
        if data.get(key) in (None, ""):
            data[key] = value
    if schema_cls is None:
        if data:
            raise PluginSettingsError(plugin, {"_schema": ["This plugin takes no settings."]})
        return {}, {}
    try:
        loaded = schema_cls().load(data)
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise PluginSettingsError(plugin, messages) from exc
    secrets = secret_fields(plugin)
    public = {k: v for k, v in loaded.items() if k not in secrets}
    secret = {k: v for k, v in loaded.items() if k in secrets and v not in (None, "")}
    return public, secret


def get_setting_row(plugin: str) -> PluginSetting | None:
    return db.session.scalars(
        sa.select(PluginSetting).where(PluginSetting.plugin_name == plugin)
    ).first()


def configure_plugin(
    plugin: str,
    *,
    enabled: bool,
    settings: Mapping[str, Any] | None = None,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: Any = None,
) -> PluginSetting:
    """Enable or disable ``plugin`` for the current tenant with validated settings."""
    plugin_host().manifest(plugin)
    row = get_setting_row(plugin)
    previous_secrets = (row.secrets or {}) if row is not None else {}
    if settings is None and not enabled:
        # Turning a plugin off keeps its settings for when it is turned back on.
        public, secret = dict(row.settings or {}) if row else {}, dict(previous_secrets)
    else:
        public, secret = validate_settings(plugin, settings or {}, keep_secrets=previous_secrets)
    if row is None:
        row = PluginSetting(plugin_name=plugin)
        db.session.add(row)
    changed = sorted(
        {k for k in public if (row.settings or {}).get(k) != public[k]}
        | {k for k in secret if previous_secrets.get(k) != secret[k]}
    )
    if row.enabled != enabled or changed or row.settings is None:
        audit.record(
            "plugin.configured",
            actor_kind=actor_kind,
            actor_id=actor_id,
            target_kind="plugin",
            target_id=plugin,
            detail={"enabled": enabled, "changed_keys": changed},
        )
    row.enabled = enabled
    row.settings = public
    row.secrets = secret or None
    return row


def plugin_settings(plugin: str) -> dict[str, Any]:
    """Everything the plugin needs, secrets included — for the plugin, never a view."""
    row = get_setting_row(plugin)
    if row is None:
        return {}
    return {**(row.settings or {}), **(row.secrets or {})}


def settings_view(plugin: str, row: PluginSetting | None) -> dict[str, Any]:
    """Settings of ``row`` safe to show: secrets replaced by whether they are set."""
    public = dict(row.settings or {}) if row else {}
    stored = (row.secrets or {}) if row else {}
    for name in secret_fields(plugin):
        public[name] = {"set": name in stored}
    return public
