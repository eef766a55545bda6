"""API tokens: 256 random bits, shown once, stored as SHA-256, revocable.

The token text is ``rk_<tenant id hex>_<secret>``: the tenant part lets the
lookup stay inside one tenant (one shard on Citus); the secret is what proves
possession and is never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid

import sqlalchemy as sa

from saas import audit
from saas.auth.models import ApiToken, User
from saas.extensions import db
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

TOKEN_RE = re.compile(r"^rk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, *, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the token text (shown once)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        tenant_id=user.tenant_id,
        name=name.strip()[:100] or "API token",
        token_hash=_digest(secret),
        hint=secret[-4:],
    )
    db.session.add(token)
    db.session.flush()
    by = actor or user
    audit.record(
        "token.created",
        actor_kind="user",
        actor_id=by.id,
        target_kind="api_token",
        target_id=token.id,
        detail={"for_user": str(user.id)},
    )
    return token, f"rk_{user.tenant_id.hex}_{secret}"


def revoke_token(token: ApiToken, *, actor_id: uuid.UUID | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            "token.revoked",
            actor_kind="user",
            actor_id=actor_id,
            target_kind="api_token",
            target_id=token.id,
        )


def authenticate(raw: str) -> tuple[uuid.UUID, User, ApiToken] | None:
    """Tenant, user and token behind ``raw``, or ``None`` (malformed, unknown, revoked).

    The caller must put the returned tenant in scope before touching the user:
    after the commit below, its attributes reload under the tenant's scope.
    """
    match = TOKEN_RE.match(raw.strip())
    if match is None:
        return None
    tenant_id = uuid.UUID(hex=match.group(1))
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or tenant.status != "active":
        return None
    with tenant_context(tenant_id):
        token = db.session.scalars(
            sa.select(ApiToken).where(ApiToken.token_hash == _digest(match.group(2)))
        ).first()
        if token is None or token.is_revoked:
            return None
        user = db.session.scalars(sa.select(User).where(User.id == token.user_id)).first()
        if user is None or not user.is_active:
            return None
        now = utcnow()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            token.last_used_at = now
            db.session.commit()
        return tenant_id, user, token
