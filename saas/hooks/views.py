"""Plugin settings pages: enable or disable a plugin, and its settings form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.auth.current import actor, require_permission
from saas.extensions import db
from saas.hooks.health import run_health_check
from saas.hooks.manager import enabled_plugins, plugin_host
from saas.hooks.settings import (
    PluginSettingsError,
    configure_plugin,
    get_setting_row,
    settings_view,
)
from saas.hooks.settings_form import build_fields, localized, read_form
from saas.hooks.types import PluginManifest
from saas.web.i18n import current_tenant

bp = Blueprint(
    "plugin_pages", __name__, url_prefix="/settings/plugins", template_folder="templates"
)

# What each kind of plugin is, in the reader's language (the manifest's ``kind``).
KIND_LABELS = {
    "channel": _l("Messaging channel"),
    "feed": _l("Profile feed"),
    "erp": _l("ERP sync"),
    "industry": _l("Industry module"),
    "insights": _l("Note insights"),
}


@bp.app_template_filter("plugin_text")
def plugin_text(text: object) -> str:
    """A manifest's title or description in the request's language."""
    return localized(text)


@bp.context_processor
def _kind_labels() -> dict[str, object]:
    return {"kind_labels": KIND_LABELS}


def _manifest_or_404(name: str) -> PluginManifest:
    if name not in plugin_host().manifests:
        abort(404)
    return plugin_host().manifest(name)


@bp.route("")
@require_permission("plugin:read")
def index() -> ResponseReturnValue:
    enabled = enabled_plugins()
    plugins = []
    for name in plugin_host().names():
        manifest = plugin_host().manifest(name)
        plugins.append({"manifest": manifest, "enabled": name in enabled,
                        "row": get_setting_row(name)})
    return render_template("plugins/index.html", plugins=plugins)


def _render(manifest: PluginManifest, values: dict[str, Any], enabled: bool,
            errors: dict[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    fields_ = build_fields(manifest.settings_schema, values, errors) \
        if manifest.settings_schema else []
    general = [str(e) for e in (errors or {}).get("_schema", [])]
    return render_template(
        "plugins/show.html", manifest=manifest, fields=fields_, enabled=enabled,
        row=get_setting_row(manifest.name), general_errors=general,
    ), status


@bp.route("/<string:name>", methods=["GET", "POST"])
@require_permission("plugin:read")
def show(name: str) -> ResponseReturnValue:
    manifest = _manifest_or_404(name)
    if request.method == "GET":
        return _render(manifest, settings_view(name, get_setting_row(name)),
                       name in enabled_plugins())
    if not current_user.can("plugin:write"):
        abort(403)
    enabled = request.form.get("enabled") == "on"
    raw = read_form(manifest.settings_schema, request.form) if manifest.settings_schema else {}
    kind, actor_id = actor()
    try:
        configure_plugin(name, enabled=enabled, settings=raw, actor_kind=kind, actor_id=actor_id)
    except PluginSettingsError as exc:
        db.session.rollback()
        typed = {**settings_view(name, get_setting_row(name)), **raw}
        return _render(manifest, typed, enabled, exc.errors, status=422)
    db.session.commit()
    flash(_("Settings for %(title)s are saved.", title=localized(manifest.title)), "success")
    return redirect(url_for("plugin_pages.show", name=name))


@bp.route("/<string:name>/health", methods=["POST"])
@require_permission("plugin:read")
def health(name: str) -> ResponseReturnValue:
    manifest = _manifest_or_404(name)
    title = localized(manifest.title)
    tenant = current_tenant()
    assert tenant is not None
    result = run_health_check(tenant, name)
    db.session.commit()
    if result is None:
        flash(_("%(title)s is turned off or has no health check.", title=title), "info")
    elif result.ok:
        flash(_("%(title)s works: %(detail)s", title=title, detail=result.detail),
              "success")
    else:
        flash(_("%(title)s does not work yet: %(detail)s", title=title,
                detail=result.detail), "error")
    return redirect(url_for("plugin_pages.show", name=name))
