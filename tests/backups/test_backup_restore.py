"""Backup then restore reproduces every row; a copy under a new slug reads everything."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.verify import verify_chain
from saas.backups.models import BackupRecord
from saas.candidates.models import Candidate, CandidateContactKey
from saas.candidates.services import get_candidate
from saas.candidates.timeline import Interaction
from saas.crypto.blind_index import blind_index, normalize_email
from saas.crypto.rotation import encrypted_fields
from saas.extensions import db
from saas.hooks.models import PluginSetting
from saas.tenancy.context import tenant_context
from saas.tenancy.models import Tenant
from tests.backups.helpers import (
    SMTP_PASSWORD,
    app_on,
    dispose,
    fresh_database,
    seed_tenant_data,
    table_rows,
)
from tests.conftest import DB_KIND
from tests.factories import TenantFixture

AUDIT = ("audit_events", "audit_chain_heads")


def _backup(app: Flask, slug: str, out: Path) -> str:
    result = app.test_cli_runner().invoke(args=["tenants", "backup", slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def _restore(app: Flask, path: Path, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["tenants", "restore", str(path), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def _clear_values(tenant_id: uuid.UUID) -> dict[tuple[str, uuid.UUID, str], Any]:
    """Every encrypted value of the tenant, decrypted, by (table, row id, field)."""
    values: dict[tuple[str, uuid.UUID, str], Any] = {}
    with tenant_context(tenant_id):
        for spec in encrypted_fields():
            for obj in db.session.scalars(sa.select(spec.model)):
                values[(spec.table, obj.id, spec.field)] = getattr(obj, spec.field)
    return values


def _assert_same_rows(before: dict[str, list[dict[str, Any]]],
                      after: dict[str, list[dict[str, Any]]]) -> None:
    """Every table, every row, every column identical (audit: the original is a prefix)."""
    assert set(after) == set(before)
    for table, rows in before.items():
        if table in AUDIT:
            continue
        assert after[table] == rows, table
    seqs = {row["seq"]: row for row in after["audit_events"]}
    for row in before["audit_events"]:
        assert seqs[row["seq"]] == row


def _check_reads(tenant_id: uuid.UUID, candidate_ids: list[uuid.UUID]) -> None:
    with tenant_context(tenant_id):
        for candidate_id in candidate_ids:
            candidate = get_candidate(candidate_id)
            assert candidate is not None and candidate.emails and candidate.phones
            digest = blind_index("email", normalize_email(candidate.emails[0]))
            assert db.session.scalars(sa.select(CandidateContactKey.candidate_id).where(
                CandidateContactKey.digest == digest)).one() == candidate_id
        assert db.session.scalars(sa.select(PluginSetting)).one().secrets == {
            "password": SMTP_PASSWORD}
        assert not verify_chain(tenant_id).problems


def test_restore_into_an_empty_database_reproduces_every_row(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    with app.app_context():
        ids = seed_tenant_data(tenant_a.id)
        before = table_rows(tenant_a.id)
    archive = tmp_path / "alpha.rkbackup"
    output = _backup(app, tenant_a.slug, archive)
    assert f"{tenant_a.slug}: " in output and "sha256" in output
    with app.app_context():
        record = db.session.scalars(sa.select(BackupRecord).where(
            BackupRecord.for_tenant_id == tenant_a.id)).one()
        assert (record.kind, record.size, Path(record.path)) == (
            "manual", archive.stat().st_size, archive.resolve())
    with fresh_database(DB_KIND, tmp_path) as urls:
        other = app_on(urls, app.config["MASTER_KEYS"])
        output = _restore(other, archive)
        assert "restored" in output and "with its tenant id" in output
        with other.app_context():
            _assert_same_rows(before, table_rows(tenant_a.id))
            _check_reads(tenant_a.id, ids)
        dispose(other)


@pytest.mark.postgresql
@pytest.mark.parametrize("direction", ["postgresql-to-sqlite", "sqlite-to-postgresql"])
def test_restore_across_database_kinds(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path, direction: str
) -> None:
    from tests.factories import make_tenant

    archive = tmp_path / "across.rkbackup"
    with fresh_database("sqlite", tmp_path) as sqlite_urls:
        sqlite_app = app_on(sqlite_urls, app.config["MASTER_KEYS"])
        source, target = (app, sqlite_app) if direction == "postgresql-to-sqlite" else (
            sqlite_app, app)
        tenant = tenant_a if source is app else make_tenant(sqlite_app, "lite")
        with source.app_context():
            ids = seed_tenant_data(tenant.id)
            before = table_rows(tenant.id)
        _backup(source, tenant.slug, archive)
        slug = f"{tenant.slug}-x"
        _restore(target, archive, "--as", slug)
        with target.app_context():
            restored = db.session.scalars(sa.select(Tenant).where(Tenant.slug == slug)).one()
            assert restored.id == tenant.id  # the id was free there: kept
            after = table_rows(tenant.id)
            assert after.pop("tenants")[0]["slug"] == slug
            before.pop("tenants")
            _assert_same_rows(before, after)
            _check_reads(tenant.id, ids)
        dispose(sqlite_app)


def test_restore_as_a_new_slug_next_to_the_original(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    with app.app_context():
        ids = seed_tenant_data(tenant_a.id)
        before = table_rows(tenant_a.id)
        clear_before = _clear_values(tenant_a.id)
    archive = tmp_path / "alpha.rkbackup"
    _backup(app, tenant_a.slug, archive)
    copy_slug = f"{tenant_a.slug}-copy"
    output = _restore(app, archive, "--as", copy_slug)
    assert "under a new tenant id (re-encrypted)" in output
    with app.app_context():
        copy = db.session.scalars(sa.select(Tenant).where(Tenant.slug == copy_slug)).one()
        assert copy.id != tenant_a.id and copy.name == before["tenants"][0]["name"]
        after = table_rows(copy.id)
        # Table by table, the same rows (same ids) with the same columns; only what
        # is bound to the tenant id (tenant_id, ciphertexts, wrapped keys, hashes) moved.
        moved = {"tenant_id", "wrapped_key", "wrapped_by", "owner_id", "hash", "prev_hash",
                 "last_hash"} | {spec.column for spec in encrypted_fields()}
        for table, rows in before.items():
            if table in ("tenants", "audit_events", "audit_chain_heads"):
                continue
            assert len(after[table]) == len(rows), table
            for old, new in zip(rows, after[table], strict=True):
                assert new["tenant_id"] == copy.id
                assert {k: v for k, v in old.items() if k not in moved} == {
                    k: v for k, v in new.items() if k not in moved}, table
        # Every encrypted value decrypts in the copy to what the original holds.
        assert _clear_values(copy.id) == clear_before
        _check_reads(copy.id, ids)
        _check_reads(tenant_a.id, ids)  # the original is untouched
        with tenant_context(copy.id):
            restored = db.session.scalars(sa.select(Interaction)).all()
            assert len(restored) == len(ids) and all(i.summary for i in restored)


def test_candidates_erased_after_the_backup_do_not_come_back(
    app: Flask, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    from saas.privacy.erasure import erase_candidate

    with app.app_context():
        ids = seed_tenant_data(tenant_a.id, candidates=3)
    archive = tmp_path / "before-erasure.rkbackup"
    _backup(app, tenant_a.slug, archive)
    erased = ids[0]
    with app.app_context(), tenant_context(tenant_a.id):
        person = get_candidate(erased)
        assert person is not None
        erase_candidate(person, cause="request")
        db.session.commit()
    copy_slug = f"{tenant_a.slug}-old"
    output = _restore(app, archive, "--as", copy_slug)
    assert "1 candidates erased since the backup were left out" in output
    with app.app_context():
        copy_id = db.session.scalars(sa.select(Tenant.id).where(Tenant.slug == copy_slug)).one()
        with tenant_context(copy_id):
            assert get_candidate(erased) is None
            assert db.session.scalars(sa.select(Interaction).where(
                Interaction.candidate_id == erased)).all() == []
            names = set(db.session.scalars(sa.select(Candidate.name)))
            assert names == {"张伟1", "张伟2"}
        _check_reads(copy_id, ids[1:])
        scan = table_rows(copy_id)
        assert all(str(erased) not in repr(row) or table in ("data_keys", "audit_events")
                   for table, rows in scan.items() for row in rows)
