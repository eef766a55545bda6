"""Key rotation as resumable runs: master keys (re-wrap) and tenant keys (re-encrypt).

Both kinds work in small batches, each committed with the run's progress
(``total``, ``done``, ``cursor``) in a :class:`KeyRotation` row, so a stopped
process resumes where it stopped. They are safe while the app serves reads and
writes:

* every blob names the key that sealed it, and old keys stay readable until the
  end, so reads never fail half-way;
* a tenant rotation retires the old tenant key before re-encrypting, so writes
  that start afterwards already use the new key;
* every change is a guarded ``UPDATE ... WHERE column = <the value we read>``:
  a value a request changed meanwhile is left alone (it is re-checked at the end),
  and a key destroyed meanwhile (an erasure) is never brought back.

A tenant rotation destroys the old key only when no key and no value refers to
it any more. The master-key rotation lives in :mod:`saas.crypto.master_rotation`.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saas import audit
from saas.crypto.fields import Encrypted, associated_data, open_sealed, seal
from saas.crypto.keys import DataKey, KeyRotation, create_key, key_material
from saas.extensions import db
from saas.tenancy.context import (
    reset_request_scope,
    set_request_scope,
    tenant_context,
)
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

DEFAULT_BATCH = 200
# Passes over the tenant's data before giving up on values that keep naming the
# old key (each pass only touches what still refers to it).
MAX_PASSES = 5


@dataclass(frozen=True)
class EncryptedField:
    """One encrypted attribute of a model: where its ciphertext lives and whose key seals it."""

    model: type[Any]
    table: str
    column: str
    field: str
    owner: str


def encrypted_fields(owner: str | None = None) -> list[EncryptedField]:
    """Every ``Encrypted`` attribute of every mapped model (optionally of one key owner)."""
    found: list[EncryptedField] = []
    for mapper in db.Model.registry.mappers:  # type: ignore[attr-defined]
        cls = mapper.class_
        for klass in cls.__mro__:
            for value in vars(klass).values():
                if isinstance(value, Encrypted) and (owner is None or value.owner == owner):
                    found.append(EncryptedField(
                        cls, cls.__tablename__, value.column, value.field, value.owner))
    unique = {(f.table, f.column): f for f in found}
    return [unique[k] for k in sorted(unique)]


@contextmanager
def _platform_scope() -> Iterator[None]:
    token = set_request_scope(None)
    try:
        yield
    finally:
        reset_request_scope(token)


def record_operation(
    action: str, *, tenant_id: uuid.UUID | None, target_kind: str, target_id: object,
    detail: dict[str, Any], actor_kind: audit.ActorKind = "system",
    actor_id: uuid.UUID | None = None,
) -> None:
    """Audit a key or backup operation: in the tenant's trail (when there is a tenant)
    and, when the system did it (CLI, job), in the platform trail too."""
    if tenant_id is not None:
        with tenant_context(tenant_id):
            audit.record(action, actor_kind=actor_kind, actor_id=actor_id,
                         target_kind=target_kind, target_id=target_id, detail=detail)
            db.session.flush()  # in the tenant's scope, whoever commits
    if tenant_id is None or actor_kind == "system":
        platform_detail = {**detail, "tenant_id": str(tenant_id)} if tenant_id else detail
        with _platform_scope():
            audit.record(action, actor_kind=actor_kind, actor_id=actor_id,
                         target_kind=target_kind, target_id=target_id, detail=platform_detail)


def _touch_free_values(table: sa.Table) -> dict[str, Any]:
    """SET col = col for columns with ``onupdate``: re-encryption is not an edit."""
    return {c.name: c for c in table.columns if c.onupdate is not None}


# --- shared by both kinds ------------------------------------------------------

def lock_run(run_id: uuid.UUID, *, lock: bool = True) -> KeyRotation:
    run = db.session.get(KeyRotation, run_id, with_for_update=lock, populate_existing=True)
    if run is None:
        raise LookupError(f"no key rotation {run_id}")
    return run


def guarded_key_update(row: DataKey, old_blob: bytes, wrapped_by: str, blob: bytes) -> bool:
    """Replace a wrapped key only if it is still what we read (never revive a destroyed key)."""
    table = DataKey.__table__
    result = db.session.execute(
        table.update()
        .where(table.c.tenant_id == row.tenant_id, table.c.id == row.id,
               table.c.wrapped_key == old_blob)
        .values(wrapped_by=wrapped_by, wrapped_key=blob)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- tenant-key rotation -------------------------------------------------------

def _tenant_data_keys(tenant_id: uuid.UUID) -> sa.Select[Any]:
    return sa.select(DataKey).where(
        DataKey.owner_kind == "tenant", DataKey.owner_id == tenant_id,
        DataKey.purpose == "data", DataKey.wrapped_key.is_not(None))


def _old_ids(run: KeyRotation) -> list[uuid.UUID]:
    return [uuid.UUID(k) for k in run.cursor.get("old_keys", [])]


def _wrapped_by_old(old: list[uuid.UUID]) -> sa.Select[Any]:
    return sa.select(DataKey).where(
        DataKey.wrapped_by.in_([f"key:{k}" for k in old]), DataKey.wrapped_key.is_not(None))


def _sealed_by_old(spec: EncryptedField, old: list[uuid.UUID]) -> sa.ColumnElement[bool]:
    column = getattr(spec.model, spec.column)
    # A sealed blob is version (1 byte) + key id (16 bytes) + nonce + ciphertext.
    return sa.and_(column.is_not(None), sa.func.substr(column, 2, 16).in_([k.bytes for k in old]))


def _references(old: list[uuid.UUID]) -> int:
    """How many keys and values still refer to ``old`` (in the current tenant)."""
    if not old:
        return 0
    count = db.session.scalar(sa.select(sa.func.count()).select_from(
        _wrapped_by_old(old).subquery())) or 0
    for spec in encrypted_fields("tenant"):
        count += db.session.scalar(sa.select(sa.func.count()).select_from(spec.model).where(
            _sealed_by_old(spec, old))) or 0
    return count


def start_tenant_rotation(tenant_id: uuid.UUID, *, actor_kind: audit.ActorKind = "system",
                          actor_id: uuid.UUID | None = None) -> KeyRotation:
    """The tenant's running rotation, or a new one: a fresh active key, the old one retired."""
    # Two starts at once (two admins, two clicks) queue up on the tenant row. FOR NO KEY
    # UPDATE: inserts elsewhere (foreign keys to the tenant) are not held up.
    db.session.get(Tenant, tenant_id, with_for_update={"key_share": True},
                   populate_existing=True)
    running = db.session.scalars(sa.select(KeyRotation).where(
        KeyRotation.kind == "tenant", KeyRotation.for_tenant_id == tenant_id,
        KeyRotation.status == "running")).first()
    if running is not None:
        return running
    with tenant_context(tenant_id):
        old_rows = db.session.scalars(_tenant_data_keys(tenant_id)).all()
        for row in old_rows:
            row.active = False
        new = create_key("tenant", tenant_id, "data")
        db.session.info.get("rekindle_active_keys", {}).pop(("tenant", tenant_id, "data"), None)
        old = [row.id for row in old_rows]
        db.session.flush()
        total = _references(old)
        run = KeyRotation(kind="tenant", for_tenant_id=tenant_id, total=total, done=0, cursor={
            "new_key": str(new.id), "old_keys": [str(k) for k in old],
            "phase": 0, "after": None, "passes": 1, "unreadable": 0,
        })
        db.session.add(run)
        db.session.flush()
    record_operation("keys.tenant_rotation_started", tenant_id=tenant_id, actor_kind=actor_kind,
                     actor_id=actor_id, target_kind="key_rotation", target_id=run.id,
                     detail={"total": total, "new_key": str(new.id)})
    db.session.commit()
    return run


