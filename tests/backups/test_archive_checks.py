"""Damaged, changed or foreign archives and bad arguments: a clear error, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask

from saas.app import create_app
from saas.extensions import db
from saas.tenancy.models import Tenant
from tests.backups.helpers import seed_tenant_data
from tests.conftest import app_config
from tests.factories import TenantFixture


@pytest.fixture()
def archive(app: Flask, tenant_a: TenantFixture, tmp_path: Path) -> Path:
    with app.app_context():
        seed_tenant_data(tenant_a.id, candidates=2)
    path = tmp_path / "alpha.rkbackup"
    result = app.test_cli_runner().invoke(
        args=["tenants", "backup", tenant_a.slug, "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _tenant_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) or 0


def _refused(app: Flask, args: list[str], message: str) -> None:
    before = _tenant_count(app)
    result = app.test_cli_runner().invoke(args=["tenants", "restore", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert _tenant_count(app) == before


def _flip(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1:]


@pytest.mark.parametrize("damage, message", [
    (lambda d: _flip(d, len(d) // 2), "was changed or damaged"),
    (lambda d: _flip(d, len(d) - 1), "was changed or damaged"),
    (lambda d: d[: len(d) - 40], "truncated"),
    (lambda d: d + b"extra", "unexpected data after its end"),
    (lambda d: d.replace(b'"format": 1', b'"format": 2'), "format 2 is not supported"),
    (lambda d: d.replace(b"AES-256-GCM", b"AES-256-GCX"), "was changed or damaged"),
    (lambda d: b"PK\x03\x04" + d[4:], "not a Rekindle backup"),
    (lambda d: b"", "not a Rekindle backup"),
])
def test_a_damaged_archive_is_refused(
    app: Flask, archive: Path, tmp_path: Path, damage: object, message: str
) -> None:
    bad = tmp_path / "bad.rkbackup"
    bad.write_bytes(damage(archive.read_bytes()))  # type: ignore[operator]
    _refused(app, [str(bad), "--as", "damaged-copy"], message)


def test_an_archive_needs_its_master_key(
    app: Flask, database_urls: tuple[str, str], archive: Path
) -> None:
    stranger = create_app(app_config(database_urls, MASTER_KEYS=Fernet.generate_key().decode()))
    _refused(stranger, [str(archive), "--as", "stranger-copy"], "is not configured")


def test_restore_refuses_bad_arguments(
    app: Flask, archive: Path, tenant_a: TenantFixture, tenant_b: TenantFixture, tmp_path: Path
) -> None:
    _refused(app, [str(archive)], f"a tenant '{tenant_a.slug}' already exists; restore it "
             "under a new slug with --as NEW-SLUG")
    _refused(app, [str(archive), "--as", tenant_b.slug], f"a tenant '{tenant_b.slug}' already "
             "exists")
    _refused(app, [str(archive), "--as", "Not A Slug!"], "--as 'Not A Slug!': a slug is 2-40")
    _refused(app, [str(tmp_path / "missing.rkbackup")], "no such file")
    result = app.test_cli_runner().invoke(args=["tenants", "restore"])
    assert result.exit_code != 0 and "Missing argument 'FILE'" in result.output


def test_backup_refuses_bad_arguments(
    app: Flask, archive: Path, tenant_a: TenantFixture, tmp_path: Path
) -> None:
    def backup(*args: str) -> str:
        result = app.test_cli_runner().invoke(args=["tenants", "backup", *args])
        assert result.exit_code != 0
        return result.output

    assert "no tenant 'nobody-here'" in backup("nobody-here", "--out", str(tmp_path / "x"))
    assert "exists; pass --force to replace it" in backup(tenant_a.slug, "--out", str(archive))
    assert "does not exist" in backup(tenant_a.slug, "--out", str(tmp_path / "no" / "x"))
    assert "Missing option '--out'" in backup(tenant_a.slug)
    original = archive.read_bytes()
    result = app.test_cli_runner().invoke(
        args=["tenants", "backup", tenant_a.slug, "--out", str(archive), "--force"])
    assert result.exit_code == 0 and archive.read_bytes() != original
