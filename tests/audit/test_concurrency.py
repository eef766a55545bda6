"""Concurrent writers in one tenant never take the same position (threads).

PostgreSQL locks the trail's head row (``SELECT … FOR UPDATE``). SQLite has no row
locks: without its write lock taken before the head is read, two writers read the
same head and the second forks the chain or fails on the taken position. Each
writer first reads (so its connection is not yet writing), then appends and commits.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask

from saas import audit
from saas.audit.models import AuditEvent
from saas.audit.verify import verify_chain
from saas.extensions import db
from saas.tenancy.context import tenant_context
from tests.conftest import DB_KIND
from tests.factories import TenantFixture, make_tenant

# SQLite serialises writers on one database lock: two make the race, more only wait.
WRITERS = 8 if DB_KIND == "postgresql" else 2
EVENTS_EACH = 15


def test_concurrent_writers_get_distinct_positions_and_a_valid_chain(
    app: Flask, tenant_a: TenantFixture
) -> None:
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            with app.app_context(), tenant_context(tenant_a.id):
                start.wait()
                for index in range(EVENTS_EACH):
                    db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                    audit.record("test.concurrent", detail={"writer": writer, "index": index})
                    db.session.commit()
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with app.app_context(), tenant_context(tenant_a.id):
        seqs = list(db.session.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)))
        written = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "test.concurrent"))
        result = verify_chain(tenant_a.id)
    assert written == WRITERS * EVENTS_EACH
    assert seqs == list(range(1, len(seqs) + 1))
    assert result.ok, result.problems


@pytest.mark.postgresql
def test_the_first_events_of_a_new_tenant_race_for_its_head(app: Flask) -> None:
    """Two writers create the head of a trail at the same moment: one waits for the other."""
    fresh = make_tenant(app, "race", roles=())
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with app.app_context(), tenant_context(fresh.id):
                audit.record("test.race")
                start.wait()
                db.session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with app.app_context():
        result = verify_chain(fresh.id)
    assert result.ok and result.events == 2, result.problems