def run_tenant_rotation(
    run_id: uuid.UUID, *, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
) -> KeyRotation:
    """Re-encrypt batches until the run is done (or ``max_batches`` ran); returns the run."""
    batches = 0
    while max_batches is None or batches < max_batches:
        run = lock_run(run_id)
        if run.status != "running" or run.for_tenant_id is None:
            db.session.commit()
            return run
        with tenant_context(run.for_tenant_id):
            if not _tenant_batch(run, batch_size):
                _finish_tenant(run)
            db.session.commit()
        batches += 1
    return lock_run(run_id, lock=False)


def _phases() -> list[EncryptedField | None]:
    """Phase 0 re-wraps the keys under the tenant key; then one phase per tenant-key field."""
    return [None, *encrypted_fields("tenant")]


def _tenant_batch(run: KeyRotation, batch_size: int) -> bool:
    """Re-encrypt one batch of the current phase; False when every phase is through."""
    cursor = dict(run.cursor)
    old = _old_ids(run)
    phases = _phases()
    new_id = uuid.UUID(cursor["new_key"])
    new_secret = key_material(new_id)
    while cursor["phase"] < len(phases):
        spec = phases[cursor["phase"]]
        after = uuid.UUID(cursor["after"]) if cursor["after"] else None
        if spec is None:
            handled, last = _rewrap_candidate_keys(old, new_id, new_secret, after, batch_size)
        else:
            handled, last, unreadable = _reseal_values(spec, old, new_id, new_secret, after,
                                                       batch_size)
            cursor["unreadable"] = int(cursor["unreadable"]) + unreadable
        if last is None:
            cursor["phase"] += 1
            cursor["after"] = None
            continue
        cursor["after"] = str(last)
        run.cursor = cursor
        run.done = run.done + handled
        return True
    run.cursor = cursor
    return False


