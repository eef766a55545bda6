"""Helpers for backup and key tests: fresh databases, raw rows, seeded tenants."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from saas.app import create_app
from saas.backups.rows import TENANT_TABLE, tenant_tables
from saas.candidates.interactions import add_interaction
from saas.candidates.services import create_candidate
from saas.extensions import db
from saas.hooks.settings import configure_plugin
from saas.tenancy.context import tenant_context, unscoped
from tests.conftest import PG_ADMIN_URL, RUNTIME_ROLE, app_config

SMTP_PASSWORD = "smtp-secret-password-4711"


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(runtime URL, owner URL) of an empty database of ``kind`` made for one test."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.sqlite3'}"
        yield url, url
        return
    name = f"rekindle_fresh_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    owner = sa.engine.make_url(PG_ADMIN_URL).set(database=name)
    runtime = owner.set(username=RUNTIME_ROLE, password=None)
    try:
        yield (runtime.render_as_string(hide_password=False),
               owner.render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_on(urls: tuple[str, str], master_keys: str, **extra: object) -> Flask:
    """An app on ``urls`` with these master keys, migrated."""
    application = create_app(app_config(urls, MASTER_KEYS=master_keys, **extra))
    with application.app_context():
        upgrade()
    return application


def dispose(application: Flask) -> None:
    with application.app_context():
        db.engine.dispose()


def seed_tenant_data(tenant_id: uuid.UUID, candidates: int = 3) -> list[uuid.UUID]:
    """Candidates with contact points and a note each, and a plugin secret; commits."""
    ids: list[uuid.UUID] = []
    with tenant_context(tenant_id):
        configure_plugin("channel_email", enabled=True, settings={
            "host": "127.0.0.1", "port": 2525, "sender": "talent@example.com",
            "username": "u", "password": SMTP_PASSWORD})
        for i in range(candidates):
            tag = uuid.uuid4().hex[:6]
            candidate = create_candidate({
                "name": f"张伟{i}", "emails": [f"zw{i}-{tag}@example.com"],
                "phones": [f"+86138{int(tag, 16) % 10**8:08d}"], "wechat_id": f"zw_{tag}",
                "expected_salary": {"amount": 40000 + i, "currency": "CNY", "period": "month"},
            })
            db.session.flush()
            add_interaction(candidate, {"direction": "note", "channel": "wechat",
                                        "summary": f"最近在处理旧公司的项目 {tag}"})
            ids.append(candidate.id)
        db.session.commit()
    return ids


def table_rows(tenant_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every row of every tenant table for the tenant (and the tenant row), by table."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with unscoped(reason="test compares a tenant's raw rows"):
        tenants = db.metadata.tables[TENANT_TABLE]
        rows[TENANT_TABLE] = [dict(r) for r in db.session.execute(
            sa.select(tenants).where(tenants.c.id == tenant_id)).mappings()]
        for table in tenant_tables():
            found = db.session.execute(sa.select(table).where(table.c.tenant_id == tenant_id)
                                       .order_by(*table.primary_key.columns)).mappings()
            rows[table.name] = [dict(r) for r in found]
    return rows
