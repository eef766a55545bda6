"""The audit trails are append-only: the app never changes or deletes an event.

Two ORM guards refuse it before any SQL is sent: a ``before_flush`` listener
(an audit event changed or deleted through the session) and a
``do_orm_execute`` listener (a bulk ``UPDATE`` or ``DELETE`` on an audit
table). On PostgreSQL the runtime role also lacks the UPDATE and DELETE
privileges on both tables (``saas.tenancy.rls.grant_runtime_role_sql``), so
raw SQL from the app is refused by the database too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from saas.audit.models import AuditEvent, PlatformAuditEvent

AUDIT_TABLES = frozenset({AuditEvent.__tablename__, PlatformAuditEvent.__tablename__})
_AUDIT_MODELS = (AuditEvent, PlatformAuditEvent)


class AuditTrailIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit event."""


def refuse_changed_events(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, _AUDIT_MODELS):
            raise AuditTrailIsAppendOnly(f"{type(obj).__name__} rows are never deleted")
    for obj in session.dirty:
        if isinstance(obj, _AUDIT_MODELS) and session.is_modified(obj):
            raise AuditTrailIsAppendOnly(f"{type(obj).__name__} rows are never changed")


def refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    touches_model = any(mapper.class_ in _AUDIT_MODELS for mapper in state.all_mappers)
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if touches_model or table in AUDIT_TABLES:
        raise AuditTrailIsAppendOnly("audit events are never updated or deleted")


def install_append_only_guard() -> None:
    """Register both guards on every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", refuse_changed_events):
        event.listen(Session, "before_flush", refuse_changed_events)
    if not event.contains(Session, "do_orm_execute", refuse_bulk_changes):
        event.listen(Session, "do_orm_execute", refuse_bulk_changes)
