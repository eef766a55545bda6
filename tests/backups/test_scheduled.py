"""The daily backup: once per day per tenant, recorded, audited, expired ones pruned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.backups.jobs import EVERY, scheduled_backup
from saas.backups.models import BackupRecord
from saas.backups.service import check_backup
from saas.extensions import db
from saas.jobs.runner import run_job
from saas.jobs.schedules import SCHEDULES
from saas.tenancy.context import tenant_context
from saas.timeutil import utcnow
from tests.factories import TenantFixture


@pytest.fixture()
def backup_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    saved = app.config.get("BACKUP_DIR")
    app.config["BACKUP_DIR"] = str(tmp_path / "backups")
    yield tmp_path / "backups"
    app.config["BACKUP_DIR"] = saved


def _records(tenant: TenantFixture) -> list[BackupRecord]:
    return list(db.session.scalars(sa.select(BackupRecord).where(
        BackupRecord.for_tenant_id == tenant.id).order_by(BackupRecord.created_at)))


def test_daily_backup_runs_once_per_day_and_prunes_expired(
    app: Flask, tenant_a: TenantFixture, backup_dir: Path
) -> None:
    assert SCHEDULES["tenant-backup"].every == dt.timedelta(days=1)
    slot = SCHEDULES["tenant-backup"].slot(utcnow())
    path = "saas.backups.jobs:scheduled_backup"
    with app.app_context():
        first = run_job(path, str(tenant_a.id), slot)
        assert run_job(path, str(tenant_a.id), slot) is None  # same day: nothing new
        day = dt.datetime.fromtimestamp(slot * EVERY.total_seconds(), dt.UTC).date()
        expected = backup_dir / tenant_a.slug / f"{tenant_a.slug}-{day.isoformat()}.rkbackup"
        assert first == str(expected.resolve()) and expected.is_file()
        (record,) = _records(tenant_a)
        assert (record.kind, record.size) == ("scheduled", expected.stat().st_size)
        assert record.expires_at is not None
        assert dt.timedelta(days=13) < record.expires_at - utcnow() <= dt.timedelta(days=14)
        assert check_backup(expected).tenant_slug == tenant_a.slug
        # A week-old backup that has expired is deleted, file and record.
        stale = expected.with_name("stale.rkbackup")
        stale.write_bytes(b"old")
        db.session.add(BackupRecord(for_tenant_id=tenant_a.id, slug=tenant_a.slug,
                                    path=str(stale), size=3, sha256="0" * 64, kind="scheduled",
                                    expires_at=utcnow() - dt.timedelta(days=1)))
        db.session.commit()
        run_job(path, str(tenant_a.id), slot + 1)
        assert not stale.exists()
        assert [r.kind for r in _records(tenant_a)] == ["scheduled", "scheduled"]
        with tenant_context(tenant_a.id):
            actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
                AuditEvent.action.like("tenant.backup%")).order_by(AuditEvent.seq)))
        assert actions == ["tenant.backup_created", "tenant.backups_pruned",
                           "tenant.backup_created"]


def test_daily_backup_of_a_vanished_tenant_does_nothing(app: Flask) -> None:
    import uuid

    with app.app_context():
        assert scheduled_backup(uuid.uuid4(), 1) is None