def _rewrap_candidate_keys(
    old: list[uuid.UUID], new_id: uuid.UUID, new_secret: bytes, after: uuid.UUID | None,
    batch_size: int,
) -> tuple[int, uuid.UUID | None]:
    if not old:
        return 0, None
    stmt = _wrapped_by_old(old).order_by(DataKey.id).limit(batch_size)
    if after is not None:
        stmt = stmt.where(DataKey.id > after)
    rows = db.session.scalars(stmt).all()
    for row in rows:
        old_blob = row.wrapped_key
        assert old_blob is not None
        secret = key_material(row.id)
        nonce = os.urandom(12)
        blob = nonce + AESGCM(new_secret).encrypt(nonce, secret, row.wrap_context())
        guarded_key_update(row, old_blob, f"key:{new_id}", blob)
    return len(rows), (rows[-1].id if rows else None)


def _reseal_values(
    spec: EncryptedField, old: list[uuid.UUID], new_id: uuid.UUID, new_secret: bytes,
    after: uuid.UUID | None, batch_size: int,
) -> tuple[int, uuid.UUID | None, int]:
    if not old:
        return 0, None, 0
    column = getattr(spec.model, spec.column)
    stmt = (sa.select(spec.model.tenant_id, spec.model.id, column)
            .where(_sealed_by_old(spec, old)).order_by(spec.model.id).limit(batch_size))
    if after is not None:
        stmt = stmt.where(spec.model.id > after)
    rows = db.session.execute(stmt).all()
    table: sa.Table = spec.model.__table__
    unreadable = 0
    for tenant_id, row_id, blob in rows:
        aad = associated_data(tenant_id, spec.table, row_id, spec.field)
        try:
            plaintext = open_sealed(blob, aad)
        except (ValueError, LookupError):
            unreadable += 1
            continue
        db.session.execute(
            table.update()
            .where(table.c.tenant_id == tenant_id, table.c.id == row_id,
                   table.c[spec.column] == blob)
            .values({spec.column: seal(new_id, new_secret, plaintext, aad),
                     **_touch_free_values(table)})
        )
    return len(rows), (rows[-1][1] if rows else None), unreadable


def _finish_tenant(run: KeyRotation) -> None:
    """Another pass if anything still names the old key; else destroy it and finish."""
    old = _old_ids(run)
    left = _references(old)
    cursor = dict(run.cursor)
    if left and cursor["passes"] < MAX_PASSES and not cursor["unreadable"]:
        # Requests that began before the rotation may have written with the old key.
        cursor.update(phase=0, after=None, passes=cursor["passes"] + 1)
        run.cursor = cursor
        run.total += left
        return
    run.finished_at = utcnow()
    if left:
        run.status = "failed"
        run.error = f"{left} keys or values still use the old key; it was kept (retired)"
    else:
        for row in db.session.scalars(sa.select(DataKey).where(DataKey.id.in_(old))):
            row.wrapped_key = None
            row.active = False
            row.destroyed_at = utcnow()
        run.status = "done"
        run.done = max(run.done, run.total)
    record_operation(f"keys.tenant_rotation_{run.status}", tenant_id=run.for_tenant_id,
                     target_kind="key_rotation", target_id=run.id,
                     detail={"done": run.done, "left": left})


def continue_tenant_rotation(tenant_id: uuid.UUID, run_id: str) -> str:
    """Job: run (or resume) the tenant's rotation to its end; returns its status."""
    run = run_tenant_rotation(uuid.UUID(run_id))
    return run.status


# --- progress ------------------------------------------------------------------

@dataclass(frozen=True)
class RotationProgress:
    id: uuid.UUID
    kind: str
    for_tenant_id: uuid.UUID | None
    status: str
    total: int
    done: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None

    @property
    def percent(self) -> int:
        if self.status == "done" or not self.total:
            return 100 if self.status == "done" else 0
        return min(100, self.done * 100 // self.total)


def progress_of(run: KeyRotation) -> RotationProgress:
    return RotationProgress(run.id, run.kind, run.for_tenant_id, run.status, run.total,
                            run.done, run.started_at, run.finished_at, run.error)


def rotation_runs(for_tenant_id: uuid.UUID | None = None, limit: int = 20) -> Iterator[
        RotationProgress]:
    """The latest runs, newest first (one tenant's runs when ``for_tenant_id`` is given)."""
    stmt = sa.select(KeyRotation).order_by(KeyRotation.started_at.desc()).limit(limit)
    if for_tenant_id is not None:
        stmt = stmt.where(KeyRotation.for_tenant_id == for_tenant_id)
    for run in db.session.scalars(stmt):
        yield progress_of(run)
