"""The hash chain that makes each audit trail tamper-evident.

Every tenant has one trail (``AuditEvent``) and the platform has one
(``PlatformAuditEvent``). Each event gets, when it is flushed, the next
position ``seq`` in its trail (1, 2, 3… with no gaps), the previous event's
hash as ``prev_hash`` ("" for the first) and ``hash``: SHA-256 over a
canonical serialization of its content and ``prev_hash``. Changing, removing
or moving any event then breaks the chain where it happened (see
``saas.audit.verify``).

Positions are handed out under a lock on the trail's head row
(``AuditChainHead`` per tenant, ``PlatformAuditChainHead`` id 1; ``SELECT …
FOR UPDATE`` on PostgreSQL), so concurrent writers in one tenant queue up
instead of taking the same ``seq``. The lock is held until the transaction
ends; SQLite, which has no row locks, takes its database write lock before
reading the head instead. Events added by any code path are chained: the listener runs on every
flush of every session. Restoring a backup copies audit rows with Core
inserts, keeping their positions and hashes; the ORM always assigns new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from saas.audit.models import (
    AuditChainHead,
    AuditEvent,
    PlatformAuditChainHead,
    PlatformAuditEvent,
)
from saas.ids import new_id
from saas.tenancy.context import current_scope, tenant_context
from saas.timeutil import utcnow

GENESIS = ""
PLATFORM_HEAD_ID = 1


class ChainedContent(Protocol):
    """What the hash covers: an ORM event or a row read back for verification."""

    occurred_at: dt.datetime
    actor_kind: str
    actor_id: uuid.UUID | None
    action: str
    target_kind: str | None
    target_id: str | None
    outcome: str
    address: str | None
    detail: Any


def canonical_detail(detail: Any) -> Any:
    """``detail`` as it reads back from the JSON column (tuples become lists, keys strings)."""
    return json.loads(json.dumps(detail if detail is not None else {}, allow_nan=False))


def canonical_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds, e.g. ``2026-01-05T02:00:00.000000+00:00``."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    content: ChainedContent, *, tenant_id: uuid.UUID | None, seq: int, prev_hash: str
) -> str:
    """SHA-256 (hex) of the event's content, its position and the previous hash."""
    payload = {
        "tenant_id": str(tenant_id) if tenant_id is not None else None,
        "seq": seq,
        "occurred_at": canonical_time(content.occurred_at),
        "actor_kind": content.actor_kind,
        "actor_id": str(content.actor_id) if content.actor_id is not None else None,
        "action": content.action,
        "target_kind": content.target_kind,
        "target_id": content.target_id,
        "outcome": content.outcome,
        "address": content.address,
        "detail": content.detail if content.detail is not None else {},
        "prev_hash": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _insert_if_missing(session: Session, table: sa.Table, values: dict[str, Any],
                       key: list[str]) -> None:
    """Create a head row unless a concurrent transaction already did (no error either way)."""
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=key))


def _take_sqlite_write_lock(session: Session, table: sa.Table,
                            where: sa.ColumnElement[bool]) -> None:
    """On SQLite, become the one writer before reading the head (``BEGIN IMMEDIATE``).

    SQLite ignores ``FOR UPDATE``, and pysqlite opens the transaction only at its
    first write: two writers could read the same head. A no-op ``UPDATE`` of the
    head takes the database's write lock first (waiting for the other writer's
    commit, up to the busy timeout), so the head read next is the latest.
    """
    if session.connection().dialect.name == "sqlite":
        session.execute(sa.update(table).where(where).values(last_seq=table.c.last_seq))


def _tenant_head(session: Session, tenant_id: uuid.UUID) -> AuditChainHead:
    heads: sa.Table = AuditChainHead.__table__
    _take_sqlite_write_lock(session, heads, heads.c.tenant_id == tenant_id)
    with tenant_context(tenant_id):
        locked = (
            sa.select(AuditChainHead).with_for_update()
            .execution_options(populate_existing=True)
        )
        head = session.scalars(locked).first()
        if head is None:
            _insert_if_missing(
                session, AuditChainHead.__table__,
                {"tenant_id": tenant_id, "id": new_id(), "last_seq": 0, "last_hash": GENESIS},
                ["tenant_id"],
            )
            head = session.scalars(locked).one()
    return head


def _platform_head(session: Session) -> PlatformAuditChainHead:
    def locked() -> PlatformAuditChainHead | None:
        return session.get(PlatformAuditChainHead, PLATFORM_HEAD_ID, with_for_update=True,
                           populate_existing=True)

    heads: sa.Table = PlatformAuditChainHead.__table__
    _take_sqlite_write_lock(session, heads, heads.c.id == PLATFORM_HEAD_ID)
    head = locked()
    if head is None:
        _insert_if_missing(
            session, PlatformAuditChainHead.__table__,
            {"id": PLATFORM_HEAD_ID, "last_seq": 0, "last_hash": GENESIS}, ["id"],
        )
        head = locked()
    assert head is not None
    return head


def _extend(head: AuditChainHead | PlatformAuditChainHead,
            events: Iterable[AuditEvent | PlatformAuditEvent],
            tenant_id: uuid.UUID | None) -> None:
    seq, prev = head.last_seq, head.last_hash
    for item in events:
        if item.occurred_at is None:
            item.occurred_at = utcnow()
        item.detail = canonical_detail(item.detail)
        seq += 1
        item.seq, item.prev_hash = seq, prev
        item.hash = event_hash(item, tenant_id=tenant_id, seq=seq, prev_hash=prev)
        prev = item.hash
    head.last_seq, head.last_hash = seq, prev


def chain_new_events(session: Session, _context: Any, _instances: Any) -> None:
    """``before_flush``: give every new audit event its place in its trail, in order added.

    An event the tenancy guard is about to refuse (no tenant, another tenant's)
    is left alone so that guard raises its own, clearer error.
    """
    new = [obj for obj in session.new if isinstance(obj, AuditEvent | PlatformAuditEvent)]
    if not new:
        return
    new.sort(key=lambda obj: inspect(obj).insert_order)
    scope = current_scope()
    tenant_events: dict[uuid.UUID, list[AuditEvent]] = {}
    platform_events: list[PlatformAuditEvent] = []
    for obj in new:
        if isinstance(obj, PlatformAuditEvent):
            platform_events.append(obj)
            continue
        tenant_id = obj.tenant_id or scope.tenant_id
        if tenant_id is None or (not scope.unscoped and tenant_id != scope.tenant_id):
            continue
        obj.tenant_id = tenant_id
        tenant_events.setdefault(tenant_id, []).append(obj)
    with session.no_autoflush:
        # Heads are always locked in the same order (tenants by id, then the
        # platform), so two transactions never wait on each other in a circle.
        for tenant_id in sorted(tenant_events, key=str):
            _extend(_tenant_head(session, tenant_id), tenant_events[tenant_id], tenant_id)
        if platform_events:
            _extend(_platform_head(session), platform_events, None)


def install_chaining() -> None:
    """Chain audit events on every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", chain_new_events):
        event.listen(Session, "before_flush", chain_new_events)
