"""The app never changes or deletes an audit event (ORM guard; PostgreSQL privileges)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.audit.append_only import AuditTrailIsAppendOnly
from saas.audit.models import AuditEvent, PlatformAuditEvent
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.audit.conftest import record_events
from tests.factories import TenantFixture


def test_changing_an_event_through_the_session_is_refused(
    app: Flask, tenant_a: TenantFixture
) -> None:
    record_events(app, tenant_a.id, 1)
    with app.app_context(), tenant_context(tenant_a.id):
        event = db.session.scalars(sa.select(AuditEvent)).first()
        assert event is not None
        event.detail = {"changed": True}
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()


def test_deleting_an_event_through_the_session_is_refused(
    app: Flask, tenant_a: TenantFixture
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        event = db.session.scalars(sa.select(AuditEvent)).first()
        db.session.delete(event)
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("statement", [
    sa.update(AuditEvent).values(outcome="success"),
    sa.delete(AuditEvent),
    sa.update(PlatformAuditEvent).values(outcome="success"),
    sa.delete(PlatformAuditEvent.__table__),
], ids=["update", "delete", "platform update", "platform table delete"])
def test_bulk_changes_are_refused(
    app: Flask, tenant_a: TenantFixture, statement: sa.Executable
) -> None:
    with app.app_context(), tenant_context(tenant_a.id):
        with pytest.raises(AuditTrailIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


@pytest.mark.postgresql
@pytest.mark.parametrize("sql", [
    "UPDATE audit_events SET outcome = 'success'",
    "DELETE FROM audit_events",
    "UPDATE platform_audit_events SET outcome = 'success'",
    "DELETE FROM platform_audit_events",
])
def test_the_runtime_role_may_not_update_or_delete_audit_rows(
    app: Flask, tenant_a: TenantFixture, runtime_engine: sa.Engine, sql: str
) -> None:
    refused = pytest.raises(sa.exc.ProgrammingError, match="permission denied")
    with runtime_engine.connect() as conn, refused, conn.begin():
        conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                     {"t": str(tenant_a.id)})
        conn.execute(sa.text(sql))


@pytest.mark.postgresql
def test_the_runtime_role_may_still_append(
    app: Flask, tenant_a: TenantFixture, runtime_engine: sa.Engine
) -> None:
    with runtime_engine.begin() as conn:
        privileges = conn.execute(sa.text(
            "SELECT has_table_privilege('audit_events', 'INSERT'), "
            "has_table_privilege('audit_events', 'SELECT'), "
            "has_table_privilege('audit_chain_heads', 'UPDATE')")).one()
    assert tuple(privileges) == (True, True, True)
