"""``flask audit verify``: every trail by default, one with --tenant; exit 1 on tampering."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.conftest import record_events, tamper
from tests.factories import TenantFixture


def _count(app: Flask, tenant: TenantFixture) -> int:
    with app.app_context(), tenant_context(tenant.id):
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0)


def test_one_clean_tenant(app: Flask, tenant_a: TenantFixture) -> None:
    record_events(app, tenant_a.id, 3)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--tenant", tenant_a.slug])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{tenant_a.slug}: ok ({_count(app, tenant_a)} events)"


def test_all_trails_including_the_platform(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture, owner_engine: sa.Engine
) -> None:
    record_events(app, tenant_b.id, 4)
    with app.app_context(), tenant_context(tenant_b.id):
        seq = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) - 2
    tamper(owner_engine, "UPDATE audit_events SET action = 'test.innocent' "
           "WHERE tenant_id = :t AND seq = :s", t=tenant_b.id, s=seq)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert f"{tenant_a.slug}: ok ({_count(app, tenant_a)} events)" in lines
    assert f"{tenant_b.slug}: 1 problem(s) in {_count(app, tenant_b)} events" in lines
    assert (f"  - modified: Event {seq} was changed after it was written: "
            "its hash does not match.") in lines
    assert any(line.startswith("platform: ok (") for line in lines)


def test_an_unknown_tenant_is_an_error(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--tenant", "no-such"])
    assert result.exit_code != 0
    assert "No tenant with the slug 'no-such'" in result.output
