"""Two writers in one tenant on SQLite queue up for the chain head instead of colliding.

SQLite has no ``SELECT … FOR UPDATE``: without a write lock taken before the
head is read, both writers read the same head and the second either forks the
chain or fails on the taken position. Each thread here first reads (so its
connection is not yet writing), then appends events and commits, many times.
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
from tests.factories import TenantFixture

pytestmark = pytest.mark.skipif(DB_KIND != "sqlite", reason="the SQLite write lock")

EVENTS_EACH = 25


def test_two_sqlite_writers_append_one_unbroken_chain(
    app: Flask, tenant_a: TenantFixture
) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            with app.app_context(), tenant_context(tenant_a.id):
                start.wait()
                for index in range(EVENTS_EACH):
                    db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
                    audit.record("test.sqlite_writers", detail={"writer": writer, "i": index})
                    db.session.commit()
        except BaseException as exc:  # reported below, with the thread's failure
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context(), tenant_context(tenant_a.id):
        seqs = list(db.session.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)))
        written = db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "test.sqlite_writers"))
        result = verify_chain(tenant_a.id)
    assert written == 2 * EVENTS_EACH
    assert seqs == list(range(1, len(seqs) + 1))
    assert result.ok, result.problems
