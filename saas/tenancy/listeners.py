"""ORM listeners that scope every query and write to the current tenant.

* ``do_orm_execute`` adds ``with_loader_criteria`` for the current tenant to
  every ORM SELECT, UPDATE and DELETE; with no tenant in context, a statement
  that touches a tenant-scoped model raises instead of reading everything.
* ``before_flush`` stamps ``tenant_id`` on new rows and refuses writes to rows
  of another tenant.

``unscoped(reason=...)`` lifts both. On PostgreSQL row-level security (see
``saas.tenancy.rls``) is the second wall behind these listeners.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.attributes import get_history

from saas.tenancy.context import CrossTenantWrite, TenantContextRequired, current_scope
from saas.tenancy.scoped import TenantScoped, is_tenant_scoped


def _touches_scoped_model(state: ORMExecuteState) -> bool:
    return any(is_tenant_scoped(mapper.class_) for mapper in state.all_mappers)


def scope_statement(state: ORMExecuteState) -> None:
    if state.is_column_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if scope.unscoped:
        return
    if scope.tenant_id is None:
        if _touches_scoped_model(state):
            raise TenantContextRequired(
                "a tenant-scoped model was queried with no tenant in context; "
                "set one with tenant_context() or say why with unscoped(reason=...)"
            )
        return
    tenant_id = scope.tenant_id
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


def stamp_and_guard_writes(session: Session, _context: Any, _instances: Any) -> None:
    scope = current_scope()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if scope.tenant_id is None:
                raise TenantContextRequired(
                    f"cannot insert {type(obj).__name__} with no tenant in context"
                )
            obj.tenant_id = scope.tenant_id
        elif not scope.unscoped and obj.tenant_id != scope.tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        history = get_history(obj, "tenant_id")
        if history.has_changes() and history.deleted:
            raise CrossTenantWrite(f"tenant_id of {type(obj).__name__} cannot change")
        if not scope.unscoped and obj.tenant_id != scope.tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to another tenant")


def install_scoping() -> None:
    """Register the listeners on every ORM session (idempotent)."""
    if not event.contains(Session, "do_orm_execute", scope_statement):
        event.listen(Session, "do_orm_execute", scope_statement)
    if not event.contains(Session, "before_flush", stamp_and_guard_writes):
        event.listen(Session, "before_flush", stamp_and_guard_writes)
