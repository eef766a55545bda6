"""Manifest text to start from in the staff console: a tenant as it is, or an example.

Applying a tenant's starter manifest unchanged changes nothing: it lists the
plugins that are on (public settings only; secrets left out are kept), and
leaves users out (users not listed are left as they are).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from saas.extensions import db
from saas.hooks.manager import enabled_from_settings, plugin_host
from saas.hooks.models import PluginSetting
from saas.hooks.settings import secret_fields
from saas.tenancy.context import tenant_context
from saas.tenancy.manifest_schema import PolicySchema
from saas.tenancy.models import DEFAULT_POLICY, Tenant

_TOP_KEYS = ("slug", "name", "locale", "timezone", "plan", "status")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_value(key)


def toml_value(value: Any) -> str:
    """``value`` as TOML: strings, booleans, numbers, and lists and tables of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string, once DEL is escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _table(name: str | None, values: Mapping[str, Any]) -> list[str]:
    lines = [f"[{name}]"] if name else []
    lines += [f"{toml_key(key)} = {toml_value(v)}" for key, v in values.items() if v is not None]
    return lines


def _comments(*texts: str) -> list[str]:
    return [f"# {line}" for text in texts for line in text.splitlines()]


def starter_manifest(tenant: Tenant) -> str:
    """``tenant`` as a manifest to edit: its settings, policy and enabled plugins."""
    policy_keys = PolicySchema().fields
    policy = {k: v for k, v in {**DEFAULT_POLICY, **(tenant.policy or {})}.items()
              if k in policy_keys}
    lines = _comments(
        _("Tenant %(slug)s as it is now. Edit, then apply.", slug=tenant.slug),
        _("Users not listed are left as they are: add [[users]] to add or change one."),
        _("Plugins not listed are turned off (built-in ones stay on). Secret settings "
          "are never shown; leave them out to keep them."),
    )
    lines.append("")
    lines += _table(None, {key: getattr(tenant, key) for key in _TOP_KEYS})
    for name, settings in _plugin_tables(tenant):
        lines += ["", *_table(f"plugins.{name}", settings)]
    lines += ["", *_table("policy", policy)]
    return "\n".join(lines) + "\n"


def _plugin_tables(tenant: Tenant) -> Iterable[tuple[str, dict[str, Any]]]:
    host = plugin_host()
    with tenant_context(tenant.id):
        rows = {r.plugin_name: r for r in db.session.scalars(sa.select(PluginSetting))}
        enabled = enabled_from_settings({name: row.enabled for name, row in rows.items()})
        tables = []
        for name in sorted(enabled):
            row = rows.get(name)
            public = dict(row.settings or {}) if row else {}
            if host.manifest(name).builtin and not public:
                continue  # on by default, nothing to say
            secrets = secret_fields(name)
            tables.append((name, {k: v for k, v in public.items() if k not in secrets}))
    return tables


def example_manifest() -> str:
    """A commented example for a new tenant."""
    lines = [
        *_comments(
            _("A new tenant. Only slug and name are required; the other values shown are "
              "the defaults."),
            _("slug: a-z, 0-9 and -, 2 to 40 characters, unique. locale: zh-CN or en. "
              "plan: standard or custom. status: active or suspended."),
        ),
        'slug = "acme"',
        'name = "Acme Robotics"',
        'locale = "zh-CN"',
        'timezone = "Asia/Shanghai"',
        'plan = "standard"',
        'status = "active"',
        "",
        *_comments(
            _("The first tenant admin (roles: tenant_admin, recruiter, hiring_manager, "
              "analyst). Without a password the account cannot sign in until one is set; "
              "password_env is not accepted in the console."),
        ),
        "[[users]]",
        'email = "admin@acme.example"',
        'name = "Li Na"',
        'role = "tenant_admin"',
        "",
        *_comments(_("A table per plugin to turn on; its keys are that plugin's settings.")),
        "# [plugins.channel_email]",
        '# host = "smtp.acme.example"',
        "# port = 587",
        '# sender = "talent@acme.example"',
        "",
        *_comments(_('Quiet hours are in the candidate\'s own time zone; "" for none.')),
        "[policy]",
        "max_messages_per_30_days = 2",
        'quiet_hours = "21:00-09:00"',
        'channel_order = ["wechat", "email", "sms", "linkedin"]',
    ]
    return "\n".join(lines) + "\n"
