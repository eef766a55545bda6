"""Finding events in the current tenant's trail: filters, pages (newest first), batches.

Shared by the audit page, its export and ``GET /api/v1/audit-events``. Pages
use a keyset on ``(occurred_at, id)``; the cursor is opaque to clients.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from saas.audit.labels import action_label
from saas.audit.models import AuditEvent
from saas.auth.models import User
from saas.extensions import db

OUTCOMES = ("success", "failure", "denied")


class CursorInvalid(ValueError):
    """The cursor was not one this trail handed out."""


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; every field is optional. ``since`` ≤ occurred_at < ``until``."""

    action: str | None = None
    actor_id: uuid.UUID | None = None
    outcome: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    target_id: str | None = None
    #: Match ids that end with ``target_id`` (the page's short ids) instead of equal ones.
    target_suffix: bool = False

    def used(self) -> list[str]:
        """The names of the filters in use (what an export records: never their values)."""
        return sorted(name for name, value in asdict(self).items()
                      if value not in (None, "", False))


def _select(search: AuditFilter) -> sa.Select[Any]:
    stmt = sa.select(AuditEvent)
    if search.action:
        stmt = stmt.where(AuditEvent.action == search.action)
    if search.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == search.actor_id)
    if search.outcome:
        stmt = stmt.where(AuditEvent.outcome == search.outcome)
    if search.since:
        stmt = stmt.where(AuditEvent.occurred_at >= search.since)
    if search.until:
        stmt = stmt.where(AuditEvent.occurred_at < search.until)
    if search.target_id and search.target_suffix:
        # autoescape: a % or _ in the filter matches itself, not "anything".
        stmt = stmt.where(AuditEvent.target_id.endswith(search.target_id, autoescape=True))
    elif search.target_id:
        stmt = stmt.where(AuditEvent.target_id == search.target_id)
    return stmt


def encode_cursor(event: AuditEvent) -> str:
    raw = f"{event.occurred_at.astimezone(dt.UTC).isoformat()}|{event.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, event_id = raw.split("|")
        when = dt.datetime.fromisoformat(moment)
        if when.tzinfo is None:
            raise ValueError("naive")
        return when, uuid.UUID(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorInvalid(cursor) from exc


def _newest_first(stmt: sa.Select[Any], cursor: str | None
                  ) -> sa.Select[Any]:
    if cursor:
        when, event_id = decode_cursor(cursor)
        stmt = stmt.where(sa.or_(
            AuditEvent.occurred_at < when,
            sa.and_(AuditEvent.occurred_at == when, AuditEvent.id < event_id),
        ))
    return stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def event_page(search: AuditFilter, limit: int, cursor: str | None
               ) -> tuple[list[AuditEvent], str | None]:
    """One page of events, newest first, and the cursor of the next page (or None)."""
    rows = list(db.session.scalars(_newest_first(_select(search), cursor).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def count_events(search: AuditFilter) -> int:
    stmt = _select(search).with_only_columns(sa.func.count()).order_by(None)
    return int(db.session.scalar(stmt) or 0)


def iter_events(search: AuditFilter, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read ``batch`` at a time."""
    cursor: str | None = None
    while True:
        rows, cursor = event_page(search, batch, cursor)
        yield from rows
        if cursor is None:
            return


def actor_names(events: list[AuditEvent]) -> dict[uuid.UUID, str]:
    """Names of the team members among the events' actors (staff and others stay unnamed)."""
    ids = {e.actor_id for e in events if e.actor_id is not None and e.actor_kind == "user"}
    if not ids:
        return {}
    return {u.id: u.name for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def event_document(event: AuditEvent, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    """An event as the API and the JSON export show it."""
    return {
        "id": event.id, "seq": event.seq, "occurred_at": event.occurred_at,
        "action": event.action, "action_label": action_label(event.action, event.outcome),
        "outcome": event.outcome, "actor_kind": event.actor_kind, "actor_id": event.actor_id,
        "actor_name": names.get(event.actor_id) if event.actor_id else None,
        "target_kind": event.target_kind, "target_id": event.target_id,
        "address": event.address, "detail": event.detail,
        "prev_hash": event.prev_hash, "hash": event.hash,
    }
