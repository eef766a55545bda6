"""The daily backup of every active tenant, and the retention that prunes old ones.

Archives go to ``BACKUP_DIR/<slug>/<slug>-<YYYY-MM-DD>.rkbackup`` (``BACKUP_DIR``
empty: ``<instance>/backups``) and expire after ``BACKUP_RETENTION_DAYS``. A day
is backed up once however often the job runs; expired archives of the tenant
are deleted with their records.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from saas.backups.models import BackupRecord
from saas.backups.service import backup_tenant
from saas.crypto.rotation import record_operation
from saas.extensions import db
from saas.jobs.schedules import periodic
from saas.tenancy.models import Tenant
from saas.timeutil import utcnow

EVERY = dt.timedelta(days=1)


def backup_dir() -> Path:
    configured = str(current_app.config.get("BACKUP_DIR") or "")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def _retention() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config.get("BACKUP_RETENTION_DAYS", 14)))


@periodic("tenant-backup", every=EVERY)
def scheduled_backup(tenant_id: uuid.UUID, slot: int) -> str | None:
    """Back up the tenant for day ``slot`` (once) and prune its expired backups."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return None
    prune_expired(tenant_id)
    day = dt.datetime.fromtimestamp(slot * EVERY.total_seconds(), dt.UTC).date()
    path = (backup_dir() / tenant.slug / f"{tenant.slug}-{day.isoformat()}.rkbackup").resolve()
    done = db.session.scalars(sa.select(BackupRecord.id).where(
        BackupRecord.for_tenant_id == tenant_id, BackupRecord.kind == "scheduled",
        BackupRecord.path == str(path))).first()
    if done is not None:
        return None
    result = backup_tenant(tenant, path, kind="scheduled", expires_at=utcnow() + _retention())
    return str(result.path)


def prune_expired(tenant_id: uuid.UUID) -> int:
    """Delete the tenant's expired backup files and their records; returns how many."""
    expired = db.session.scalars(sa.select(BackupRecord).where(
        BackupRecord.for_tenant_id == tenant_id, BackupRecord.expires_at.is_not(None),
        BackupRecord.expires_at < utcnow())).all()
    for record in expired:
        Path(record.path).unlink(missing_ok=True)
        db.session.delete(record)
    if expired:
        record_operation("tenant.backups_pruned", tenant_id=tenant_id, target_kind="tenant",
                         target_id=tenant_id, detail={"count": len(expired)})
        db.session.commit()
    return len(expired)
