"""``audit.record``: the one way to write an audit event.

Events never carry personal data about candidates; ``detail`` holds codes and
ids only. A tenant event lands in that tenant's trail; an event with no tenant
(staff sign-in, unknown workspace) in the platform trail. Staff actions inside
a tenant land in both.

Importing this module installs, on every ORM session, the hash chain
(``saas.audit.chain``) and the append-only guard (``saas.audit.append_only``).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from flask import has_request_context, request

from saas.audit.append_only import install_append_only_guard
from saas.audit.chain import install_chaining
from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.extensions import db
from saas.tenancy.context import current_tenant_id, tenant_context

Outcome = Literal["success", "failure", "denied"]
ActorKind = Literal["user", "staff", "token", "system", "anonymous"]


def _address() -> str | None:
    if has_request_context():
        return request.remote_addr
    return None


def record(
    action: str,
    *,
    outcome: Outcome = "success",
    actor_kind: ActorKind = "system",
    actor_id: uuid.UUID | None = None,
    target_kind: str | None = None,
    target_id: object | None = None,
    tenant_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
    commit: bool = False,
) -> None:
    """Add an audit event to the session (``commit=True`` commits it at once).

    Use ``commit=True`` for events that must survive a refused request (failed
    logins, permission denials); otherwise the event joins the caller's
    transaction and is written with, and only with, the change it describes.
    """
    tenant = tenant_id or current_tenant_id()
    fields: dict[str, Any] = {
        "action": action,
        "outcome": outcome,
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "target_kind": target_kind,
        "target_id": str(target_id) if target_id is not None else None,
        "address": _address(),
        "detail": detail or {},
    }
    if tenant is not None:
        with tenant_context(tenant):
            db.session.add(AuditEvent(tenant_id=tenant, **fields))
            if commit:
                db.session.commit()
    if tenant is None or actor_kind == "staff":
        platform_detail = dict(fields["detail"])
        if tenant is not None:
            platform_detail["tenant_id"] = str(tenant)
        db.session.add(PlatformAuditEvent(**{**fields, "detail": platform_detail}))
        if commit:
            db.session.commit()


install_chaining()
install_append_only_guard()
