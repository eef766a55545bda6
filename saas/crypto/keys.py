"""Data keys: one per tenant (and one per candidate), wrapped, never stored in clear.

A tenant's data key is wrapped by the newest master key. A candidate's key is
wrapped by the tenant's data key, so destroying it (erasure) makes every copy
of that candidate's data unreadable, in the live database and in old backups.
Unwrapped keys are cached on the SQLAlchemy session (one request or job).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from typing import Any, Literal, Protocol

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from saas.crypto.master import MasterKeyring, UnwrapError
from saas.extensions import db
from saas.ids import in_ids, new_id
from saas.tenancy.context import require_tenant_id
from saas.tenancy.scoped import TenantScoped
from saas.timeutil import UTCDateTime, utcnow

OwnerKind = Literal["tenant", "candidate"]
Purpose = Literal["data", "blind_index"]
_CACHE = "rekindle_data_keys"


class KeyDestroyed(LookupError):
    """The key was destroyed (the person was erased): the data is gone for good."""


class DataKey(TenantScoped, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "data_keys"
    __table_args__ = (
        sa.Index("ix_data_keys_owner", "tenant_id", "owner_kind", "owner_id", "purpose"),
    )

    owner_kind: Mapped[str] = mapped_column(sa.String(20))
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    purpose: Mapped[str] = mapped_column(sa.String(20), default="data")
    wrapped_by: Mapped[str] = mapped_column(sa.String(60))
    wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def wrap_context(self) -> bytes:
        return wrap_context(self)


class KeyFields(Protocol):
    """What unwrapping needs of a key: a :class:`DataKey` or a row of its columns."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_kind: str
    owner_id: uuid.UUID
    purpose: str
    wrapped_by: str
    wrapped_key: bytes | None


def wrap_context(key: KeyFields) -> bytes:
    """The associated data a key is wrapped under: it cannot be moved to another owner."""
    return (
        f"rekindle-key|{key.tenant_id}|{key.id}|{key.owner_kind}|{key.owner_id}|{key.purpose}"
    ).encode()


def keyring() -> MasterKeyring:
    ring = current_app.extensions.get("rekindle_keyring")
    if ring is None:
        ring = MasterKeyring.from_config(current_app.config["MASTER_KEYS"])
        current_app.extensions["rekindle_keyring"] = ring
    return ring


def _cache() -> dict[uuid.UUID, bytes]:
    return db.session.info.setdefault(_CACHE, {})  # type: ignore[no-any-return]


def _wrap(row: DataKey, secret: bytes) -> None:
    if row.owner_kind == "tenant":
        master_id, blob = keyring().wrap(secret, row.wrap_context())
        row.wrapped_by = f"master:{master_id}"
    else:
        parent_id, parent = active_key("tenant", row.tenant_id, "data")
        nonce = os.urandom(12)
        row.wrapped_key = nonce + AESGCM(parent).encrypt(nonce, secret, row.wrap_context())
        row.wrapped_by = f"key:{parent_id}"
        return
    row.wrapped_key = blob


def create_key(owner_kind: OwnerKind, owner_id: uuid.UUID, purpose: Purpose = "data") -> DataKey:
    """Create (and add to the session) a fresh active key for the owner."""
    tenant_id = require_tenant_id()
    secret = AESGCM.generate_key(bit_length=256)
    row = DataKey(
        id=new_id(),
        tenant_id=tenant_id,
        owner_kind=owner_kind,
        owner_id=owner_id,
        purpose=purpose,
        active=True,
    )
    _wrap(row, secret)
    db.session.add(row)
    _cache()[row.id] = secret
    return row


def active_key(
    owner_kind: OwnerKind, owner_id: uuid.UUID, purpose: Purpose = "data"
) -> tuple[uuid.UUID, bytes]:
    """The owner's active key (created on first use)."""
    cache = db.session.info.setdefault("rekindle_active_keys", {})
    marker = (owner_kind, owner_id, purpose)
    if marker in cache:
        key_id = cache[marker]
        return key_id, key_material(key_id)
    with db.session.no_autoflush:
        row = db.session.scalars(
            sa.select(DataKey)
            .where(
                DataKey.owner_kind == owner_kind,
                DataKey.owner_id == owner_id,
                DataKey.purpose == purpose,
                DataKey.active.is_(True),
            )
            .order_by(DataKey.created_at.desc())
            .limit(1)
        ).first()
    if row is None:
        if owner_kind == "candidate":
            destroyed = db.session.scalar(
                sa.select(sa.func.count()).select_from(DataKey).where(
                    DataKey.owner_kind == owner_kind,
                    DataKey.owner_id == owner_id,
                    DataKey.destroyed_at.is_not(None),
                )
            )
            if destroyed:
                raise KeyDestroyed(f"the key of {owner_kind} {owner_id} was destroyed")
        row = create_key(owner_kind, owner_id, purpose)
    cache[marker] = row.id
    return row.id, key_material(row.id)


