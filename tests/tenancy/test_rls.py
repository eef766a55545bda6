"""Row-level security on PostgreSQL: raw SQL as the runtime role sees one tenant only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.extensions import db
from saas.tenancy.scoped import is_tenant_scoped
from tests.factories import TenantFixture

pytestmark = pytest.mark.postgresql


def _tenant_tables() -> list[str]:
    return sorted(
        m.class_.__tablename__ for m in db.Model.registry.mappers if is_tenant_scoped(m.class_)
    )


def _count(conn: sa.Connection, table: str, tenant: object) -> int:
    return int(conn.execute(
        sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"), {"t": tenant}
    ).scalar_one())


def test_every_tenant_table_has_a_policy(app: Flask, runtime_engine: sa.Engine) -> None:
    with runtime_engine.connect() as conn:
        policies = set(conn.execute(sa.text(
            "SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'"
        )).scalars())
        enabled = set(conn.execute(sa.text(
            "SELECT relname FROM pg_class WHERE relrowsecurity"
        )).scalars())
    tables = set(_tenant_tables())
    assert tables <= policies, tables - policies
    assert tables <= enabled, tables - enabled


def test_runtime_role_owns_nothing_and_cannot_bypass(runtime_engine: sa.Engine) -> None:
    with runtime_engine.connect() as conn:
        role = conn.execute(sa.text(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )).one()
        owned = conn.execute(sa.text(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user"
        )).scalar_one()
    assert tuple(role) == (False, False)
    assert owned == 0


def test_raw_sql_in_tenant_b_sees_none_of_a(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture, runtime_engine: sa.Engine
) -> None:
    for table in _tenant_tables():
        with runtime_engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_b.id)})
            assert _count(conn, table, tenant_a.id) == 0, table
            visible = conn.execute(sa.text(f"SELECT DISTINCT tenant_id FROM {table}")).scalars()
            assert set(visible) <= {tenant_b.id}, table
        with runtime_engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_a.id)})
            if table in ("users", "data_keys", "api_tokens", "audit_events"):
                assert _count(conn, table, tenant_a.id) > 0, table


def test_raw_sql_with_no_tenant_sees_nothing(
    app: Flask, tenant_a: TenantFixture, runtime_engine: sa.Engine
) -> None:
    with runtime_engine.connect() as conn:
        for table in _tenant_tables():
            total = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert total == 0, table


def test_runtime_role_cannot_insert_into_another_tenant(
    app: Flask, tenant_a: TenantFixture, tenant_b: TenantFixture, runtime_engine: sa.Engine
) -> None:
    with runtime_engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError), conn.begin():
        conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                     {"t": str(tenant_b.id)})
        conn.execute(sa.text(
            "INSERT INTO audit_events (tenant_id, id, occurred_at, actor_kind, action, "
            "outcome, detail) VALUES (:t, gen_random_uuid(), now(), 'system', 'x', "
            "'success', '{}')"
        ), {"t": tenant_a.id})


def test_setting_does_not_leak_to_the_next_transaction(
    app: Flask, tenant_a: TenantFixture
) -> None:
    from saas.tenancy.context import tenant_context

    with app.app_context():
        with tenant_context(tenant_a.id):
            assert db.session.scalar(sa.text("SELECT count(*) FROM users")) > 0
            db.session.commit()
        after = db.session.scalar(sa.text("SELECT current_setting('app.tenant_id', true)"))
        assert after in (None, "")
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == 0
        db.session.rollback()
