"""The start page: counts and the day's work.

Capabilities add their own tiles with ``add_tile``; a tile whose permission the
user lacks is not computed at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from saas.audit.models import AuditEvent
from saas.auth.models import ApiToken, User
from saas.extensions import db
from saas.hooks.models import PluginSetting


@dataclass(frozen=True)
class Tile:
    label: str
    value: int
    href: str
    note: str = ""


@dataclass(frozen=True)
class TileSource:
    permission: str | None
    build: Callable[[], Tile]


_TILES: list[TileSource] = []


def add_tile(permission: str | None, build: Callable[[], Tile]) -> None:
    _TILES.append(TileSource(permission, build))


def _count(stmt: sa.Select[Any]) -> int:
    return int(db.session.scalar(stmt) or 0)


def _team_tile() -> Tile:
    active = _count(sa.select(sa.func.count()).select_from(User).where(User.disabled_at.is_(None)))
    return Tile(_("Team members"), active, url_for("settings.users"))


def _token_tile() -> Tile:
    stmt = sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
    if not current_user.can("token:manage_all"):
        stmt = stmt.where(ApiToken.user_id == current_user.id)
    return Tile(_("Active API tokens"), _count(stmt), url_for("settings.tokens"))


def _plugin_tile() -> Tile:
    rows = db.session.scalars(sa.select(PluginSetting).where(PluginSetting.enabled)).all()
    failing = sum(1 for row in rows if row.health_ok is False)
    note = _("%(n)d need attention", n=failing) if failing else ""
    return Tile(_("Plugins enabled"), len(rows), url_for("plugin_pages.index"), note)


add_tile("user:read", _team_tile)
add_tile("token:manage_own", _token_tile)
add_tile("plugin:read", _plugin_tile)


def _setup_steps() -> list[tuple[str, str, bool]]:
    """What a new tenant admin still has to do: (label, link, done)."""
    users = _count(sa.select(sa.func.count()).select_from(User))
    channels = _count(
        sa.select(sa.func.count()).select_from(PluginSetting)
        .where(PluginSetting.enabled, PluginSetting.plugin_name.like("channel_%"))
    )
    return [
        (_("Invite your recruiters"), url_for("settings.users"), users > 1),
        (_("Connect a messaging channel"), url_for("plugin_pages.index"), channels > 0),
        (_("Set your language and time zone"), url_for("account.show"),
         bool(current_user.locale and current_user.timezone)),
    ]


def render_dashboard() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.kind == "staff":
        return redirect(url_for("console.tenants"))
    tiles = [s.build() for s in _TILES if s.permission is None or current_user.can(s.permission)]
    steps = _setup_steps() if current_user.can("settings:write") else []
    activity: list[AuditEvent] = []
    if current_user.can("audit:read"):
        activity = list(db.session.scalars(
            sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc()).limit(8)
        ))
    return render_template(
        "web/dashboard.html", tiles=tiles, steps=steps, activity=activity,
        actors=_actor_names(activity), queue_top=_queue_top(),
    )


def _queue_top() -> list[Any] | None:
    """The first entries of the user's re-engagement queue (None without queue:read)."""
    if not current_user.can("queue:read"):
        return None
    from saas.queue.ranking import queue_context, rank_queue

    return rank_queue(queue_context(), owner_id=current_user.id, limit=3).entries


def _actor_names(events: list[AuditEvent]) -> dict[object, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
