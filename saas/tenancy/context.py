"""The current tenant: who every tenant-scoped query and write belongs to.

A request sets it from the session or the API token; a job from its first
argument. Code that must cross tenants (the staff console, schedulers fanning
out per tenant) says so with ``unscoped(reason=...)`` — the one greppable way.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

log = logging.getLogger(__name__)


class TenantContextRequired(RuntimeError):
    """A tenant-scoped model was queried or written with no tenant in context."""


class CrossTenantWrite(RuntimeError):
    """A write tried to touch a row of a tenant other than the current one."""


@dataclass(frozen=True)
class Scope:
    tenant_id: uuid.UUID | None = None
    unscoped_reason: str | None = None

    @property
    def unscoped(self) -> bool:
        return self.unscoped_reason is not None


_scope: ContextVar[Scope] = ContextVar("rekindle_scope", default=Scope())  # noqa: B039 (frozen)


def current_scope() -> Scope:
    return _scope.get()


def current_tenant_id() -> uuid.UUID | None:
    return _scope.get().tenant_id


def require_tenant_id() -> uuid.UUID:
    tenant_id = _scope.get().tenant_id
    if tenant_id is None:
        raise TenantContextRequired("no tenant in context")
    return tenant_id


@contextmanager
def tenant_context(tenant_id: uuid.UUID) -> Iterator[None]:
    """Run the block as ``tenant_id`` (scoped, even inside an ``unscoped`` block)."""
    if not isinstance(tenant_id, uuid.UUID):
        raise TypeError("tenant_id must be a UUID")
    token = _scope.set(Scope(tenant_id=tenant_id))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def unscoped(*, reason: str) -> Iterator[None]:
    """Lift tenant scoping for the block; ``reason`` says why, for the logs."""
    if not reason.strip():
        raise ValueError("unscoped() needs a reason")
    log.info("unscoped access: %s", reason)
    token = _scope.set(Scope(tenant_id=_scope.get().tenant_id, unscoped_reason=reason))
    try:
        yield
    finally:
        _scope.reset(token)


def set_request_scope(tenant_id: uuid.UUID | None) -> object:
    """Set the scope for a request; returns a token for :func:`reset_request_scope`."""
    return _scope.set(Scope(tenant_id=tenant_id))


def reset_request_scope(token: object) -> None:
    _scope.reset(token)  # type: ignore[arg-type]
