"""``tenants apply``: create or update tenants from declarative manifests.

All-or-nothing: every file is read and validated first; a single problem stops
everything before anything is written, and the message names the file, the key
and the problem. Applying the same manifests twice changes nothing.
"""

from __future__ import annotations

import os
import tomllib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from saas import audit
from saas.api.problems import flatten_errors
from saas.auth import users as user_service
from saas.auth.passwords import PasswordPolicyError, check_policy, verify_password
from saas.crypto.keys import active_key
from saas.extensions import db
from saas.hooks.manager import call_optional, enabled_plugins, plugin_host
from saas.hooks.settings import PluginSettingsError, configure_plugin, validate_settings
from saas.tenancy.context import tenant_context
from saas.tenancy.manifest_schema import ManifestSchema
from saas.tenancy.models import Tenant


class ManifestError(ValueError):
    """One or more manifests are invalid; ``problems`` lists "file: key: problem"."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Manifest:
    path: str
    data: dict[str, Any]
    passwords: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplyResult:
    slug: str
    outcome: str  # created | updated | unchanged
    changes: tuple[str, ...] = ()


def load_manifest(path: str | Path, problems: list[str]) -> Manifest | None:
    """Read and check the manifest file at ``path`` (``password_env`` reads ``os.environ``)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(f"{name}: file not found")
        return None
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return None
    return parse_manifest(name, text, problems, environ=os.environ)


def validate_manifest_text(
    name: str, text: str, *, environ: Mapping[str, str] | None = None
) -> Manifest:
    """Check one manifest given as text (the staff console); raises :class:`ManifestError`.

    ``name`` stands for the file in every "file: key: problem" line. With the
    default ``environ=None`` a user's ``password_env`` is refused, since it
    would read the server's environment: give ``password``, or neither (the
    user is then created without a password and cannot sign in until one is set).
    """
    problems: list[str] = []
    manifest = parse_manifest(name, text, problems, environ=environ)
    if problems or manifest is None:
        raise ManifestError(problems)
    return manifest