def preload_keys(owner_kind: OwnerKind, owner_ids: Iterable[uuid.UUID],
                 purpose: Purpose = "data") -> None:
    """Unwrap the active keys of many owners with one query (a batch job's candidates).

    Afterwards :func:`active_key` and :func:`key_material` answer from the session's
    cache for them; an owner with no active key is left to :func:`active_key`.
    """
    wanted = set(owner_ids)
    markers = db.session.info.setdefault("rekindle_active_keys", {})
    missing = [owner for owner in wanted if (owner_kind, owner, purpose) not in markers]
    if not missing:
        return
    with db.session.no_autoflush:  # columns, not objects: a batch has a thousand keys
        rows = db.session.execute(sa.select(
            DataKey.id, DataKey.tenant_id, DataKey.owner_kind, DataKey.owner_id,
            DataKey.purpose, DataKey.wrapped_by, DataKey.wrapped_key,
        ).where(
            DataKey.owner_kind == owner_kind, in_ids(DataKey.owner_id, missing),
            DataKey.purpose == purpose, DataKey.active.is_(True),
        ).order_by(DataKey.created_at)).all()
    cache = _cache()
    for row in rows:  # oldest first: the newest active key of an owner wins
        if row.wrapped_key is None:
            continue
        if row.id not in cache:
            cache[row.id] = _unwrap(row)
        markers[owner_kind, row.owner_id, purpose] = row.id


def _unwrap(row: KeyFields) -> bytes:
    assert row.wrapped_key is not None
    kind, _, ref = row.wrapped_by.partition(":")
    if kind == "master":
        return keyring().unwrap(ref, row.wrapped_key, wrap_context(row))
    if kind == "key":
        parent = key_material(uuid.UUID(ref))
        try:
            return AESGCM(parent).decrypt(
                row.wrapped_key[:12], row.wrapped_key[12:], wrap_context(row)
            )
        except Exception as exc:
            raise UnwrapError(f"key {row.id} failed authentication") from exc
    raise UnwrapError(f"key {row.id} has an unknown wrapping {row.wrapped_by!r}")


def key_material(key_id: uuid.UUID) -> bytes:
    """The clear key for ``key_id`` (in the current tenant)."""
    cache = _cache()
    if key_id in cache:
        return cache[key_id]
    with db.session.no_autoflush:
        row = db.session.scalars(sa.select(DataKey).where(DataKey.id == key_id)).first()
    if row is None:
        raise KeyDestroyed(f"key {key_id} does not exist in this tenant")
    if row.wrapped_key is None:
        raise KeyDestroyed(f"key {key_id} was destroyed")
    secret = _unwrap(row)
    cache[key_id] = secret
    return secret


def destroy_keys(owner_kind: OwnerKind, owner_id: uuid.UUID) -> int:
    """Destroy every key of the owner (crypto-shredding); returns how many."""
    rows = db.session.scalars(
        sa.select(DataKey).where(DataKey.owner_kind == owner_kind, DataKey.owner_id == owner_id)
    ).all()
    for row in rows:
        row.wrapped_key = None
        row.active = False
        row.destroyed_at = utcnow()
        _cache().pop(row.id, None)
    db.session.info.get("rekindle_active_keys", {}).pop((owner_kind, owner_id, "data"), None)
    return len(rows)


def rewrap_tenant_keys() -> int:
    """Re-wrap the current tenant's keys under the newest master key; returns how many."""
    newest = f"master:{keyring().newest_id}"
    rows = db.session.scalars(
        sa.select(DataKey).where(
            DataKey.owner_kind == "tenant",
            DataKey.wrapped_by != newest,
            DataKey.wrapped_key.is_not(None),
        )
    ).all()
    for row in rows:
        secret = key_material(row.id)
        _wrap(row, secret)
    return len(rows)


class KeyRotation(db.Model):  # type: ignore[name-defined,misc]
    """A resumable key-rotation run and its progress (a platform table).

    ``kind`` is ``master`` (re-wrap every tenant key under the newest master key)
    or ``tenant`` (a new tenant data key, and every value re-encrypted with it).
    ``cursor`` records how far it got, so a stopped run resumes where it stopped.
    """

    __tablename__ = "key_rotations"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(sa.String(10))
    # The tenant of a tenant-key rotation (a platform table: not "tenant_id").
    for_tenant_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="running")
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    done: Mapped[int] = mapped_column(sa.Integer, default=0)
    cursor: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
