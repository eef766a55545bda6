"""``/api/v1/plugins``: per-tenant enablement, settings (secrets never shown) and health."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields

from saas.api.problems import flatten_errors
from saas.auth.current import require_permission
from saas.extensions import db
from saas.hooks.health import run_health_check
from saas.hooks.manager import enabled_plugins, plugin_host
from saas.hooks.settings import (
    PluginSettingsError,
    configure_plugin,
    get_setting_row,
    settings_view,
)
from saas.hooks.settings_form import localized
from saas.tenancy.models import Tenant

plugins_blp = Blueprint(
    "plugins", __name__, url_prefix="/api/v1/plugins", description="Plugins of the tenant"
)


class PluginSchema(ma.Schema):
    name = fields.String()
    title = fields.String()
    kind = fields.String()
    version = fields.String()
    vendor = fields.String()
    description = fields.String()
    builtin = fields.Boolean()
    enabled = fields.Boolean()
    settings = fields.Dict(metadata={"description": "Secrets appear as {\"set\": bool}"})
    failure_count = fields.Integer()
    last_failure = fields.String(allow_none=True)


class PluginListSchema(ma.Schema):
    items = fields.List(fields.Nested(PluginSchema))
    next_cursor = fields.String(allow_none=True)


class PluginUpdateSchema(ma.Schema):
    enabled = fields.Boolean(required=True)
    settings = fields.Dict(load_default=dict)


class HealthSchema(ma.Schema):
    ok = fields.Boolean()
    detail = fields.String()


def _describe(name: str, enabled: set[str]) -> dict[str, Any]:
    manifest = plugin_host().manifest(name)
    row = get_setting_row(name)
    return {
        "name": name, "title": localized(manifest.title), "kind": manifest.kind,
        "version": manifest.version, "vendor": manifest.vendor,
        "description": localized(manifest.description), "builtin": manifest.builtin,
        "enabled": name in enabled, "settings": settings_view(name, row),
        "failure_count": row.failure_count if row else 0,
        "last_failure": row.last_failure if row else None,
    }


def _known(name: str) -> None:
    if name not in plugin_host().manifests:
        abort(404)


@plugins_blp.route("")
class Plugins(MethodView):
    @require_permission("plugin:read")
    @plugins_blp.response(200, PluginListSchema)
    def get(self) -> dict[str, Any]:
        """Every installed plugin, with whether it is enabled for this tenant."""
        enabled = enabled_plugins()
        return {"items": [_describe(n, enabled) for n in plugin_host().names()],
                "next_cursor": None}


@plugins_blp.route("/<string:plugin_name>")
class PluginByName(MethodView):
    @require_permission("plugin:read")
    @plugins_blp.response(200, PluginSchema)
    def get(self, plugin_name: str) -> dict[str, Any]:
        """One plugin and its settings for this tenant."""
        _known(plugin_name)
        return _describe(plugin_name, enabled_plugins())

    @require_permission("plugin:write")
    @plugins_blp.arguments(PluginUpdateSchema)
    @plugins_blp.response(200, PluginSchema)
    def put(self, data: dict[str, Any], plugin_name: str) -> dict[str, Any]:
        """Enable or disable the plugin and replace its settings (omitted secrets are kept)."""
        _known(plugin_name)
        try:
            configure_plugin(
                plugin_name, enabled=data["enabled"], settings=data["settings"],
                actor_kind="user", actor_id=current_user.id,
            )
        except PluginSettingsError as exc:
            db.session.rollback()
            abort(422, message=f"Invalid settings for {plugin_name}.",
                  errors={f"settings.{k}": v for k, v in flatten_errors(exc.errors).items()})
        db.session.commit()
        return _describe(plugin_name, enabled_plugins())


@plugins_blp.route("/<string:plugin_name>/health")
class PluginHealth(MethodView):
    @require_permission("plugin:read")
    @plugins_blp.response(200, HealthSchema)
    def post(self, plugin_name: str) -> dict[str, Any]:
        """Run the plugin's health check with this tenant's settings."""
        _known(plugin_name)
        tenant = db.session.get(Tenant, current_user.tenant_id)
        assert tenant is not None
        result = run_health_check(tenant, plugin_name)
        db.session.commit()
        if result is None:
            return {"ok": False, "detail": "The plugin is disabled or has no health check."}
        return {"ok": result.ok, "detail": result.detail}
