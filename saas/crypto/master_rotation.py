"""Master-key rotation: re-wrap every tenant key under the newest master key, resumably.

Operators put a new key first in ``REKINDLE_MASTER_KEYS`` (older keys still
unwrap), then run ``flask --app wsgi keys rotate-master``. Only tenant keys are
wrapped by the master key; candidate keys are wrapped by their tenant key and
are untouched. Keys are walked in ``(tenant_id, id)`` order across tenants; the
cursor records the last one handled, and each batch commits with the progress.
When the run is done the older master keys can be removed from the config.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from saas.crypto.keys import DataKey, KeyRotation, keyring
from saas.crypto.master import UnwrapError
from saas.crypto.rotation import DEFAULT_BATCH, guarded_key_update, lock_run, record_operation
from saas.extensions import db
from saas.tenancy.context import unscoped
from saas.timeutil import utcnow


def _master_pending(newest: str) -> sa.Select[Any]:
    return sa.select(DataKey).where(
        DataKey.wrapped_by.like("master:%"),
        DataKey.wrapped_by != f"master:{newest}",
        DataKey.wrapped_key.is_not(None),
    )


def start_master_rotation() -> KeyRotation:
    """The running master rotation, or a new one re-wrapping keys under the newest master key."""
    running = db.session.scalars(sa.select(KeyRotation).where(
        KeyRotation.kind == "master", KeyRotation.status == "running")).first()
    if running is not None:
        return running
    newest = keyring().newest_id
    with unscoped(reason="master-key rotation counts every tenant's wrapped keys"):
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            _master_pending(newest).subquery())) or 0
    run = KeyRotation(kind="master", total=total, done=0,
                      cursor={"target": newest, "after": None, "unreadable": 0})
    db.session.add(run)
    db.session.flush()
    record_operation("keys.master_rotation_started", tenant_id=None, target_kind="key_rotation",
                     target_id=run.id, detail={"total": total, "target": newest})
    db.session.commit()
    return run


def run_master_rotation(
    run_id: uuid.UUID, *, batch_size: int = DEFAULT_BATCH, max_batches: int | None = None
) -> KeyRotation:
    """Re-wrap batches until the run is done (or ``max_batches`` ran); returns the run."""
    batches = 0
    while max_batches is None or batches < max_batches:
        with unscoped(reason="master-key rotation re-wraps every tenant's keys"):
            run = lock_run(run_id)
            if run.status != "running":
                return run
            if not _master_batch(run, batch_size):
                _finish_master(run)
            db.session.commit()
        batches += 1
    return lock_run(run_id, lock=False)


def _master_batch(run: KeyRotation, batch_size: int) -> bool:
    """Re-wrap one batch; False when nothing is left."""
    ring = keyring()
    cursor = dict(run.cursor)
    if cursor.get("target") != ring.newest_id:
        # A newer master key was put in front since the run started: start over
        # (keys already re-wrapped to the previous target are simply re-wrapped again).
        cursor = {"target": ring.newest_id, "after": None, "unreadable": 0}
    stmt = _master_pending(ring.newest_id).order_by(DataKey.tenant_id, DataKey.id)
    if cursor["after"]:
        tenant, ident = (uuid.UUID(v) for v in cursor["after"])
        stmt = stmt.where(sa.tuple_(DataKey.tenant_id, DataKey.id) > sa.tuple_(tenant, ident))
    rows = db.session.scalars(stmt.limit(batch_size)).all()
    if not rows:
        return False
    for row in rows:
        old_blob = row.wrapped_key
        assert old_blob is not None
        try:
            secret = ring.unwrap(row.wrapped_by.partition(":")[2], old_blob, row.wrap_context())
        except UnwrapError:
            cursor["unreadable"] = int(cursor["unreadable"]) + 1
            continue
        master_id, blob = ring.wrap(secret, row.wrap_context())
        guarded_key_update(row, old_blob, f"master:{master_id}", blob)
    last = rows[-1]
    cursor["after"] = [str(last.tenant_id), str(last.id)]
    run.cursor = cursor
    run.done = min(run.total, run.done + len(rows)) if run.total else run.done + len(rows)
    return True


def _finish_master(run: KeyRotation) -> None:
    unreadable = int(run.cursor.get("unreadable", 0))
    run.status = "failed" if unreadable else "done"
    run.done = run.total if not unreadable else run.done
    run.finished_at = utcnow()
    if unreadable:
        run.error = (f"{unreadable} tenant keys are wrapped by a master key that is not "
                     "configured; they were left as they are")
    record_operation(f"keys.master_rotation_{run.status}", tenant_id=None,
                     target_kind="key_rotation", target_id=run.id,
                     detail={"done": run.done, "unreadable": unreadable})
