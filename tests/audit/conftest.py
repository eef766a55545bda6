"""Audit test helpers: events through ``audit.record`` and tampering as the table owner."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from saas import audit
from saas.extensions import db
from saas.tenancy.context import tenant_context


@pytest.fixture()
def owner_engine(database_urls: tuple[str, str]) -> Iterator[sa.Engine]:
    """Raw SQL as the tables' owner: what someone bypassing the app could run."""
    engine = sa.create_engine(database_urls[1])
    yield engine
    engine.dispose()


def record_events(app: Flask, tenant_id: uuid.UUID, count: int, action: str = "test.event"
                  ) -> None:
    with app.app_context(), tenant_context(tenant_id):
        for index in range(count):
            audit.record(action, target_kind="test", target_id=f"t-{index}",
                         detail={"index": index})
        db.session.commit()


def tamper(engine: sa.Engine, sql: str, **params: object) -> None:
    """Run ``sql`` with ``:t`` bound to a tenant id (as a UUID column value)."""
    statement = sa.text(sql)
    if "t" in params:
        statement = statement.bindparams(sa.bindparam("t", type_=sa.Uuid))
    if "d" in params:
        statement = statement.bindparams(sa.bindparam("d", type_=sa.JSON))
    with engine.begin() as conn:
        conn.execute(statement, params)