def parse_manifest(
    name: str, text: str, problems: list[str], *, environ: Mapping[str, str] | None
) -> Manifest | None:
    """Parse and validate one manifest's text, adding "name: key: problem" to ``problems``.

    ``environ`` is where ``password_env`` is looked up; ``None`` refuses it.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return None
    try:
        data = ManifestSchema().load(raw)
    except ma.ValidationError as exc:
        for key, messages in flatten_errors(exc.messages).items():
            problems.extend(f"{name}: {key}: {m}" for m in messages)
        return None
    manifest = Manifest(path=name, data=data)
    for index, user in enumerate(data["users"]):
        key = f"users[{index}]"
        password = user.get("password")
        if "password_env" in user:
            if environ is None:
                problems.append(
                    f"{name}: {key}.password_env: not accepted here, as it would read the "
                    "server's environment; give password, or neither to add the user "
                    "without one"
                )
                continue
            password = environ.get(user["password_env"])
            if not password:
                problems.append(
                    f"{name}: {key}.password_env: environment variable "
                    f"{user['password_env']} is not set"
                )
                continue
        if password:
            try:
                check_policy(password)
            except PasswordPolicyError as exc:
                problems.append(f"{name}: {key}.password: {exc}")
                continue
            manifest.passwords[user["email"].lower()] = password
    host = plugin_host()
    for plugin, settings in data["plugins"].items():
        if plugin not in host.manifests:
            known = ", ".join(host.names())
            problems.append(f"{name}: plugins.{plugin}: unknown plugin (known: {known})")
            continue
        try:
            validate_settings(plugin, settings)
        except PluginSettingsError as exc:
            for key, messages in flatten_errors(exc.errors).items():
                problems.extend(f"{name}: plugins.{plugin}.{key}: {m}" for m in messages)
    return manifest


def validate_manifests(paths: Iterable[str | Path]) -> list[Manifest]:
    problems: list[str] = []
    manifests = [m for p in paths if (m := load_manifest(p, problems)) is not None]
    slugs = [m.data["slug"] for m in manifests]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        problems.append(f"slug {slug!r} appears in more than one manifest")
    if problems:
        raise ManifestError(problems)
    return manifests


def _apply_one(
    manifest: Manifest, *, actor_kind: audit.service.ActorKind, actor_id: uuid.UUID | None
) -> ApplyResult:
    data = manifest.data
    tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == data["slug"])).first()
    created = tenant is None
    changes: list[str] = []
    if tenant is None:
        tenant = Tenant(slug=data["slug"])
        db.session.add(tenant)
    for key in ("name", "locale", "timezone", "plan", "status", "policy"):
        if getattr(tenant, key) != data[key]:
            setattr(tenant, key, data[key])
            changes.append(key)
    db.session.flush()
    with tenant_context(tenant.id):
        active_key("tenant", tenant.id, "data")
        active_key("tenant", tenant.id, "blind_index")
        for spec in data["users"]:
            password = manifest.passwords.get(spec["email"].lower())
            changes.extend(
                _apply_user(spec, password, actor_kind=actor_kind, actor_id=actor_id)
            )
        before = enabled_plugins()
        for plugin, settings in data["plugins"].items():
            configure_plugin(
                plugin, enabled=True, settings=settings, actor_kind=actor_kind, actor_id=actor_id
            )
        for plugin in before - set(data["plugins"]):
            if not plugin_host().manifest(plugin).builtin:
                configure_plugin(
                    plugin, enabled=False, actor_kind=actor_kind, actor_id=actor_id
                )
        after = enabled_plugins()
        if before != after:
            changes.append("plugins")
        # Staff actions are always audited, even when they change nothing.
        if created or changes or actor_kind == "staff":
            audit.record(
                "tenant.applied",
                actor_kind=actor_kind,
                actor_id=actor_id,
                target_kind="tenant",
                target_id=tenant.id,
                detail={"created": created, "changes": sorted(set(changes))},
            )
        db.session.flush()  # write this tenant's rows while its scope is current
    outcome = "created" if created else ("updated" if changes else "unchanged")
    return ApplyResult(slug=tenant.slug, outcome=outcome, changes=tuple(sorted(set(changes))))


def _apply_user(
    spec: dict[str, Any],
    password: str | None,
    *,
    actor_kind: audit.service.ActorKind,
    actor_id: uuid.UUID | None,
) -> list[str]:
    user = user_service.find_by_email(spec["email"])
    if user is None:
        user_service.create_user(
            email=spec["email"], name=spec["name"], role=spec["role"], password=password,
            locale=spec.get("locale"), timezone=spec.get("timezone"),
            actor_kind=actor_kind, actor_id=actor_id,
        )
        return [f"user:{spec['email'].lower()}"]
    wanted = {k: spec[k] for k in ("name", "role", "locale", "timezone") if k in spec}
    diff: dict[str, Any] = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if password and not verify_password(user.password_hash, password):
        diff["password"] = password
    if user.disabled_at is not None:
        diff["disabled"] = False
    if diff:
        user_service.update_user(user, diff, actor_kind=actor_kind, actor_id=actor_id)
        return [f"user:{user.email}"]
    return []


def apply_manifests(
    paths: Iterable[str | Path],
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> list[ApplyResult]:
    """Validate every manifest file, then apply them all in one transaction."""
    return apply_validated(validate_manifests(paths), actor_kind=actor_kind, actor_id=actor_id)


def apply_validated(
    manifests: Sequence[Manifest],
    *,
    actor_kind: audit.service.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> list[ApplyResult]:
    """Apply manifests already checked (by :func:`validate_manifests` or
    :func:`validate_manifest_text`) in one transaction; every change is audited
    as ``actor_kind``/``actor_id``."""
    try:
        results = [_apply_one(m, actor_kind=actor_kind, actor_id=actor_id) for m in manifests]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for result in results:
        tenant = db.session.scalars(sa.select(Tenant).where(Tenant.slug == result.slug)).one()
        with tenant_context(tenant.id):
            call_optional(
                "saas_tenant_configured", tenant.info(), enabled_plugins=sorted(enabled_plugins())
            )
            db.session.commit()
    return results
