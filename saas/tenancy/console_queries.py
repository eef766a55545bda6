"""What the staff console shows: every tenant at a glance, and one tenant in detail.

Reading across tenants is what the console is for, so the list goes through
``unscoped(reason=...)``; one tenant's page reads inside that tenant's context.
Results are plain values, so pages never touch ORM rows outside their scope.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.auth.models import StaffUser, User
from saas.extensions import db
from saas.hooks.manager import enabled_from_settings, plugin_host
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context, unscoped
from saas.tenancy.models import Tenant

RECENT_EVENTS = 20


@dataclass(frozen=True)
class TenantRow:
    slug: str
    name: str
    plan: str
    status: str
    locale: str
    modules: tuple[str, ...]
    active_users: int
    created_at: dt.datetime


def find_tenant(slug: str) -> Tenant | None:
    return db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).first()


def tenant_rows() -> list[TenantRow]:
    """Every tenant with its plan, status, enabled plugins and active users."""
    tenants = db.session.scalars(sa.select(Tenant).order_by(Tenant.slug)).all()
    settings: dict[uuid.UUID, dict[str, bool]] = defaultdict(dict)
    with unscoped(reason="staff console: plugins and user counts of every tenant"):
        for tenant_id, plugin, enabled in db.session.execute(
            sa.select(PluginSetting.tenant_id, PluginSetting.plugin_name, PluginSetting.enabled)
        ):
            settings[tenant_id][plugin] = enabled
        users: dict[uuid.UUID, int] = dict(db.session.execute(
            sa.select(User.tenant_id, sa.func.count())
            .where(User.disabled_at.is_(None))
            .group_by(User.tenant_id)
        ).all())
    return [
        TenantRow(
            slug=t.slug, name=t.name, plan=t.plan, status=t.status, locale=t.locale,
            modules=tuple(sorted(enabled_from_settings(settings.get(t.id, {})))),
            active_users=users.get(t.id, 0), created_at=t.created_at,
        )
        for t in tenants
    ]


@dataclass(frozen=True)
class PluginState:
    name: str
    title: str | Mapping[str, str]
    builtin: bool
    health_ok: bool | None
    health_detail: str
    checked_at: dt.datetime | None
    failure_count: int
    last_failure: str


@dataclass(frozen=True)
class EventRow:
    action: str
    outcome: str
    actor: str | None
    actor_kind: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class TenantDetail:
    active_by_role: dict[str, int]
    disabled_users: int
    plugins: list[PluginState]
    events: list[EventRow]


def tenant_detail(tenant: Tenant) -> TenantDetail:
    """One tenant's people, enabled plugins with their health, and latest audit events."""
    with tenant_context(tenant.id):
        people = db.session.execute(sa.select(User.role, User.disabled_at)).all()
        rows = {r.plugin_name: r for r in db.session.scalars(sa.select(PluginSetting))}
        enabled = enabled_from_settings({name: row.enabled for name, row in rows.items()})
        plugins = [_plugin_state(name, rows.get(name)) for name in sorted(enabled)]
        events = list(db.session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc()).limit(RECENT_EVENTS)
        ))
        names = _actor_names(events)
        event_rows = [
            EventRow(
                action=e.action, outcome=e.outcome, actor_kind=e.actor_kind,
                actor=names.get(e.actor_id) if e.actor_id else None, occurred_at=e.occurred_at,
            )
            for e in events
        ]
    return TenantDetail(
        active_by_role=dict(Counter(role for role, disabled in people if disabled is None)),
        disabled_users=sum(1 for _role, disabled in people if disabled is not None),
        plugins=plugins,
        events=event_rows,
    )


def _plugin_state(name: str, row: PluginSetting | None) -> PluginState:
    manifest = plugin_host().manifest(name)
    return PluginState(
        name=name,
        title=manifest.title,
        builtin=manifest.builtin,
        health_ok=row.health_ok if row else None,
        health_detail=(row.health_detail or "") if row else "",
        checked_at=row.health_checked_at if row else None,
        failure_count=(row.failure_count or 0) if row else 0,
        last_failure=(row.last_failure or "") if row else "",
    )


def _actor_names(events: list[AuditEvent]) -> dict[uuid.UUID, str]:
    """Names of the people behind ``events``: this tenant's users and platform staff."""
    user_ids = {e.actor_id for e in events if e.actor_id and e.actor_kind != "staff"}
    staff_ids = {e.actor_id for e in events if e.actor_id and e.actor_kind == "staff"}
    names: dict[uuid.UUID, str] = {}
    if user_ids:
        names.update(db.session.execute(
            sa.select(User.id, User.name).where(User.id.in_(user_ids))
        ).all())
    if staff_ids:
        names.update(db.session.execute(
            sa.select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(staff_ids))
        ).all())
    return names
