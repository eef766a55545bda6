"""Loading plugins, per-tenant enablement, and calling hooks safely.

Plugins (first-party in plugins/ and vendors' alike) are found through the
``saas.plugins`` entry-point group. Built-in behaviour is registered the same
way, so a vendor can replace it.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pluggy
import sqlalchemy as sa
from flask import Flask, current_app

from saas.extensions import db
from saas.hooks import specs
from saas.hooks.markers import PROJECT
from saas.hooks.models import PluginSetting
from saas.hooks.types import PluginManifest
from saas.tenancy.models import TenantInfo
from saas.timeutil import utcnow

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "saas.plugins"


class PluginLoadError(RuntimeError):
    """A plugin could not be loaded (bad manifest, unknown hook, duplicate name)."""


class PluginTimeout(TimeoutError):
    """An optional hook implementation did not return in time."""


@dataclass(frozen=True)
class HookOutcome:
    plugin: str
    result: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class PluginHost:
    """The app's plugin manager plus what each plugin declared."""

    def __init__(self, extra_plugins: Iterable[tuple[str, object]] = ()) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(specs)
        self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for name, plugin in extra_plugins:
            self.pm.register(plugin, name=name)
        self.pm.check_pending()
        self.manifests: dict[str, PluginManifest] = {}
        for name, plugin in self.pm.list_name_plugin():
            impl = getattr(plugin, "saas_plugin_manifest", None)
            if impl is None:
                raise PluginLoadError(f"plugin {name!r} has no saas_plugin_manifest")
            manifest = impl()
            if not isinstance(manifest, PluginManifest) or manifest.name != name:
                raise PluginLoadError(
                    f"plugin {name!r} must return a PluginManifest named {name!r}"
                )
            self.manifests[name] = manifest

    def names(self) -> list[str]:
        return sorted(self.manifests)

    def manifest(self, name: str) -> PluginManifest:
        try:
            return self.manifests[name]
        except KeyError:
            raise LookupError(f"unknown plugin {name!r}") from None

    def implementations(self, hook: str) -> list[tuple[str, Callable[..., Any]]]:
        caller = getattr(self.pm.hook, hook)
        return [(impl.plugin_name, impl.function) for impl in caller.get_hookimpls()]


def implements(plugin: str, hook: str) -> bool:
    """Whether ``plugin`` has an implementation of ``hook`` (an optional one, say)."""
    return any(name == plugin for name, _func in plugin_host().implementations(hook))


def init_plugins(app: Flask, extra_plugins: Iterable[tuple[str, object]] = ()) -> PluginHost:
    host = PluginHost(extra_plugins)
    app.extensions["rekindle_plugins"] = host
    return host


def plugin_host() -> PluginHost:
    return current_app.extensions["rekindle_plugins"]  # type: ignore[no-any-return]


def enabled_plugins() -> set[str]:
    """Names of the plugins enabled for the current tenant."""
    rows = {
        row.plugin_name: row.enabled for row in db.session.scalars(sa.select(PluginSetting))
    }
    return enabled_from_settings(rows)


def enabled_from_settings(rows: Mapping[str, bool]) -> set[str]:
    """Which installed plugins are on, given one tenant's ``{plugin_name: enabled}`` rows.

    A plugin without a row is on when it is built in; a row decides otherwise.
    """
    return {
        name
        for name, manifest in plugin_host().manifests.items()
        if rows.get(name, manifest.builtin)
    }


def _run_with_timeout(func: Callable[..., Any], timeout: float, kwargs: dict[str, Any]) -> Any:
    """Run ``func`` in a daemon thread; a hung plugin is abandoned, not waited for."""
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["result"] = context.run(func, **kwargs)
        except BaseException as exc:  # contained: any failure is the plugin's
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name=f"hook:{func.__module__}")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PluginTimeout(f"no answer within {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def record_failure(plugin: str, error: str) -> None:
    """Count a failure against the plugin for the current tenant."""
    row = db.session.scalars(
        sa.select(PluginSetting).where(PluginSetting.plugin_name == plugin)
    ).first()
    if row is None:
        manifest = plugin_host().manifests.get(plugin)
        row = PluginSetting(
            plugin_name=plugin, enabled=bool(manifest and manifest.builtin), settings={}
        )
        db.session.add(row)
    row.failure_count = (row.failure_count or 0) + 1
    row.last_failure_at = utcnow()
    row.last_failure = error[:500]
    db.session.flush()


def call_optional(
    hook: str, tenant: TenantInfo, *, only: str | None = None, **kwargs: Any
) -> list[HookOutcome]:
    """Call an optional hook on every plugin enabled for ``tenant`` (or just ``only``).

    Each implementation runs with a timeout; one that raises or hangs is
    logged, recorded against its plugin and reported as a failed outcome.
    """
    timeout = float(current_app.config["PLUGIN_HOOK_TIMEOUT"])
    enabled = enabled_plugins()
    outcomes: list[HookOutcome] = []
    for name, func in plugin_host().implementations(hook):
        if name not in enabled or (only is not None and name != only):
            continue
        try:
            result = _run_with_timeout(func, timeout, {"tenant": tenant, **kwargs})
        except Exception as exc:
            message = f"{hook}: {type(exc).__name__}: {exc}"
            log.warning("plugin %s failed in %s", name, message, exc_info=exc)
            record_failure(name, message)
            outcomes.append(HookOutcome(plugin=name, error=message))
        else:
            outcomes.append(HookOutcome(plugin=name, result=result))
    return outcomes
